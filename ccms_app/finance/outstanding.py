"""Money priced but not collected yet, and money given back, per currency (integer minor
units), for the Finance overview and `GET /finance-overview`.

Outstanding, as of now:
- **card, failed**: ended card-paying sessions whose capture or charge failed
  (`SessionPayment` state failed); amount = the cost incl. VAT less the discount and what
  was taken already.
- **card, pending**: ended card-paying sessions not settled yet (state to_settle, or held:
  the hold is still in place because the cost is held for review or settlement has not run).
- **wallets in debt**: wallets whose balance (the sum of their ledger entries, both buckets)
  is below zero; amount = the debt.
- **not invoiced**: final costs of sessions paid by invoice (a payer with method invoice, or
  no payment record, as before payments existed) whose card has a driver or group account,
  not on an invoice yet.
Invoiced, in the chosen period: invoices issued and not credited. CCMS does not track whether
an invoice was paid, so this is "invoiced, payment not tracked", not a debt.
Refunds, in the chosen period: Stripe refunds that succeeded (`Payment` kind refund), and
wallet refunds (ledger REFUND transactions: paid money returned out of a wallet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ccms_app.charging.models import ChargingSession
from ccms_app.drivers.models import IdTag
from ccms_app.finance.models import BillingDocument, CostState, DocumentKind, SessionCost
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    SessionPayment,
    SessionPaymentState,
)
from ccms_app.finance.revenue import wallet_outflows
from ccms_app.finance.wallets.models import AccountKind, LedgerAccount, LedgerEntry, LedgerKind

CARD_FAILED = (SessionPaymentState.FAILED.value,)
CARD_PENDING = (SessionPaymentState.TO_SETTLE.value, SessionPaymentState.HELD.value)
PRICED = (CostState.FINAL.value, CostState.REVIEW.value)


@dataclass(frozen=True)
class Figure:
    """How many (sessions, wallets, invoices, refunds) and how much, in one currency."""

    currency: str
    count: int
    amount_minor: int


Figures = tuple[Figure, ...]


@dataclass(frozen=True)
class Outstanding:
    card_failed: Figures
    card_pending: Figures
    wallets_in_debt: Figures
    not_invoiced: Figures
    invoiced: Figures  # in the chosen period; payment not tracked


@dataclass(frozen=True)
class Refunds:
    card: Figures  # Stripe refunds, in the chosen period
    wallet: Figures  # wallet refunds (ledger), in the chosen period


def outstanding(
    session: Session, orgs: Collection[int], since: datetime, until: datetime
) -> Outstanding:
    return Outstanding(
        card_failed=_figures(session, _card_sessions(orgs, CARD_FAILED)),
        card_pending=_figures(session, _card_sessions(orgs, CARD_PENDING)),
        wallets_in_debt=_figures(session, _wallets_in_debt(orgs)),
        not_invoiced=_figures(session, _not_invoiced(orgs)),
        invoiced=_figures(session, _invoiced(orgs, since, until)),
    )


def refunds(session: Session, orgs: Collection[int], since: datetime, until: datetime) -> Refunds:
    card = (
        select(col(Payment.currency), func.count(), func.sum(col(Payment.amount_minor)))
        .where(
            col(Payment.organisation_id).in_(orgs),
            col(Payment.created_at) >= since,
            col(Payment.created_at) < until,
            col(Payment.kind) == PaymentKind.REFUND.value,
            col(Payment.status) == PaymentStatus.SUCCEEDED.value,
        )
        .group_by(col(Payment.currency))
    )
    posted = wallet_outflows(LedgerKind.REFUND, orgs, since, until).subquery()
    wallet = select(posted.c.currency, func.count(), func.sum(posted.c.amount)).group_by(
        posted.c.currency
    )
    return Refunds(card=_figures(session, card), wallet=_figures(session, wallet))


def _figures(session: Session, query: Select[*tuple[Any, ...]]) -> Figures:
    """Rows of (currency, count, amount) as Figures, by currency code."""
    rows = session.execute(query).all()
    found = [Figure(str(code), int(count), int(amount or 0)) for code, count, amount in rows]
    return tuple(sorted(found, key=lambda figure: figure.currency))


def _card_sessions(orgs: Collection[int], states: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """Ended card sessions in `states`: what their cost still asks (never below zero)."""
    due = (
        col(SessionCost.total_incl_minor)
        - col(SessionPayment.discount_minor)
        - col(SessionPayment.charged_minor)
    )
    return (
        select(col(SessionCost.currency), func.count(), func.sum(case((due > 0, due), else_=0)))
        .select_from(SessionPayment)
        .join(SessionCost, col(SessionCost.session_id) == col(SessionPayment.session_id))
        .join(ChargingSession, col(ChargingSession.id) == col(SessionPayment.session_id))
        .where(
            col(SessionPayment.state).in_(states),
            col(SessionPayment.organisation_id).in_(orgs),
            col(SessionPayment.method) == PaymentMethod.CARD.value,
            col(ChargingSession.stop_time).is_not(None),
            col(SessionCost.state).in_(PRICED),
        )
        .group_by(col(SessionCost.currency))
    )


def _wallets_in_debt(orgs: Collection[int]) -> Select[*tuple[Any, ...]]:
    balances = (
        select(
            col(LedgerAccount.currency).label("currency"),
            func.sum(col(LedgerEntry.amount_minor)).label("balance"),
        )
        .join(LedgerEntry, col(LedgerEntry.account_id) == col(LedgerAccount.id))
        .where(
            col(LedgerAccount.organisation_id).in_(orgs),
            col(LedgerAccount.kind) == AccountKind.WALLET.value,
        )
        .group_by(col(LedgerAccount.id), col(LedgerAccount.currency))
        .having(func.sum(col(LedgerEntry.amount_minor)) < 0)
        .subquery()
    )
    return select(balances.c.currency, func.count(), -func.sum(balances.c.balance)).group_by(
        balances.c.currency
    )


def _not_invoiced(orgs: Collection[int]) -> Select[*tuple[Any, ...]]:
    """Final costs not on an invoice, of invoice payers with an account (the monthly invoice
    takes exactly these; a card matches its session's id tag in any letter case)."""
    with_account = select(func.lower(col(IdTag.id_tag))).where(
        or_(col(IdTag.driver_id).is_not(None), col(IdTag.group_id).is_not(None))
    )
    return (
        select(col(SessionCost.currency), func.count(), func.sum(col(SessionCost.total_incl_minor)))
        .join(ChargingSession, col(ChargingSession.id) == col(SessionCost.session_id))
        .outerjoin(SessionPayment, col(SessionPayment.session_id) == col(SessionCost.session_id))
        .where(
            col(SessionCost.organisation_id).in_(orgs),
            col(SessionCost.state) == CostState.FINAL.value,
            col(SessionCost.invoice_id).is_(None),
            or_(
                col(SessionPayment.method).is_(None),
                col(SessionPayment.method) == PaymentMethod.INVOICE.value,
            ),
            func.lower(col(ChargingSession.id_tag)).in_(with_account),
        )
        .group_by(col(SessionCost.currency))
    )


def _invoiced(orgs: Collection[int], since: datetime, until: datetime) -> Select[*tuple[Any, ...]]:
    """Invoices issued in [since, until) that no credit note cancels (the credit notes of
    `orgs` are listed once, through the (organisation, kind, number) key)."""
    note = aliased(BillingDocument)
    credited = select(col(note.credits_document_id)).where(
        col(note.organisation_id).in_(orgs),
        col(note.kind) == DocumentKind.CREDIT_NOTE.value,
        col(note.credits_document_id).is_not(None),
    )
    return (
        select(
            col(BillingDocument.currency),
            func.count(),
            func.sum(col(BillingDocument.total_incl_minor)),
        )
        .where(
            col(BillingDocument.organisation_id).in_(orgs),
            col(BillingDocument.kind) == DocumentKind.INVOICE.value,
            col(BillingDocument.issued_at) >= since,
            col(BillingDocument.issued_at) < until,
            col(BillingDocument.id).not_in(credited),
        )
        .group_by(col(BillingDocument.currency))
    )
