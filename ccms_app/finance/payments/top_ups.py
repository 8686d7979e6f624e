"""Wallet top-ups through Stripe Checkout (the recharge history).

`start` records a `TopUp` (open) and its `Payment` (kind top_up, idempotency key
"top_up:<id>") in one transaction, then asks Stripe for a Checkout Session with that key
(outside any transaction: a retry gets the same session) and stores its id and URL. The
driver pays on Stripe's page; `checkout.session.completed` credits the wallet once (ledger
reference "top_up:<id>": paid money = what was paid, bonus = the package's extra) and marks
the top-up paid and the payment succeeded. `checkout.session.expired` closes it. A Checkout
that reports another amount than ours is flagged (reconciliation) and credits nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import packages
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.holders import Holder, find_holder, organisation_currency
from ccms_app.finance.payments.models import (
    Payment,
    PaymentKind,
    PaymentStatus,
    TopUp,
    TopUpPackage,
    TopUpState,
)
from ccms_app.finance.payments.reconcile import flag, record_report
from ccms_app.finance.payments.webhook_dispatch import event_object
from ccms_app.finance.rules import payments as rules
from ccms_app.finance.rules import stripe_limits
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopUpRequest:
    """What the holder pays: a package, one of the fixed recharge amounts, or a typed amount
    within the organisation's limits (exactly one of them). The return pages may name the
    new top-up with `{TOP_UP_ID}` (the driver app's wallet does)."""

    package_id: int | None = None
    recharge_minor: int | None = None
    amount_text: str = ""
    success_url: str = ""
    cancel_url: str = ""


@dataclass(frozen=True)
class _Priced:
    pay_minor: int
    bonus_minor: int
    currency: str
    package_id: int | None
    description: str


def _priced(db: Session, holder: Holder, request: TopUpRequest) -> _Priced:
    chosen = [
        request.package_id is not None,
        request.recharge_minor is not None,
        bool(request.amount_text.strip()),
    ]
    if sum(chosen) != 1:
        message = tr("Choose a package, a recharge amount or type an amount (one of them).")
        raise FinanceError(message, {"amount": message})
    currency = organisation_currency(db, holder.organisation_id)
    if request.package_id is not None:
        found = packages.package(db, request.package_id, [holder.organisation_id])
        if not found.active:
            raise FinanceError(
                tr("That package is switched off."), {"package_id": tr("Not active.")}
            )
        return _Priced(
            found.pay_minor,
            found.credit_minor - found.pay_minor,
            found.currency,
            found.id,
            f"Wallet top-up: {found.name}",
        )
    settings = payment_settings.current(db, holder.organisation_id)
    if request.recharge_minor is not None:
        allowed = rules.stored_amounts(settings.recharge_amounts)
        if request.recharge_minor not in allowed:
            shown = ", ".join(format_minor(a, currency) for a in allowed) or tr("none")
            message = tr("Not one of the recharge amounts ({amounts}).", amounts=shown)
            raise FinanceError(message, {"recharge_minor": message})
        amount = request.recharge_minor
    else:
        amount = rules.custom_amount(
            request.amount_text,
            currency,
            settings.top_up_minimum_minor,
            settings.top_up_maximum_minor,
        )
    return _Priced(amount, 0, currency, None, f"Wallet top-up {format_minor(amount, currency)}")


def _chargeable(priced: _Priced, request: TopUpRequest) -> None:
    """Stripe's own limits, before a row exists: a top-up Stripe would refuse is the
    caller's wrong field (named as the form names it), not a failed top-up."""
    problem = stripe_limits.amount_problem(priced.pay_minor, priced.currency)
    if problem:
        if request.package_id is not None:
            field = "package_id"
        else:
            field = "recharge_minor" if request.recharge_minor is not None else "amount"
        raise FinanceError(problem, {field: problem})


def _check_return_urls(request: TopUpRequest) -> None:
    """The pages Stripe sends the payer back to, when the caller chose them (ours are
    built from CCMS_PUBLIC_URL): FinanceError naming success_url / cancel_url."""
    errors = {
        name: problem
        for name, url in (("success_url", request.success_url), ("cancel_url", request.cancel_url))
        if url and (problem := stripe_limits.url_problem(url))
    }
    if errors:
        raise FinanceError(tr("Check the return pages."), errors)


@dataclass(frozen=True)
class TopUpChoices:
    """What a holder may top up with: its organisation's fixed amounts, limits, packages."""

    currency: str
    recharge_amounts: tuple[int, ...]
    minimum_minor: int
    maximum_minor: int
    packages: tuple[TopUpPackage, ...]


def choices(scope: Collection[int], holder_kind: str, holder_id: int) -> TopUpChoices:
    with read_session() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        settings = payment_settings.current(db, holder.organisation_id)
        currency = organisation_currency(db, holder.organisation_id)
    offered = packages.packages([holder.organisation_id], active_only=True)
    return TopUpChoices(
        currency,
        rules.stored_amounts(settings.recharge_amounts),
        settings.top_up_minimum_minor,
        settings.top_up_maximum_minor,
        tuple(offered),
    )


def holder_currency(scope: Collection[int], holder_kind: str, holder_id: int) -> str:
    """The currency a holder tops up in (its organisation's); FinanceNotFound outside scope."""
    with read_session() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        return organisation_currency(db, holder.organisation_id)


TOP_UP_ID = "{TOP_UP_ID}"  # in a caller's return page: becomes the new top-up's id


def _urls(request: TopUpRequest, top_up_id: int) -> tuple[str, str]:
    """The return pages: the caller's (its `{TOP_UP_ID}` filled in), else Finance's own."""
    base = f"{get_settings().charger_base_url}/finance/top-ups"
    return (
        request.success_url.replace(TOP_UP_ID, str(top_up_id))
        or f"{base}?top_up={top_up_id}&result=paid",
        request.cancel_url.replace(TOP_UP_ID, str(top_up_id))
        or f"{base}?top_up={top_up_id}&result=canceled",
    )


def start(
    scope: Collection[int], holder_kind: str, holder_id: int, request: TopUpRequest, actor: str
) -> TopUp:
    """Open a top-up and its Stripe Checkout; the returned row carries `checkout_url`.
    PaymentsNotConfigured without Stripe keys; FinanceError for what Stripe would refuse
    (an amount outside its limits, a return page that is not a URL); StripeFailure when
    Stripe refuses anyway (the top-up is then kept as failed, with the reason on its
    payment)."""
    if not gateway.configured():
        raise gateway.PaymentsNotConfigured(gateway.NOT_CONFIGURED)
    _check_return_urls(request)
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        priced = _priced(db, holder, request)
        _chargeable(priced, request)
        top_up = TopUp(
            organisation_id=holder.organisation_id,
            holder_kind=holder.kind,
            holder_id=holder_id,
            package_id=priced.package_id,
            pay_minor=priced.pay_minor,
            bonus_minor=priced.bonus_minor,
            currency=priced.currency,
            created_by=actor,
        )
        db.add(top_up)
        db.flush()
        top_up_id = stored_id(top_up.id)
        payment = Payment(
            organisation_id=holder.organisation_id,
            kind=PaymentKind.TOP_UP,
            holder_kind=holder.kind,
            holder_id=holder_id,
            top_up_id=top_up_id,
            currency=priced.currency,
            amount_minor=priced.pay_minor,
            idempotency_key=f"top_up:{top_up_id}",
            created_by=actor,
        )
        db.add(payment)
    success_url, cancel_url = _urls(request, top_up_id)
    try:
        session_id, url = gateway.create_checkout(
            amount_minor=priced.pay_minor,
            currency=priced.currency,
            description=priced.description,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=payment.idempotency_key,
            metadata={"top_up_id": str(top_up_id), "holder": f"{holder.kind}:{holder_id}"},
        )
    except gateway.StripeFailure as error:
        _opened(top_up_id, "", "", str(error))
        raise
    log.info("top-up started", extra={"top_up_id": top_up_id, "actor": actor})
    return _opened(top_up_id, session_id, url, "")


def _opened(top_up_id: int, session_id: str, url: str, error: str) -> TopUp:
    with session_scope() as db:
        top_up = db.get(TopUp, top_up_id)
        payment = payment_of(db, top_up_id)
        if top_up is None or payment is None:
            raise FinanceNotFound(tr("No top-up {top_up_id}.", top_up_id=top_up_id))
        if error:
            top_up.state, payment.status, payment.error = (
                TopUpState.FAILED,
                PaymentStatus.FAILED,
                error[:300],
            )
        else:
            top_up.checkout_session_id, top_up.checkout_url = session_id, url[:500]
            payment.stripe_id, payment.status = session_id, PaymentStatus.REQUIRES_ACTION
            payment.stripe_status = "open"
        payment.updated_at = utc_now()
        db.add_all([top_up, payment])
        return top_up


def payment_of(db: Session, top_up_id: int) -> Payment | None:
    return db.exec(
        select(Payment).where(
            col(Payment.top_up_id) == top_up_id, col(Payment.kind) == PaymentKind.TOP_UP
        )
    ).first()


def payment_of_id(top_up_id: int) -> int:
    """The id of the top-up's payment (0 when it has none)."""
    with read_session() as db:
        found = payment_of(db, top_up_id)
        return int(found.id or 0) if found is not None else 0


def get(top_up_id: int, scope: Collection[int]) -> TopUp:
    with read_session() as db:
        found = db.get(TopUp, top_up_id)
        if found is None or found.organisation_id not in scope:
            raise FinanceNotFound(tr("No top-up {top_up_id} in your network.", top_up_id=top_up_id))
        return found


def _top_up_of_session(db: Session, session: dict[str, Any]) -> TopUp | None:
    session_id = str(session.get("id") or "")
    if not session_id:
        return None
    return db.exec(select(TopUp).where(col(TopUp.checkout_session_id) == session_id)).first()


def checkout_completed(db: Session, event: dict[str, Any]) -> str:
    """Webhook: the driver paid. Credits the wallet once, or flags a differing amount.
    A setup-mode session saves a card (finance.payments.card_checkout): "" here."""
    session = event_object(event)
    if session.get("mode") == "setup":
        return ""
    top_up = _top_up_of_session(db, session)
    payment = payment_of(db, stored_id(top_up.id)) if top_up is not None else None
    if top_up is None or payment is None:
        return f"no top-up for {session.get('id') or 'an unnamed session'}"
    if session.get("payment_status") != "paid":
        return f"top-up {top_up.id}: checkout complete, payment not yet received"
    if top_up.state == TopUpState.PAID:
        return f"top-up {top_up.id}: already credited"
    paid = int(session.get("amount_total") or 0)
    currency = str(session.get("currency") or "").upper()
    payment.stripe_id = str(session.get("payment_intent") or payment.stripe_id)[:120]
    if paid != top_up.pay_minor or currency != top_up.currency:
        record_report(payment, "complete", paid)
        flag(
            payment,
            f"Stripe received {format_minor(paid, currency or top_up.currency, False)} "
            f"{currency}, CCMS expected {format_minor(top_up.pay_minor, top_up.currency)}; "
            "the wallet was not credited",
        )
        db.add(payment)
        return f"top-up {top_up.id}: amount mismatch, not credited"
    return _credit(db, top_up, payment, paid)


def _credit(db: Session, top_up: TopUp, payment: Payment, paid: int) -> str:
    posted = credit_wallet(
        db,
        organisation_id=top_up.organisation_id,
        holder_kind=top_up.holder_kind,
        holder_id=top_up.holder_id,
        currency=top_up.currency,
        paid_minor=top_up.pay_minor,
        bonus_minor=top_up.bonus_minor,
        kind=LedgerKind.TOP_UP,
        reference=f"top_up:{top_up.id}",
        reason=f"Top-up {top_up.id} paid through Stripe Checkout",
        created_by="stripe",
    )
    top_up.state, top_up.paid_at = TopUpState.PAID, utc_now()
    if posted is not None:
        top_up.ledger_transaction_id = posted.id
    payment.status, payment.captured_minor = PaymentStatus.SUCCEEDED, top_up.pay_minor
    record_report(payment, "succeeded", paid)
    db.add_all([top_up, payment])
    credited = format_minor(top_up.pay_minor + top_up.bonus_minor, top_up.currency)
    return f"top-up {top_up.id}: credited {credited}"


def checkout_expired(db: Session, event: dict[str, Any]) -> str:
    """Webhook: the Checkout page timed out unpaid (a setup-mode page is not a top-up)."""
    session = event_object(event)
    if session.get("mode") == "setup":
        return ""
    top_up = _top_up_of_session(db, session)
    if top_up is None:
        return f"no top-up for {session.get('id') or 'an unnamed session'}"
    if top_up.state != TopUpState.OPEN:
        return f"top-up {top_up.id}: already {top_up.state}"
    top_up.state = TopUpState.EXPIRED
    payment = payment_of(db, stored_id(top_up.id))
    if payment is not None:
        payment.status = PaymentStatus.CANCELED
        record_report(payment, "expired", 0)
        db.add(payment)
    db.add(top_up)
    return f"top-up {top_up.id}: expired"
