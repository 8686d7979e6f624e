"""Revenue by day, month or year in the operator's time zone, per currency, three series:

- **charging**: final session costs (`SessionCost` state final) by the session's *stop* time,
  as this month's revenue on the overview and the monthly invoices count them; excl. VAT,
  VAT and incl. VAT. Sessions held for review or unpriced are not revenue until final.
- **top-ups**: wallet recharges received (`TopUp` state paid, `pay_minor`) by `paid_at`:
  money paid in, not the bonus given with it.
- **membership fees**: Stripe fee payments (`Payment` kind membership_fee, succeeded or later
  refunded: the money was received, `captured_minor`; a refund shows as a refund) by
  `created_at` (the payment's first event), plus fees taken from wallets (ledger
  `MEMBERSHIP_FEE` transactions: what left the wallets).

The series are not to be added up: a session paid from a wallet is charging revenue, and the
money behind it was counted once already as the top-up that filled the wallet.

Every figure is one GROUP BY in the database over (bucket, currency): the bucket is a CASE over
boundaries computed in Python for the zone (finance.rules.revenue), so days, months and years
are correct across DST changes on any SQL dialect, and no session is read into Python.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from ccms_app.charging.models import ChargingSession
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentStatus,
    TopUp,
    TopUpState,
)
from ccms_app.finance.rules.revenue import Bucket, PeriodKind
from ccms_app.finance.wallets.models import AccountKind, LedgerAccount, LedgerEntry, LedgerKind
from ccms_app.finance.wallets.models import LedgerTransaction as Posted

RECEIVED = (PaymentStatus.SUCCEEDED.value, PaymentStatus.REFUNDED.value)


@dataclass(frozen=True)
class Amounts:
    """One bucket's (or the period's) figures in one currency, integer minor units."""

    sessions: int = 0
    energy_wh: int = 0
    charging_excl_minor: int = 0
    charging_vat_minor: int = 0
    charging_incl_minor: int = 0
    top_ups: int = 0
    top_ups_minor: int = 0
    membership_fees: int = 0
    membership_fees_minor: int = 0

    def plus(self, other: Amounts) -> Amounts:
        return Amounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class RevenueSeries:
    """One currency: its amounts per bucket (in the buckets' order) and over the period."""

    currency: str
    amounts: tuple[Amounts, ...]
    totals: Amounts


@dataclass(frozen=True)
class RevenueReport:
    period: PeriodKind
    time_zone: str
    buckets: tuple[Bucket, ...]
    series: tuple[RevenueSeries, ...]  # by currency code


# (bucket index, currency) -> {Amounts field: value}
Tally = dict[tuple[int, str], dict[str, int]]


def revenue_report(
    session: Session,
    orgs: Collection[int],
    period: PeriodKind,
    zone: str,
    within: tuple[Bucket, ...],
) -> RevenueReport:
    """The three series over `within` (finance.rules.revenue.buckets) for `orgs`."""
    tally: Tally = {}
    _add(tally, _charging(session, orgs, within))
    _add(tally, _top_ups(session, orgs, within))
    _add(tally, _stripe_fees(session, orgs, within))
    _add(tally, _wallet_fees(session, orgs, within))
    return RevenueReport(period, zone, within, _series(tally, len(within)))


def bucket_case(at: Any, within: Sequence[Bucket]) -> ColumnElement[int]:
    """The index of the bucket `at` falls in, for rows already within [first start, last end):
    CASE WHEN at < end_0 THEN 0 WHEN at < end_1 THEN 1 ... ELSE n - 1 END."""
    whens = [(at < bucket.end, index) for index, bucket in enumerate(within[:-1])]
    if not whens:
        return literal(0)
    return case(*whens, else_=len(within) - 1)


def in_period(at: Any, within: Sequence[Bucket]) -> list[ColumnElement[bool]]:
    return [at >= within[0].start, at < within[-1].end]


def _grouped(
    session: Session,
    query: Select[*tuple[Any, ...]],
    at: Any,
    currency: Any,
    values: dict[str, Any],
    within: Sequence[Bucket],
) -> Tally:
    """Sum `values` (name -> expression) of `query`'s rows per (bucket, currency): the bucket
    is computed in a subquery, grouped by its output column (PostgreSQL cannot match a CASE
    with bound parameters in SELECT and GROUP BY), in one statement."""
    inner = (
        query.add_columns(
            bucket_case(at, within).label("bucket"),
            currency.label("currency"),
            *(expression.label(name) for name, expression in values.items()),
        )
        .where(*in_period(at, within))
        .subquery()
    )
    rows = session.execute(
        select(
            inner.c.bucket,
            inner.c.currency,
            *(func.coalesce(func.sum(inner.c[name]), 0) for name in values),
        ).group_by(inner.c.bucket, inner.c.currency)
    ).all()
    return {
        (int(bucket), str(code)): {
            name: int(total) for name, total in zip(values, totals, strict=True)
        }
        for bucket, code, *totals in rows
    }


def _charging(session: Session, orgs: Collection[int], within: Sequence[Bucket]) -> Tally:
    query = (
        select()
        .select_from(SessionCost)
        .join(ChargingSession, col(ChargingSession.id) == col(SessionCost.session_id))
        .where(
            col(SessionCost.organisation_id).in_(orgs),
            col(SessionCost.state) == CostState.FINAL.value,
            col(ChargingSession.organisation_id).in_(orgs),
        )
    )
    values = {
        "sessions": literal(1),
        "energy_wh": col(ChargingSession.energy_wh),
        "charging_excl_minor": col(SessionCost.total_excl_minor),
        "charging_vat_minor": col(SessionCost.vat_minor),
        "charging_incl_minor": col(SessionCost.total_incl_minor),
    }
    stop = col(ChargingSession.stop_time)
    return _grouped(session, query, stop, col(SessionCost.currency), values, within)


def _top_ups(session: Session, orgs: Collection[int], within: Sequence[Bucket]) -> Tally:
    query = (
        select()
        .select_from(TopUp)
        .where(col(TopUp.organisation_id).in_(orgs), col(TopUp.state) == TopUpState.PAID.value)
    )
    values = {"top_ups": literal(1), "top_ups_minor": col(TopUp.pay_minor)}
    return _grouped(session, query, col(TopUp.paid_at), col(TopUp.currency), values, within)


def _stripe_fees(session: Session, orgs: Collection[int], within: Sequence[Bucket]) -> Tally:
    query = (
        select()
        .select_from(Payment)
        .where(
            col(Payment.organisation_id).in_(orgs),
            col(Payment.kind) == PaymentKind.MEMBERSHIP_FEE.value,
            col(Payment.status).in_(RECEIVED),
        )
    )
    values = {"membership_fees": literal(1), "membership_fees_minor": col(Payment.captured_minor)}
    at = col(Payment.created_at)
    return _grouped(session, query, at, col(Payment.currency), values, within)


def _wallet_fees(session: Session, orgs: Collection[int], within: Sequence[Bucket]) -> Tally:
    since, until = within[0].start, within[-1].end
    posted = wallet_outflows(LedgerKind.MEMBERSHIP_FEE, orgs, since, until).subquery()
    query = select().select_from(posted)
    values = {"membership_fees": literal(1), "membership_fees_minor": posted.c.amount}
    return _grouped(session, query, posted.c.created_at, posted.c.currency, values, within)


def wallet_outflows(
    kind: LedgerKind, orgs: Collection[int], since: datetime, until: datetime
) -> Select[*tuple[Any, ...]]:
    """One row per `kind` transaction of `orgs` in [since, until): its time, currency and
    the money it took out of wallets (`amount`, positive: its wallet entries negated; a fee
    or refund paid partly from bonus credit has two). Read through the transactions'
    (organisation_id, created_at) index."""
    return (
        select(
            col(Posted.created_at).label("created_at"),
            col(LedgerAccount.currency).label("currency"),
            (-func.sum(col(LedgerEntry.amount_minor))).label("amount"),
        )
        .select_from(Posted)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(Posted.id))
        .join(LedgerAccount, col(LedgerAccount.id) == col(LedgerEntry.account_id))
        .where(
            col(Posted.organisation_id).in_(orgs),
            col(Posted.created_at) >= since,
            col(Posted.created_at) < until,
            col(Posted.kind) == kind.value,
            col(LedgerAccount.kind) == AccountKind.WALLET.value,
        )
        .group_by(col(Posted.id), col(Posted.created_at), col(LedgerAccount.currency))
    )


def _add(tally: Tally, found: Tally) -> None:
    for key, values in found.items():
        into = tally.setdefault(key, {})
        for name, value in values.items():
            into[name] = into.get(name, 0) + value


def _series(tally: Tally, count: int) -> tuple[RevenueSeries, ...]:
    currencies = sorted({code for _bucket, code in tally})
    result = []
    for code in currencies:
        amounts = tuple(Amounts(**tally.get((index, code), {})) for index in range(count))
        totals = Amounts()
        for amount in amounts:
            totals = totals.plus(amount)
        result.append(RevenueSeries(code, amounts, totals))
    return tuple(result)
