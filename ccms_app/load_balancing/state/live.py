"""Load Balancing -> one site -> Live: the limit in force, the building load, what the cars
were given (allocated) and what they draw (measured), per phase; every connector with why it
is capped; planned vs measured vs the limit over the last 24 h (plotly, station time).

The page re-reads every REFRESH_S seconds while it stays open (a background loop that ends
when the tab leaves the site, signs out, or after MAX_REFRESHES), and on the Refresh button.
Every read writes in the tab's language as it is then (the loop's too), the controller's
stored reasons and building note worded again in it; `follow_language` re-reads at once
after a switch.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.roles import Caller, NotFoundError
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.display import MISSING, time_zone
from ccms_app.core.i18n import N_, reader_language, reading_as, tr
from ccms_app.core.types import utc_now
from ccms_app.load_balancing import live_view
from ccms_app.load_balancing.live_view import HistoryPoint
from ccms_app.load_balancing.rules.building import note_text
from ccms_app.load_balancing.state.common import site_id_of
from ccms_app.load_balancing.state.shown import connector_row, phases, when
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import background_event, event

REFRESH_S = 15.0
MAX_REFRESHES = 240  # an hour; a reload of the page starts again
HISTORY_HOURS = 24
FIGURES = ("limit", "building", "allocated", "measured")
FACTS = ("plan", "decided", "trigger", "cars", "capped", "building_at", "building_note", "zone")
# Every key the page reads is there before the first load (the page indexes into them).
NO_FIGURES = {key: {"l1": MISSING, "l2": MISSING, "l3": MISSING, "max": MISSING} for key in FIGURES}
NO_FACTS = {key: "" for key in (*FACTS, "updated")}


def _wall_clock(times: list[datetime], zone: str) -> list[datetime]:
    """UTC instants as the station's wall clock (plotly shows a time as it is given)."""
    tz = time_zone(zone)
    return [t.astimezone(tz).replace(tzinfo=None) for t in times]


def history_figure(points: list[HistoryPoint], zone: str) -> go.Figure:
    """The highest phase of each figure (what the fuse sees) over the station's time."""
    x = _wall_clock([p.at for p in points], zone)
    figure = go.Figure()
    lines = (
        ("limit", tr("Capacity for charging"), {"dash": "dash", "color": "#e5484d"}),
        ("allocated", tr("Allocated (planned)"), {"shape": "hv", "color": "#12a594"}),
        ("measured", tr("Measured"), {"color": "#3e63dd"}),
        ("building", tr("Building load"), {"dash": "dot", "color": "#8b8d98"}),
    )
    for key, name, line in lines:
        y = [max(getattr(p, key).l1, getattr(p, key).l2, getattr(p, key).l3) for p in points]
        figure.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line=line))
    figure.update_layout(
        height=300,
        margin={"l": 44, "r": 12, "t": 10, "b": 30},
        yaxis={"title": tr("A per phase"), "rangemode": "tozero"},
        xaxis={"nticks": 6, "tickformat": "%H:%M"},
        legend={"orientation": "h", "y": -0.18},
        autosize=True,
    )
    return figure


def live_page(caller: Caller, site_id: int) -> dict[str, Any]:
    """Everything the Live section shows, as text (and the chart)."""
    live = live_view.site_live(caller, site_id)
    points = live_view.history(caller, site_id, HISTORY_HOURS)
    zone, now = live.site.timezone, utc_now()
    return {
        # No decision yet: dashes, not zeros (nothing was measured or given).
        "figures": {key: phases(getattr(live, key)) for key in FIGURES}
        if live.decided_at is not None
        else NO_FIGURES,
        "facts": {
            "plan": live.plan_name or N_("none (the site limit)"),
            "decided": when(live.decided_at, zone, now) or N_("not yet"),
            "trigger": live.trigger,
            "cars": str(live.cars),
            "capped": str(live.capped),
            "building_at": when(live.building_at, zone, now),
            "building_note": note_text(live.building_note),
            "zone": zone,
            "updated": when(now, zone, now),
        },
        "connectors": [connector_row(c, zone, now) for c in live.connectors],
        "warnings": list(live.warnings),
        "figure": history_figure(points, zone),
        "has_history": bool(points),
    }


@guarded(Module.LOAD_BALANCING)
class LiveState(rx.State):
    figures: dict[str, dict[str, str]] = NO_FIGURES
    facts: dict[str, str] = NO_FACTS
    connectors: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    warnings: rx.Field[list[str]] = rx.field(default_factory=list)  # configuration to fix
    figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    has_history: bool = False
    loaded: bool = False
    _polling: bool = False
    _language: str = ""  # the language of what is shown

    @event
    async def load(self) -> Any:
        self.loaded = False
        await self._reload()
        return LiveState.poll

    @event
    async def refresh(self) -> None:
        await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): read again in it."""
        if self.loaded and self._language != reader_language():
            await self._reload()

    @background_event
    async def poll(self) -> None:
        """Re-read every REFRESH_S while this tab shows this site (one loop per tab)."""
        async with self:
            if self._polling:
                return
            self._polling, site_id = True, site_id_of(self)
        try:
            for _ in range(MAX_REFRESHES):
                await asyncio.sleep(REFRESH_S)
                async with self:
                    if site_id_of(self) != site_id or not await self._reload():
                        return
        finally:
            async with self:
                self._polling = False

    async def _reload(self) -> bool:
        """False when signed out or the site is gone (the loop stops)."""
        caller = await event_caller(self)
        if caller is None:
            return False
        # the tab's language now: the polling loop keeps the one it started in otherwise
        self._language = (await self.get_state(AuthState)).language
        try:
            with reading_as(self._language, caller.organisation_id):
                shown = await asyncio.to_thread(live_page, caller, site_id_of(self))
        except NotFoundError:
            self.figures, self.facts, self.connectors = NO_FIGURES, NO_FACTS, []
            self.warnings = []
            self.loaded = True
            return False
        self.figures, self.facts = shown["figures"], shown["facts"]
        self.connectors, self.figure = shown["connectors"], shown["figure"]
        self.warnings = shown["warnings"]
        self.has_history, self.loaded = shown["has_history"], True
        return True
