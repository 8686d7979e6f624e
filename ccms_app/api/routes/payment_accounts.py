"""How a driver or group account pays, and its saved card.

- `GET /payment-accounts/{holder_kind}/{holder_id}`: the method (wallet | card | invoice |
  free; invoice when never set) and the saved card's label.
- `PUT /payment-accounts/{holder_kind}/{holder_id} {method}`: choose it; 422 for "card"
  without a saved card.
- `POST /payment-accounts/{holder_kind}/{holder_id}/card-setup`: a Stripe SetupIntent ->
  its client secret for Stripe.js (`confirmCardSetup`); Stripe's `setup_intent.succeeded`
  webhook then saves the card. 503 when Stripe is not configured, 502 when it refuses.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT
from ccms_app.api.routes.payment_models import (
    CardSetupOut,
    HolderKindIn,
    PaymentAccountOut,
    PaymentMethodIn,
)
from ccms_app.api.routes.payments import actor_of
from ccms_app.finance.payments import payment_accounts
from ccms_app.finance.payments.models import PaymentAccount

api = router("/payment-accounts", "Payment accounts")
HolderKind = Annotated[HolderKindIn, Path(description="driver | group")]
HolderId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such holder in scope"}}


def _out(account: PaymentAccount) -> PaymentAccountOut:
    return PaymentAccountOut(
        holder_kind=account.holder_kind,
        holder_id=account.holder_id,
        organisation_id=account.organisation_id,
        method=account.method,
        card_label=account.card_label,
        has_card=bool(account.card_payment_method_id),
        stripe_customer_id=account.stripe_customer_id,
    )


@api.get(
    "/{holder_kind}/{holder_id}",
    response_model=PaymentAccountOut,
    summary="How a driver or group pays",
    operation_id="get_payment_account",
    responses=NOT_FOUND,
)
async def get_payment_account(holder_kind: HolderKind, holder_id: HolderId, caller: Viewer) -> Any:
    found = await asyncio.to_thread(
        payment_accounts.account_view, caller.scope, holder_kind, holder_id
    )
    return _out(found)


@api.put(
    "/{holder_kind}/{holder_id}",
    response_model=PaymentAccountOut,
    summary="Choose how a driver or group pays",
    operation_id="put_payment_account",
    responses=NOT_FOUND,
)
async def put_payment_account(
    holder_kind: HolderKind, holder_id: HolderId, body: PaymentMethodIn, caller: Editor
) -> Any:
    saved = await asyncio.to_thread(
        payment_accounts.set_method,
        caller.scope,
        holder_kind,
        holder_id,
        body.method,
        actor_of(caller).email,
    )
    return _out(saved)


@api.post(
    "/{holder_kind}/{holder_id}/card-setup",
    response_model=CardSetupOut,
    summary="Start saving a card (Stripe SetupIntent): its client secret for Stripe.js",
    operation_id="start_card_setup",
    responses={
        **NOT_FOUND,
        502: {"description": "Stripe refused; nothing was saved"},
        503: {"description": "Card payments are not configured"},
    },
)
async def start_card_setup(holder_kind: HolderKind, holder_id: HolderId, caller: Editor) -> Any:
    setup_id, secret = await asyncio.to_thread(
        payment_accounts.start_card_setup,
        caller.scope,
        holder_kind,
        holder_id,
        actor_of(caller).email,
    )
    return CardSetupOut(setup_intent_id=setup_id, client_secret=secret)
