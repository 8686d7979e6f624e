"""The Finance overview: `GET /finance-overview?period=days|months|years`.

The same figures as the Finance landing page, from the same call
(`finance.overview.finance_report`): revenue per currency by day (last 30), month (last 12)
or year (last 5) in the caller organisation's billing time zone, as three series (charging
from final session costs by stop time, excl. / incl. VAT; wallet top-ups received;
membership fees by card and from wallets); what is outstanding now (card settlements failed
or pending, wallets in debt, invoice payers' sessions not invoiced yet) and the invoices
issued in the period (payment not tracked); refunds in the period; and this month's
figures. Amounts are integer minor units of their `currency`; times UTC; `start` / `end`
and `since` / `until` are half-open intervals. Scoped to the key's organisations.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.core.types import utc_now
from ccms_app.finance.outstanding import Figures
from ccms_app.finance.overview import FinanceOverview, FinanceReport, finance_report
from ccms_app.finance.rules.revenue import PeriodKind

api = router("/finance-overview", "Finance overview")
Viewer = Annotated[ApiCaller, gate(Module.FINANCE)]


class BucketOut(BaseModel):
    key: str = Field(description="2026-03-29 | 2026-03 | 2026")
    label: str = Field(description="As the page shows it: Sun 29 Mar | Mar 2026 | 2026")
    start: datetime = Field(description="First instant, UTC (local midnight)")
    end: datetime = Field(description="First instant of the next bucket, UTC (exclusive)")


class AmountsOut(BaseModel):
    sessions: int = Field(description="Final sessions that stopped in the bucket")
    energy_wh: int
    charging_excl_minor: int
    charging_vat_minor: int
    charging_incl_minor: int
    top_ups: int = Field(description="Wallet top-ups paid")
    top_ups_minor: int = Field(description="Money paid in (without the bonus)")
    membership_fees: int = Field(description="Fees received by card or taken from wallets")
    membership_fees_minor: int


class BucketAmountsOut(AmountsOut):
    key: str = Field(description="The bucket's key")


class SeriesOut(BaseModel):
    currency: str
    buckets: list[BucketAmountsOut] = Field(description="One per bucket, in bucket order")
    totals: AmountsOut = Field(description="Over the whole period")


class FigureOut(BaseModel):
    currency: str
    count: int
    amount_minor: int


class OutstandingOut(BaseModel):
    card_failed: list[FigureOut] = Field(description="Ended card sessions, capture failed")
    card_pending: list[FigureOut] = Field(description="Ended card sessions not settled yet")
    wallets_in_debt: list[FigureOut] = Field(description="count: wallets; amount: the debt")
    not_invoiced: list[FigureOut] = Field(description="Invoice payers' final sessions")
    invoiced: list[FigureOut] = Field(
        description="Invoices issued in the period, not credited: payment not tracked"
    )


class RefundsOut(BaseModel):
    card: list[FigureOut] = Field(description="Stripe refunds that succeeded in the period")
    wallet: list[FigureOut] = Field(description="Wallet refunds (ledger) in the period")


class MonthRevenueOut(BaseModel):
    currency: str
    sessions: int
    energy_wh: int
    excl_minor: int
    vat_minor: int
    incl_minor: int


class RunningCostOut(BaseModel):
    currency: str
    incl_minor: int


class ThisMonthOut(BaseModel):
    month: str = Field(description="e.g. April 2026, in the billing time zone")
    revenue: list[MonthRevenueOut]
    held_for_review: int
    unpriced: int
    running_sessions: int
    running_cost: list[RunningCostOut]
    tariffs: int
    has_network_default: bool
    documents: int


class FinanceOverviewOut(BaseModel):
    period: PeriodKind
    time_zone: str = Field(description="The billing profile's zone the buckets are days of")
    since: datetime
    until: datetime
    buckets: list[BucketOut]
    revenue: list[SeriesOut] = Field(description="One series per currency")
    outstanding: OutstandingOut
    refunds: RefundsOut
    this_month: ThisMonthOut


@api.get(
    "",
    response_model=FinanceOverviewOut,
    operation_id="get_finance_overview",
    summary="Revenue by day, month or year; outstanding; refunds; this month",
)
async def get_finance_overview(
    caller: Viewer,
    period: Annotated[
        PeriodKind, Query(description="days: last 30; months: last 12; years: last 5")
    ] = PeriodKind.DAYS,
) -> Any:
    report = await asyncio.to_thread(
        finance_report, caller.principal.organisation_id, caller.scope, utc_now(), period
    )
    return overview_json(report)


def overview_json(report: FinanceReport) -> dict[str, Any]:
    revenue = report.revenue
    keys = [bucket.key for bucket in revenue.buckets]
    return {
        "period": revenue.period,
        "time_zone": revenue.time_zone,
        "since": report.since,
        "until": report.until,
        "buckets": [asdict(bucket) for bucket in revenue.buckets],
        "revenue": [
            {
                "currency": series.currency,
                "buckets": [
                    {"key": key, **asdict(amounts)}
                    for key, amounts in zip(keys, series.amounts, strict=True)
                ],
                "totals": asdict(series.totals),
            }
            for series in revenue.series
        ],
        "outstanding": {
            name: _figures(getattr(report.outstanding, name))
            for name in OutstandingOut.model_fields
        },
        "refunds": {
            name: _figures(getattr(report.refunds, name)) for name in RefundsOut.model_fields
        },
        "this_month": _this_month(report.month),
    }


def _figures(figures: Figures) -> list[dict[str, Any]]:
    return [asdict(figure) for figure in figures]


def _this_month(month: FinanceOverview) -> dict[str, Any]:
    return {
        "month": month.month_label,
        "revenue": [asdict(row) for row in month.revenue],
        "held_for_review": month.held_for_review,
        "unpriced": month.unpriced_this_month,
        "running_sessions": month.running_sessions,
        "running_cost": [
            {"currency": currency, "incl_minor": minor} for currency, minor in month.running_cost
        ],
        "tariffs": month.tariffs,
        "has_network_default": month.has_network_default,
        "documents": month.documents_this_month,
    }
