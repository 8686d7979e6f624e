"""Stripe's word beside ours: record what Stripe reported on a `Payment`, flag disagreement.

Our columns (status, amount, captured, refunded) are what CCMS asked for and recorded; they
are only changed by our own flow. `stripe_status` / `stripe_amount_minor` keep Stripe's last
report (an API answer or a webhook). `reconcile` compares the two with
`finance.rules.payments.mismatch_note` and sets `mismatch` with a sentence for the operator
(the reconciliation list), or clears a flag that a later report settled. Whoever records
last (the webhook or our own flow, which may finish in either order) calls `reconcile`, so
a report that arrives while our call is still under way is judged once both are known.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from ccms_app.core.types import utc_now
from ccms_app.finance.payments.models import Payment
from ccms_app.finance.rules import payments as rules

# A report never moves Stripe's recorded status back from one of these (events can arrive
# out of order: an old "requires_capture" after the capture's "succeeded").
_FINAL_STRIPE = frozenset({"succeeded", "canceled", "complete", "expired"})
REFUND_NOTE_START = "Stripe refunded"


def by_stripe_id(db: Session, stripe_id: str) -> Payment | None:
    if not stripe_id:
        return None
    return db.exec(select(Payment).where(col(Payment.stripe_id) == stripe_id)).first()


def record_report(payment: Payment, stripe_status: str, stripe_amount_minor: int | None) -> None:
    """Keep what Stripe said about the payment (not our amounts), then reconcile."""
    stale = payment.stripe_status in _FINAL_STRIPE and stripe_status not in _FINAL_STRIPE
    if not stale:
        payment.stripe_status = stripe_status[:40]
        payment.stripe_amount_minor = stripe_amount_minor
    reconcile(payment)


def reconcile(payment: Payment) -> None:
    """Set or clear the mismatch flag from our row and Stripe's last report."""
    note = rules.mismatch_note(
        status=payment.status,
        amount_minor=payment.amount_minor,
        captured_minor=payment.captured_minor,
        stripe_status=payment.stripe_status,
        stripe_amount_minor=payment.stripe_amount_minor,
        currency=payment.currency,
    )
    if note:
        flag(payment, note)
    elif payment.mismatch and not payment.mismatch_note.startswith(REFUND_NOTE_START):
        payment.mismatch, payment.mismatch_note = False, ""
    payment.updated_at = utc_now()


def flag(payment: Payment, note: str) -> None:
    payment.mismatch, payment.mismatch_note = True, note[:300]
    payment.updated_at = utc_now()
