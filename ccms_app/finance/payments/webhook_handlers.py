"""What Stripe's payment events do to our records (run by webhook_dispatch, in its transaction).

- payment_intent.*: the `Payment` with that intent id records Stripe's report; a payment of
  ours still under way moves on (a pending off-session charge succeeded or failed, a hold
  is in place); amounts are never taken from Stripe: they are compared (reconcile).
- charge.refunded: a refund Stripe made that CCMS does not know of is flagged.
- setup_intent.succeeded: the saved card (payment method id and label) goes on the payer's
  `PaymentAccount`.
- checkout.session.completed / expired: top-ups (finance.payments.top_ups, mode payment)
  and cards saved on Stripe's page (finance.payments.card_checkout, mode setup).
Each handler returns a short outcome, kept on the `StripeEvent` row.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ccms_app.finance.payments import card_checkout
from ccms_app.finance.payments.card_checkout import save_intent_card
from ccms_app.finance.payments.models import Payment, PaymentStatus
from ccms_app.finance.payments.reconcile import by_stripe_id, flag, reconcile, record_report
from ccms_app.finance.payments.top_ups import checkout_completed, checkout_expired
from ccms_app.finance.payments.webhook_dispatch import event_object, on_event
from ccms_app.finance.rules.payments import refunded_note

_MOVING = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)


def _found(db: Session, event: dict[str, Any]) -> tuple[dict[str, Any], Payment | None]:
    intent = event_object(event)
    return intent, by_stripe_id(db, str(intent.get("id") or ""))


def _none(intent: dict[str, Any]) -> str:
    return f"no payment for {intent.get('id') or 'an unnamed intent'}"


def intent_succeeded(db: Session, event: dict[str, Any]) -> str:
    intent, payment = _found(db, event)
    if payment is None:
        return _none(intent)
    if payment.status in _MOVING:  # an automatic-capture charge finished: what we asked for
        payment.status, payment.captured_minor = PaymentStatus.SUCCEEDED, payment.amount_minor
    record_report(payment, "succeeded", int(intent.get("amount_received") or 0))
    db.add(payment)
    return f"payment {payment.id}: succeeded" + (" (mismatch)" if payment.mismatch else "")


def intent_capturable(db: Session, event: dict[str, Any]) -> str:
    intent, payment = _found(db, event)
    if payment is None:
        return _none(intent)
    if payment.status in _MOVING:
        payment.status = PaymentStatus.AUTHORIZED
    record_report(payment, "requires_capture", int(intent.get("amount_capturable") or 0))
    db.add(payment)
    return f"payment {payment.id}: authorized" + (" (mismatch)" if payment.mismatch else "")


def intent_failed(db: Session, event: dict[str, Any]) -> str:
    intent, payment = _found(db, event)
    if payment is None:
        return _none(intent)
    error = intent.get("last_payment_error") or {}
    if payment.status in _MOVING:
        payment.status = PaymentStatus.FAILED
        payment.error = str(error.get("message") or "declined")[:300]
    record_report(payment, str(intent.get("status") or "requires_payment_method"), None)
    db.add(payment)
    return f"payment {payment.id}: failed"


def intent_canceled(db: Session, event: dict[str, Any]) -> str:
    intent, payment = _found(db, event)
    if payment is None:
        return _none(intent)
    if payment.status in _MOVING:
        payment.status = PaymentStatus.CANCELED
    record_report(payment, "canceled", 0)
    db.add(payment)
    return f"payment {payment.id}: canceled" + (" (mismatch)" if payment.mismatch else "")


def charge_refunded(db: Session, event: dict[str, Any]) -> str:
    charge = event_object(event)
    payment = by_stripe_id(db, str(charge.get("payment_intent") or ""))
    if payment is None:
        return f"no payment for charge {charge.get('id') or ''}".strip()
    note = refunded_note(
        ours_minor=payment.refunded_minor,
        stripe_minor=int(charge.get("amount_refunded") or 0),
        currency=payment.currency,
    )
    if note:
        flag(payment, note)
    else:
        reconcile(payment)
    db.add(payment)
    return f"payment {payment.id}: refund " + ("mismatch" if note else "matches")


def setup_succeeded(db: Session, event: dict[str, Any]) -> str:
    return save_intent_card(db, event_object(event))


def install() -> None:
    """Register the payments handlers (runtime.py and tests/conftest.py call it)."""
    on_event("payment_intent.succeeded", intent_succeeded)
    on_event("payment_intent.amount_capturable_updated", intent_capturable)
    on_event("payment_intent.payment_failed", intent_failed)
    on_event("payment_intent.canceled", intent_canceled)
    on_event("charge.refunded", charge_refunded)
    on_event("setup_intent.succeeded", setup_succeeded)
    on_event("checkout.session.completed", checkout_completed)
    on_event("checkout.session.completed", card_checkout.checkout_completed)
    on_event("checkout.session.expired", checkout_expired)
    on_event("checkout.session.expired", card_checkout.checkout_expired)
