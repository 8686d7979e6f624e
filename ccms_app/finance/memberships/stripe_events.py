"""What Stripe's subscription events do to card-plan memberships (`install()` registers them
with finance.payments.webhook_dispatch; runtime.py and tests/conftest.py call it).

- `invoice.paid`: a `Payment` of kind membership_fee, succeeded (one per Stripe invoice: its
  key is the invoice's, so the same invoice in another event changes nothing), and the
  membership active; a renewal invoice moves the period on, once. Which period an invoice
  pays: its line's period when Stripe sends one; else the first invoice
  (billing_reason subscription_create, or paid before the current period is nearly over)
  pays the current period and any other the next one.
- `invoice.payment_failed`: the membership past due (benefits paused), the Payment failed.
- `customer.subscription.deleted`: the membership cancelled; one cancelled "at period end"
  keeps running until then (the fees job ends it).
An event about a subscription CCMS did not create is ignored (said in the event's outcome).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from ccms_app.core.types import utc_now
from ccms_app.finance.memberships.models import Membership, MembershipStatus
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.finance.payments.webhook_dispatch import event_object, on_event
from ccms_app.finance.rules.memberships import period_at

INVOICE_PAID = "invoice.paid"
INVOICE_FAILED = "invoice.payment_failed"
SUBSCRIPTION_DELETED = "customer.subscription.deleted"
RENEWAL_WINDOW = timedelta(days=1)  # an invoice paid this close to the period's end renews
UTC_ZONE = ZoneInfo("UTC")


def install() -> None:
    on_event(INVOICE_PAID, invoice_paid)
    on_event(INVOICE_FAILED, invoice_payment_failed)
    on_event(SUBSCRIPTION_DELETED, subscription_deleted)


# --- finding the membership ------------------------------------------------------------


def _subscription_of(obj: dict[str, Any]) -> str:
    """The subscription an invoice belongs to (older API versions: `subscription`; newer:
    `parent.subscription_details.subscription`)."""
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    found = obj.get("subscription") or details.get("subscription") or ""
    return found if isinstance(found, str) else str(found.get("id", ""))


def _metadata_id(obj: dict[str, Any]) -> int | None:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    for metadata in (obj.get("metadata"), details.get("metadata")):
        raw = str((metadata or {}).get("membership_id", ""))
        if raw.isdigit():
            return int(raw)
    return None


def _membership(db: Session, subscription_id: str, obj: dict[str, Any]) -> Membership | None:
    """Ours by subscription id, or by the membership id we put in its metadata (an event
    that arrives before CCMS has stored the subscription id); the row locked."""
    if subscription_id:
        found = db.exec(
            select(Membership)
            .where(Membership.stripe_subscription_id == subscription_id)
            .with_for_update()
        ).first()
        if found is not None:
            return found
    membership_id = _metadata_id(obj)
    if membership_id is None:
        return None
    found = db.exec(
        select(Membership).where(Membership.id == membership_id).with_for_update()
    ).first()
    if found is None or found.stripe_subscription_id not in ("", subscription_id):
        return None
    found.stripe_subscription_id = subscription_id
    return found


# --- invoices --------------------------------------------------------------------------


def _payment(db: Session, membership: Membership, obj: dict[str, Any]) -> Payment:
    """The Payment of this invoice (created on its first event)."""
    invoice_id = str(obj.get("id", ""))
    key = f"membership:{membership.id}:invoice:{invoice_id}"[:120]
    payment = db.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    if payment is not None:
        return payment
    return Payment(
        organisation_id=membership.organisation_id,
        kind=PaymentKind.MEMBERSHIP_FEE,
        holder_kind=membership.holder_kind,
        holder_id=membership.holder_id,
        membership_id=membership.id,
        currency=str(obj.get("currency") or "").upper()[:3],
        amount_minor=int(obj.get("amount_due") or 0),
        idempotency_key=key,
        stripe_id=invoice_id[:120],
        created_by="stripe",
    )


def _epoch(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int | float) else None


def _line_period(obj: dict[str, Any]) -> tuple[datetime, datetime] | None:
    lines = ((obj.get("lines") or {}).get("data")) or []
    period = (lines[0] or {}).get("period") if lines else None
    start, end = _epoch((period or {}).get("start")), _epoch((period or {}).get("end"))
    return (start, end) if start is not None and end is not None and end > start else None


def _paid_period(
    membership: Membership, obj: dict[str, Any], now: datetime
) -> tuple[datetime, datetime]:
    """The period the paid invoice covers (see the module doc)."""
    stated = _line_period(obj)
    if stated is not None:
        return stated
    current = (membership.current_period_start, membership.current_period_end)
    reason = str(obj.get("billing_reason") or "")
    first = reason == "subscription_create" or (
        not reason and now < membership.current_period_end - RENEWAL_WINDOW
    )
    if first:
        return current
    _, end = period_at(membership.started_at, membership.current_period_end, UTC_ZONE)
    return membership.current_period_end, end


def invoice_paid(db: Session, event: dict[str, Any]) -> str:
    obj = event_object(event)
    membership = _membership(db, _subscription_of(obj), obj)
    if membership is None:
        return "invoice.paid: not a membership"
    payment = _payment(db, membership, obj)
    if payment.status == PaymentStatus.SUCCEEDED:
        return f"membership {membership.id}: invoice {payment.stripe_id} recorded already"
    now = utc_now()
    paid = int(obj.get("amount_paid") or 0)
    payment.status, payment.captured_minor = PaymentStatus.SUCCEEDED, paid
    payment.stripe_status, payment.stripe_amount_minor = str(obj.get("status") or "paid"), paid
    payment.error, payment.updated_at = "", now
    db.add(payment)
    start, end = _paid_period(membership, obj, now)
    if end > membership.current_period_end:
        membership.current_period_start, membership.current_period_end = start, end
    if membership.status == MembershipStatus.PAST_DUE:
        membership.status = MembershipStatus.ACTIVE
    db.add(membership)
    return f"membership {membership.id}: paid until {membership.current_period_end:%Y-%m-%d}"


def invoice_payment_failed(db: Session, event: dict[str, Any]) -> str:
    obj = event_object(event)
    membership = _membership(db, _subscription_of(obj), obj)
    if membership is None:
        return "invoice.payment_failed: not a membership"
    payment = _payment(db, membership, obj)
    if payment.status == PaymentStatus.SUCCEEDED:
        return f"membership {membership.id}: invoice {payment.stripe_id} was paid"
    payment.status, payment.updated_at = PaymentStatus.FAILED, utc_now()
    payment.stripe_status = str(obj.get("status") or "open")
    payment.error = "The card payment of the membership fee failed; Stripe retries it"
    db.add(payment)
    if membership.status == MembershipStatus.ACTIVE:
        membership.status = MembershipStatus.PAST_DUE
        db.add(membership)
    return f"membership {membership.id}: past due"


def subscription_deleted(db: Session, event: dict[str, Any]) -> str:
    obj = event_object(event)
    membership = _membership(db, str(obj.get("id", "")), obj)
    if membership is None:
        return "customer.subscription.deleted: not a membership"
    now = utc_now()
    if membership.status == MembershipStatus.CANCELLED:
        return f"membership {membership.id}: cancelled already"
    if membership.cancelled_at is not None and membership.cancelled_at > now:
        return f"membership {membership.id}: ends {membership.cancelled_at:%Y-%m-%d}"
    membership.status = MembershipStatus.CANCELLED
    membership.cancelled_at = membership.cancelled_at or now
    db.add(membership)
    return f"membership {membership.id}: cancelled"
