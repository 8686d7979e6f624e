"""Maintenance > Reports: the filters (area, station, From / To days), the statistics (work
order counts, faults by cause as a pie, MTTR / MTBF per vendor and model), the uptime table
(NEVI and UK per connector, worst first) and the fault repair report list.

The From / To days are the operator's zone (the browser's, asked once on load; UTC until
it answers); the report's rows show times in each station's zone. Reading needs
maintenance:view (`@guarded`); the list's CSV export maintenance:export (ListState).
Everything is computed by the use cases (`maintenance.reports`) in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.audit_log import known_zone
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.display import format_number, format_time
from ccms_app.core.i18n import gettext, reader_language, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.maintenance.reports import fault_report
from ccms_app.maintenance.reports.filters import ReportFilter, ReportInputError, filter_from_form
from ccms_app.maintenance.reports.numbers import percent_text, seconds_text
from ccms_app.maintenance.reports.statistics import CauseCount, Statistics, statistics
from ccms_app.maintenance.reports.uptime import PortUptime, UptimeReport, uptime_report
from ccms_app.network.areas import area_choices
from ccms_app.network.stations import station_choices
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

BROWSER_ZONE = "Intl.DateTimeFormat().resolvedOptions().timeZone"
ALL = "all"
UPTIME_ROWS = 50  # the worst connectors shown; the REST API pages through all of them


@guarded(Module.MAINTENANCE)
class FaultReportListState(ListState, rx.State):
    """The fault repair report, narrowed by the page's filters (set by ReportsState)."""

    descending: bool = True
    _report: ReportFilter = ReportFilter()

    def _list_spec(self) -> ListSpec:
        return fault_report.FAULT_REPORT_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return fault_report.fault_report_page(query, self._report, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return fault_report.fault_report_csv(query, self._report, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return fault_report.shown_row(row, utc_now())

    def _export_name(self) -> str:
        return "fault-repair-report.csv"

    async def _narrow_to(self, report: ReportFilter) -> None:
        """The page's filters changed: first page of the report under them; the same filters
        again (a reconnect re-runs on_load) stay on the page shown. Private: a public method
        would be an event handler any tab could call with any payload."""
        if report != self._report:
            self._report, self.page = report, 1
        await self._reload()


@guarded(Module.MAINTENANCE)
class ReportsState(rx.State):
    area_id: str = ALL
    station_id: str = ALL
    date_from: str = ""
    date_to: str = ""
    zone: str = "UTC"
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    areas: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    stations: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    loaded: bool = False
    period_text: str = ""
    counts: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    causes: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    pie: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    models: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    uptime: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    uptime_summary: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _language: str = "en"  # the language the reports are worded in

    @event
    async def load(self) -> Any:
        """on_load: the filter choices and the reports; then ask the browser for its zone."""
        scope = await _scope(self)
        if scope is None:
            return None
        areas, stations = await asyncio.gather(
            asyncio.to_thread(area_choices, scope),
            asyncio.to_thread(station_choices, scope),
        )
        self.areas = [[str(i), name] for i, name in areas]
        self.stations = [[str(i), name] for i, name in stations]
        await self._read()
        return rx.call_script(BROWSER_ZONE, callback=ReportsState.use_zone)

    @event
    async def use_zone(self, zone: str) -> None:
        chosen = known_zone(str(zone or ""))
        if chosen != self.zone:
            self.zone = chosen
            await self._read()

    @event
    async def set_area(self, value: str) -> None:
        self.area_id = value
        await self._read()

    @event
    async def set_station(self, value: str) -> None:
        self.station_id = value
        await self._read()

    @event
    async def set_date_from(self, value: str) -> None:
        self.date_from = value
        await self._read()

    @event
    async def set_date_to(self, value: str) -> None:
        self.date_to = value
        await self._read()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the figures are worded again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._read()

    @event
    async def clear(self) -> None:
        self.area_id, self.station_id, self.date_from, self.date_to = ALL, ALL, "", ""
        await self._read()

    async def _read(self) -> None:
        scope = await _scope(self)
        if scope is None:
            return
        try:
            report = filter_from_form(
                "" if self.area_id == ALL else self.area_id,
                "" if self.station_id == ALL else self.station_id,
                self.date_from,
                self.date_to,
                self.zone,
            )
        except ReportInputError as exc:
            self.errors = exc.errors
            return
        self.errors = {}
        if self._language != reader_language():
            self._language = reader_language()
        now = utc_now()
        found, uptime = await asyncio.gather(
            asyncio.to_thread(statistics, report, scope, now),
            asyncio.to_thread(uptime_report, report, scope, now),
        )
        self._show_statistics(found)
        self._show_uptime(uptime)
        reports = await self.get_state(FaultReportListState)
        await reports._narrow_to(report)
        self.loaded = True

    def _show_statistics(self, found: Statistics) -> None:
        now = utc_now()
        since, until = (
            format_time(found.since, self.zone, now),
            format_time(found.until, self.zone, now),
        )
        self.period_text = tr("{since} to {until}", since=since, until=until)
        w = found.work_orders
        self.counts = {
            "total": count_text(w.total),
            "completed": count_text(w.completed),
            "pending": count_text(w.pending),
            "overdue": count_text(w.overdue),
        }
        self.causes = [
            {"cause": c.cause, "label": c.label, "count": count_text(c.count)}
            for c in found.faults_by_cause
        ]
        self.pie = cause_pie(found.faults_by_cause)
        self.models = [
            {
                "key": f"{g.vendor}/{g.model}",
                "vendor": g.vendor or "—",
                "model": g.model or "—",
                "charge_points": count_text(g.charge_points),
                "failures": count_text(g.failures),
                "repaired": count_text(g.repaired),
                "mttr": seconds_text(g.mttr_seconds),
                "mtbf": seconds_text(g.mtbf_seconds),
            }
            for g in found.by_model
        ]

    def _show_uptime(self, found: UptimeReport) -> None:
        now = utc_now()
        self.uptime = [uptime_row(row) for row in found.ports[:UPTIME_ROWS]]
        self.uptime_summary = {
            "as_of": format_time(found.as_of, self.zone, now),
            "ports": count_text(len(found.ports)),
            "shown": count_text(min(len(found.ports), UPTIME_ROWS)),
            "nevi_average": percent_text(found.nevi_average),
            "below_nevi": count_text(found.below_nevi),
            "uk_rapid": percent_text(found.uk_rapid.reliability_percent),
            "uk_rapid_strict": percent_text(found.uk_rapid.working_percent),
            "uk_all": percent_text(found.uk_all.reliability_percent),
            "rapid_ports": count_text(found.rapid_ports),
        }


async def _scope(state: rx.State) -> frozenset[int] | None:
    """The organisations the tab's operator sees; None when signed out."""
    who = await event_caller(state)
    return None if who is None else await asyncio.to_thread(who.scope)


def count_text(count: int) -> str:
    """ "1,234" as the reader's language writes it."""
    return format_number(count, "", 0).rstrip()


def minutes_text(minutes: float) -> str:
    """ "1,234 min": whole minutes as the reader's language writes them."""
    return tr("{minutes} min", minutes=count_text(round(minutes)))


def uptime_row(row: PortUptime) -> dict[str, str]:
    port = row.port
    return {
        "key": f"{port.charge_point_id}-{port.connector_id}",
        "charge_point": port.identity,
        "connector": str(port.connector_id),
        "station": port.station or "—",
        "nevi": percent_text(row.nevi.uptime_percent),
        "meets": "yes" if row.nevi.meets_threshold else "no",
        "counted": minutes_text(float(row.nevi.counted_minutes)),
        "excluded": minutes_text(float(row.nevi.excluded_minutes)),
        "uk": percent_text(row.uk.reliability_percent),
        "uk_strict": percent_text(row.uk.working_percent),
        "rapid": "rapid" if row.rapid else "",
    }


def cause_pie(causes: list[CauseCount], shown: str = "value") -> go.Figure:
    """Faults by cause: one slice per cause, `shown` on it ("value": the count, "percent":
    the share), the count and share on hover."""
    figure = go.Figure()
    if causes:
        figure.add_trace(
            go.Pie(
                labels=[gettext(reader_language(), c.label) for c in causes],
                values=[c.count for c in causes],
                hole=0.45,
                sort=False,
                textinfo=shown,
                hovertemplate="%{label}: %{value} (%{percent})<extra></extra>",
            )
        )
    figure.update_layout(
        height=300,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        legend={"orientation": "h", "y": -0.1},
        autosize=True,
    )
    return figure
