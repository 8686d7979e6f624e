"""How each driver and group account pays (wallet, card, invoice, free) and its saved card.

A holder without a `PaymentAccount` row pays by monthly invoice, as before payments existed.
A card is saved with a Stripe SetupIntent: `start_card_setup` gives the client secret that
Stripe.js (or the driver app) confirms; the `setup_intent.succeeded` webhook then stores the
payment method and its label (`save_card`). "card" can only be chosen once a card is saved.

`payer_of_id_tag` runs on the Authorize / StartTransaction path: two indexed queries (the id
tag, case-insensitively as OCPP wants, then the payer's account by its unique key).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.id_tag_lookup import find_id_tag
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.holders import Holder, find_holder
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod
from ccms_app.finance.wallets.models import HolderKind

log = logging.getLogger(__name__)

METHODS = tuple(method.value for method in PaymentMethod)


@dataclass(frozen=True)
class Payer:
    """Who pays for a session started with an id tag, and how."""

    organisation_id: int
    holder_kind: str
    holder_id: int
    method: PaymentMethod
    account: PaymentAccount | None


def get_account(db: Session, holder_kind: str, holder_id: int) -> PaymentAccount | None:
    return db.exec(
        select(PaymentAccount).where(
            col(PaymentAccount.holder_kind) == holder_kind,
            col(PaymentAccount.holder_id) == holder_id,
        )
    ).first()


def _method_of(account: PaymentAccount | None) -> PaymentMethod:
    if account is None:
        return PaymentMethod.INVOICE
    try:
        return PaymentMethod(account.method)
    except ValueError:
        return PaymentMethod.INVOICE


def payer_of_id_tag(db: Session, id_tag: str) -> Payer | None:
    """The payer of a session started with `id_tag`: a group card charges its group, any
    other card its driver. None for an unknown tag or a tag that belongs to nobody."""
    tag = find_id_tag(db, id_tag)
    if tag is None:
        return None
    organisation_id, driver_id, group_id = tag.organisation_id, tag.driver_id, tag.group_id
    if group_id is not None:
        kind, holder_id = HolderKind.GROUP.value, int(group_id)
    elif driver_id is not None:
        kind, holder_id = HolderKind.DRIVER.value, int(driver_id)
    else:
        return None
    account = get_account(db, kind, holder_id)
    return Payer(organisation_id, kind, holder_id, _method_of(account), account)


def payer_of(db: Session, holder_kind: str, holder_id: int) -> Payer:
    """The payer behind a holder; FinanceNotFound when there is no such driver or group."""
    holder = find_holder(db, holder_kind, holder_id, None)
    account = get_account(db, holder.kind, holder_id)
    return Payer(holder.organisation_id, holder.kind, holder_id, _method_of(account), account)


def _account_for_edit(
    db: Session, holder_kind: str, holder_id: int, organisation_id: int
) -> PaymentAccount:
    account = get_account(db, holder_kind, holder_id)
    if account is None:
        account = PaymentAccount(
            organisation_id=organisation_id, holder_kind=holder_kind, holder_id=holder_id
        )
    return account


def account_view(scope: Collection[int], holder_kind: str, holder_id: int) -> PaymentAccount:
    """The holder's account as it stands (an unsaved default when it has none)."""
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        return _account_for_edit(db, holder.kind, holder_id, holder.organisation_id)


def set_method(
    scope: Collection[int], holder_kind: str, holder_id: int, method: str, actor: str
) -> PaymentAccount:
    """Choose how the holder pays. FinanceError (field "method") for an unknown method or
    "card" without a saved card; FinanceNotFound for a holder outside `scope`."""
    chosen = method.strip().lower()
    if chosen not in METHODS:
        raise FinanceError(
            tr("Unknown payment method {method}.", method=repr(method)),
            {"method": tr("Must be one of: {choices}.", choices=", ".join(METHODS))},
        )
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        account = _account_for_edit(db, holder.kind, holder_id, holder.organisation_id)
        if chosen == PaymentMethod.CARD and not account.card_payment_method_id:
            raise FinanceError(
                tr("No card is saved for this payer yet."),
                {"method": tr("Save a card first (Set up a card), then choose card.")},
            )
        account.method, account.updated_at = chosen, utc_now()
        db.add(account)
        db.flush()
    log.info(
        "payment method set",
        extra={"holder": f"{holder.kind}:{holder_id}", "method": chosen, "actor": actor},
    )
    return account


def start_card_setup(
    scope: Collection[int], holder_kind: str, holder_id: int, actor: str
) -> tuple[str, str]:
    """A SetupIntent for the holder's card: (its id, the client secret Stripe.js confirms).
    The Stripe customer is created once (key "customer:<kind>:<id>"); Stripe is called
    outside any database transaction."""
    customer = stripe_customer(scope, holder_kind, holder_id)
    setup_id, client_secret = gateway.create_setup_intent(
        customer_id=customer.customer_id,
        idempotency_key=f"card_setup:{customer.account_id}:{utc_now().timestamp():.6f}",
    )
    remember_setup(customer, setup_id)
    log.info(
        "card setup started",
        extra={"holder": f"{customer.holder.kind}:{holder_id}", "actor": actor},
    )
    return setup_id, client_secret


@dataclass(frozen=True)
class StripeCustomer:
    """A holder's payment account and its Stripe customer (what a saved card hangs off)."""

    account_id: int
    customer_id: str
    holder: Holder


def stripe_customer(scope: Collection[int], holder_kind: str, holder_id: int) -> StripeCustomer:
    """The holder's payment account (stored now if it had none) and Stripe customer, created
    once (key "customer:<kind>:<id>"; Stripe is called outside any database transaction).
    PaymentsNotConfigured without Stripe keys; FinanceNotFound outside `scope`."""
    if not gateway.configured():
        raise gateway.PaymentsNotConfigured(gateway.NOT_CONFIGURED)
    with session_scope() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        account = _account_for_edit(db, holder.kind, holder_id, holder.organisation_id)
        db.add(account)
        db.flush()
        account_id, customer_id = stored_id(account.id), account.stripe_customer_id
    if not customer_id:
        customer_id = gateway.create_customer(
            email=holder.email,
            name=holder.name,
            idempotency_key=f"customer:{holder.kind}:{holder_id}",
            metadata={"holder_kind": holder.kind, "holder_id": str(holder_id)},
        )
    return StripeCustomer(account_id, customer_id, holder)


def remember_setup(customer: StripeCustomer, setup_intent_id: str) -> None:
    """Keep the customer and the card setup under way on the account (the webhook that
    saves the card finds the account by them)."""
    with session_scope() as db:
        stored = db.get(PaymentAccount, customer.account_id)
        if stored is None:
            raise FinanceNotFound(
                tr("No payment account {account_id}.", account_id=customer.account_id)
            )
        stored.stripe_customer_id = customer.customer_id
        if setup_intent_id:
            stored.setup_intent_id = setup_intent_id
        stored.updated_at = utc_now()
        db.add(stored)


def save_card(
    db: Session, *, setup_intent_id: str, customer_id: str, payment_method_id: str, label: str
) -> PaymentAccount | None:
    """Store the card a SetupIntent saved (webhook, inside its transaction); None when no
    account started that SetupIntent or owns that customer."""
    account = db.exec(
        select(PaymentAccount).where(col(PaymentAccount.setup_intent_id) == setup_intent_id)
    ).first()
    if account is None and customer_id:
        account = db.exec(
            select(PaymentAccount).where(col(PaymentAccount.stripe_customer_id) == customer_id)
        ).first()
    if account is None:
        return None
    account.card_payment_method_id, account.card_label = payment_method_id, label[:64]
    account.updated_at = utc_now()
    db.add(account)
    return account
