"""Analytics -> Statistics (/analytics): the page's one filter (day / month / year, From / To
days in the operator's zone, area, station, charge point) and its four sections, read when
the page opens and again when a filter changes; the three lists (stations, charge points,
sessions) are `ListState`s the page narrows (`_narrow_to`: private, so no browser can call
it with a scope of its choosing).

Every handler needs analytics:view (`@guarded`); the lists' CSV exports analytics:export
(`ListState.export_csv`, an HTTP download through an export ticket). The use cases run in
threads (`analytics.statistics*`); rows and figures are formatted here, on the server. The
figures of the chosen range are kept (a backend var) so choosing another currency redraws
without reading the database again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.analytics import statistics_network as network
from ccms_app.analytics.figures import Series, Totals
from ccms_app.analytics.rules.comparison import change, change_text, percent_text, share
from ccms_app.analytics.statistics import (
    ALL,
    MaintenanceFigures,
    StatisticsFilter,
    StatisticsInputError,
    filter_choices,
    maintenance_figures,
    operator_setting,
    statistics_filter,
    this_month,
)
from ccms_app.analytics.statistics_sessions import (
    SESSION_DETAILS,
    ChargingStatistics,
    DetailScope,
    RangeError,
    Ranked,
    charging_statistics,
    session_details_csv,
    session_details_page,
)
from ccms_app.analytics.wording import count_text, days_text
from ccms_app.core.display import format_date
from ccms_app.core.i18n import N_, reader_language, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.money import exponent, format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.history.rows import kwh_text
from ccms_app.finance.rules.revenue import Bucket, PeriodKind
from ccms_app.maintenance.state.reports import cause_pie
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, coerce_filter

TICK_EVERY = {PeriodKind.DAYS: 7, PeriodKind.MONTHS: 3, PeriodKind.YEARS: 1}


# --- the three lists -------------------------------------------------------------------------


class _NarrowedList(ListState, rx.State, mixin=True):
    """A list the page's filter narrows: its own search, sort and page, plus the page's
    area / station as filters the list's "Clear" does not drop."""

    _narrow: tuple[tuple[str, str], ...] = ()

    def _query(self) -> ListQuery:
        query = ListState._query(self)
        spec = self._list_spec()
        extra = {key: coerce_filter(spec, key, value) for key, value in self._narrow}
        return dataclasses.replace(query, filters={**query.filters, **extra})

    async def _narrow_to(self, scope: Collection[int], filters: dict[str, str]) -> None:
        """The page's filter changed (or the page opened): first page under it; the same
        filter again (a reconnect re-runs on_load) stays on the page shown."""
        narrow = tuple(sorted(filters.items()))
        if (sorted(scope), narrow) != (self._scope, self._narrow):
            self._scope, self._narrow, self.page = sorted(scope), narrow, 1
        await self._reload()


@guarded(Module.ANALYTICS)
class StationStatisticsState(_NarrowedList, rx.State):
    """One row per station: its charge points by state."""

    def _list_spec(self) -> ListSpec:
        return network.STATION_STATISTICS

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return network.station_row(row)

    def _export_name(self) -> str:
        return "station-statistics.csv"


@guarded(Module.ANALYTICS)
class ChargePointStatisticsState(_NarrowedList, rx.State):
    """One row per charge point: make, usage, connection, ratings."""

    def _list_spec(self) -> ListSpec:
        return network.CHARGE_POINT_STATISTICS

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return network.charge_point_row(row)

    def _export_name(self) -> str:
        return "charge-point-statistics.csv"


@guarded(Module.ANALYTICS)
class SessionDetailsState(ListState, rx.State):
    """The sessions behind the charging figures, newest first; the CSV's "in range" columns
    add up to the chart (as of the time the chart was read: `DetailScope.now`)."""

    descending: bool = True
    _details: DetailScope | None = None

    def _list_spec(self) -> ListSpec:
        return SESSION_DETAILS

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        if self._details is None:
            return ListPage(rows=[], total=0, page=1, page_size=query.page_size)
        return session_details_page(query, scope, self._details)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        if self._details is None:
            return ""
        return session_details_csv(query, scope, self._details)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return row  # shown by the use case, with what counts in the range

    def _export_name(self) -> str:
        details = self._details
        if details is None:
            return "charging-sessions.csv"
        return f"charging-sessions-{details.window.first}-to-{details.window.last}.csv"

    async def _narrow_to(self, scope: Collection[int], details: DetailScope) -> None:
        """The chart's sessions: first page; the same narrowing and window again (a
        reconnect; `now` moves on) stay on the page shown."""
        before = self._details
        same = before is not None and dataclasses.replace(before, now=details.now) == details
        if not (same and sorted(scope) == self._scope):
            self.page = 1
        self._scope, self._details = sorted(scope), details
        await self._reload()


# --- the page --------------------------------------------------------------------------------


@guarded(Module.ANALYTICS)
class StatisticsState(rx.State):
    loaded: bool = False
    zone: str = "UTC"
    kind: str = PeriodKind.DAYS.value
    date_from: str = ""
    date_to: str = ""
    area_id: str = ALL
    station_id: str = ALL
    charge_point_id: str = ALL
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    areas: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    stations: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    charge_points: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    # 1. stations and charge points
    counts: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # 2. charging
    range_text: str = ""
    previous_text: str = ""
    currency: str = ""
    currencies: rx.Field[list[str]] = rx.field(default_factory=list)
    totals: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    buckets: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    orders_figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    energy_figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    amount_figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    by_station: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    by_charge_point: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    ranked_note: str = ""
    # 3. work orders, 4. faults
    work_orders: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    causes: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    faults_total: str = "0"
    pie: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    _charging: ChargingStatistics | None = None
    _language: str = ""  # the language the page's text was written in

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): every section, its lists
        too, read and written again in it."""
        if self.loaded and self._language != reader_language():
            await self._read()

    @event
    async def load(self) -> None:
        """on_load: the operator's zone and currency, this month by day, every section."""
        caller = await event_caller(self)
        if caller is None:
            return
        setting = await asyncio.to_thread(operator_setting, caller.organisation_id)
        self.zone, self.currency = setting.zone, setting.currency
        if not self.date_from or not self.date_to:
            first, last = this_month(utc_now(), self.zone)
            self.date_from, self.date_to = first.isoformat(), last.isoformat()
        await self._read()

    @event
    async def set_kind(self, value: str) -> None:
        """Day / month / year: the charging figures only."""
        self.kind = str(value)
        await self._read(network_too=False, others_too=False)

    @event
    async def set_date_from(self, value: str) -> None:
        self.date_from = str(value)
        await self._read(network_too=False)

    @event
    async def set_date_to(self, value: str) -> None:
        self.date_to = str(value)
        await self._read(network_too=False)

    @event
    async def set_area(self, value: str) -> None:
        """Another area: its stations to choose from; station and charge point start over."""
        self.area_id, self.station_id, self.charge_point_id = str(value), ALL, ALL
        await self._read()

    @event
    async def set_station(self, value: str) -> None:
        self.station_id, self.charge_point_id = str(value), ALL
        await self._read()

    @event
    async def set_charge_point(self, value: str) -> None:
        """One charge point: the charging figures and sessions (sections 1, 3, 4 are per
        area and station)."""
        self.charge_point_id = str(value)
        await self._read(network_too=False, others_too=False)

    @event
    async def set_currency(self, value: str) -> None:
        """The amounts of another currency of the figures read."""
        if value in self.currencies:
            self.currency = str(value)
            if self._charging is not None:
                self._show_charging(self._charging)

    @event
    async def clear(self) -> None:
        """This month by day, the whole network."""
        first, last = this_month(utc_now(), self.zone)
        self.date_from, self.date_to = first.isoformat(), last.isoformat()
        self.kind = PeriodKind.DAYS.value
        self.area_id, self.station_id, self.charge_point_id = ALL, ALL, ALL
        await self._read()

    # --- reading -------------------------------------------------------------------------

    async def _read(self, network_too: bool = True, others_too: bool = True) -> None:
        """The charging figures, and the network (section 1) and the rest (work orders,
        faults, sessions) when the filter they depend on changed."""
        caller = await event_caller(self)
        if caller is None:
            return
        scope = await asyncio.to_thread(caller.scope)
        try:
            chosen = statistics_filter(
                scope,
                kind=self.kind,
                date_from=self.date_from,
                date_to=self.date_to,
                area_id=self.area_id,
                station_id=self.station_id,
                charge_point_id=self.charge_point_id,
                zone=self.zone,
            )
        except StatisticsInputError as exc:
            self.errors = exc.errors
            return
        now = utc_now()
        try:
            charging = await asyncio.to_thread(
                charging_statistics, chosen.narrowing, chosen.kind, chosen.window, self.zone, now
            )
        except RangeError as exc:
            self.errors = {"kind": str(exc)}
            return
        self.errors = {}
        self._language = reader_language()
        self._show_charging(charging)
        # the sessions as of the chart's `now`, so their rows add up to it
        sessions = await self.get_state(SessionDetailsState)
        await sessions._narrow_to(
            scope, DetailScope(chosen.narrowing, chosen.window, self.zone, now)
        )
        if network_too or not self.loaded:
            await self._read_network(scope, chosen)
        if others_too or not self.loaded:
            found = await asyncio.to_thread(maintenance_figures, chosen, scope, now)
            self._show_maintenance(found)
        self.loaded = True

    async def _read_network(self, scope: frozenset[int], chosen: StatisticsFilter) -> None:
        area = chosen.narrowing.area_id
        station = chosen.narrowing.station_id
        choices, counts = await asyncio.gather(
            asyncio.to_thread(filter_choices, scope, area, station),
            asyncio.to_thread(network.network_counts, chosen.network),
        )
        self.areas = _options(choices.areas)
        self.stations = _options(choices.stations)
        self.charge_points = _options(choices.charge_points)
        self.counts = {
            key: count_text(getattr(counts, key))
            for key in ("stations", "charge_points", "online", "offline", "faulted", "unregistered")
        }
        stations = await self.get_state(StationStatisticsState)
        await stations._narrow_to(scope, network.station_filters(chosen.network))
        points = await self.get_state(ChargePointStatisticsState)
        await points._narrow_to(scope, network.charge_point_filters(chosen.network))

    # --- showing -------------------------------------------------------------------------

    def _show_charging(self, found: ChargingStatistics) -> None:
        self._charging = found
        code = self.currency
        self.currencies = list(found.currencies(code))
        window, before = found.window, found.previous
        self.range_text = f"{days_text(window.first, window.last)} ({self.zone})"
        self.previous_text = days_text(before.first, before.last)
        total = found.series.total
        self.totals = total_cards(total, found.previous_totals, code)
        self.buckets = [
            _bucket_row(b.key, b.label, v, code)
            for b, v in zip(found.series.buckets, found.series.values, strict=True)
        ] + [_bucket_row("total", N_("Total"), total, code)]
        self.orders_figure, self.energy_figure, self.amount_figure = charging_figures(
            found.series, found.kind, code
        )
        self.by_station = [_ranked_row(r, code) for r in found.by_station]
        self.by_charge_point = [_ranked_row(r, code) for r in found.by_charge_point]
        self.ranked_note = tr(
            "The {stations} of {stations_counted} stations and {charge_points} of "
            "{charge_points_counted} charge points with the most energy in the range.",
            stations=count_text(len(found.by_station)),
            stations_counted=count_text(found.stations_counted),
            charge_points=count_text(len(found.by_charge_point)),
            charge_points_counted=count_text(found.charge_points_counted),
        )

    def _show_maintenance(self, found: MaintenanceFigures) -> None:
        w = found.work_orders
        self.work_orders = {
            "total": count_text(w.total),
            "completed": count_text(w.completed),
            "pending": count_text(w.pending),
            "overdue": count_text(w.overdue),
        }
        whole = found.faults
        self.faults_total = count_text(whole)
        self.causes = [
            {
                "cause": c.cause,
                "label": c.label,
                "count": count_text(c.count),
                "share": percent_text(share(c.count, whole)),
            }
            for c in found.faults_by_cause
        ]
        self.pie = fault_pie(found)


# --- formatting ------------------------------------------------------------------------------


def _options(pairs: list[tuple[int, str]]) -> list[list[str]]:
    return [[str(pk), label] for pk, label in pairs]


def _total(
    key: str, label: str, now: int, before: int, shown: Callable[[int], str]
) -> dict[str, str]:
    """A total with its month-on-month change."""
    moved = change(now, before)
    trend = "none" if moved is None else ("up" if moved > 0 else "down" if moved < 0 else "flat")
    return {
        "key": key,
        "label": label,
        "value": shown(now),
        "change": change_text(moved),
        "previous": shown(before),
        "trend": trend,
    }


def _kwh(wh: int) -> str:
    return f"{kwh_text(wh)} kWh"


def total_cards(total: Totals, previous: Totals, currency: str) -> list[dict[str, str]]:
    """Orders, energy and amount (in `currency`) over the range, each against the range one
    month earlier."""

    def money(minor: int) -> str:
        return format_money(minor, currency)

    return [
        _total("orders", N_("Charging orders"), total.orders, previous.orders, count_text),
        _total("energy", N_("Charged energy"), total.energy_wh, previous.energy_wh, _kwh),
        _total(
            "amount",
            N_("Charging amount"),
            total.amount_incl(currency),
            previous.amount_incl(currency),
            money,
        ),
    ]


def charging_figures(
    series: Series, kind: PeriodKind, currency: str
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """Bars of orders, energy (kWh) and amount (incl. VAT, in `currency`) per bucket; names
    and the orders' axis in the reader's language."""
    buckets, values = series.buckets, series.values
    minors = [v.amount_incl(currency) for v in values]
    return (
        bar_figure(buckets, kind, [v.orders for v in values],
                   [count_text(v.orders) for v in values], tr("Orders"), tr("orders"), counts=True),
        bar_figure(buckets, kind, [Decimal(v.energy_wh) / 1000 for v in values],
                   [_kwh(v.energy_wh) for v in values], tr("Energy"), "kWh"),
        bar_figure(buckets, kind, [major(m, currency) for m in minors],
                   [format_money(m, currency) for m in minors], tr("Amount incl. VAT"), currency),
    )  # fmt: skip


def _bucket_row(key: str, label: str, totals: Totals, currency: str) -> dict[str, str]:
    amount = totals.amount_incl(currency)
    return {
        "key": key,
        "label": label,
        "orders": count_text(totals.orders),
        "energy": _kwh(totals.energy_wh),
        "amount": format_money(amount, currency),
    }


def _ranked_row(ranked: Ranked, currency: str) -> dict[str, str]:
    totals = ranked.totals
    return {
        "key": str(ranked.id if ranked.id is not None else "none"),
        "name": ranked.name,
        "orders": count_text(totals.orders),
        "energy": _kwh(totals.energy_wh),
        "amount": format_money(totals.amount_incl(currency), currency),
    }


def major(minor: int, currency: str) -> Decimal:
    """Minor units as the currency's major unit, exactly (the chart's axis)."""
    return Decimal(minor).scaleb(-exponent(currency))


def axis_ticks(buckets: Sequence[Bucket], kind: PeriodKind) -> tuple[list[str], list[str]]:
    """Every n-th bucket counted back from the newest, short enough to stand upright on a
    360 px phone."""
    chosen = list(buckets)[::-1][:: TICK_EVERY[kind]][::-1]
    if kind is PeriodKind.DAYS:
        texts = [format_date(date.fromisoformat(b.key), "%d %b", "MMMd") for b in chosen]
    else:
        texts = [b.label for b in chosen]
    return [b.label for b in chosen], texts


def bar_figure(
    buckets: Sequence[Bucket],
    kind: PeriodKind,
    values: Sequence[int | Decimal],
    texts: Sequence[str],
    name: str,
    unit: str,
    counts: bool = False,
) -> go.Figure:
    """One bar per bucket; hovering a bar shows the figure as the table writes it. `counts`:
    whole numbers on the axis (no "0.5 orders")."""
    tick_values, tick_texts = axis_ticks(buckets, kind)
    y_axis: dict[str, Any] = {"title": unit, "rangemode": "tozero", "fixedrange": True}
    if counts:
        y_axis["tickformat"] = ",d"
        y_axis["dtick"] = 1 if max(values, default=0) <= 5 else None
    figure = go.Figure(
        go.Bar(
            x=[b.label for b in buckets],
            y=list(values),
            name=name,
            customdata=list(texts),
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        height=240,
        margin={"l": 48, "r": 8, "t": 8, "b": 32},
        yaxis=y_axis,
        xaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": tick_values,
            "ticktext": tick_texts,
            "tickangle": 0,
            "fixedrange": True,
        },
        showlegend=False,
        autosize=True,
    )
    return figure


def fault_pie(found: MaintenanceFigures) -> go.Figure:
    """Faults by cause, the share written on each slice: Maintenance reports' pie."""
    return cause_pie(found.faults_by_cause, "percent")
