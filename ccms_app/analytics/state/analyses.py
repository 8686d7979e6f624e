"""Analytics -> Business analyses: the cycle comparison with its year-on-year chart, live
power per station with one station's 24 h curve, usage rate and availability over a chosen
range, and the charge points' status over the last 7 days.

Three states, so each section reads only what it shows: `CycleState` (month and chart
metric), `PowerState` (refresh, chosen station) and `RangeState` (From / To days). Each reads
on page load and on its own controls, off the event loop (asyncio.to_thread), from
`analytics.analyses` / `analyses_usage`, scoped to the caller. Days and months are the
operator's (the organisation's billing time zone). Rows are formatted here; the rankings
keep only the rows shown (the first ROWS_SHOWN each way), not the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import Module
from ccms_app.analytics import analyses
from ccms_app.analytics.analyses_usage import ConnectorUse, GroupUse, UsageReport, usage_report
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.power_samples import PowerPoint, StationPower
from ccms_app.analytics.rules.cycles import (
    CycleError,
    change_percent,
    month_key,
    parse_month,
)
from ccms_app.analytics.rules.usage import TimeUse, ranked
from ccms_app.analytics.wording import count_text
from ccms_app.core.display import MISSING, format_date, format_number, format_time, time_zone
from ccms_app.core.i18n import DEFAULT, N_, babel_locale, reader_language, tr
from ccms_app.core.money import exponent, format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.rules.revenue import local_midnight
from ccms_app.maintenance.reports.numbers import rounded
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event

ROWS_SHOWN = 50  # per ranking; the rest are counted
DEFAULT_DAYS = 30  # the usage range when none is chosen: today and the 29 days before
MAX_DAYS = 366  # the uptime roll-up keeps 367 days: a longer range would read raw history
METRICS = (("orders", N_("Orders")), ("energy", N_("Energy")), ("amount", N_("Amount")))  # picker
AXIS_TITLES = {
    "orders": N_("Orders"),
    "energy": N_("Energy (kWh)"),
    "amount": N_("Amount incl. VAT"),
}
CHART_HEIGHT = 300
PLOT_MARGIN = {"l": 48, "r": 12, "t": 10, "b": 40}


# --- formatting ------------------------------------------------------------------------------


def energy_text(wh: int) -> str:
    return format_number(wh / 1000, "kWh", 1)


def hours_text(us: int) -> str:
    return format_number(us / 3_600_000_000, "h", 1)


def power_text(watts: int) -> str:
    return format_number(watts / 1000, "kW", 1)


def percent_text(value: Fraction | None) -> str:
    """A rate as a percentage to two decimals ("12.53 %": usage rates are often below one
    percent); a dash for none."""
    return MISSING if value is None else f"{rounded(value * 100, 2)} %"


def change_text(value: Fraction | None) -> str:
    """A change in percent with its sign ("+12.5 %", "-3.0 %"); a dash without a base."""
    if value is None:
        return MISSING
    shown = rounded(value, 1)
    return f"{'+' if shown > 0 else ''}{shown} %"


def tone(value: Fraction | None) -> str:
    if value is None or value == 0:
        return "gray"
    return "green" if value > 0 else "red"


def major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def _layout(figure: go.Figure, y_title: str, **extra: Any) -> go.Figure:
    figure.update_layout(
        height=CHART_HEIGHT,
        margin=PLOT_MARGIN,
        yaxis={"title": y_title, "rangemode": "tozero", "fixedrange": True},
        legend={"orientation": "h", "y": -0.2},
        autosize=True,
        **extra,
    )
    return figure


def _plot_format(english: str, other: str) -> str:
    """A plotly (d3) time format: month names are written by plotly in English, so the other
    languages get numbers only."""
    return english if babel_locale(reader_language()) == DEFAULT else other


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(time_zone(zone)).strftime("%Y-%m-%d %H:%M")


def _time_axis(now: datetime, span: timedelta, zone: str, tick_format: str) -> dict[str, Any]:
    """The whole span up to now (a curve that began later starts where it began), with few
    short upright labels (they fit a 360 px phone) and the full time on hover."""
    return {
        "type": "date",
        "range": [_local(now - span, zone), _local(now, zone)],
        "fixedrange": True,
        "nticks": 5,
        "tickangle": 0,
        "tickformat": tick_format,
        "hoverformat": _plot_format("%d %b %H:%M", "%Y-%m-%d %H:%M"),
    }


# --- cycle comparison --------------------------------------------------------------------------


def cycle_rows(found: analyses.CycleFigures) -> list[dict[str, str]]:
    """Orders, energy and the amount per currency: this / previous / last year and changes."""
    values = (found.current, found.previous, found.last_year)
    rows = [
        _cycle_row("orders", N_("Orders"), [t.orders for t in values], count_text),
        _cycle_row("energy", N_("Energy"), [t.energy_wh for t in values], energy_text),
    ]
    currencies = sorted({code for t in values for code in t.amounts} | {found.clock.currency})
    for code in currencies:
        rows.append(
            _cycle_row(
                f"amount-{code}",
                f"Amount incl. VAT ({code})",
                [t.amount_incl(code) for t in values],
                partial(format_money, currency=code),
            )
        )
    return rows


def _cycle_row(
    key: str, label: str, figures: Sequence[int], text: Callable[[int], str]
) -> dict[str, str]:
    now, before, year = figures
    month, annual = change_percent(now, before), change_percent(now, year)
    return {
        "key": key,
        "label": label,
        "current": text(now),
        "previous": text(before),
        "last_year": text(year),
        "mom": change_text(month),
        "mom_tone": tone(month),
        "yoy": change_text(annual),
        "yoy_tone": tone(annual),
    }


def _metric_values(series: Sequence[Totals], metric: str, currency: str) -> list[Any]:
    if metric == "orders":
        return [t.orders for t in series]
    if metric == "energy":
        return [round(t.energy_wh / 1000, 1) for t in series]
    return [major(t.amount_incl(currency), currency) for t in series]


def year_figure(found: analyses.YearOnYear, metric: str, currency: str) -> go.Figure:
    """This year's months against last year's, as bars; months not begun yet are empty."""
    months = [format_date(date(2000, n, 1), "%b", "MMM") for n in range(1, 13)]
    this_year = _metric_values(found.this_year.values, metric, currency)
    this_year = [v if i < found.months_done else None for i, v in enumerate(this_year)]
    last_year = _metric_values(found.last_year.values, metric, currency)
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=months, y=last_year, name=str(found.year - 1), marker_color="#8b8d98")
    )
    figure.add_trace(go.Bar(x=months, y=this_year, name=str(found.year), marker_color="#3e63dd"))
    title = tr(AXIS_TITLES[metric]) + (f" ({currency})" if metric == "amount" else "")
    # no fixed tick angle: plotly turns the month names upright on a 360 px phone
    return _layout(figure, title, barmode="group", xaxis={"type": "category", "fixedrange": True})


@guarded(Module.ANALYTICS)
class CycleState(rx.State):
    loaded: bool = False
    month: str = ""
    months: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    so_far: bool = True
    zone: str = ""
    labels: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    metric: str = "orders"
    year: str = ""
    figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    error: str = ""
    _yearly: analyses.YearOnYear | None = None
    _currency: str = ""
    _language: str = ""  # the language the section's text was written in

    @event
    async def load(self) -> None:
        """on_load: this month so far (or the month chosen before) and its year's chart."""
        caller = await event_caller(self)
        if caller is None:
            return
        await self._read(caller)

    @event
    async def set_month(self, value: str) -> None:
        """Another month (kept only if it can be compared)."""
        caller = await event_caller(self)
        if caller is None:
            return
        await self._read(caller, value)

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if not self.loaded or self._language == reader_language():
            return
        caller = await event_caller(self)
        if caller is not None:
            await self._read(caller)

    @event
    async def set_metric(self, value: str) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        if value in dict(METRICS):
            self.metric = value
            if self._yearly is not None:
                self.figure = year_figure(self._yearly, self.metric, self._currency)

    async def _read(self, caller: Caller, month: str = "") -> None:
        now = utc_now()
        try:
            wanted = month or self.month
            chosen = parse_month(wanted) if wanted else None
            found = await asyncio.to_thread(
                analyses.cycle_comparison, caller.scope(), caller.organisation_id, chosen, now
            )
        except CycleError as exc:
            self.error = str(exc)
            return
        yearly = await asyncio.to_thread(
            analyses.year_on_year,
            caller.scope(),
            caller.organisation_id,
            found.cycle.month.year,
            now,
        )
        self.error = ""
        self._language = reader_language()
        self.month = month_key(found.cycle.month)
        self.months = [
            [month_key(m), format_date(m, "%B %Y", "yMMMM")]
            for m in analyses.month_choices(found.clock)
        ]
        self.so_far = found.cycle.so_far
        self.zone = found.clock.zone
        self.labels = {
            "current": found.cycle.current.label,
            "previous": found.cycle.previous.label,
            "last_year": found.cycle.last_year.label,
        }
        self.rows = cycle_rows(found)
        self.year = str(yearly.year)
        self._yearly, self._currency = yearly, found.clock.currency
        self.figure = year_figure(yearly, self.metric, found.clock.currency)
        self.loaded = True


# --- live power per station ---------------------------------------------------------------------


def power_row(station: StationPower, rank: int) -> dict[str, str]:
    return {
        "id": str(station.station_id),
        "rank": str(rank),
        "name": station.name,
        "power": power_text(station.power_w),
        "charging": count_text(station.charging),
        "connectors": count_text(station.connectors or 0),
    }


def curve_figure(points: Sequence[PowerPoint], zone: str, now: datetime) -> go.Figure:
    """The station's power (kW) over the last 24 hours."""
    times = [_local(p.at, zone) for p in points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=times,
            y=[round(p.power_w / 1000, 2) for p in points],
            name=tr("Power (kW)"),
            mode="lines",
            line={"color": "#0d9488"},
            fill="tozeroy",
        )
    )
    return _layout(figure, "kW", xaxis=_time_axis(now, analyses.CURVE_SPAN, zone, "%H:%M"))


@guarded(Module.ANALYTICS)
class PowerState(rx.State):
    loaded: bool = False
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    stations: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    station_id: str = ""
    station_name: str = ""
    total: str = MISSING
    updated: str = ""
    more: rx.Field[int] = rx.field(0)
    curve: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    curve_points: int = 0
    _language: str = ""

    @event
    async def load(self) -> None:
        """on_load: power now per station and the curve of the first (or chosen) one."""
        caller = await event_caller(self)
        if caller is None:
            return
        await self._read(caller)

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if not self.loaded or self._language == reader_language():
            return
        caller = await event_caller(self)
        if caller is not None:
            await self._read(caller)

    @event
    async def refresh(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        await self._read(caller)

    @event
    async def set_station(self, value: str) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        if any(option[0] == value for option in self.stations):
            self.station_id = value
            await self._read(caller)

    async def _read(self, caller: Caller) -> None:
        now = utc_now()
        clock, found = await asyncio.gather(
            asyncio.to_thread(analyses.operator_clock, caller.organisation_id, now),
            asyncio.to_thread(analyses.station_power, caller.scope()),
        )
        self.rows = [power_row(s, n) for n, s in enumerate(found[:ROWS_SHOWN], start=1)]
        self.more = max(0, len(found) - ROWS_SHOWN)
        self.total = power_text(sum(s.power_w for s in found))
        self.stations = [[str(s.station_id), s.name] for s in sorted(found, key=_by_name)]
        known = {str(s.station_id): s.name for s in found}
        if self.station_id not in known:
            self.station_id = str(found[0].station_id) if found else ""
        self.station_name = known.get(self.station_id, "")
        points: list[PowerPoint] = []
        if self.station_id:
            points = await asyncio.to_thread(
                analyses.station_curve, caller.scope(), as_id(self.station_id), now
            )
        self.curve = curve_figure(points, clock.zone, now)
        self.curve_points = len(points)
        self.updated = format_time(now, clock.zone, now)
        self._language = reader_language()
        self.loaded = True


def _by_name(station: StationPower) -> tuple[str, int]:
    return station.name.lower(), station.station_id or 0


# --- usage and availability over a range ---------------------------------------------------------


def usage_row(group: GroupUse, rank: int) -> dict[str, str]:
    use = group.use
    return {
        "id": str(group.id),
        "rank": str(rank),
        "name": group.name,
        "station": group.station or MISSING,
        "connectors": f"{group.connectors:,}",
        "charging": hours_text(use.charging_us),
        "available": hours_text(use.available_us),
        "usage": percent_text(use.usage),
    }


def availability_row(key: str, name: str, station: str, use: TimeUse) -> dict[str, str]:
    return {
        "key": key,
        "name": name,
        "station": station or MISSING,
        "period": hours_text(use.period_us),
        "outage": hours_text(use.outage_us),
        "availability": percent_text(use.availability),
    }


def connector_row(found: ConnectorUse) -> dict[str, str]:
    port = found.port
    row = availability_row(
        f"{port.charge_point_id}-{port.connector_id}", port.identity, port.station, found.use
    )
    return row | {"charge_point_id": str(port.charge_point_id), "connector": str(port.connector_id)}


def top_usage(groups: Sequence[GroupUse], highest_first: bool) -> list[dict[str, str]]:
    ordered = ranked(groups, lambda g: g.use.usage, lambda g: g.name, highest_first)
    return [usage_row(g, n) for n, g in enumerate(ordered[:ROWS_SHOWN], start=1)]


def status_figure(points: Sequence[PowerPoint], zone: str, now: datetime) -> go.Figure:
    """Registered charge points online, offline and faulted, every sample of 7 days."""
    times = [_local(p.at, zone) for p in points]
    figure = go.Figure()
    for name, values, colour in (
        (tr("Online"), [p.online for p in points], "#30a46c"),
        (tr("Offline"), [p.offline for p in points], "#8b8d98"),
        (tr("Faulted"), [p.faulted for p in points], "#e5484d"),
    ):
        figure.add_trace(
            go.Scatter(x=times, y=values, name=name, mode="lines", line={"color": colour})
        )
    axis = _time_axis(now, analyses.STATUS_SPAN, zone, _plot_format("%d %b", "%m-%d"))
    return _layout(figure, tr("Charge points"), xaxis=axis)


def parse_days(date_from: str, date_to: str, today: date) -> tuple[date, date, dict[str, str]]:
    """The From / To days of the form (empty: the last DEFAULT_DAYS days) and what is wrong."""
    errors: dict[str, str] = {}

    def day(text: str, key: str, default: date) -> date:
        if not text.strip():
            return default
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            errors[key] = tr("Give a date like 2026-01-31 (got {text})", text=repr(text[:20]))
            return default

    first = day(date_from, "date_from", today - timedelta(days=DEFAULT_DAYS - 1))
    last = day(date_to, "date_to", today)
    if not errors:
        if last < first:
            errors["date_to"] = tr("The To date is before the From date")
        elif first > today:
            errors["date_from"] = tr("The From date is in the future")
        elif (last - first).days + 1 > MAX_DAYS:
            errors["date_to"] = tr("Choose at most {max_days} days", max_days=MAX_DAYS)
    return first, last, errors


@guarded(Module.ANALYTICS)
class RangeState(rx.State):
    loaded: bool = False
    date_from: str = ""
    date_to: str = ""
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    range_text: str = ""
    highest_first: bool = True
    station_usage: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    charge_point_usage: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    network: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    station_availability: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    connector_availability: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    counts: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    status: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    status_points: int = 0
    _ranked: dict[str, list[dict[str, str]]] = {}
    _language: str = ""

    @event
    async def load(self) -> None:
        """on_load: usage and availability over the chosen days (default the last 30)."""
        caller = await event_caller(self)
        if caller is None:
            return
        await self._read(caller)

    @event
    async def set_date_from(self, value: str) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        self.date_from = value
        await self._read(caller)

    @event
    async def set_date_to(self, value: str) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        self.date_to = value
        await self._read(caller)

    @event
    async def set_order(self, value: str) -> None:
        """Highest or lowest usage first: swaps the rows kept, no new read."""
        caller = await event_caller(self)
        if caller is None:
            return
        self.highest_first = value != "lowest"
        self._show_order()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if not self.loaded or self._language == reader_language():
            return
        caller = await event_caller(self)
        if caller is not None:
            await self._read(caller)

    async def _read(self, caller: Caller) -> None:
        now = utc_now()
        clock = await asyncio.to_thread(analyses.operator_clock, caller.organisation_id, now)
        first, last, errors = parse_days(self.date_from, self.date_to, clock.today)
        self.errors = errors
        if errors:
            return
        self.date_from, self.date_to = first.isoformat(), last.isoformat()
        since = local_midnight(first, clock.zone)
        until = local_midnight(last + timedelta(days=1), clock.zone)
        report, points = await asyncio.gather(
            asyncio.to_thread(usage_report, caller.scope(), since, until, now),
            asyncio.to_thread(analyses.status_history, caller.scope(), now),
        )
        self._show(report, clock.zone)
        self.status = status_figure(points, clock.zone, now)
        self.status_points = len(points)
        self._language = reader_language()
        self.loaded = True

    def _show(self, report: UsageReport, zone: str) -> None:
        tz = time_zone(zone)
        since, until = report.since.astimezone(tz), report.until.astimezone(tz)
        start = f"{format_date(since, '%d %b %Y', 'yMMMd')} {since:%H:%M}"
        end = f"{format_date(until, '%d %b %Y', 'yMMMd')} {until:%H:%M %Z}"
        self.range_text = tr("{start} to {end}", start=start, end=end)
        self._ranked = {
            "stations-high": top_usage(report.stations, True),
            "stations-low": top_usage(report.stations, False),
            "cps-high": top_usage(report.charge_points, True),
            "cps-low": top_usage(report.charge_points, False),
        }
        self._show_order()
        net = report.network
        self.network = {
            "charging": hours_text(net.charging_us),
            "available": hours_text(net.available_us),
            "usage": percent_text(net.usage),
            "availability": percent_text(net.availability),
            "outage": hours_text(net.outage_us),
        }
        worst_stations = ranked(
            report.stations, lambda g: g.use.availability, lambda g: g.name, highest_first=False
        )
        self.station_availability = [
            availability_row(str(g.id), g.name, "", g.use) for g in worst_stations[:ROWS_SHOWN]
        ]
        worst_connectors = ranked(
            report.connectors,
            lambda c: c.use.availability,
            lambda c: f"{c.port.identity}\0{c.port.connector_id:06d}",
            highest_first=False,
        )
        self.connector_availability = [connector_row(c) for c in worst_connectors[:ROWS_SHOWN]]
        self.counts = {
            "stations": count_text(len(report.stations)),
            "charge_points": count_text(len(report.charge_points)),
            "connectors": count_text(len(report.connectors)),
        }

    def _show_order(self) -> None:
        way = "high" if self.highest_first else "low"
        self.station_usage = self._ranked.get(f"stations-{way}", [])
        self.charge_point_usage = self._ranked.get(f"cps-{way}", [])
