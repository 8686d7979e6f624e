"""Wallets (Finance): every driver's and group account's prepaid balance and its ledger.

- `GET /wallets`: the Finance -> Wallets list through the same spec
  (`finance.wallets.listing.WALLET_LIST`): search holder / e-mail, filters holder_kind,
  method, balance (negative | positive | zero), organisation_id; sort, pages or cursor.
  `/export?format=csv|jsonl` streams them all.
- `GET /wallets/{holder_kind}/{holder_id}`: the balance (paid, bonus, total) and method.
- `GET /wallets/{holder_kind}/{holder_id}/entries`: the ledger, newest first, each movement
  with the balance after it.
- `POST .../adjustments {amount_minor (signed), bucket, reason}` -> 201: a manual
  adjustment (never takes a bucket below zero).
- `POST .../refunds {amount_minor, reason}` -> 201: paid money returned outside Stripe (at
  most the paid balance; bonus credit is never refunded).
Both posts take an optional `Idempotency-Key` header: the same key posts once, a retry
answers the first posting. Amounts are integer minor units of `currency`; times UTC.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Header, Path, Query

from ccms_app.accounts import audit
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.wallet_models import (
    AdjustmentIn,
    HolderKindName,
    LedgerLineOut,
    LedgerPageOut,
    PostedOut,
    RefundIn,
    WalletOut,
)
from ccms_app.core.listing import MAX_PAGE_SIZE
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.wallets import operations
from ccms_app.finance.wallets.listing import WALLET_LIST
from ccms_app.finance.wallets.models import LedgerTransaction
from ccms_app.finance.wallets.wallet_view import Wallet, get_wallet, ledger_page

problems.register({FinanceError: 422, FinanceNotFound: 404, FinanceConflict: 409})

PREFIX = "/wallets"
api = router(PREFIX, "Wallets")


RESOURCE = ListResource(WALLET_LIST, Module.FINANCE, "Wallet", "wallets", with_get=False)
WalletItem = add_list_routes(api, RESOURCE, narrow=filters_checked(WALLET_LIST))
Kind = Annotated[HolderKindName, Path(description="driver | group")]
HolderId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=80,
        description="Posts once per key: a retry answers the first posting",
    ),
]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}


def wallet_json(wallet: Wallet) -> dict[str, Any]:
    holder, money = wallet.holder, wallet.balance
    return {
        "holder_kind": holder.kind,
        "holder_id": holder.id,
        "name": holder.name,
        "detail": holder.detail,
        "organisation_id": holder.organisation_id,
        "method": wallet.method,
        "currency": holder.currency,
        "paid_minor": money.paid_minor,
        "bonus_minor": money.bonus_minor,
        "total_minor": money.total_minor,
    }


@api.get(
    "/{holder_kind}/{holder_id}",
    response_model=WalletOut,
    summary="A wallet's balance",
    operation_id="get_wallet",
    responses=NOT_IN_SCOPE,
)
async def get_wallet_balance(holder_kind: Kind, holder_id: HolderId, caller: Viewer) -> Any:
    wallet = await asyncio.to_thread(get_wallet, holder_kind, holder_id, caller.scope)
    return wallet_json(wallet)


def _entries(
    holder_kind: str, holder_id: int, scope: frozenset[int], page: int, page_size: int
) -> dict[str, Any]:
    found = ledger_page(holder_kind, holder_id, scope, page, page_size)
    items = [
        LedgerLineOut(**{name: getattr(line, name) for name in LedgerLineOut.model_fields})
        for line in found.lines
    ]
    return {"items": items, "total": found.total, "page": found.page, "page_size": found.page_size}


@api.get(
    "/{holder_kind}/{holder_id}/entries",
    response_model=LedgerPageOut,
    summary="A wallet's ledger, newest first, with the balance after each movement",
    operation_id="list_wallet_entries",
    responses=NOT_IN_SCOPE,
)
async def list_wallet_entries(
    holder_kind: Kind,
    holder_id: HolderId,
    caller: Viewer,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Any:
    return await asyncio.to_thread(_entries, holder_kind, holder_id, caller.scope, page, page_size)


def _actor(caller: ApiCaller) -> audit.Actor:
    email = caller.principal.email or f"api key {caller.api_key_id}"
    return audit.Actor(None, caller.principal.organisation_id, email, caller.remote_address)


def _posted(
    posted: LedgerTransaction, holder_kind: str, holder_id: int, scope: frozenset[int]
) -> dict[str, Any]:
    return {
        "transaction_id": posted.id,
        "kind": posted.kind,
        "reference": posted.reference,
        "reason": posted.reason,
        "created_by": posted.created_by,
        "created_at": posted.created_at,
        "wallet": wallet_json(get_wallet(holder_kind, holder_id, scope)),
    }


def _adjust(
    holder_kind: str, holder_id: int, body: AdjustmentIn, caller: ApiCaller, key: str
) -> dict[str, Any]:
    form = {"amount_minor": str(body.amount_minor), "bucket": body.bucket, "reason": body.reason}
    posted = operations.adjust_wallet(
        holder_kind, holder_id, form, caller.scope, _actor(caller), key
    )
    return _posted(posted, holder_kind, holder_id, caller.scope)


@api.post(
    "/{holder_kind}/{holder_id}/adjustments",
    status_code=201,
    response_model=PostedOut,
    summary="Post a manual adjustment (with a reason)",
    operation_id="adjust_wallet",
    responses=NOT_IN_SCOPE,
)
async def adjust_wallet(
    holder_kind: Kind,
    holder_id: HolderId,
    body: AdjustmentIn,
    caller: Editor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await asyncio.to_thread(
        _adjust, holder_kind, holder_id, body, caller, idempotency_key or ""
    )


def _refund(
    holder_kind: str, holder_id: int, body: RefundIn, caller: ApiCaller, key: str
) -> dict[str, Any]:
    form = {"amount_minor": str(body.amount_minor), "reason": body.reason}
    posted = operations.refund_paid_out(
        holder_kind, holder_id, form, caller.scope, _actor(caller), key
    )
    return _posted(posted, holder_kind, holder_id, caller.scope)


@api.post(
    "/{holder_kind}/{holder_id}/refunds",
    status_code=201,
    response_model=PostedOut,
    summary="Record paid money returned outside Stripe (with a reason)",
    operation_id="refund_wallet",
    responses=NOT_IN_SCOPE,
)
async def refund_wallet(
    holder_kind: Kind,
    holder_id: HolderId,
    body: RefundIn,
    caller: Editor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await asyncio.to_thread(
        _refund, holder_kind, holder_id, body, caller, idempotency_key or ""
    )
