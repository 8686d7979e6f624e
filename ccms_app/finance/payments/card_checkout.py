"""Saving a card on Stripe's hosted Checkout page (mode "setup"): no Stripe.js on our pages.

`start_card_checkout` gets (or creates) the holder's Stripe customer and opens a Checkout
Session in setup mode for it, in the holder's organisation's currency; the payer enters the
card on Stripe's page and comes back to `success_url`. Stripe then reports the completed
session (`checkout.session.completed`, mode "setup", naming its SetupIntent) and the
SetupIntent itself (`setup_intent.succeeded`). Either one saves the card on the holder's
`PaymentAccount` (`save_intent_card`), whichever comes first; the other stores the same card
again, which changes nothing. A payment-mode session (a top-up) is not touched here.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from sqlmodel import Session

from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.payments.payment_accounts import remember_setup, save_card, stripe_customer
from ccms_app.finance.payments.webhook_dispatch import event_object
from ccms_app.finance.rules import stripe_limits

log = logging.getLogger(__name__)

SETUP_MODE = "setup"


def _check_return_urls(success_url: str, cancel_url: str) -> None:
    errors = {
        name: problem
        for name, url in (("success_url", success_url), ("cancel_url", cancel_url))
        if (problem := stripe_limits.url_problem(url))
    }
    if errors:
        raise FinanceError(tr("Check the return pages."), errors)


def start_card_checkout(
    scope: Collection[int],
    holder_kind: str,
    holder_id: int,
    success_url: str,
    cancel_url: str,
    actor: str,
) -> gateway.SetupCheckout:
    """Open Stripe's page that saves a card for the holder; the answer carries its URL.
    PaymentsNotConfigured without Stripe keys; FinanceError naming success_url / cancel_url
    for a return page Stripe would refuse; FinanceNotFound outside `scope`; StripeFailure
    when Stripe refuses."""
    if not gateway.configured():
        raise gateway.PaymentsNotConfigured(gateway.NOT_CONFIGURED)
    _check_return_urls(success_url, cancel_url)
    customer = stripe_customer(scope, holder_kind, holder_id)
    with read_session() as db:
        currency = organisation_currency(db, customer.holder.organisation_id)
    opened = gateway.create_setup_checkout(
        customer_id=customer.customer_id,
        currency=currency,
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=f"card_checkout:{customer.account_id}:{utc_now().timestamp():.6f}",
        metadata={"holder_kind": customer.holder.kind, "holder_id": str(holder_id)},
    )
    remember_setup(customer, opened.setup_intent_id)
    log.info(
        "card checkout started",
        extra={"holder": f"{customer.holder.kind}:{holder_id}", "actor": actor},
    )
    return opened


def save_intent_card(db: Session, intent: dict[str, Any]) -> str:
    """Store the card of a succeeded SetupIntent (an event's object or Stripe's answer) on
    its holder's account; the outcome for the event row. Saving the same card twice is
    harmless, so both events Stripe sends for one setup may arrive, in any order."""
    intent_id = str(intent.get("id") or "")
    method = intent.get("payment_method")
    if isinstance(method, dict):
        method_id, label = str(method.get("id") or ""), gateway.card_label(method)
    else:
        method_id = str(method or "")
        label = gateway.describe_card(method_id) if method_id else ""
    if not intent_id or not method_id:
        return "setup intent without a payment method"
    account = save_card(
        db,
        setup_intent_id=intent_id,
        customer_id=str(intent.get("customer") or ""),
        payment_method_id=method_id,
        label=label,
    )
    if account is None:
        return f"no payment account for {intent_id}"
    return f"card saved for {account.holder_kind} {account.holder_id}: {label}"


def checkout_completed(db: Session, event: dict[str, Any]) -> str:
    """Webhook: a setup-mode Checkout finished; its SetupIntent's card is saved. Sessions of
    other modes are the top-ups' ("" here)."""
    session = event_object(event)
    if session.get("mode") != SETUP_MODE:
        return ""
    setup = session.get("setup_intent")
    if isinstance(setup, dict):
        intent = setup
    elif setup:
        intent = gateway.retrieve_setup_intent(str(setup))  # the event names it only
    else:
        return f"card checkout {session.get('id') or ''} without a SetupIntent".strip()
    if str(intent.get("status") or "") != "succeeded":
        return f"card checkout {session.get('id')}: setup {intent.get('status') or 'unknown'}"
    if not intent.get("customer"):
        intent = {**intent, "customer": session.get("customer")}
    return save_intent_card(db, intent)


def checkout_expired(db: Session, event: dict[str, Any]) -> str:
    """Webhook: a card page timed out unused; nothing was saved, nothing to undo."""
    del db
    session = event_object(event)
    if session.get("mode") != SETUP_MODE:
        return ""
    return f"card checkout {session.get('id') or ''}: expired, no card saved"
