"""Home's figures beyond the live counts: the network's size and licence, today and this
month in the operator's time zone, live power per station with the 24 h curve, and the
charging figures by day, month or year (four bar charts and the same numbers as a table).

Read on page load and when the operator switches between days, months and years, off the
event loop (asyncio.to_thread), from `analytics.home_figures` scoped to the caller. The live
counts, warnings and network power stay in monitoring's HomeState (pushed).

Languages: every text, number, date and amount built here is written in the tab's language
(`AuthState.language`, read at each read; English exactly as before, Babel for the others),
the charts' axis titles and hover texts too. After a language switch the page's language
watch calls `follow_language`, which reads and writes everything again in the new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import plotly.graph_objects as go
import reflex as rx
from babel.dates import format_skeleton
from babel.numbers import format_decimal

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.analytics.figures import Totals
from ccms_app.analytics.home_figures import HomeFigures, home_figures
from ccms_app.analytics.power_samples import PowerPoint, StationPower
from ccms_app.core.display import MISSING, format_time, time_zone
from ccms_app.core.i18n import DEFAULT, N_, babel_locale, gettext
from ccms_app.core.money import format_money
from ccms_app.finance.rules.revenue import (
    DAYS_SHOWN,
    MONTHS_SHOWN,
    YEARS_SHOWN,
    Bucket,
    PeriodError,
    PeriodKind,
    period_kind,
)
from ccms_app.finance.state.overview import axis_ticks, major
from ccms_app.monitoring.state.licence_card import days_left_text, licence_validity
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
# (key, chart title, colour) of the four bar charts (the page shows the title translated)
CHARTS = (
    ("sessions", N_("Sessions"), "#3e63dd"),
    ("energy", N_("Energy (kWh)"), "#0d9488"),
    ("duration", N_("Charging time (h)"), "#8e4ec6"),
    ("revenue", N_("Revenue incl. VAT"), "#e54d2e"),
)
CHART_HEIGHT = 220
# The period switch's choices: how many buckets, the label and the section's title.
SHOWN = {
    PeriodKind.DAYS: DAYS_SHOWN,
    PeriodKind.MONTHS: MONTHS_SHOWN,
    PeriodKind.YEARS: YEARS_SHOWN,
}
PERIOD_NAMES = {
    PeriodKind.DAYS: N_("Last {count} days"),
    PeriodKind.MONTHS: N_("Last {count} months"),
    PeriodKind.YEARS: N_("Last {count} years"),
}
PERIOD_TITLES = {
    PeriodKind.DAYS: N_("Charging and revenue, last {count} days"),
    PeriodKind.MONTHS: N_("Charging and revenue, last {count} months"),
    PeriodKind.YEARS: N_("Charging and revenue, last {count} years"),
}
# accounts.licences.LicenceStatus values other than "active", as the licence tile shows them
LICENCE_STATES = {"ended": N_("Ended"), "not started": N_("Not started")}
# plotly's separators (decimal, thousands) per Babel locale; English: plotly's default
SEPARATORS = {"de": ",."}


# --- numbers and dates in the tab's language (English exactly as before) --------------------


def _english(language: str) -> bool:
    return babel_locale(language) == DEFAULT


def number_text(value: float, unit: str, digits: int, language: str = DEFAULT) -> str:
    """ "1,234.5 kWh"; "1.234,5 kWh" in German."""
    if _english(language):
        return f"{value:,.{digits}f} {unit}"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(value, pattern, locale=babel_locale(language))} {unit}"


def count_text(value: int, language: str = DEFAULT) -> str:
    """ "1,234"; "1.234" in German."""
    if _english(language):
        return f"{value:,}"
    return format_decimal(value, locale=babel_locale(language))


def day_text(day: date, language: str = DEFAULT) -> str:
    """ "Mon 02 Nov"; "Mo., 2. Nov.", "11月2日周一"."""
    if _english(language):
        return day.strftime("%a %d %b")
    return format_skeleton("MMMEd", day, locale=babel_locale(language))


def month_text(day: date, language: str = DEFAULT) -> str:
    """ "November 2026"; "2026年11月"."""
    if _english(language):
        return day.strftime("%B %Y")
    return format_skeleton("yMMMM", day, locale=babel_locale(language))


def bucket_label(bucket: Bucket, kind: PeriodKind, language: str = DEFAULT) -> str:
    """A bucket as people read it: finance's English label, or the same in `language`."""
    if _english(language) or kind is PeriodKind.YEARS:
        return bucket.label
    if kind is PeriodKind.DAYS:
        return day_text(date.fromisoformat(bucket.key), language)
    year, month = bucket.key.split("-")
    day = date(int(year), int(month), 1)
    return format_skeleton("yMMM", day, locale=babel_locale(language))


def _tick_text(bucket: Bucket, kind: PeriodKind, language: str) -> str:
    """The short text under a labelled bar (the day without its weekday)."""
    if kind is PeriodKind.DAYS:
        return format_skeleton(
            "MMMd", date.fromisoformat(bucket.key), locale=babel_locale(language)
        )
    return bucket_label(bucket, kind, language)


def energy_text(wh: int, language: str = DEFAULT) -> str:
    return number_text(wh / 1000, "kWh", 1, language)


def duration_text(charging_us: int, language: str = DEFAULT) -> str:
    """Charging time summed over sessions, in hours (days of it read badly in d/h/min)."""
    return number_text(charging_us / 3_600_000_000, "h", 1, language)


def power_text(watts: int, language: str = DEFAULT) -> str:
    return number_text(watts / 1000, "kW", 1, language)


def _others(totals: Totals, currency: str, language: str) -> list[str]:
    """The amounts incl. VAT sub-operators charged in other currencies than `currency`."""
    locale = babel_locale(language)
    return [
        format_money(incl, code, locale)
        for code, (_excl, incl) in sorted(totals.amounts.items())
        if code != currency and incl
    ]


def revenue_text(totals: Totals, currency: str, language: str = DEFAULT) -> str:
    """The amount incl. VAT in the operator's currency, then any other currency the
    sub-operators charged in ("€17.00 + £1.00")."""
    mine = format_money(totals.amount_incl(currency), currency, babel_locale(language))
    return " + ".join([mine, *_others(totals, currency, language)])


def figures_row(totals: Totals, currency: str, language: str = DEFAULT) -> dict[str, str]:
    """Sessions (orders), energy, charging time and revenue as the tiles and table show them."""
    return {
        "sessions": count_text(totals.orders, language),
        "energy": energy_text(totals.energy_wh, language),
        "duration": duration_text(totals.charging_us, language),
        "revenue": revenue_text(totals, currency, language),
    }


def network_tiles(figures: HomeFigures, language: str = DEFAULT) -> dict[str, str]:
    licence = figures.licence
    if licence is None:
        value = gettext(language, "No terms")
        note = gettext(language, "The network operator has no licence: no limits, no end date.")
    else:
        note = licence_validity(
            language, licence.status, licence.valid_from, licence.valid_to, licence.days_left
        )
        if licence.status != "active":
            name = LICENCE_STATES.get(licence.status)
            value = gettext(language, name) if name else licence.status.capitalize()
        elif licence.days_left is None:
            value = gettext(language, "No end date")
        elif licence.days_left == 1:
            value = days_left_text(language, 1)
        else:
            value = gettext(
                language, "{days} days left", days=count_text(licence.days_left, language)
            )
    return {
        "licence": value,
        "licence_note": note,
        "sub_operators": count_text(figures.sub_operators, language),
        "stations": count_text(figures.stations, language),
        "charge_points": count_text(figures.charge_points, language),
        "connectors": count_text(figures.connectors, language),
    }


def site_row(site: StationPower, language: str = DEFAULT) -> dict[str, str]:
    no_station = site.station_id is None
    return {
        "key": str(site.station_id or 0),
        "name": gettext(language, "No station") if no_station else site.name,
        "power": power_text(site.power_w, language),
        "charging": count_text(site.charging, language),
        "href": f"/stations/{site.station_id}" if not no_station else "/live",
    }


def _layout_language(language: str) -> dict[str, Any]:
    """The figure's number separators in `language` (nothing for English)."""
    separators = SEPARATORS.get(babel_locale(language))
    return {"separators": separators} if separators else {}


def curve_figure(points: Sequence[PowerPoint], zone: str, language: str = DEFAULT) -> go.Figure:
    """Network power (kW) over the last 24 h, on the operator's wall clock."""
    tz = time_zone(zone)
    hover = gettext(
        language,
        "{time}: {power} kW, {count} charging",
        time="%{x|%H:%M}",
        power="%{y}",
        count="%{customdata}",
    )
    figure = go.Figure(
        go.Scatter(
            x=[p.at.astimezone(tz).replace(tzinfo=None) for p in points],
            y=[round(p.power_w / 1000, 2) for p in points],
            mode="lines+markers" if len(points) < 30 else "lines",
            line={"color": "#3e63dd", "shape": "hv"},
            customdata=[p.charging for p in points],
            hovertemplate=hover + "<extra></extra>",
            name=gettext(language, "Network power"),
        )
    )
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 44, "r": 12, "t": 10, "b": 30},
        yaxis={"title": "kW", "rangemode": "tozero", "fixedrange": True},
        xaxis={"nticks": 6, "tickformat": "%H:%M", "fixedrange": True},
        showlegend=False,
        autosize=True,
        **_layout_language(language),
    )
    return figure


def bar_figure(
    within: Sequence[Bucket],
    values: Sequence[Any],
    texts: Sequence[str],
    kind: PeriodKind,
    colour: str,
    axis: str,
    language: str = DEFAULT,
    whole_steps: bool = False,
) -> go.Figure:
    """One figure per bucket as bars; hovering a bar shows it as the table writes it.
    `axis`: the y axis's title; `whole_steps`: counted things (no "0.2 sessions")."""
    tick_values, tick_texts = axis_ticks(within, kind)
    labels = [bucket.label for bucket in within]
    if not _english(language):
        by_label = {bucket.label: bucket for bucket in within}
        labels = [bucket_label(bucket, kind, language) for bucket in within]
        ticked = [by_label[value] for value in tick_values]
        tick_values = [bucket_label(bucket, kind, language) for bucket in ticked]
        tick_texts = [_tick_text(bucket, kind, language) for bucket in ticked]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=list(values),
            marker={"color": colour},
            customdata=list(texts),
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    counted = whole_steps and max(values, default=0) <= 5
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 48, "r": 8, "t": 8, "b": 32},
        yaxis={"title": axis, "rangemode": "tozero", "fixedrange": True}
        | ({"dtick": 1} if counted else {}),
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
        **_layout_language(language),
    )
    return figure


def period_charts(figures: HomeFigures, language: str = DEFAULT) -> dict[str, go.Figure]:
    """The four bar charts of the chosen period: sessions, energy, charging time, revenue."""
    series, kind, code = figures.series, figures.kind, figures.currency
    values = series.values
    rows = [figures_row(v, code, language) for v in values]
    numbers: dict[str, list[Any]] = {
        "sessions": [v.orders for v in values],
        "energy": [round(v.energy_wh / 1000, 3) for v in values],
        "duration": [round(v.charging_us / 3_600_000_000, 2) for v in values],
        "revenue": [major(v.amount_incl(code), code) for v in values],
    }
    locale = babel_locale(language)
    texts = {key: [row[key] for row in rows] for key in ("sessions", "energy", "duration")} | {
        "revenue": [format_money(v.amount_incl(code), code, locale) for v in values]
    }
    axes = {"sessions": gettext(language, "sessions"), "energy": "kWh", "duration": "h"}
    axes["revenue"] = code
    return {
        key: bar_figure(
            series.buckets,
            numbers[key],
            texts[key],
            kind,
            colour,
            axes[key],
            language,
            whole_steps=key == "sessions",
        )
        for key, _title, colour in CHARTS
    }


def period_rows(figures: HomeFigures, language: str = DEFAULT) -> list[dict[str, str]]:
    """The table under the charts: one row per bucket, newest first, then the total."""
    code, kind = figures.currency, figures.kind
    rows = [
        {"key": bucket.key, "label": bucket_label(bucket, kind, language)}
        | figures_row(totals, code, language)
        for bucket, totals in zip(figures.series.buckets, figures.series.values, strict=True)
    ][::-1]
    total = {"key": "total", "label": gettext(language, "Total")}
    return [*rows, total | figures_row(figures.series.total, code, language)]


def other_currencies(totals: Totals, currency: str, language: str = DEFAULT) -> str:
    """A note when sub-operators charged in other currencies (not in the revenue chart)."""
    others = _others(totals, currency, language)
    if not others:
        return ""
    return gettext(
        language,
        "The revenue chart shows {currency} only; the period also had {amounts} charged by "
        "sub-operators in other currencies (in the table).",
        currency=currency,
        amounts=" + ".join(others),
    )


def period_label_text(kind: PeriodKind, language: str = DEFAULT) -> str:
    """ "Last 30 days" """
    return gettext(language, PERIOD_NAMES[kind], count=SHOWN[kind])


def period_title_text(kind: PeriodKind, language: str = DEFAULT) -> str:
    """ "Charging and revenue, last 30 days" """
    return gettext(language, PERIOD_TITLES[kind], count=SHOWN[kind])


@guarded(Module.HOME)
class HomeFiguresState(rx.State):
    loaded: bool = False
    period: str = PeriodKind.DAYS.value
    period_label: str = period_label_text(PeriodKind.DAYS)
    period_title: str = period_title_text(PeriodKind.DAYS)
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
    curve: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    curve_points: int = 0
    curve_covers_day: bool = False
    sessions_chart: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    energy_chart: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    duration_chart: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    revenue_chart: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    range_text: str = ""
    period_has_charging: bool = False
    currency_note: str = ""
    _language: str = DEFAULT  # the language of what is shown

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

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): read and write again."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._read()

    async def _read(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        language = (await self.get_state(AuthState)).language
        figures = await asyncio.to_thread(home_figures, caller, PeriodKind(self.period))
        self._show(figures, language)

    def _show(self, figures: HomeFigures, language: str = DEFAULT) -> None:
        zone, now, code = figures.time_zone, figures.generated_at, figures.currency
        self._language = language
        self.zone = zone
        self.read_at = format_time(now, zone, now)
        self.network = network_tiles(figures, language)
        local = now.astimezone(time_zone(zone))
        self.today_label = day_text(local.date(), language)
        self.month_label = month_text(local.date(), language)
        self.today = figures_row(figures.today, code, language)
        self.month = figures_row(figures.this_month, code, language)
        self._show_power(figures, language)
        self._show_period(figures, language)
        self.loaded = True

    def _show_power(self, figures: HomeFigures, language: str) -> None:
        self.network_power = power_text(figures.power_w, language)
        self.charging_now = count_text(figures.charging, language)
        self.sites = [site_row(s, language) for s in figures.power_by_station[:SITES_SHOWN]]
        more = len(figures.power_by_station) - SITES_SHOWN
        self.more_sites = (
            gettext(
                language, "and {count} more stations charging", count=count_text(more, language)
            )
            if more > 0
            else ""
        )
        self.curve = curve_figure(figures.curve, figures.time_zone, language)
        self.curve_points = len(figures.curve)
        self.curve_covers_day = figures.curve_covers_the_day

    def _show_period(self, figures: HomeFigures, language: str) -> None:
        kind = figures.kind
        self.period = kind.value
        self.period_label = period_label_text(kind, language)
        self.period_title = period_title_text(kind, language)
        within = figures.series.buckets
        self.range_text = gettext(
            language,
            "{first} to {last} ({zone})",
            first=bucket_label(within[0], kind, language),
            last=bucket_label(within[-1], kind, language),
            zone=figures.time_zone,
        )
        charts = period_charts(figures, language)
        self.sessions_chart = charts["sessions"]
        self.energy_chart = charts["energy"]
        self.duration_chart = charts["duration"]
        self.revenue_chart = charts["revenue"]
        self.rows = period_rows(figures, language)
        total = figures.series.total
        self.period_has_charging = bool(total.orders or total.energy_wh or total.charging_us)
        self.currency_note = other_currencies(total, figures.currency, language)
