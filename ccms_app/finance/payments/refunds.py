"""Refunds of card payments: all or part of a succeeded payment, always with a reason.

A refund is its own `Payment` (kind refund, `refund_of_id`, idempotency key "refund:<id>").
Order of work, so that money is never returned twice or from a wallet that spent it:
1. one transaction: check the amount against what is left (captured - refunded), record the
   refund (pending), count it on the refunded payment; for a top-up also take the paid money
   back out of the wallet (ledger `refund_paid`, reference "refund:<id>"), refused when the
   wallet's paid balance is lower;
2. Stripe refunds the intent with the refund's key (a retry gets the same refund);
3. one transaction records Stripe's answer; when Stripe refuses, the refund is marked
   failed, the count is undone and the wallet gets its money back (reference
   "refund_reversed:<id>").
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session

from ccms_app.accounts import audit
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceConflict, FinanceNotFound
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.finance.rules.payments import check_refund
from ccms_app.finance.wallets.ledger import LedgerError, credit_wallet, refund_paid
from ccms_app.finance.wallets.models import LedgerKind

log = logging.getLogger(__name__)

REFUNDABLE_KINDS = frozenset(
    {PaymentKind.CARD_HOLD, PaymentKind.CARD_EXCESS, PaymentKind.TOP_UP, PaymentKind.MEMBERSHIP_FEE}
)


@dataclass(frozen=True)
class _Planned:
    refund_id: int
    intent_id: str
    amount_minor: int
    idempotency_key: str
    reason: str


def payment_in_scope(db: Session, payment_id: int, scope: Collection[int]) -> Payment:
    found = db.get(Payment, payment_id)
    if found is None or found.organisation_id not in scope:
        raise FinanceNotFound(tr("No payment {payment_id} in your network.", payment_id=payment_id))
    return found


def refund(
    scope: Collection[int], payment_id: int, amount_text: str, reason: str, who: audit.Actor
) -> Payment:
    """Refund `amount_text` (empty: all that is left) of a succeeded payment; returns the
    refund's row. FinanceError names wrong fields; FinanceConflict when the payment cannot
    be refunded; StripeFailure when Stripe refuses (nothing is then refunded). The refund
    and its reason go to the audit log."""
    if not gateway.configured():
        raise gateway.PaymentsNotConfigured(gateway.NOT_CONFIGURED)
    actor = who.email
    planned = _plan(scope, payment_id, amount_text, reason, actor)
    try:
        refund_id, status = gateway.refund(
            intent_id=planned.intent_id,
            amount_minor=planned.amount_minor,
            idempotency_key=planned.idempotency_key,
        )
    except gateway.StripeFailure as error:
        _undo(planned, str(error), actor)
        _audit(who, payment_id, planned, f"Stripe refused: {error}", "failed")
        raise
    log.info(
        "payment refunded",
        extra={"payment_id": payment_id, "refund_id": planned.refund_id, "actor": actor},
    )
    done = _done(planned, refund_id, status)
    _audit(who, payment_id, planned, "", "ok")
    return done


def refund_minor(
    scope: Collection[int],
    payment_id: int,
    amount_minor: int | None,
    reason: str,
    who: audit.Actor,
) -> Payment:
    """`refund` with the amount in minor units (None: all that is left), for the REST API."""
    text = ""
    if amount_minor is not None:
        with read_session() as db:
            currency = payment_in_scope(db, payment_id, scope).currency
        text = format_minor(amount_minor, currency, with_code=False) if amount_minor > 0 else "0"
    return refund(scope, payment_id, text, reason, who)


def _audit(who: audit.Actor, payment_id: int, planned: _Planned, extra: str, outcome: str) -> None:
    detail = f"refund {planned.refund_id} of {planned.amount_minor} (minor units): {planned.reason}"
    audit.record(
        who,
        "payment.refund",
        object_type="payment",
        object_id=payment_id,
        detail=f"{detail}; {extra}" if extra else detail,
        outcome=outcome,
    )


def _plan(
    scope: Collection[int], payment_id: int, amount_text: str, reason: str, actor: str
) -> _Planned:
    with session_scope() as db:
        original = payment_in_scope(db, payment_id, scope)
        if original.kind not in REFUNDABLE_KINDS:
            raise FinanceConflict(
                tr("A {replace} cannot be refunded.", replace=original.kind.replace("_", " "))
            )
        if original.status == PaymentStatus.REFUNDED or (
            original.status == PaymentStatus.SUCCEEDED
            and original.refunded_minor >= original.captured_minor
        ):
            raise FinanceConflict(tr("This payment was refunded in full: nothing is left."))
        if original.status != PaymentStatus.SUCCEEDED:
            raise FinanceConflict(
                tr(
                    "Only a succeeded payment can be refunded (this one is {status}).",
                    status=original.status,
                )
            )
        if not original.stripe_id.startswith("pi_"):
            raise FinanceConflict(tr("This payment has no Stripe charge to refund."))
        amount, why = check_refund(
            amount_text=amount_text,
            reason=reason,
            captured_minor=original.captured_minor,
            refunded_minor=original.refunded_minor,
            currency=original.currency,
        )
        row = _refund_row(original, amount, actor)
        db.add(row)
        db.flush()
        row.idempotency_key = f"refund:{row.id}"
        original.refunded_minor += amount
        original.updated_at = utc_now()
        db.add_all([row, original])
        if original.kind == PaymentKind.TOP_UP:
            _take_from_wallet(db, original, row, amount, why, actor)
        log.info("refund planned", extra={"payment_id": payment_id, "reason": why, "actor": actor})
        return _Planned(stored_id(row.id), original.stripe_id, amount, row.idempotency_key, why)


def _refund_row(original: Payment, amount: int, actor: str) -> Payment:
    return Payment(
        organisation_id=original.organisation_id,
        kind=PaymentKind.REFUND,
        holder_kind=original.holder_kind,
        holder_id=original.holder_id,
        session_id=original.session_id,
        top_up_id=original.top_up_id,
        membership_id=original.membership_id,
        refund_of_id=original.id,
        currency=original.currency,
        amount_minor=amount,
        idempotency_key=f"refund:pending:{original.id}:{utc_now().timestamp()}",
        created_by=actor,
    )


def _take_from_wallet(
    db: Session, original: Payment, row: Payment, amount: int, reason: str, actor: str
) -> None:
    try:
        refund_paid(
            db,
            organisation_id=original.organisation_id,
            holder_kind=original.holder_kind,
            holder_id=original.holder_id,
            currency=original.currency,
            amount_minor=amount,
            reference=f"refund:{row.id}",
            reason=reason,
            created_by=actor,
        )
    except LedgerError as error:
        raise FinanceConflict(
            tr("The wallet no longer holds that much paid money: {error}", error=error),
            {"amount": str(error)},
        ) from error


def _undo(planned: _Planned, error: str, actor: str) -> None:
    with session_scope() as db:
        row = db.get(Payment, planned.refund_id)
        if row is None:
            return
        original = db.get(Payment, row.refund_of_id or 0)
        row.status, row.error, row.updated_at = PaymentStatus.FAILED, error[:300], utc_now()
        db.add(row)
        if original is None:
            return
        original.refunded_minor -= planned.amount_minor
        db.add(original)
        if original.kind == PaymentKind.TOP_UP:
            credit_wallet(
                db,
                organisation_id=original.organisation_id,
                holder_kind=original.holder_kind,
                holder_id=original.holder_id,
                currency=original.currency,
                paid_minor=planned.amount_minor,
                bonus_minor=0,
                kind=LedgerKind.REFUND,
                reference=f"refund_reversed:{planned.refund_id}",
                reason=f"Stripe refused refund {planned.refund_id}: {error}"[:500],
                created_by=actor,
            )


def _done(planned: _Planned, stripe_refund_id: str, stripe_status: str) -> Payment:
    with session_scope() as db:
        row = db.get(Payment, planned.refund_id)
        if row is None:
            raise FinanceNotFound(tr("No refund {refund_id}.", refund_id=planned.refund_id))
        row.stripe_id, row.stripe_status = stripe_refund_id, stripe_status[:40]
        row.stripe_amount_minor = planned.amount_minor
        if stripe_status == "succeeded":
            row.status, row.captured_minor = PaymentStatus.SUCCEEDED, planned.amount_minor
        elif stripe_status in ("failed", "canceled"):
            row.status = PaymentStatus.FAILED
        row.updated_at = utc_now()
        original = db.get(Payment, row.refund_of_id or 0)
        if original is not None and original.refunded_minor >= original.captured_minor:
            original.status, original.updated_at = PaymentStatus.REFUNDED, utc_now()
            db.add(original)
        db.add(row)
        return row
