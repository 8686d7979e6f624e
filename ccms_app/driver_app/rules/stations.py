"""Finding a charger: the network's stations as a driver sees them, searched, filtered and
sorted by distance, with their opening hours read for "open now".

Availability per connector is the network's (`network.rules.station_availability`: free,
busy, faulted, offline), judged for the connector's own status on its charge point; a
station is as available as its best connector. Opening hours are the station's
`opening_hours` (OpenStreetMap syntax, the subset `network.rules.asset_validation` accepts),
read in the station's time zone by `maintenance.rules.intervals.open_intervals`, the same
reading uptime reports use.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ccms_app.core.display import format_date, time_zone
from ccms_app.core.i18n import tr
from ccms_app.driver_app.rules.station_prices import PriceSummary, number_text
from ccms_app.maintenance.rules.intervals import open_intervals
from ccms_app.network.rules.asset_validation import ALWAYS_OPEN
from ccms_app.network.rules.station_availability import FREE, OFFLINE, ORDER

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
LOOK_AHEAD = timedelta(days=8)  # how far "opens on ..." looks
POWER_STEPS_KW = (3, 11, 22, 50, 100, 150)  # the minimum power filter's choices
MAX_ZOOM = 14.0  # one station: its streets
FIT_MARGIN = 0.6  # zoom steps of room around the outermost markers
WORLD_PX = 512  # MapLibre's world size at zoom 0

Position = tuple[float, float]  # latitude, longitude (degrees)


@dataclass(frozen=True)
class ConnectorOffer:
    """One connector of a station, as a driver may use it now."""

    id: int  # the connector's row (reserve_path)
    charge_point_id: int
    identity: str
    connector_id: int
    connector_type: str
    max_power_w: int | None
    status: str
    availability: str  # network.rules.station_availability: free / busy / faulted / offline
    price: PriceSummary | None  # None: no tariff applies to this driver here


@dataclass(frozen=True)
class StationOffer:
    id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    timezone: str
    opening_hours: str
    connectors: tuple[ConnectorOffer, ...]
    favourite: bool = False

    @property
    def availability(self) -> str:
        """The best availability among the connectors; offline without any."""
        found = {c.availability for c in self.connectors}
        return next((a for a in ORDER if a in found), OFFLINE)

    @property
    def charge_point_ids(self) -> frozenset[int]:
        return frozenset(c.charge_point_id for c in self.connectors)

    @property
    def position(self) -> Position | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude


@dataclass(frozen=True)
class StationFilter:
    text: str = ""  # in the name or the address (street, city)
    connector_type: str = ""  # "" = any
    min_power_kw: int = 0  # 0 = any
    available_now: bool = False
    favourites_only: bool = False

    @property
    def about_connectors(self) -> bool:
        return bool(self.connector_type or self.min_power_kw or self.available_now)


def folded(text: str) -> str:
    """Lower case without accents: "Köln" is found by "koln" and "KÖLN"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def connector_matches(connector: ConnectorOffer, wanted: StationFilter) -> bool:
    if wanted.connector_type and connector.connector_type != wanted.connector_type:
        return False
    if wanted.min_power_kw and (
        connector.max_power_w is None or connector.max_power_w < wanted.min_power_kw * 1000
    ):
        return False
    return not wanted.available_now or connector.availability == FREE


def station_matches(station: StationOffer, wanted: StationFilter) -> bool:
    if wanted.favourites_only and not station.favourite:
        return False
    words = folded(wanted.text).split()
    haystack = folded(f"{station.name} {station.address}")
    if any(word not in haystack for word in words):
        return False
    if not wanted.about_connectors:
        return True
    return any(connector_matches(c, wanted) for c in station.connectors)


def filter_stations(stations: Iterable[StationOffer], wanted: StationFilter) -> list[StationOffer]:
    return [s for s in stations if station_matches(s, wanted)]


def connector_types(stations: Iterable[StationOffer]) -> list[str]:
    """The connector types the network has (the type filter's choices), sorted."""
    return sorted({c.connector_type for s in stations for c in s.connectors if c.connector_type})


def distance_m(a: Position, b: Position) -> float:
    """Great-circle distance in metres (haversine): a distance shown, never money."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def by_distance(
    stations: Sequence[StationOffer], here: Position | None
) -> list[tuple[StationOffer, float | None]]:
    """The stations with their distance from `here`, nearest first (those without a position
    last, by name); without `here` as given (by name) and no distances."""
    if here is None:
        return [(s, None) for s in stations]
    measured = [(s, distance_m(here, s.position) if s.position else None) for s in stations]
    return sorted(measured, key=lambda pair: (pair[1] is None, pair[1] or 0.0, pair[0].name))


def valid_position(latitude: object, longitude: object) -> Position | None:
    """A position the browser sent, if it is one (numbers in range), else None."""
    try:
        lat, lon = float(str(latitude)), float(str(longitude))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def distance_text(metres: float | None) -> str:
    """ "350 m", "1.2 km", "38 km"; "" when unknown."""
    if metres is None:
        return ""
    if metres < 1000:
        return tr("{distance} m", distance=number_text(int(round(metres / 10) * 10)))
    km = Decimal(str(round(metres / 1000, 1 if metres < 10_000 else 0)))
    return tr("{distance} km", distance=number_text(km.normalize()))


def power_text(watts: int | None) -> str:
    """ "22 kW", "7.4 kW" (exact: whole watts to kW); "" when unknown."""
    if not watts:
        return ""
    return tr("{power} kW", power=number_text((Decimal(watts) / 1000).normalize()))


@dataclass(frozen=True)
class Opening:
    """Whether a station is open at an instant, and when that changes."""

    always: bool = False
    open: bool | None = None  # None: the hours cannot be read
    change: datetime | None = None  # when it closes (open) or opens (closed), UTC


def opening(opening_hours: str, zone: str, now: datetime) -> Opening:
    text = opening_hours.strip()
    if text in ("", ALWAYS_OPEN):
        return Opening(always=True, open=True)
    try:
        intervals = open_intervals(text, time_zone(zone), (now, now + LOOK_AHEAD))
    except ValueError:
        return Opening()
    current = next((i for i in intervals if i[0] <= now < i[1]), None)
    if current is not None:
        closes = current[1] if current[1] < now + LOOK_AHEAD else None
        return Opening(open=True, change=closes)
    upcoming = next((i for i in intervals if i[0] > now), None)
    return Opening(open=False, change=upcoming[0] if upcoming else None)


def opening_text(state: Opening, zone: str, now: datetime) -> str:
    """ "Open 24/7", "Open until 20:00", "Closed · opens Mon 07:00", in the reader's words."""
    if state.always:
        return tr("Open 24/7")
    if state.open is None:
        return ""
    if state.change is None:
        return tr("Open now") if state.open else tr("Closed")
    local = state.change.astimezone(time_zone(zone))
    clock = local.strftime("%H:%M")
    if state.open:
        return tr("Open until {time}", time=clock)
    if local.date() == now.astimezone(time_zone(zone)).date():
        return tr("Closed · opens at {time}", time=clock)
    day = format_date(local.date(), "%a", "EEE")
    return tr("Closed · opens {day} {time}", day=day, time=clock)


def fit_map(
    positions: Sequence[Position], width_px: int = 320, height_px: int = 260
) -> tuple[dict[str, float], float]:
    """Centre and zoom that show every position in a map of about this size (a phone's: on
    a wider screen it shows more around them). Web mercator as MapLibre (plotly's
    scattermap) zooms it: the world is WORLD_PX wide at zoom 0."""
    if not positions:
        return {"lat": 50.0, "lon": 10.0}, 3.0
    lats = [p[0] for p in positions]
    lons = [p[1] for p in positions]
    centre = {"lat": (min(lats) + max(lats)) / 2, "lon": (min(lons) + max(lons)) / 2}
    lon_span = max(lons) - min(lons)
    y_span = abs(_mercator_y(max(lats)) - _mercator_y(min(lats)))
    zooms = [MAX_ZOOM]
    if lon_span > 0:
        zooms.append(math.log2(width_px * 360 / (WORLD_PX * lon_span)))
    if y_span > 0:
        zooms.append(math.log2(height_px * 2 * math.pi / (WORLD_PX * y_span)))
    zoom = min(zooms) - FIT_MARGIN
    return centre, max(1.0, min(MAX_ZOOM, round(zoom * 2) / 2 if zoom > 0 else 1.0))


def _mercator_y(latitude: float) -> float:
    lat = math.radians(max(-85.0, min(85.0, latitude)))
    return math.log(math.tan(math.pi / 4 + lat / 2))


def navigation_url(position: Position) -> str:
    """Directions to the station in the phone's maps (Google Maps' cross-platform link)."""
    return f"https://www.google.com/maps/dir/?api=1&destination={position[0]:.6f},{position[1]:.6f}"
