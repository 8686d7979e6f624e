"""Settling a session once its cost is final: discounts, then the money.

At the stop (`settle_at_stop`, a session-close listener that runs after the pricing, in the
stop's own transaction), or later from the payment job when the cost was held for review and
has been released since (`settle_ended_sessions`):

1. the amount due is fixed once: the final cost incl. VAT less the membership benefit
   (finance.memberships.benefits) and a pending percent voucher
   (finance.wallets.vouchers.take_pending_discount), stored on the SessionPayment
   (`discount_minor`, `membership_id`, `included_wh`) and the state becomes TO_SETTLE;
2. the money: a wallet is charged right here (ledger reference "session:<id>", so a repeat
   posts nothing); a card session is left TO_SETTLE for the payment job
   (finance.payments.card_holds: Stripe is never called inside a database transaction);
   free and invoice sessions are SETTLED with nothing charged (invoice: the monthly invoice
   takes them, finance.documents.invoices).
A failed wallet charge leaves the session FAILED with the reason; the job retries it for
RETRY_DAYS (the ledger reference makes a retry safe).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.memberships.benefits import benefit_for_session
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import (
    PaymentMethod,
    SessionPayment,
    SessionPaymentState,
)
from ccms_app.finance.rules.session_payment import amount_due, capped_discount
from ccms_app.finance.wallets.ledger import charge_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.finance.wallets.vouchers import take_pending_discount
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

State = SessionPaymentState
# Before the amount due is fixed: the session runs, or ended with a cost not final yet.
PRE_SETTLEMENT = (State.OPEN, State.HOLD_PENDING, State.HELD, State.HOLD_FAILED)
RETRY_DAYS = 7  # failed settlements are retried by the job this long after the session
BATCH = 200
WAITING = "waiting for the final cost (held for review)"
RETRIED = "paid on a retry"
KNOWN_COSTS = (CostState.FINAL, CostState.UNPRICED)


def cost_known(cost: SessionCost | None) -> bool:
    """The cost settlement can use: final, or unpriced (no tariff: nothing due)."""
    return cost is not None and cost.state in KNOWN_COSTS


def due_of(payment: SessionPayment, cost: SessionCost) -> int:
    """What the payer owes: the final cost less the discounts (an unpriced session: 0)."""
    total = cost.total_incl_minor if cost.state == CostState.FINAL else 0
    return amount_due(total, payment.discount_minor)


def settle_at_stop(db: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """The session-close listener: the cost row says how it is paid, and the session is
    settled as far as the database alone can (see the module doc)."""
    payment = db.get(SessionPayment, stored_id(cs.id))
    if payment is None:  # a session from before payments, or a refused start
        return
    cost = db.get(SessionCost, payment.session_id)
    if cost is not None and cost.payment_method != payment.method:
        cost.payment_method = payment.method
        db.add(cost)
    settle_ended(db, payment, cs, cost, utc_now())


def settle_ended(
    db: Session,
    payment: SessionPayment,
    cs: ChargingSession,
    cost: SessionCost | None,
    now: datetime,
) -> None:
    """Fix the amount due once the cost is known, then charge a wallet (card: the job)."""
    if payment.state in PRE_SETTLEMENT:
        if cost is None or not cost_known(cost):
            payment.note = WAITING
            db.add(payment)
            return
        _fix_due(db, payment, cs, cost, now)
    if payment.method == PaymentMethod.WALLET and payment.state in (State.TO_SETTLE, State.FAILED):
        assert cost is not None  # TO_SETTLE is only reached with a known cost
        _charge_wallet(db, payment, cost, now)
    db.add(payment)


def _fix_due(
    db: Session, payment: SessionPayment, cs: ChargingSession, cost: SessionCost, now: datetime
) -> None:
    if payment.method == PaymentMethod.FREE:
        _settled(payment, 0, now, "free: priced, not charged")
        return
    if payment.method == PaymentMethod.INVOICE:
        _settled(payment, 0, now, payment.note or "on the monthly invoice")
        return
    payment.note = ""  # no longer waiting
    if cost.state == CostState.FINAL and cost.total_incl_minor > 0:
        _apply_discounts(db, payment, cs, cost)
    payment.state = State.TO_SETTLE


def _apply_discounts(
    db: Session, payment: SessionPayment, cs: ChargingSession, cost: SessionCost
) -> None:
    """Membership benefit, then a pending percent voucher on what is left (taken once: this
    runs only on the way out of PRE_SETTLEMENT)."""
    session_id = payment.session_id
    benefit = benefit_for_session(
        db,
        holder_kind=payment.holder_kind,
        holder_id=payment.holder_id,
        session_id=session_id,
        cost=cost,
        energy_wh=cs.energy_wh,
        started_at=cs.start_time,
    )
    left = max(cost.total_incl_minor - benefit.discount_minor, 0)
    voucher = 0
    if left > 0:
        voucher = take_pending_discount(
            db,
            holder_kind=payment.holder_kind,
            holder_id=payment.holder_id,
            session_id=session_id,
            cost_incl_minor=left,
        )
    payment.discount_minor = capped_discount(cost.total_incl_minor, benefit.discount_minor, voucher)
    payment.membership_id = benefit.membership_id
    payment.included_wh = benefit.included_wh
    notes = [benefit.note] if benefit.note else []
    if voucher:
        notes.append(f"voucher: {voucher} off")
    payment.note = "; ".join(notes)[:300]


def _charge_wallet(db: Session, payment: SessionPayment, cost: SessionCost, now: datetime) -> None:
    due = due_of(payment, cost)
    currency = organisation_currency(db, payment.organisation_id)
    if due > 0 and cost.currency.upper() != currency:
        _failed(payment, f"the session costs {cost.currency}, the wallet is in {currency}")
        return
    try:
        with db.begin_nested():  # a refused charge leaves the discounts and the state
            charge_wallet(
                db,
                organisation_id=payment.organisation_id,
                holder_kind=payment.holder_kind,
                holder_id=payment.holder_id,
                currency=currency,
                amount_minor=due,
                kind=LedgerKind.SESSION_CHARGE,
                reference=f"session:{payment.session_id}",
                session_id=payment.session_id,
                reason=f"charging session {payment.session_id}",
                created_by="payments",
            )
    except FinanceError as exc:
        log.warning("wallet charge failed", extra={"transaction_id": payment.session_id})
        _failed(payment, f"wallet charge failed: {exc}")
        return
    _settled(payment, due, now, RETRIED if payment.state == State.FAILED else payment.note)


def _settled(payment: SessionPayment, charged: int, now: datetime, note: str) -> None:
    payment.state = State.SETTLED
    payment.charged_minor = charged
    payment.settled_at = now
    payment.note = note[:300]


def _failed(payment: SessionPayment, why: str) -> None:
    payment.state = State.FAILED
    payment.note = why[:300]


# --- the job's part -------------------------------------------------------------------


def ended_sessions_to_settle(now: datetime, limit: int = BATCH) -> list[int]:
    """Ended sessions whose settlement the database can do now: the amount due not fixed yet
    while the cost is known (released from review since the stop), or a wallet charge that
    failed lately."""
    with read_session() as db:
        waiting = db.exec(
            select(SessionPayment.session_id)
            .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
            .join(SessionCost, col(SessionCost.session_id) == SessionPayment.session_id)
            .where(
                col(SessionPayment.state).in_(PRE_SETTLEMENT),
                ChargingSession.status == SessionStatus.COMPLETED,
                col(SessionCost.state).in_(KNOWN_COSTS),
            )
            .order_by(col(SessionPayment.session_id))
            .limit(limit)
        ).all()
        failed = db.exec(
            select(SessionPayment.session_id)
            .where(
                SessionPayment.method == PaymentMethod.WALLET,
                col(SessionPayment.state).in_((State.TO_SETTLE, State.FAILED)),
                col(SessionPayment.created_at) >= now - timedelta(days=RETRY_DAYS),
            )
            .order_by(col(SessionPayment.session_id))
            .limit(limit)
        ).all()
    return sorted({*waiting, *failed})


def settle_ended_sessions(now: datetime | None = None) -> int:
    """The job's step: settle what `ended_sessions_to_settle` finds, one transaction each
    (one payer's failure never holds the others). Returns how many were looked at."""
    now = now or utc_now()
    ids = ended_sessions_to_settle(now)
    for session_id in ids:
        try:
            with session_scope() as db:
                payment = db.get(SessionPayment, session_id)
                cs = db.get(ChargingSession, session_id)
                if payment is None or cs is None or cs.status != SessionStatus.COMPLETED:
                    continue
                settle_ended(db, payment, cs, db.get(SessionCost, session_id), now)
        except Exception:
            log.exception("settlement failed", extra={"transaction_id": session_id})
    return len(ids)
