"""The station page (/stations/[id]): details, charge points live, recent sessions, warnings.

`load` resolves the URL's station within the operator's scope (nothing else decides which
station a tab shows). `live` depends on `home_pushes`, which every push of the realtime
publisher bumps in the tabs on this page (`follows_home`; no polling); it reads one station's
charge points, their warnings and last sessions (small queries).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.charging import session_history
from ccms_app.core.i18n import reading_as
from ccms_app.core.types import utc_now
from ccms_app.monitoring.session_rows import RecentSessionRow, session_rows
from ccms_app.monitoring.snapshot import charge_points_warnings
from ccms_app.monitoring.state.home import (
    follow_home_pushes,
    follows_home,
    unfollow_home_pushes,
)
from ccms_app.monitoring.view import MISSING, WarningRow, warning_row
from ccms_app.network import stations
from ccms_app.network.assets import AssetNotFound
from ccms_app.network.rules.station_availability import BADGE_COLOURS, LABELS, ORDER, summary
from ccms_app.network.state.lists import operator_scope
from ccms_app.network.state.map import build_figure
from ccms_app.network.station_map import StationMarker, station_charge_points
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

ROUTE_PREFIX = "/stations/"


@dataclasses.dataclass
class ConnectorBadge:
    connector_id: int = 0
    status: str = ""
    label: str = ""


@dataclasses.dataclass
class StationChargePointRow:
    id: int = 0
    identity: str = ""
    online: bool = False
    registration: str = ""
    enabled: bool = True
    status: str = ""
    availability: str = ""
    availability_colour: str = "gray"
    connectors: list[ConnectorBadge] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class StationLiveView:
    availability: str = ""
    availability_label: str = ""
    availability_colour: str = "gray"
    summary: str = ""
    charge_points: list[StationChargePointRow] = dataclasses.field(default_factory=list)
    sessions: list[RecentSessionRow] = dataclasses.field(default_factory=list)
    warnings: list[WarningRow] = dataclasses.field(default_factory=list)
    figure: dict[str, Any] = dataclasses.field(default_factory=dict)


def station_id_from_path(path: str) -> int:
    """`/stations/12/` -> 12; 0 if the URL names no station."""
    tail = path.split(ROUTE_PREFIX, 1)[1] if ROUTE_PREFIX in path else ""
    first = tail.strip("/").split("/")[0]
    return int(first) if first.isdigit() else 0


def load_live_view(scope: list[int], station: stations.StationView) -> StationLiveView:
    charge_points = station_charge_points(scope, station.id)
    sessions = session_history.recent_sessions(scope, station_id=station.id)
    availabilities = [cp.availability for cp in charge_points]
    best = next((a for a in ORDER if a in availabilities), "offline")
    marker = StationMarker(
        id=station.id,
        name=station.name,
        address=station.address,
        latitude=station.latitude,
        longitude=station.longitude,
        availability=best,
        summary=summary(availabilities),
        charge_points=len(charge_points),
    )
    now = utc_now()
    return StationLiveView(
        availability=best,
        availability_label=LABELS[best],
        availability_colour=BADGE_COLOURS[best],
        summary=marker.summary,
        charge_points=[
            StationChargePointRow(
                id=cp.id,
                identity=cp.identity,
                online=cp.online,
                registration=cp.registration_state,
                enabled=cp.enabled,
                status=cp.status,
                availability=cp.availability,
                availability_colour=BADGE_COLOURS[cp.availability],
                connectors=[
                    ConnectorBadge(cid, status, f"{cid}: {status}") for cid, status in cp.connectors
                ],
            )
            for cp in charge_points
        ],
        sessions=session_rows(sessions, now),
        warnings=[
            warning_row(w, zone, now)
            for w, zone in charge_points_warnings(scope, [cp.id for cp in charge_points])
        ],
        figure=build_figure([marker]) if station.latitude is not None else {},
    )


@guarded(Module.ASSETS)
@follows_home
class StationDetailState(rx.State):
    current_id: rx.Field[int] = rx.field(0)
    loaded: bool = False
    not_found: bool = False
    name: str = ""
    address: str = ""
    area: str = ""
    organisation: str = ""
    timezone: str = ""
    opening_hours: str = ""
    position: str = ""
    has_position: bool = False
    revision: int = 0
    home_pushes: int = 0  # bumped by Home's pushes while this tab shows the page
    _scope: list[int] = []
    _station: stations.StationView | None = None

    @rx.var
    async def live(self) -> StationLiveView:
        _pushed, _changed = self.home_pushes, self.revision  # the dependencies
        # A push recomputes this outside the tab's events: the tab's reader, said here (its
        # language a dependency too: a language switch words the summary and the map again).
        reader = await self.get_state(AuthState)
        station = self._station
        if not self._scope or station is None:
            return StationLiveView()
        with reading_as(reader.language, reader._organisation_id or None):
            try:
                return await asyncio.to_thread(load_live_view, list(self._scope), station)
            except Exception:
                log.exception("station view unavailable", extra={"station_id": station.id})
                return StationLiveView()

    @event
    async def load(self) -> None:
        """on_load: the station of the URL, if the operator may see it."""
        self.loaded = False
        self.not_found = False
        self._station = None
        self.current_id = station_id_from_path(self.router.url.path)
        self._scope = await operator_scope(self)
        follow_home_pushes(self)
        if not self._scope:
            return
        await self._read()
        self.loaded = True

    @event
    async def refresh(self) -> None:
        """After an edit: re-read the details (the live part follows from `revision`)."""
        if self._scope and self.current_id:
            await self._read()

    @event
    def leave(self) -> None:
        """The page is gone: stop reloading on every push."""
        self._scope = []
        unfollow_home_pushes(self)

    async def _read(self) -> None:
        try:
            station = await asyncio.to_thread(stations.get_station, self._scope, self.current_id)
        except AssetNotFound:
            self.not_found = True
            self._station = None
            return
        self._station = station
        self.name = station.name
        self.address = station.address or MISSING
        self.area = station.area or MISSING
        self.organisation = station.organisation
        self.timezone = station.timezone
        self.opening_hours = station.opening_hours
        self.has_position = station.latitude is not None and station.longitude is not None
        self.position = (
            f"{station.latitude:.5f}, {station.longitude:.5f}"
            if station.latitude is not None and station.longitude is not None
            else "not set"
        )
        self.revision += 1
