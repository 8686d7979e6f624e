"""Analytics -> Reports (/analytics/reports): the filters, the report shown (charging
sessions, charged energy or station availability), its CSV exports, the detail list of
sessions and the monthly e-mail's recipients.

The From / To days are the operator's zone (its billing profile's, read on load); empty
days mean this month so far. Only the report on screen is computed, in a thread, by the
use cases of `analytics.reports`; rows arrive formatted (`reports.rows`) and the CSVs hold
the same numbers (`reports.csv`). Reading needs analytics:view (`@guarded`), the exports
analytics:export, saving the recipients analytics:edit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import math
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, InputError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.analytics import monthly_report
from ccms_app.analytics.reports import csv as report_csv
from ccms_app.analytics.reports import service
from ccms_app.analytics.reports.availability import AvailabilityReport
from ccms_app.analytics.reports.choices import group_choices, location_choices, vehicle_choices
from ccms_app.analytics.reports.filters import (
    ReportFilter,
    ReportInputError,
    ReportNotFound,
    filter_from_form,
    operator_zone,
)
from ccms_app.analytics.reports.queries import EnergyReport, detail_page
from ccms_app.analytics.reports.rows import (
    availability_row,
    availability_rows,
    detail_row,
    detail_totals_row,
    energy_row,
    kwh_shown,
    summary_rows,
)
from ccms_app.analytics.reports.service import SessionsReport
from ccms_app.analytics.wording import count_text, day_text
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import reader_language, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.mail import mail_enabled
from ccms_app.core.types import utc_now
from ccms_app.finance.history.spec import HISTORY_LIST
from ccms_app.finance.rules.revenue import PeriodKind
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.downloads import http_download
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware, kept_edits

ALL = "all"  # a select item cannot have an empty value: this one means "no filter"
REPORT_KINDS = ("sessions", "energy", "availability")
PERIODS = tuple(kind.value for kind in PeriodKind)
CHARGE_POINT_ROWS = 50  # the page shows the first; the CSV and the API hold every one
NO_REPORT = ReportFilter(frozenset(), "UTC", date(1970, 1, 1), date(1970, 1, 1))


def _file_name(kind: str, report: ReportFilter) -> str:
    return f"{kind}-{report.first_day.isoformat()}-{report.last_day.isoformat()}.csv"


@guarded(Module.ANALYTICS)
class SessionDetailListState(ListState, rx.State):
    """The sessions report's detail: the sessions that started in the range, narrowed by the
    page's filters (set by ReportsState); times in the operator's zone."""

    descending: bool = True
    zone: str = "UTC"
    _report: ReportFilter = NO_REPORT

    def _list_spec(self) -> ListSpec:
        return HISTORY_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        report = self._scoped(scope)
        if not report.organisations:  # before the page's filters arrive
            return ListPage([], 0, 1, query.page_size)
        with read_session() as session:
            return detail_page(session, report, query)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return report_csv.detail_csv(self._scoped(scope), utc_now(), query.search)

    def _scoped(self, scope: Collection[int]) -> ReportFilter:
        """The page's filter within the caller's scope, checked again at every read."""
        allowed = self._report.organisations & frozenset(scope)
        return dataclasses.replace(self._report, organisations=allowed)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = detail_row(row, self.zone, utc_now())
        # the sortable columns' keys are the spec's: the cell shows the formatted value
        shown["energy_wh"], shown["total_incl_minor"] = shown["energy_shown"], shown["amount_shown"]
        return shown

    def _export_name(self) -> str:
        return _file_name("sessions", self._report)

    async def _narrow_to(self, report: ReportFilter) -> None:
        """The page's filters changed: the first page of the detail under them; the same
        filters again (a reconnect re-runs on_load) stay on the page shown. Private: a public
        method would be an event handler any tab could call with any payload."""
        if report != self._report:
            self._report, self.zone, self.page = report, report.zone, 1
        await self._reload()


def energy_figure(rows: list[dict[str, str]]) -> go.Figure:
    """Energy (kWh, bars) and orders (line, right axis) per bucket, the total left out; the
    names in the reader's language."""
    labels = [row["label"] for row in rows]
    orders = [int(row["orders"]) for row in rows]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=labels, y=[float(row["energy_kwh"]) for row in rows], name=tr("Energy (kWh)"))
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=orders,
            name=tr("Orders"),
            mode="lines+markers",
            yaxis="y2",
        )
    )
    figure.update_layout(
        height=300,
        margin={"l": 44, "r": 44, "t": 10, "b": 40},
        yaxis={"title": "kWh", "rangemode": "tozero"},
        yaxis2={
            "title": tr("Orders"),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "dtick": max(1, math.ceil(max(orders, default=0) / 5)),  # whole orders
        },
        legend={"orientation": "h", "y": -0.25},
        autosize=True,
    )
    return figure


@guarded(Module.ANALYTICS)
class ReportsState(rx.State):
    report: str = "sessions"
    period: str = PeriodKind.DAYS.value
    date_from: str = ""
    date_to: str = ""
    location: str = ALL
    vehicle_id: str = ALL
    group_id: str = ALL
    zone: str = "UTC"
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    locations: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    vehicles: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    groups: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    loaded: bool = False
    range_text: str = ""
    summary: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    total: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    detail_total: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    stations: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    charge_points: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    charge_points_note: str = ""
    energy_total: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    availability: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    availability_network: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _language: str = ""  # the language the report's text was written in

    @event
    async def load(self) -> None:
        """on_load: the operator's zone, the filter choices, then the report."""
        caller = await event_caller(self)
        if caller is None:
            return
        await self._load(caller)

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): the choices and the
        report written again in it."""
        if not self.loaded or self._language == reader_language():
            return
        caller = await event_caller(self)
        if caller is not None:
            await self._load(caller)

    async def _load(self, caller: Caller) -> None:
        scope = await asyncio.to_thread(caller.scope)
        self.zone, locations, vehicles, groups = await asyncio.gather(
            asyncio.to_thread(operator_zone, caller.organisation_id),
            asyncio.to_thread(location_choices, scope),
            asyncio.to_thread(vehicle_choices, scope),
            asyncio.to_thread(group_choices, scope),
        )
        self.locations, self.vehicles, self.groups = locations, vehicles, groups
        await self._read(caller)

    @event
    async def set_report(self, value: str) -> None:
        self.report = value if value in REPORT_KINDS else "sessions"
        await self._changed()

    @event
    async def set_period(self, value: str) -> None:
        self.period = value if value in PERIODS else PeriodKind.DAYS.value
        await self._changed()

    @event
    async def set_date_from(self, value: str) -> None:
        self.date_from = value
        await self._changed()

    @event
    async def set_date_to(self, value: str) -> None:
        self.date_to = value
        await self._changed()

    @event
    async def set_location(self, value: str) -> None:
        self.location = value
        await self._changed()

    @event
    async def set_vehicle(self, value: str) -> None:
        self.vehicle_id = value
        await self._changed()

    @event
    async def set_group(self, value: str) -> None:
        self.group_id = value
        await self._changed()

    @event
    async def clear(self) -> None:
        self.date_from, self.date_to = "", ""
        self.location, self.vehicle_id, self.group_id = ALL, ALL, ALL
        await self._changed()

    @requires(Action.EXPORT)
    @event
    async def export_summary(self) -> Any:
        """The sessions summary (each bucket and the total) as CSV."""
        kind = PeriodKind(self.period)
        return await self._export(
            "export_summary",
            "sessions-summary",
            lambda report, now: report_csv.summary_csv(service.summary(report, kind, now)),
        )

    @requires(Action.EXPORT)
    @event
    async def export_energy(self) -> Any:
        """The energy per station, then per charge point, as CSV."""
        return await self._export(
            "export_energy",
            "energy",
            lambda report, now: report_csv.energy_csv(service.energy(report, now)),
        )

    @requires(Action.EXPORT)
    @event
    async def export_availability(self) -> Any:
        """The availability per station, then of all of them, as CSV."""
        return await self._export(
            "export_availability",
            "availability",
            lambda report, now: report_csv.availability_csv(service.availability(report, now)),
        )

    # --- implementation -----------------------------------------------------------------------

    def _values(self) -> dict[str, str]:
        def chosen(value: str) -> str:
            return "" if value == ALL else value

        return {
            "from": self.date_from,
            "to": self.date_to,
            "location": chosen(self.location),
            "vehicle_id": chosen(self.vehicle_id),
            "group_id": chosen(self.group_id),
        }

    async def _filter(self, caller: Caller) -> ReportFilter | None:
        """The filter the form says, or None (its errors shown)."""
        scope = await asyncio.to_thread(caller.scope)
        today = utc_now().astimezone(time_zone(self.zone)).date()
        kind = PeriodKind(self.period) if self.report == "sessions" else None
        try:
            report = filter_from_form(scope, self.zone, today, self._values(), kind)
        except ReportInputError as exc:
            self.errors = exc.errors
            return None
        self.errors = {}
        return report

    async def _changed(self) -> None:
        caller = await event_caller(self)
        if caller is not None:
            await self._read(caller)

    async def _read(self, caller: Caller) -> None:
        report = await self._filter(caller)
        if report is None:
            return
        self._language = reader_language()
        self.range_text = tr(
            "{first} to {last} ({zone})",
            first=day_text(report.first_day),
            last=day_text(report.last_day),
            zone=report.zone,
        )
        now = utc_now()
        try:
            if self.report == "energy":
                self._show_energy(await asyncio.to_thread(service.energy, report, now))
            elif self.report == "availability":
                self._show_availability(await asyncio.to_thread(service.availability, report, now))
            else:
                kind = PeriodKind(self.period)
                found = await asyncio.to_thread(service.sessions, report, kind, now)
                self._show_sessions(found)
                detail = await self.get_state(SessionDetailListState)
                await detail._narrow_to(report)
        except ReportNotFound as exc:  # removed meanwhile, or a hand-made URL
            self.errors = {"location": str(exc)}
            return
        self.loaded = True

    def _show_sessions(self, found: SessionsReport) -> None:
        rows = summary_rows(found.summary)
        self.summary, self.total = rows[:-1], rows[-1]
        self.detail_total = detail_totals_row(found.totals, found.summary.currencies)
        self.figure = energy_figure(rows[:-1])

    def _show_energy(self, found: EnergyReport) -> None:
        self.stations = [energy_row(r) for r in found.stations]
        self.charge_points = [energy_row(r) for r in found.charge_points[:CHARGE_POINT_ROWS]]
        count = len(found.charge_points)
        self.charge_points_note = (
            tr(
                "The {shown} that charged most of {count}; the CSV holds every one.",
                shown=count_text(CHARGE_POINT_ROWS),
                count=count_text(count),
            )
            if count > CHARGE_POINT_ROWS
            else ""
        )
        self.energy_total = {
            "orders_shown": count_text(found.total.orders),
            "energy_shown": kwh_shown(found.total.energy_wh),
        }

    def _show_availability(self, found: AvailabilityReport) -> None:
        rows = availability_rows(found)
        self.availability = rows[:-1]
        self.availability_network = availability_row(found.network)

    async def _export(
        self, handler: str, name: str, make: Callable[[ReportFilter, Any], str]
    ) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        report = await self._filter(caller)
        if report is None:
            return rx.toast.error(tr("Not exported: correct the filters first."))
        try:
            await asyncio.to_thread(service.checked, report)
        except ReportNotFound as exc:
            return rx.toast.error(tr("Not exported: {exc}", exc=exc))
        produce = functools.partial(make, report, utc_now())
        return await http_download(self, handler, _file_name(name, report), produce)


@guarded(Module.ANALYTICS)
class MonthlyReportState(ReopenAware, rx.State):
    """The monthly e-mail: who gets it, whether it goes out, how the last run went.

    Reflex runs `load` again on every websocket reconnect, in the same tab state: the same
    organisation's subscription loading again shows the last run anew and keeps recipients
    or the switch changed but not saved (and their errors); one not changed follows the
    stored subscription."""

    recipients: str = ""
    enabled: bool = False
    last_sent_month: str = ""
    last_error: str = ""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    mail_off: bool = False
    _stored: dict[str, str | bool] = {}  # recipients and switch as last read

    @event
    async def load(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            self._closed()
            return
        anew = self._opening_anew(str(caller.organisation_id))
        found = await asyncio.to_thread(monthly_report.subscription_of, caller.organisation_id)
        self._show(found, keep_typed=not anew)
        if anew:
            self.errors = {}
        self.mail_off = not mail_enabled(get_settings())

    @event
    async def set_recipients(self, value: str) -> None:
        """Typing in the form (saved only by `save`)."""
        self.recipients = value

    @event
    async def set_sending(self, value: bool) -> None:
        """The switch in the form (saved only by `save`)."""
        self.enabled = bool(value)

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            found = await asyncio.to_thread(
                monthly_report.save_subscription,
                caller.organisation_id,
                self.recipients,
                self.enabled,
            )
        except InputError as exc:
            self.errors = exc.errors
            return None
        self.errors = {}
        self._show(found)
        return rx.toast.success(tr("Monthly report saved."))

    def _show(self, found: monthly_report.Subscription, keep_typed: bool = False) -> None:
        """The subscription as read; with `keep_typed`, a value changed since the last read
        stays."""
        stored: dict[str, str | bool] = {
            "recipients": found.recipients_text,
            "enabled": found.enabled,
        }
        typed: dict[str, str | bool] = {"recipients": self.recipients, "enabled": self.enabled}
        shown = kept_edits(typed, self._stored, stored) if keep_typed else stored
        self.recipients, self.enabled = str(shown["recipients"]), bool(shown["enabled"])
        self._stored = stored
        self.last_sent_month = found.last_sent_month
        self.last_error = found.last_error
