"""Card sessions with Stripe, part 2: the money at the end, once the amount due is fixed
(finance.payments.session_settlement left the session TO_SETTLE).

finance.rules.session_payment.card_plan decides: capture min(due, hold) of the hold
("<hold key>:capture"), charge the excess in a second, off-session payment (its own row,
"card_excess:<id>"), or release the hold when nothing is due ("<hold key>:cancel"); without
a hold in place (declined at the start) everything due is the off-session payment. The plan
is derived from stored figures only (the hold's amount, the final cost, the fixed discount),
so a retry asks Stripe for exactly the same thing with the same keys, and Stripe answers
with its first result: a retry never captures or charges twice (finance.payments.card_holds
explains the three steps around every call).

The session is SETTLED (`charged_minor` = captured + excess) once every step is done.
Otherwise FAILED with the reason, shown in the payments list: a step Stripe did not answer
is retried by the job (same key); a declined excess is not (Stripe would replay the
decline for that key) and waits for an operator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.models import SessionCost
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.card_holds import (
    BATCH,
    CardCall,
    CardUnusable,
    card_call,
    excess_key,
    hold_key,
    hold_unanswered,
    mark_failed,
    new_payment,
    note_attempt,
    payment_by_key,
    place_hold,
    record_intent,
    stored_payment,
)
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    SessionPayment,
    SessionPaymentState,
)
from ccms_app.finance.payments.session_settlement import RETRIED, RETRY_DAYS, cost_known, due_of
from ccms_app.finance.rules.session_payment import CardPlan, card_plan, decline_reason, is_decline
from ccms_app.finance.rules.stripe_limits import amount_problem

log = logging.getLogger(__name__)

State = SessionPaymentState


def card_sessions_to_settle(now: datetime, limit: int = BATCH) -> list[int]:
    """Card sessions whose amount due is fixed and not settled yet, or that failed lately."""
    with read_session() as db:
        rows = db.exec(
            select(SessionPayment.session_id)
            .where(
                SessionPayment.method == PaymentMethod.CARD,
                col(SessionPayment.state).in_((State.TO_SETTLE, State.FAILED)),
                col(SessionPayment.created_at) >= now - timedelta(days=RETRY_DAYS),
            )
            .order_by(col(SessionPayment.session_id))
            .limit(limit)
        ).all()
    return list(rows)


@dataclass(frozen=True)
class CardEnd:
    """A card session's end as planned from our rows."""

    plan: CardPlan
    hold: Payment | None  # detached, read only
    excess: CardCall | None  # the excess payment still to ask for


def settle_card(session_id: int) -> str:
    """Capture / charge the excess / release for one card session; its state after. A hold
    whose answer was lost is asked for again first (same key): until Stripe has answered it,
    nothing else is charged (it may hold money already)."""
    with read_session() as db:
        unanswered = hold_unanswered(db, session_id)
    if unanswered:
        place_hold(session_id)
    end = _prepare_end(session_id)
    if end is None:  # settled already, or not ready: nothing asked of Stripe
        with read_session() as db:
            payment = db.get(SessionPayment, session_id)
        return str(payment.state) if payment is not None else "gone"
    hold = end.hold
    try:
        if hold is not None and hold.status == PaymentStatus.AUTHORIZED:
            if end.plan.capture_minor > 0:
                capture_hold(hold, end.plan.capture_minor)
            elif end.plan.release_hold:
                _release(hold)
        if end.excess is not None:
            _charge_excess(end.excess)
    except (gateway.StripeFailure, gateway.PaymentsNotConfigured) as exc:
        log.warning("card settlement failed", extra={"transaction_id": session_id, "why": str(exc)})
        if hold is not None and hold.status == PaymentStatus.AUTHORIZED:
            note_attempt(stored_id(hold.id), str(exc))
    return _conclude(session_id)


def _prepare_end(session_id: int) -> CardEnd | None:
    """Step 1 of the end: the plan from stored figures; the excess row created once."""
    with session_scope() as db:
        payment = db.get(SessionPayment, session_id)
        cost = db.get(SessionCost, session_id)
        if payment is None or payment.state not in (State.TO_SETTLE, State.FAILED):
            return None
        if cost is None or not cost_known(cost):
            return None
        hold = payment_by_key(db, hold_key(session_id))
        if hold is not None and hold.status == PaymentStatus.PENDING:
            return None  # Stripe has not answered the hold yet: see settle_card
        held = hold if hold is not None and hold.status in _HELD else None
        due = due_of(payment, cost)
        if due > 0 and held is not None and held.currency != cost.currency.upper():
            _fail(payment, f"the session costs {cost.currency}, the hold is in {held.currency}")
            return None
        plan = card_plan(due, held.amount_minor if held is not None else None)
        excess_call = None
        if plan.excess_minor > 0:
            excess = payment_by_key(db, excess_key(session_id)) or new_payment(
                db,
                payment,
                PaymentKind.CARD_EXCESS,
                plan.excess_minor,
                cost.currency.upper(),
                excess_key(session_id),
            )
            # Above a hold, a remainder Stripe would refuse as too small is not asked for: the
            # payment says why and the operator collects it (without a hold, the whole cost is
            # asked for and Stripe's answer decides).
            too_small = amount_problem(plan.excess_minor, excess.currency) if held else ""
            if excess.status == PaymentStatus.PENDING and too_small:
                mark_failed(excess, f"not charged: {too_small}")
                db.add(excess)
            elif excess.status == PaymentStatus.PENDING:
                try:
                    excess_call = card_call(db, payment, excess)
                except CardUnusable as exc:
                    mark_failed(excess, str(exc))
                    db.add(excess)
        return CardEnd(plan, hold, excess_call)


_HELD = (PaymentStatus.AUTHORIZED, PaymentStatus.SUCCEEDED)


def capture_hold(hold: Payment, amount_minor: int) -> None:
    """Capture `amount_minor` of the hold (key "<hold key>:capture"), then record it."""
    result = gateway.capture(
        intent_id=hold.stripe_id,
        amount_minor=amount_minor,
        idempotency_key=f"{hold.idempotency_key}:capture",
    )
    record_capture(stored_id(hold.id), result)


def record_capture(payment_id: int, result: gateway.IntentResult) -> None:
    """Step 3 of a capture (its own function: a test crashes here, after Stripe answered)."""
    with session_scope() as db:
        hold = stored_payment(db, payment_id)
        record_intent(hold, result, PaymentStatus.SUCCEEDED)
        hold.captured_minor, hold.error = result.amount_received_minor, ""
        db.add(hold)


def _release(hold: Payment) -> None:
    key = f"{hold.idempotency_key}:cancel"
    result = gateway.cancel(intent_id=hold.stripe_id, idempotency_key=key)
    with session_scope() as db:
        stored = stored_payment(db, stored_id(hold.id))
        record_intent(stored, result, PaymentStatus.CANCELED)
        stored.error = ""
        db.add(stored)


def _charge_excess(call: CardCall) -> None:
    try:
        result = gateway.charge_off_session(
            customer_id=call.customer_id,
            payment_method_id=call.payment_method_id,
            amount_minor=call.amount_minor,
            currency=call.currency,
            idempotency_key=call.idempotency_key,
            metadata=call.metadata,
        )
    except gateway.StripeFailure as exc:
        if not is_decline(exc.code, exc.decline_code):
            note_attempt(call.payment_id, str(exc))
            raise
        with session_scope() as db:
            excess = stored_payment(db, call.payment_id)
            mark_failed(excess, decline_reason(exc.code, exc.decline_code))
            db.add(excess)
        return
    with session_scope() as db:
        excess = stored_payment(db, call.payment_id)
        if result.status == "succeeded":
            record_intent(excess, result, PaymentStatus.SUCCEEDED)
            excess.captured_minor, excess.error = result.amount_received_minor, ""
        else:
            record_intent(excess, result, PaymentStatus.FAILED)
            excess.error = f"card payment {result.status}"
        db.add(excess)


def _conclude(session_id: int) -> str:
    """Step 3 of the end: SETTLED when every planned step is done, else FAILED with why."""
    with session_scope() as db:
        payment = db.get(SessionPayment, session_id)
        if payment is None or payment.state not in (State.TO_SETTLE, State.FAILED):
            return "gone" if payment is None else str(payment.state)
        hold = payment_by_key(db, hold_key(session_id))
        excess = payment_by_key(db, excess_key(session_id))
        unfinished = [
            row.error or f"{row.kind} {row.status}"
            for row in (hold, excess)
            if row is not None
            and (
                row.status == PaymentStatus.PENDING
                or (row is hold and row.status == PaymentStatus.AUTHORIZED)
                or (row is excess and row.status == PaymentStatus.FAILED)
            )
        ]
        if unfinished:
            _fail(payment, unfinished[0])
        else:
            if payment.state == State.FAILED:
                payment.note = RETRIED
            payment.state = State.SETTLED
            payment.charged_minor = sum(r.captured_minor for r in (hold, excess) if r is not None)
            payment.settled_at = utc_now()
        db.add(payment)
        return str(payment.state)


def _fail(payment: SessionPayment, why: str) -> None:
    payment.state = State.FAILED
    payment.note = why[:300]
