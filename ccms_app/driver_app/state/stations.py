"""Find a charger: the stations list and map (/app) and one station (/app/stations/<id>).

The use cases (`driver_app.stations`, `driver_app.favourites`) read for the driver the gate
confirmed (DriverAuthState._principal()); ids in a payload are checked there against the
driver's network. Filtering, searching and sorting by distance run on what was read, without
another read. Availability is pushed: the page registers its charge points with the driver
live feed (`DriverAuthState._watch_live`) and the feed calls `refresh_live()` when one of them
changes; the page never polls. The browser's position, when the driver shares it, stays in
this tab (it sorts the list and shows distances; it is never stored).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.driver_app import favourites, stations
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.rules.paths import connector_path, reserve_path, station_path
from ccms_app.driver_app.rules.station_prices import price_text
from ccms_app.driver_app.rules.stations import (
    POWER_STEPS_KW,
    ConnectorOffer,
    Position,
    StationFilter,
    StationOffer,
    by_distance,
    connector_types,
    distance_text,
    filter_stations,
    fit_map,
    navigation_url,
    opening,
    opening_text,
    power_text,
    valid_position,
)
from ccms_app.driver_app.state import live_feed
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.network.rules.station_availability import BADGE_COLOURS, FREE, ORDER
from ccms_app.network.state.map import build_figure
from ccms_app.network.station_map import StationMarker
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

FULL_READ_S = 300  # a pushed list reads its prices and stations again after this long
ANY = "any"  # a select's "no filter" (Radix selects have no empty value)
LOCATE_SCRIPT = """new Promise((resolve) => {
  if (!navigator.geolocation) { resolve(null); return; }
  navigator.geolocation.getCurrentPosition(
    (p) => resolve([p.coords.latitude, p.coords.longitude]),
    () => resolve(null),
    {enableHighAccuracy: false, timeout: 10000, maximumAge: 300000});
})"""


@dataclasses.dataclass
class ConnectorRow:
    id: int = 0
    identity: str = ""
    connector_id: int = 0
    connector_type: str = ""
    power: str = ""
    status: str = ""
    availability: str = ""
    colour: str = "gray"
    price: str = ""
    free: bool = False
    charge_href: str = ""
    reserve_href: str = ""


@dataclasses.dataclass
class ChargePointGroup:
    identity: str = ""
    connectors: list[ConnectorRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class StationCard:
    id: int = 0
    name: str = ""
    address: str = ""
    href: str = ""
    nav_href: str = ""
    distance: str = ""
    hours: str = ""
    opening_hours: str = ""
    open_state: str = ""  # open / closed / "" (unknown)
    always_open: bool = False
    availability: str = ""
    colour: str = "gray"
    free_text: str = ""
    favourite: bool = False
    connectors: list[ConnectorRow] = dataclasses.field(default_factory=list)


def connector_row(c: ConnectorOffer) -> ConnectorRow:
    return ConnectorRow(
        id=c.id,
        identity=c.identity,
        connector_id=c.connector_id,
        connector_type=c.connector_type,
        power=power_text(c.max_power_w),
        status=c.status,
        availability=c.availability,
        colour=BADGE_COLOURS.get(c.availability, "gray"),
        price=price_text(c.price),
        free=c.availability == FREE,
        charge_href=connector_path(c.identity, c.connector_id),
        reserve_href=reserve_path(c.id),
    )


def _free_text(offer: StationOffer) -> str:
    total = len(offer.connectors)
    if not total:
        return tr("No connectors yet")
    free = sum(1 for c in offer.connectors if c.availability == FREE)
    return tr("{free} of {total} free", free=free, total=total)


def station_card(offer: StationOffer, metres: float | None, now: datetime) -> StationCard:
    """The station as the list and the station page show it, in the reader's language."""
    state = opening(offer.opening_hours, offer.timezone, now)
    position = offer.position
    return StationCard(
        id=offer.id,
        name=offer.name,
        address=offer.address,
        href=station_path(offer.id),
        nav_href=navigation_url(position) if position else "",
        distance=distance_text(metres),
        hours=opening_text(state, offer.timezone, now),
        opening_hours=offer.opening_hours,
        open_state="" if state.open is None else ("open" if state.open else "closed"),
        always_open=state.always,
        availability=offer.availability,
        colour=BADGE_COLOURS.get(offer.availability, "gray"),
        free_text=_free_text(offer),
        favourite=offer.favourite,
        connectors=[connector_row(c) for c in offer.connectors],
    )


def _marker(offer: StationOffer, card: StationCard) -> StationMarker:
    return StationMarker(
        id=offer.id,
        name=offer.name,
        address=offer.address,
        latitude=offer.latitude,
        longitude=offer.longitude,
        availability=offer.availability,
        summary=card.free_text,
        charge_points=len(offer.charge_point_ids),
    )


def _figure(markers: list[StationMarker]) -> dict[str, Any]:
    """The operator map's figure, framed for a phone-sized map."""
    figure = build_figure(markers)
    placed = [(m.latitude, m.longitude) for m in markers]
    centre, zoom = fit_map(
        [(lat, lon) for lat, lon in placed if lat is not None and lon is not None]
    )
    figure["layout"]["map"].update(center=centre, zoom=zoom)
    return figure


def _with_favourite(offers: list[StationOffer], station_id: int, on: bool) -> list[StationOffer]:
    return [dataclasses.replace(o, favourite=on) if o.id == station_id else o for o in offers]


async def _driver(state: rx.State) -> Any:
    return (await state.get_state(DriverAuthState))._principal()


@driver_state
class StationsState(rx.State):
    """The list and the map of /app."""

    query: str = ""
    connector_type: str = ANY
    min_power: str = ANY
    available_now: bool = False
    favourites_only: bool = False
    located: bool = False
    loaded: bool = False
    failed: bool = False
    cards: rx.Field[list[StationCard]] = rx.field(default_factory=list)
    figure: rx.Field[dict[str, Any]] = rx.field(default_factory=dict)
    on_map: int = 0  # stations shown that have a position
    total: int = 0
    type_options: rx.Field[list[str]] = rx.field(default_factory=list)
    power_options: list[str] = [str(kw) for kw in POWER_STEPS_KW]
    _offers: list[StationOffer] = []
    _position: Position | None = None
    _marker_ids: list[list[int]] = []
    _read_at: float = 0.0

    def _filter(self) -> StationFilter:
        return StationFilter(
            text=self.query,
            connector_type="" if self.connector_type == ANY else self.connector_type,
            min_power_kw=int(self.min_power) if self.min_power.isdigit() else 0,
            available_now=self.available_now,
            favourites_only=self.favourites_only,
        )

    def _apply(self) -> None:
        """Show what matches the filters, nearest first when the position is known."""
        now = utc_now()
        shown = by_distance(filter_stations(self._offers, self._filter()), self._position)
        cards = [station_card(offer, metres, now) for offer, metres in shown]
        self.cards = cards
        markers = [_marker(offer, card) for (offer, _), card in zip(shown, cards, strict=True)]
        placed = [m for m in markers if m.latitude is not None and m.longitude is not None]
        self.on_map = len(placed)
        self.figure = _figure(markers) if placed else {}
        self._marker_ids = [[m.id for m in placed if m.availability == a] for a in ORDER]
        self.total = len(self._offers)
        self.type_options = connector_types(self._offers)

    async def _read(self) -> None:
        driver = await _driver(self)
        try:
            self._offers = await asyncio.to_thread(stations.network_stations, driver)
            self.failed = False
        except Exception:
            log.exception("stations unavailable for the driver app")
            self.failed = True
            return
        self._read_at = utc_now().timestamp()
        self._apply()
        ids = set().union(*(o.charge_point_ids for o in self._offers))
        await (await self.get_state(DriverAuthState))._watch_live(self, ids)

    @event
    async def load(self) -> None:
        """on_load of /app."""
        await self._read()
        self.loaded = True

    async def refresh_live(self) -> None:
        """The driver live feed: a charge point of this list changed. Its statuses are read
        again (two reads); the whole list, prices too, once it is older than FULL_READ_S."""
        if utc_now().timestamp() - self._read_at > FULL_READ_S:
            await self._read()
            return
        try:
            self._offers = await asyncio.to_thread(stations.with_live_availability, self._offers)
        except Exception:
            log.exception("station availability unavailable for the driver app")
            return
        self._apply()

    @event
    def leave(self) -> None:
        """The list is gone from the screen: no more pushes for it."""
        live_feed.unwatch(self)

    @event
    def set_query(self, value: str) -> None:
        self.query = str(value)[:100]
        self._apply()

    @event
    def set_connector_type(self, value: str) -> None:
        value = str(value)
        self.connector_type = value if value in self.type_options else ANY
        self._apply()

    @event
    def set_min_power(self, value: str) -> None:
        value = str(value)
        self.min_power = value if value in self.power_options else ANY
        self._apply()

    @event
    def set_available_now(self, value: bool) -> None:
        self.available_now = bool(value)
        self._apply()

    @event
    def set_favourites_only(self, value: bool) -> None:
        self.favourites_only = bool(value)
        self._apply()

    @event
    def clear_filters(self) -> None:
        self.query, self.connector_type, self.min_power = "", ANY, ANY
        self.available_now = self.favourites_only = False
        self._apply()

    @event
    def locate(self) -> Any:
        """Ask the browser where the driver is (it asks the driver first)."""
        return rx.call_script(LOCATE_SCRIPT, callback=StationsState.set_position)

    @event
    def set_position(self, coordinates: Any) -> Any:
        found = None
        if isinstance(coordinates, list | tuple) and len(coordinates) == 2:
            found = valid_position(coordinates[0], coordinates[1])
        if found is None:
            return rx.toast.info(
                tr("Your position is not available: allow location access and try again.")
            )
        self._position = found
        self.located = True
        self._apply()
        return None

    @event
    async def toggle_favourite(self, station_id: int) -> Any:
        station_id = int(station_id) if str(station_id).isdigit() else 0
        current = next((o for o in self._offers if o.id == station_id), None)
        wanted = not current.favourite if current is not None else True
        try:
            now = await asyncio.to_thread(
                favourites.set_favourite, await _driver(self), station_id, wanted
            )
        except DriverAppError as exc:
            return rx.toast.error(str(exc))
        self._offers = _with_favourite(self._offers, station_id, now)
        self._apply()
        return None

    @event
    def open_marker(self, points: Any) -> Any:
        """A tap on the map: the station of the marker."""
        if not isinstance(points, list) or not points or not isinstance(points[0], dict):
            return None
        curve, number = points[0].get("curveNumber"), points[0].get("pointNumber")
        if not isinstance(curve, int) or not isinstance(number, int):
            return None
        if 0 <= curve < len(self._marker_ids) and 0 <= number < len(self._marker_ids[curve]):
            return rx.redirect(station_path(self._marker_ids[curve][number]))
        return None


def station_id_from_path(path: str) -> int:
    """`/app/stations/12` -> 12; 0 when the path names no station."""
    tail = path.split("/app/stations/", 1)[1] if "/app/stations/" in path else ""
    first = tail.strip("/").split("/")[0].split("?")[0]
    return int(first) if first.isascii() and first.isdigit() and len(first) < 19 else 0


@driver_state
class StationPageState(rx.State):
    """One station: /app/stations/<id>."""

    loaded: bool = False
    not_found: bool = False
    message: str = ""
    card: rx.Field[StationCard] = rx.field(default_factory=StationCard)
    charge_points: rx.Field[list[ChargePointGroup]] = rx.field(default_factory=list)
    _station_id: int = 0

    async def _read(self) -> None:
        driver = await _driver(self)
        try:
            offer = await asyncio.to_thread(stations.station_offer, driver, self._station_id)
        except DriverAppError as exc:
            self.not_found, self.message = True, str(exc)
            self.card, self.charge_points = StationCard(), []
            return
        self.not_found, self.message = False, ""
        card = station_card(offer, None, utc_now())
        groups: dict[str, ChargePointGroup] = {}
        for row in card.connectors:
            groups.setdefault(row.identity, ChargePointGroup(row.identity)).connectors.append(row)
        self.card, self.charge_points = card, list(groups.values())
        await (await self.get_state(DriverAuthState))._watch_live(self, offer.charge_point_ids)

    @event
    async def load(self) -> None:
        """on_load: the station of the URL, if it is one of the driver's network."""
        self.loaded = False
        self._station_id = station_id_from_path(self.router.url.path)
        await self._read()
        self.loaded = True

    async def refresh_live(self) -> None:
        await self._read()

    @event
    def leave(self) -> None:
        live_feed.unwatch(self)

    @event
    async def toggle_favourite(self) -> Any:
        if self.not_found or not self._station_id:
            return None
        try:
            now = await asyncio.to_thread(
                favourites.set_favourite,
                await _driver(self),
                self._station_id,
                not self.card.favourite,
            )
        except DriverAppError as exc:
            return rx.toast.error(str(exc))
        self.card = dataclasses.replace(self.card, favourite=now)
        return None
