"""The station map: markers coloured by live availability, pushed, never polled.

`view` depends on `home_pushes`, which every push of the realtime publisher (a status, a
connection, a registration) bumps in the tabs showing the map (`follows_home`, as the Firmware
page does); tabs elsewhere are not recomputed. The figure is a plotly dict
(scattermap traces, one per availability, so the legend explains the colours) with the
OpenStreetMap style: the tiles load in the operator's browser; without internet the markers
and the legend still draw on an empty background.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import reading_as, tr
from ccms_app.monitoring.state.home import (
    follow_home_pushes,
    follows_home,
    unfollow_home_pushes,
)
from ccms_app.network.rules.station_availability import BADGE_COLOURS, COLOURS, LABELS, ORDER
from ccms_app.network.state.lists import operator_scope
from ccms_app.network.station_map import StationMarker, station_markers
from ccms_app.ui.events import event

log = logging.getLogger(__name__)


@dataclasses.dataclass
class MarkerRow:
    id: int = 0
    name: str = ""
    address: str = ""
    availability: str = ""
    colour: str = "gray"
    summary: str = ""
    positioned: bool = False


@dataclasses.dataclass
class LegendRow:
    availability: str = ""
    label: str = ""
    colour: str = ""
    count: int = 0


@dataclasses.dataclass
class MapView:
    markers: list[MarkerRow] = dataclasses.field(default_factory=list)
    legend: list[LegendRow] = dataclasses.field(default_factory=list)
    figure: dict[str, Any] = dataclasses.field(default_factory=dict)
    unpositioned: int = 0


def _zoom(markers: list[StationMarker]) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit the stations (a rough web-mercator fit)."""
    lats = [m.latitude for m in markers if m.latitude is not None]
    lons = [m.longitude for m in markers if m.longitude is not None]
    if not lats:
        return {"lat": 50.0, "lon": 10.0}, 3.0
    centre = {"lat": (min(lats) + max(lats)) / 2, "lon": (min(lons) + max(lons)) / 2}
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) / 2, 0.005)
    zoom = 8.5
    while span * 2 ** (zoom - 8.5) > 2.5 and zoom > 1:
        zoom -= 0.5
    return centre, min(zoom, 14.0)


def build_figure(markers: list[StationMarker]) -> dict[str, Any]:
    """A scattermap figure as a plain dict (what rx.plotly draws)."""
    placed = [m for m in markers if m.latitude is not None and m.longitude is not None]
    figure = go.Figure()
    for availability in ORDER:
        group = [m for m in placed if m.availability == availability]
        figure.add_trace(
            go.Scattermap(
                lat=[m.latitude for m in group],
                lon=[m.longitude for m in group],
                mode="markers",
                marker={"size": 15, "color": COLOURS[availability]},
                name=tr(LABELS[availability]),
                text=[f"<b>{m.name}</b><br>{m.summary}" for m in group],
                customdata=[m.id for m in group],
                hoverinfo="text",
                showlegend=True,
            )
        )
    centre, zoom = _zoom(placed)
    figure.update_layout(
        map={"style": "open-street-map", "center": centre, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        autosize=True,  # the page gives the height (style); the plot fills its box
        legend={"orientation": "h", "y": 1.0, "x": 0.0, "bgcolor": "rgba(255,255,255,0.85)"},
        uirevision="stations",  # keep the operator's pan and zoom across pushes
    )
    return figure.to_plotly_json()


def build_view(markers: list[StationMarker]) -> MapView:
    counts = {a: sum(1 for m in markers if m.availability == a) for a in ORDER}
    return MapView(
        markers=[
            MarkerRow(
                id=m.id,
                name=m.name,
                address=m.address,
                availability=m.availability,
                colour=BADGE_COLOURS[m.availability],
                summary=m.summary,
                positioned=m.latitude is not None and m.longitude is not None,
            )
            for m in markers
        ],
        legend=[LegendRow(a, LABELS[a], COLOURS[a], counts[a]) for a in ORDER],
        figure=build_figure(markers),
        unpositioned=sum(1 for m in markers if m.latitude is None or m.longitude is None),
    )


@guarded(Module.ASSETS)
@follows_home
class StationMapState(rx.State):
    revision: int = 0  # bumped after the operator's own changes
    home_pushes: int = 0  # bumped by Home's pushes while this tab shows the map
    _scope: list[int] = []

    @rx.var
    async def view(self) -> MapView:
        _pushed, _changed = self.home_pushes, self.revision  # the dependencies
        # A push recomputes this outside the tab's events: the tab's reader, said here (its
        # language a dependency too: a language switch words the summaries and the legend again).
        reader = await self.get_state(AuthState)
        if not self._scope:
            return MapView()
        with reading_as(reader.language, reader._organisation_id or None):
            try:
                markers = await asyncio.to_thread(station_markers, list(self._scope))
            except Exception:
                log.exception("station map unavailable")
                return MapView()
            return build_view(markers)

    @event
    async def load(self) -> None:
        """on_load of pages showing the map."""
        self._scope = await operator_scope(self)
        follow_home_pushes(self)
        self.revision += 1

    @event
    def refresh(self) -> None:
        self.revision += 1

    @event
    def leave(self) -> None:
        """The page is gone: stop reloading on every push."""
        self._scope = []
        unfollow_home_pushes(self)
