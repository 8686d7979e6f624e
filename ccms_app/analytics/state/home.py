"""Home's figures beyond the live counts: the network's size and licence, today and this
month in the operator's time zone, live power per station with the 24 h curve, and the
charging figures by day, month or year (four bar charts and the same numbers as a table).

Read on page load and when the operator switches between days, months and years, off the
event loop (asyncio.to_thread), from `analytics.home_figures` scoped to the caller. The live
counts, warnings and network power stay in monitoring's HomeState (pushed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.home_figures import HomeFigures, home_figures
from ccms_app.analytics.power_samples import PowerPoint, StationPower
from ccms_app.core.display import MISSING, format_number, format_time, time_zone
from ccms_app.core.money import format_money
from ccms_app.finance.rules.revenue import (
    PERIOD_LABELS,
    Bucket,
    PeriodError,
    PeriodKind,
    period_kind,
)
from ccms_app.finance.state.overview import axis_ticks, major
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event

SITES_SHOWN = 8  # stations listed under live power; the rest are counted
FIGURE_KEYS = ("sessions", "energy", "duration", "revenue")
NO_FIGURES = {key: MISSING for key in FIGURE_KEYS}
NETWORK_KEYS = (
    "licence",
    "licence_note",
    "sub_operators",
    "stations",
    "charge_points",
    "connectors",
)
NO_NETWORK = {key: MISSING for key in NETWORK_KEYS}
# (key, chart title, colour) of the four bar charts
CHARTS = (
    ("sessions", "Sessions", "#3e63dd"),
    ("energy", "Energy (kWh)", "#0d9488"),
    ("duration", "Charging time (h)", "#8e4ec6"),
    ("revenue", "Revenue incl. VAT", "#e54d2e"),
)
CHART_HEIGHT = 220


def energy_text(wh: int) -> str:
    return format_number(wh / 1000, "kWh", 1)


def duration_text(charging_us: int) -> str:
    """Charging time summed over sessions, in hours (days of it read badly in d/h/min)."""
    return format_number(charging_us / 3_600_000_000, "h", 1)


def power_text(watts: int) -> str:
    return format_number(watts / 1000, "kW", 1)


def revenue_text(totals: Totals, currency: str) -> str:
    """The amount incl. VAT in the operator's currency, then any other currency the
    sub-operators charged in ("€17.00 + £1.00")."""
    others = [
        format_money(incl, code)
        for code, (_excl, incl) in sorted(totals.amounts.items())
        if code != currency and incl
    ]
    return " + ".join([format_money(totals.amount_incl(currency), currency), *others])


def figures_row(totals: Totals, currency: str) -> dict[str, str]:
    """Sessions (orders), energy, charging time and revenue as the tiles and table show them."""
    return {
        "sessions": f"{totals.orders:,}",
        "energy": energy_text(totals.energy_wh),
        "duration": duration_text(totals.charging_us),
        "revenue": revenue_text(totals, currency),
    }


def network_tiles(figures: HomeFigures) -> dict[str, str]:
    licence = figures.licence
    if licence is None:
        value, note = "No terms", "The network operator has no licence: no limits, no end date."
    elif licence.status != "active":
        value, note = licence.status.capitalize(), licence.validity
    elif licence.days_left is None:
        value, note = "No end date", licence.validity
    else:
        noun = "day" if licence.days_left == 1 else "days"
        value, note = f"{licence.days_left:,} {noun} left", licence.validity
    return {
        "licence": value,
        "licence_note": note,
        "sub_operators": f"{figures.sub_operators:,}",
        "stations": f"{figures.stations:,}",
        "charge_points": f"{figures.charge_points:,}",
        "connectors": f"{figures.connectors:,}",
    }


def site_row(site: StationPower) -> dict[str, str]:
    return {
        "key": str(site.station_id or 0),
        "name": site.name,
        "power": power_text(site.power_w),
        "charging": f"{site.charging:,}",
        "href": f"/stations/{site.station_id}" if site.station_id is not None else "/live",
    }


def curve_figure(points: Sequence[PowerPoint], zone: str) -> go.Figure:
    """Network power (kW) over the last 24 h, on the operator's wall clock."""
    tz = time_zone(zone)
    figure = go.Figure(
        go.Scatter(
            x=[p.at.astimezone(tz).replace(tzinfo=None) for p in points],
            y=[round(p.power_w / 1000, 2) for p in points],
            mode="lines+markers" if len(points) < 30 else "lines",
            line={"color": "#3e63dd", "shape": "hv"},
            customdata=[p.charging for p in points],
            hovertemplate="%{x|%H:%M}: %{y} kW, %{customdata} charging<extra></extra>",
            name="Network power",
        )
    )
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 44, "r": 12, "t": 10, "b": 30},
        yaxis={"title": "kW", "rangemode": "tozero", "fixedrange": True},
        xaxis={"nticks": 6, "tickformat": "%H:%M", "fixedrange": True},
        showlegend=False,
        autosize=True,
    )
    return figure


def bar_figure(
    within: Sequence[Bucket],
    values: Sequence[Any],
    texts: Sequence[str],
    kind: PeriodKind,
    colour: str,
    axis: str,
) -> go.Figure:
    """One figure per bucket as bars; hovering a bar shows it as the table writes it."""
    tick_values, tick_texts = axis_ticks(within, kind)
    figure = go.Figure(
        go.Bar(
            x=[bucket.label for bucket in within],
            y=list(values),
            marker={"color": colour},
            customdata=list(texts),
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 48, "r": 8, "t": 8, "b": 32},
        yaxis={"title": axis, "rangemode": "tozero", "fixedrange": True} | _counted(values, axis),
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


def _counted(values: Sequence[Any], axis: str) -> dict[str, Any]:
    """Whole steps on the sessions axis while it is short (no "0.2 sessions")."""
    if axis == "sessions" and max(values, default=0) <= 5:
        return {"dtick": 1}
    return {}


def period_charts(figures: HomeFigures) -> dict[str, go.Figure]:
    """The four bar charts of the chosen period: sessions, energy, charging time, revenue."""
    series, kind, code = figures.series, figures.kind, figures.currency
    values = series.values
    rows = [figures_row(v, code) for v in values]
    numbers: dict[str, list[Any]] = {
        "sessions": [v.orders for v in values],
        "energy": [round(v.energy_wh / 1000, 3) for v in values],
        "duration": [round(v.charging_us / 3_600_000_000, 2) for v in values],
        "revenue": [major(v.amount_incl(code), code) for v in values],
    }
    texts = {key: [row[key] for row in rows] for key in ("sessions", "energy", "duration")} | {
        "revenue": [format_money(v.amount_incl(code), code) for v in values]
    }
    axes = {"sessions": "sessions", "energy": "kWh", "duration": "h", "revenue": code}
    return {
        key: bar_figure(series.buckets, numbers[key], texts[key], kind, colour, axes[key])
        for key, _title, colour in CHARTS
    }


def period_rows(figures: HomeFigures) -> list[dict[str, str]]:
    """The table under the charts: one row per bucket, newest first, then the total."""
    code = figures.currency
    rows = [
        {"key": bucket.key, "label": bucket.label} | figures_row(totals, code)
        for bucket, totals in zip(figures.series.buckets, figures.series.values, strict=True)
    ][::-1]
    return [*rows, {"key": "total", "label": "Total"} | figures_row(figures.series.total, code)]


def other_currencies(totals: Totals, currency: str) -> str:
    """A note when sub-operators charged in other currencies (not in the revenue chart)."""
    others = [
        format_money(incl, code)
        for code, (_excl, incl) in sorted(totals.amounts.items())
        if code != currency and incl
    ]
    if not others:
        return ""
    return (
        f"The revenue chart shows {currency} only; the period also had "
        + " + ".join(others)
        + " charged by sub-operators in other currencies (in the table)."
    )


@guarded(Module.HOME)
class HomeFiguresState(rx.State):
    loaded: bool = False
    period: str = PeriodKind.DAYS.value
    period_label: str = PERIOD_LABELS[PeriodKind.DAYS]
    zone: str = ""
    read_at: str = ""
    today_label: str = ""
    month_label: str = ""
    network: dict[str, str] = NO_NETWORK
    today: dict[str, str] = NO_FIGURES
    month: dict[str, str] = NO_FIGURES
    network_power: str = MISSING
    charging_now: str = MISSING
    sites: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    more_sites: str = ""
    curve: go.Figure = go.Figure()
    curve_points: int = 0
    curve_covers_day: bool = False
    sessions_chart: go.Figure = go.Figure()
    energy_chart: go.Figure = go.Figure()
    duration_chart: go.Figure = go.Figure()
    revenue_chart: go.Figure = go.Figure()
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    range_text: str = ""
    period_has_charging: bool = False
    currency_note: str = ""

    @event
    async def load(self) -> None:
        """on_load of Home: every figure of the chosen period."""
        await self._read()

    @event
    async def set_period(self, value: str) -> Any:
        """The switch: last 30 days, 12 months or 5 years."""
        try:
            self.period = period_kind(value).value
        except PeriodError as exc:
            return rx.toast.error(str(exc))
        await self._read()
        return None

    async def _read(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        figures = await asyncio.to_thread(home_figures, caller, PeriodKind(self.period))
        self._show(figures)

    def _show(self, figures: HomeFigures) -> None:
        zone, now, code = figures.time_zone, figures.generated_at, figures.currency
        self.zone = zone
        self.read_at = format_time(now, zone, now)
        self.network = network_tiles(figures)
        local = now.astimezone(time_zone(zone))
        self.today_label = local.strftime("%a %d %b")
        self.month_label = local.strftime("%B %Y")
        self.today = figures_row(figures.today, code)
        self.month = figures_row(figures.this_month, code)
        self._show_power(figures)
        self._show_period(figures)
        self.loaded = True

    def _show_power(self, figures: HomeFigures) -> None:
        self.network_power = power_text(figures.power_w)
        self.charging_now = f"{figures.charging:,}"
        self.sites = [site_row(s) for s in figures.power_by_station[:SITES_SHOWN]]
        more = len(figures.power_by_station) - SITES_SHOWN
        self.more_sites = f"and {more:,} more stations charging" if more > 0 else ""
        self.curve = curve_figure(figures.curve, figures.time_zone)
        self.curve_points = len(figures.curve)
        self.curve_covers_day = figures.curve_covers_the_day

    def _show_period(self, figures: HomeFigures) -> None:
        kind = figures.kind
        self.period = kind.value
        self.period_label = PERIOD_LABELS[kind]
        within = figures.series.buckets
        self.range_text = f"{within[0].label} to {within[-1].label} ({figures.time_zone})"
        charts = period_charts(figures)
        self.sessions_chart = charts["sessions"]
        self.energy_chart = charts["energy"]
        self.duration_chart = charts["duration"]
        self.revenue_chart = charts["revenue"]
        self.rows = period_rows(figures)
        total = figures.series.total
        self.period_has_charging = bool(total.orders or total.energy_wh or total.charging_us)
        self.currency_note = other_currencies(total, figures.currency)
