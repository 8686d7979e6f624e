"""The Finance landing page's figures: this month's priced sessions and revenue per currency,
what waits for an operator (held for review, unpriced), running sessions' cost so far, and
whether every charge point has a tariff at all; with `finance_report`, also revenue by day,
month or year (finance.revenue), what is outstanding and what was refunded
(finance.outstanding). The page and `GET /finance-overview` both read `finance_report`.

"This month" and the days, months and years are calendar periods in the billing profile's
time zone of the caller's organisation (finance.billing_profiles); revenue counts a session
by its stop time. Amounts are integer minor units per currency: a network billing in two
currencies shows two lines, never a sum across currencies.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session
from ccms_app.core.display import format_date
from ccms_app.finance.billing_profiles import get_profile
from ccms_app.finance.models import (
    AssignmentTarget,
    BillingDocument,
    CostState,
    SessionCost,
    Tariff,
    TariffAssignment,
)
from ccms_app.finance.outstanding import Outstanding, Refunds, outstanding, refunds
from ccms_app.finance.revenue import RevenueReport, revenue_report
from ccms_app.finance.rules.revenue import PeriodKind, buckets


@dataclass(frozen=True)
class Revenue:
    currency: str
    sessions: int
    energy_wh: int
    excl_minor: int
    vat_minor: int
    incl_minor: int


@dataclass(frozen=True)
class FinanceOverview:
    month_label: str  # e.g. "December 2026", in the reader's language ("Dezember 2026")
    time_zone: str
    revenue: tuple[Revenue, ...]
    held_for_review: int
    unpriced_this_month: int
    running_sessions: int
    running_cost: tuple[tuple[str, int], ...]  # (currency, incl. VAT minor units so far)
    tariffs: int
    has_network_default: bool
    documents_this_month: int


@dataclass(frozen=True)
class FinanceReport:
    """Everything the overview shows, for one period choice."""

    month: FinanceOverview
    revenue: RevenueReport
    outstanding: Outstanding
    refunds: Refunds
    since: datetime  # the chosen period, UTC: [since, until)
    until: datetime


def finance_report(
    organisation_id: int, scope: Collection[int], now: datetime, period: PeriodKind
) -> FinanceReport:
    """This month's figures, revenue per bucket of `period`, outstanding now, and the
    period's invoices and refunds, for the organisations in `scope`, in one read."""
    zone = get_profile(organisation_id).time_zone or "UTC"
    within = buckets(period, now, zone)
    since, until = within[0].start, within[-1].end
    orgs = list(scope)
    with read_session() as session:
        return FinanceReport(
            month=_month_figures(session, orgs, zone, now),
            revenue=revenue_report(session, orgs, period, zone, within),
            outstanding=outstanding(session, orgs, since, until),
            refunds=refunds(session, orgs, since, until),
            since=since,
            until=until,
        )


def finance_overview(
    organisation_id: int, scope: Collection[int], now: datetime
) -> FinanceOverview:
    """This month's figures only."""
    zone = get_profile(organisation_id).time_zone or "UTC"
    with read_session() as session:
        return _month_figures(session, list(scope), zone, now)


def _month_figures(session: Session, orgs: list[int], zone: str, now: datetime) -> FinanceOverview:
    start = _month_start(now, zone)
    return FinanceOverview(
        month_label=format_date(start.astimezone(ZoneInfo(zone)).date(), "%B %Y", "yMMMM"),
        time_zone=zone,
        revenue=_revenue(session, orgs, start),
        held_for_review=_count_state(session, orgs, CostState.REVIEW, None),
        unpriced_this_month=_count_state(session, orgs, CostState.UNPRICED, start),
        running_sessions=_count_state(session, orgs, CostState.RUNNING, None),
        running_cost=_running_cost(session, orgs),
        tariffs=session.exec(
            select(func.count())
            .select_from(Tariff)
            .where(col(Tariff.organisation_id).in_(orgs), col(Tariff.archived).is_(False))
        ).one(),
        has_network_default=session.exec(
            select(TariffAssignment.id).where(
                col(TariffAssignment.organisation_id).in_(orgs),
                TariffAssignment.target_kind == AssignmentTarget.NETWORK.value,
            )
        ).first()
        is not None,
        documents_this_month=session.exec(
            select(func.count())
            .select_from(BillingDocument)
            .where(
                col(BillingDocument.organisation_id).in_(orgs),
                col(BillingDocument.issued_at) >= start,
            )
        ).one(),
    )


def _month_start(now: datetime, zone: str) -> datetime:
    """The first instant of `now`'s month in `zone`, in UTC."""
    local = now.astimezone(ZoneInfo(zone))
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _revenue(session: Session, orgs: list[int], start: datetime) -> tuple[Revenue, ...]:
    rows = session.execute(
        select_columns(
            col(SessionCost.currency),
            func.count(),
            func.coalesce(func.sum(col(ChargingSession.energy_wh)), 0),
            func.coalesce(func.sum(col(SessionCost.total_excl_minor)), 0),
            func.coalesce(func.sum(col(SessionCost.vat_minor)), 0),
            func.coalesce(func.sum(col(SessionCost.total_incl_minor)), 0),
        )
        .join(ChargingSession, col(ChargingSession.id) == SessionCost.session_id)
        .where(
            col(SessionCost.organisation_id).in_(orgs),
            col(SessionCost.state) == CostState.FINAL.value,
            col(ChargingSession.stop_time) >= start,
        )
        .group_by(SessionCost.currency)
        .order_by(SessionCost.currency)
    ).all()
    return tuple(Revenue(*row) for row in rows)


def _count_state(
    session: Session, orgs: list[int], state: CostState, since: datetime | None
) -> int:
    query = (
        select(func.count())
        .select_from(SessionCost)
        .where(col(SessionCost.organisation_id).in_(orgs), SessionCost.state == state.value)
    )
    if since is not None:
        query = query.where(col(SessionCost.priced_at) >= since)
    return session.exec(query).one()


def _running_cost(session: Session, orgs: list[int]) -> tuple[tuple[str, int], ...]:
    rows = session.exec(
        select(SessionCost.currency, func.sum(SessionCost.total_incl_minor))
        .where(
            col(SessionCost.organisation_id).in_(orgs),
            SessionCost.state == CostState.RUNNING.value,
        )
        .group_by(SessionCost.currency)
        .order_by(SessionCost.currency)
    ).all()
    return tuple((currency, int(total or 0)) for currency, total in rows)
