"""Card sessions with Stripe, part 1: the hold placed after the start (and the row helpers the
end, finance.payments.card_capture, shares).

Run by the payment job (finance.payments.jobs), never on the OCPP path, never inside a
database transaction: each Stripe call sits between two short transactions.
1. record what is about to be asked (a `Payment` row whose `idempotency_key` is derived from
   the session: "card_hold:<id>", "card_excess:<id>") and commit;
2. call Stripe with that key;
3. record the answer.
A crash between 2 and 3 leaves the row PENDING as in 1, so the next run asks again with the
same key and the same amounts: Stripe answers with the first result (an idempotent replay)
instead of reserving or charging again.

A hold the card refuses (declined, no saved card any more, Stripe not configured) makes the
session HOLD_FAILED, records "card declined: <reason>" as its stop reason and claims its
RemoteStopTransaction (`place_hold` returns the claimed stop for the job to send). A failure
to reach Stripe leaves the hold PENDING with the error; the job asks again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentStatus,
    SessionPayment,
    SessionPaymentState,
)
from ccms_app.finance.payments.payment_accounts import get_account
from ccms_app.finance.payments.session_payments import StopOrder, claim_stop
from ccms_app.finance.payments.settings import current as payment_settings
from ccms_app.finance.rules.session_payment import decline_reason, is_decline

log = logging.getLogger(__name__)

State = SessionPaymentState
BY = "payments"  # Payment.created_by of the payments CCMS makes itself
BATCH = 100
NO_CARD = "card declined: no saved card"


def hold_key(session_id: int) -> str:
    return f"card_hold:{session_id}"


def excess_key(session_id: int) -> str:
    return f"card_excess:{session_id}"


@dataclass(frozen=True)
class CardCall:
    """What one Stripe PaymentIntent request needs, read from our rows."""

    payment_id: int
    session_id: int
    customer_id: str
    payment_method_id: str
    amount_minor: int
    currency: str
    idempotency_key: str
    kind: str

    @property
    def metadata(self) -> dict[str, str]:
        return {"session_id": str(self.session_id), "kind": self.kind}


class CardUnusable(FinanceError):
    """The payer has no saved card (any more): treated like a declined card."""


def sessions_needing_a_hold(limit: int = BATCH) -> list[int]:
    """Running card sessions whose hold is not placed yet, and any session whose hold was
    asked for without an answer recorded (it may have ended meanwhile)."""
    with read_session() as db:
        waiting = db.exec(
            select(SessionPayment.session_id)
            .join(ChargingSession, col(ChargingSession.id) == SessionPayment.session_id)
            .where(
                SessionPayment.state == State.HOLD_PENDING,
                ChargingSession.status == SessionStatus.ACTIVE,
            )
            .order_by(col(SessionPayment.session_id))
            .limit(limit)
        ).all()
        unanswered = db.exec(
            select(SessionPayment.session_id)
            .join(Payment, col(Payment.session_id) == SessionPayment.session_id)
            .where(
                SessionPayment.state == State.HOLD_PENDING,
                Payment.kind == PaymentKind.CARD_HOLD,
                Payment.status == PaymentStatus.PENDING,
            )
        ).all()
    return sorted({*waiting, *unanswered})


def hold_unanswered(db: Session, session_id: int) -> bool:
    """A hold was asked for and Stripe's answer is not recorded: it may hold money."""
    hold = payment_by_key(db, hold_key(session_id))
    return hold is not None and hold.status == PaymentStatus.PENDING


def place_hold(session_id: int) -> StopOrder | None:
    """Place (or ask again for) the hold of a card session; the claimed stop when the card
    refused it while the session runs."""
    try:
        call = _prepare_hold(session_id)
    except CardUnusable as exc:
        return _hold_refused(session_id, None, str(exc))
    if call is None:
        return None
    try:
        result = gateway.create_hold(
            customer_id=call.customer_id,
            payment_method_id=call.payment_method_id,
            amount_minor=call.amount_minor,
            currency=call.currency,
            idempotency_key=call.idempotency_key,
            metadata=call.metadata,
        )
    except gateway.PaymentsNotConfigured as exc:
        return _hold_refused(session_id, call.payment_id, str(exc))
    except gateway.StripeFailure as exc:
        if is_decline(exc.code, exc.decline_code):
            reason = decline_reason(exc.code, exc.decline_code)
            return _hold_refused(session_id, call.payment_id, reason)
        note_attempt(call.payment_id, f"hold not answered: {exc}")
        return None
    if result.status != "requires_capture":
        return _hold_refused(session_id, call.payment_id, f"card hold {result.status}")
    _hold_placed(session_id, call.payment_id, result)
    return None


def _prepare_hold(session_id: int) -> CardCall | None:
    """Step 1: the hold's Payment row (created once, while the session waits for it),
    committed before Stripe is called; None when there is nothing to ask."""
    with session_scope() as db:
        payment = db.get(SessionPayment, session_id)
        if payment is None:
            return None
        hold = payment_by_key(db, hold_key(session_id))
        if hold is None:
            if payment.state != State.HOLD_PENDING:
                return None
            settings = payment_settings(db, payment.organisation_id)
            currency = organisation_currency(db, payment.organisation_id)
            hold = new_payment(
                db,
                payment,
                PaymentKind.CARD_HOLD,
                settings.card_hold_minor,
                currency,
                hold_key(session_id),
            )
        if hold.status != PaymentStatus.PENDING:  # answered before
            return None
        return card_call(db, payment, hold)


def _hold_placed(session_id: int, payment_id: int, result: gateway.IntentResult) -> None:
    with session_scope() as db:
        hold = stored_payment(db, payment_id)
        record_intent(hold, result, PaymentStatus.AUTHORIZED)
        hold.error = ""
        db.add(hold)
        payment = db.get(SessionPayment, session_id)
        if payment is not None:
            payment.hold_payment_id = payment_id
            if payment.state == State.HOLD_PENDING:  # it may have ended meanwhile
                payment.state = State.HELD
            db.add(payment)
    log.info("card hold placed", extra={"transaction_id": session_id, "intent": result.id})


def _hold_refused(session_id: int, payment_id: int | None, reason: str) -> StopOrder | None:
    """The card refused the hold: HOLD_FAILED, the reason recorded, a running session
    stopped (the stop claimed here, sent by the job)."""
    log.warning("card hold refused", extra={"transaction_id": session_id, "why": reason})
    with session_scope() as db:
        if payment_id is not None:
            mark_failed(stored_payment(db, payment_id), reason)
        payment = db.get(SessionPayment, session_id)
        if payment is None:
            return None
        payment.hold_payment_id = payment_id
        if payment.state == State.HOLD_PENDING:
            payment.state = State.HOLD_FAILED
        db.add(payment)
        cs = db.get(ChargingSession, session_id)
        if cs is None or cs.status != SessionStatus.ACTIVE:
            return None
        return claim_stop(db, cs, reason, utc_now())


# --- rows (shared with finance.payments.card_capture) -----------------------------------


def payment_by_key(db: Session, key: str) -> Payment | None:
    return db.exec(select(Payment).where(Payment.idempotency_key == key)).first()


def stored_payment(db: Session, payment_id: int) -> Payment:
    row = db.get(Payment, payment_id)
    if row is None:  # pragma: no cover - payments are never deleted
        raise LookupError(tr("payment {payment_id} is gone", payment_id=payment_id))
    return row


def new_payment(
    db: Session, payment: SessionPayment, kind: PaymentKind, amount: int, currency: str, key: str
) -> Payment:
    """A session's Payment row, PENDING until Stripe answers."""
    row = Payment(
        organisation_id=payment.organisation_id,
        kind=kind,
        holder_kind=payment.holder_kind,
        holder_id=payment.holder_id,
        session_id=payment.session_id,
        currency=currency,
        amount_minor=amount,
        idempotency_key=key,
        created_by=BY,
    )
    db.add(row)
    db.flush()
    return row


def card_call(db: Session, payment: SessionPayment, row: Payment) -> CardCall:
    """The Stripe request for `row`, with the payer's saved card; CardUnusable without one."""
    account = get_account(db, payment.holder_kind, payment.holder_id)
    if account is None or not account.card_payment_method_id or not account.stripe_customer_id:
        raise CardUnusable(NO_CARD)
    return CardCall(
        payment_id=stored_id(row.id),
        session_id=payment.session_id,
        customer_id=account.stripe_customer_id,
        payment_method_id=account.card_payment_method_id,
        amount_minor=row.amount_minor,
        currency=row.currency,
        idempotency_key=row.idempotency_key,
        kind=row.kind,
    )


def record_intent(row: Payment, result: gateway.IntentResult, status: PaymentStatus) -> None:
    """What Stripe answered, on our row."""
    row.status = status
    row.stripe_id = result.id
    row.stripe_status = result.status
    row.stripe_amount_minor = result.amount_received_minor or result.amount_minor
    row.updated_at = utc_now()


def mark_failed(row: Payment, error: str) -> None:
    row.status, row.error, row.updated_at = PaymentStatus.FAILED, error[:300], utc_now()


def note_attempt(payment_id: int, error: str) -> None:
    """Stripe could not be reached (or erred): the row stays PENDING, asked again with the
    same key by the next run."""
    with session_scope() as db:
        row = stored_payment(db, payment_id)
        row.error, row.updated_at = error[:300], utc_now()
        db.add(row)
