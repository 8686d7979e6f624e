"""The Finance landing page's state: this month's figures, revenue by day / month / year
(chart and table, one currency at a time), what is outstanding and what was refunded, read
when the page opens and again when the operator picks another period.

Everything comes from one call, `finance.overview.finance_report` (the REST API's too). Rows
are formatted here, on the server, in the tab's language (the month, the days, the chart's
series, numbers); `follow_language` (the page's language watch) reads and writes them again
after a switch. The report of the chosen period is kept (a backend var) so switching the
currency redraws without reading the database again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.display import format_date, format_number
from ccms_app.core.i18n import DEFAULT, N_, tr
from ccms_app.core.money import exponent, format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.outstanding import Figures
from ccms_app.finance.overview import FinanceOverview, FinanceReport, finance_report
from ccms_app.finance.revenue import Amounts, RevenueSeries
from ccms_app.finance.rules.revenue import (
    PERIOD_LABELS,
    Bucket,
    PeriodError,
    PeriodKind,
    period_kind,
)
from ccms_app.finance.state.tariff_common import caller
from ccms_app.ui.events import event

NONE = "—"
# Every how many buckets the chart's axis names one (counted back from the newest).
TICK_EVERY = {PeriodKind.DAYS: 7, PeriodKind.MONTHS: 3, PeriodKind.YEARS: 1}

# Each figure links to the list that explains it; the query parameters are that list's
# filters (state/list_links.py), so the list opens filtered. Wallet refunds have no list
# across wallets: the link opens the wallets.
OUTSTANDING: tuple[tuple[str, str, str, str], ...] = (
    # (report field, label, link, note)
    (
        "card_failed",
        N_("Card payments failed"),
        "/finance/payments?status=failed",
        N_("Ended card sessions whose capture or charge failed."),
    ),
    (
        "card_pending",
        N_("Card payments pending"),
        "/finance/payments?kind=card_hold&status=authorized",
        N_("Ended card sessions not settled yet (hold in place or settlement to run)."),
    ),
    (
        "wallets_in_debt",
        N_("Wallets in debt"),
        "/finance/wallets?balance=negative",
        N_("Wallets whose ledger balance is below zero."),
    ),
    (
        "not_invoiced",
        N_("Not invoiced yet"),
        "/finance/history?cost_state=final&payment_method=invoice",
        N_("Final costs of invoice payers, not on an invoice yet."),
    ),
    (
        "invoiced",
        N_("Invoiced in the period"),
        "/finance/documents?kind=invoice",
        N_("Invoiced, payment not tracked: CCMS does not record invoice payments."),
    ),
)
REFUNDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "card",
        N_("Card refunds"),
        "/finance/payments?kind=refund",
        N_("Money returned through Stripe (sessions, top-ups, fees)."),
    ),
    (
        "wallet",
        N_("Wallet refunds"),
        "/finance/wallets",
        N_("Paid credit taken out of wallets and returned (ledger refunds)."),
    ),
)


@guarded(Module.FINANCE)
class FinanceOverviewState(rx.State):
    loaded: bool = False
    month: str = ""
    time_zone: str = ""
    revenue: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    held_for_review: int = 0
    unpriced: int = 0
    running_sessions: int = 0
    running_cost: str = NONE
    tariffs: int = 0
    has_network_default: bool = True
    documents: int = 0
    # revenue by period
    period: str = PeriodKind.DAYS.value
    period_label: str = PERIOD_LABELS[PeriodKind.DAYS]
    range_text: str = ""
    currencies: rx.Field[list[str]] = rx.field(default_factory=list)
    currency: str = ""
    figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    outstanding: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    refunds: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    _report: FinanceReport | None = None
    _language: str = DEFAULT  # the language the texts shown were written in

    @event
    async def load(self) -> None:
        """on_load: the figures of the chosen period (the gate has checked finance:view)."""
        await self._read()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): read and write again."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._read()

    async def _read(self) -> None:
        who = await caller(self)
        if who is None:
            return
        self._language = (await self.get_state(AuthState)).language
        report = await asyncio.to_thread(
            finance_report, who.organisation_id, who.scope, utc_now(), PeriodKind(self.period)
        )
        self._show(report)

    @event
    async def set_period(self, value: str) -> Any:
        """The period selector: last 30 days, 12 months or 5 years."""
        try:
            self.period = period_kind(value).value
        except PeriodError as exc:
            return rx.toast.error(str(exc))
        await self._read()
        return None

    @event
    async def set_currency(self, value: str) -> None:
        """Chart and table of another currency of the loaded report."""
        if value in self.currencies:
            self.currency = value
            self._show_revenue()

    def _show(self, report: FinanceReport) -> None:
        self._report = report
        self._show_month(report.month)
        kind = report.revenue.period
        self.period_label = PERIOD_LABELS[kind]
        first, last = report.revenue.buckets[0], report.revenue.buckets[-1]
        self.range_text = tr(
            "{first} to {last} ({zone})",
            first=first.label,
            last=last.label,
            zone=report.revenue.time_zone,
        )
        self.currencies = [series.currency for series in report.revenue.series]
        if self.currency not in self.currencies:
            self.currency = self.currencies[0] if self.currencies else ""
        self._show_revenue()
        owed = report.outstanding
        self.outstanding = [
            figure_row(f"out-{key}", label, href, note, getattr(owed, key))
            for key, label, href, note in OUTSTANDING
        ]
        self.refunds = [
            figure_row(f"refund-{key}", label, href, note, getattr(report.refunds, key))
            for key, label, href, note in REFUNDS
        ]
        self.loaded = True

    def _show_revenue(self) -> None:
        report = self._report
        series = None
        if report is not None:
            series = next((s for s in report.revenue.series if s.currency == self.currency), None)
        if report is None or series is None:
            self.rows, self.figure = [], go.Figure()
            return
        labels = [bucket.label for bucket in report.revenue.buckets]
        keys = [bucket.key for bucket in report.revenue.buckets]
        self.rows = [
            amounts_row(key, label, amounts, series.currency)
            for key, label, amounts in zip(keys, labels, series.amounts, strict=True)
        ] + [amounts_row("total", N_("Total"), series.totals, series.currency)]
        self.figure = revenue_figure(report.revenue.buckets, series, report.revenue.period)

    def _show_month(self, figures: FinanceOverview) -> None:
        self.month = figures.month_label
        self.time_zone = figures.time_zone
        self.revenue = [
            {
                "currency": row.currency,
                "sessions": count_text(row.sessions),
                "energy": format_number(row.energy_wh / 1000, "kWh"),
                "excl": format_money(row.excl_minor, row.currency),
                "vat": format_money(row.vat_minor, row.currency),
                "incl": format_money(row.incl_minor, row.currency),
            }
            for row in figures.revenue
        ]
        self.held_for_review = figures.held_for_review
        self.unpriced = figures.unpriced_this_month
        self.running_sessions = figures.running_sessions
        self.running_cost = (
            " + ".join(format_money(minor, currency) for currency, minor in figures.running_cost)
            or NONE
        )
        self.tariffs = figures.tariffs
        self.has_network_default = figures.has_network_default
        self.documents = figures.documents_this_month


def amounts_row(key: str, label: str, amounts: Amounts, currency: str) -> dict[str, str]:
    """One table row: a bucket's figures as the page shows them."""

    def money(minor: int) -> str:
        return format_money(minor, currency) if minor else NONE

    return {
        "key": key,
        "label": label,
        "sessions": count_text(amounts.sessions) if amounts.sessions else NONE,
        "energy": format_number(amounts.energy_wh / 1000, "kWh") if amounts.energy_wh else NONE,
        "excl": money(amounts.charging_excl_minor),
        "vat": money(amounts.charging_vat_minor),
        "incl": money(amounts.charging_incl_minor),
        "top_ups": money(amounts.top_ups_minor),
        "fees": money(amounts.membership_fees_minor),
    }


def figure_row(key: str, label: str, href: str, note: str, figures: Figures) -> dict[str, str]:
    """One outstanding or refund figure: how many, how much per currency, where it is
    explained."""
    amounts = " + ".join(format_money(f.amount_minor, f.currency) for f in figures)
    return {
        "key": key,
        "label": label,
        "count": count_text(sum(f.count for f in figures)),
        "amount": amounts or NONE,
        "href": href,
        "note": note,
    }


def count_text(count: int) -> str:
    """A count as the reader's language writes it ("1,234", "1.234")."""
    return format_number(count, "", 0).strip()


def major(minor: int, currency: str) -> Decimal:
    """Minor units as the currency's major unit, exactly (the chart's axis)."""
    return Decimal(minor).scaleb(-exponent(currency))


def axis_ticks(buckets: Sequence[Bucket], kind: PeriodKind) -> tuple[list[str], list[str]]:
    """(bucket labels, short texts) of the labelled bars: every n-th bucket counted back
    from the newest, few and short enough to stand upright on a 360 px phone (plotly tilts
    and overlaps 8 full day labels there)."""
    chosen = list(buckets)[::-1][:: TICK_EVERY[kind]][::-1]
    if kind is PeriodKind.DAYS:
        texts = [format_date(date.fromisoformat(b.key), "%d %b", "MMMd") for b in chosen]
    else:
        texts = [bucket.label for bucket in chosen]
    return [bucket.label for bucket in chosen], texts


def revenue_figure(buckets: Sequence[Bucket], series: RevenueSeries, kind: PeriodKind) -> go.Figure:
    """Bars per bucket: charging incl. VAT, top-ups received, membership fees (named in the
    reader's language). Hovering a bar shows the amount as the table writes it."""
    code = series.currency
    labels = [bucket.label for bucket in buckets]
    tick_values, tick_texts = axis_ticks(buckets, kind)
    figure = go.Figure()
    for name, field in (
        (tr("Charging incl. VAT"), "charging_incl_minor"),
        (tr("Top-ups"), "top_ups_minor"),
        (tr("Membership fees"), "membership_fees_minor"),
    ):
        minors = [getattr(amounts, field) for amounts in series.amounts]
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[major(minor, code) for minor in minors],
                name=name,
                customdata=[format_money(minor, code) for minor in minors],
                hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=300,
        margin={"l": 48, "r": 12, "t": 10, "b": 40},
        yaxis={"title": code, "rangemode": "tozero", "fixedrange": True},
        xaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": tick_values,
            "ticktext": tick_texts,
            "tickangle": 0,
            "fixedrange": True,  # a summary: no accidental zoom by a finger on a phone
        },
        legend={"orientation": "h", "y": -0.25},
        autosize=True,
    )
    return figure
