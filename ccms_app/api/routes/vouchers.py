"""Vouchers (Finance): promo codes, their redemptions, and redeeming a code for a holder.

- `GET /vouchers`: the Finance -> Vouchers list (`finance.wallets.voucher_listing
  .VOUCHER_LIST`): search code / description, filters kind, active, organisation_id; sort,
  pages or cursor; `/export` streams them.
- `POST /vouchers` -> 201, `GET /vouchers/{id}`, `PATCH /vouchers/{id}` (only the fields
  sent; what a code gives is fixed once redeemed), `POST /vouchers/{id}/deactivate`.
- `GET /vouchers/{id}/redemptions`: who redeemed it, newest first.
- `POST /vouchers/redeem {code, holder_kind, holder_id}` -> 201 the redemption: a value
  voucher's bonus is credited at once, a percent voucher waits for the holder's next
  charged session. 422 says why a code is refused (unknown, not valid yet, expired, used
  up, not for this holder, already redeemed).
Amounts in integer minor units of `currency`; times UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query, Response

from ccms_app.accounts import audit
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.wallet_models import (
    HolderRef,
    RedeemIn,
    RedemptionOut,
    RedemptionPageOut,
    VoucherChanges,
    VoucherIn,
    VoucherOut,
)
from ccms_app.core.listing import MAX_PAGE_SIZE, ListQuery
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.wallets import voucher_admin
from ccms_app.finance.wallets.voucher_admin import VoucherView
from ccms_app.finance.wallets.voucher_listing import VOUCHER_LIST, fetch_redemptions
from ccms_app.finance.wallets.vouchers import redeem_voucher

problems.register({FinanceError: 422, FinanceNotFound: 404, FinanceConflict: 409})

PREFIX = "/vouchers"
api = router(PREFIX, "Vouchers")


RESOURCE = ListResource(VOUCHER_LIST, Module.FINANCE, "Voucher", "vouchers", with_get=False)
VoucherItem = add_list_routes(api, RESOURCE, narrow=filters_checked(VOUCHER_LIST))
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}


def voucher_json(view: VoucherView) -> dict[str, Any]:
    voucher = view.voucher
    return {
        "id": voucher.id,
        "organisation_id": voucher.organisation_id,
        "code": voucher.code,
        "description": voucher.description,
        "kind": voucher.kind,
        "value_minor": voucher.value_minor,
        "percent": voucher.percent or None,
        "currency": voucher.currency,
        "max_redemptions": voucher.max_redemptions,
        "per_holder_limit": voucher.per_holder_limit,
        "redemption_count": voucher.redemption_count,
        "valid_from": voucher.valid_from,
        "valid_until": voucher.valid_until,
        "active": voucher.active,
        "eligible": [
            {"holder_kind": h.kind, "holder_id": h.id, "name": h.name} for h in view.eligible
        ],
        "created_by": voucher.created_by,
        "created_at": voucher.created_at,
    }


def _text(value: Any) -> str:
    """A body value as the form's string (times as ISO 8601 with their offset)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _form(values: dict[str, Any]) -> dict[str, str]:
    return {key: _text(value) for key, value in values.items() if key != "eligible"}


def _api_names(exc: FinanceError) -> FinanceError:
    """The form's field names as the body's: the API sends `value_minor`, not `value`."""
    if "value" not in exc.errors:
        return exc
    errors = {("value_minor" if k == "value" else k): v for k, v in exc.errors.items()}
    return FinanceError(str(exc).replace("value:", "value_minor:"), errors)


def _keys(holders: Sequence[HolderRef]) -> list[str]:
    return [f"{h.holder_kind}:{h.holder_id}" for h in holders]


def _actor(caller: ApiCaller) -> str:
    return caller.principal.email or f"api key {caller.api_key_id}"


def _create(body: VoucherIn, caller: ApiCaller) -> dict[str, Any]:
    values = body.model_dump(exclude={"organisation_id"})
    organisation_id = body.organisation_id or caller.principal.organisation_id
    try:
        view = voucher_admin.create_voucher(
            _form(values), _keys(body.eligible), organisation_id, caller.scope, _actor(caller)
        )
    except FinanceError as exc:
        renamed = _api_names(exc)
        if renamed is exc:
            raise
        raise renamed from exc
    return voucher_json(view)


@api.post(
    "",
    status_code=201,
    response_model=VoucherOut,
    summary="Create a voucher",
    operation_id="create_voucher",
)
async def create_voucher(body: VoucherIn, caller: Editor, response: Response) -> Any:
    created = await asyncio.to_thread(_create, body, caller)
    response.headers["Location"] = f"/api/v1{PREFIX}/{created['id']}"
    return created


@api.post(
    "/redeem",
    status_code=201,
    response_model=RedemptionOut,
    summary="Redeem a code for a driver or group account",
    operation_id="redeem_voucher",
    responses=NOT_IN_SCOPE,
)
async def redeem(body: RedeemIn, caller: Editor) -> Any:
    who = audit.Actor(None, caller.principal.organisation_id, _actor(caller), caller.remote_address)
    redemption = await asyncio.to_thread(
        redeem_voucher, body.code, body.holder_kind, body.holder_id, caller.scope, who
    )
    view = await asyncio.to_thread(voucher_admin.get_voucher, redemption.voucher_id, caller.scope)
    return {**redemption.model_dump(), "code": view.voucher.code}


@api.get(
    "/{id}",
    response_model=VoucherOut,
    summary="One voucher with its eligible holders",
    operation_id="get_voucher",
    responses=NOT_IN_SCOPE,
)
async def get_voucher(id: Id, caller: Viewer) -> Any:
    return voucher_json(await asyncio.to_thread(voucher_admin.get_voucher, id, caller.scope))


def _update(voucher_id: int, body: VoucherChanges, caller: ApiCaller) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    eligible = None if body.eligible is None else _keys(body.eligible)
    if "active" in values:
        values["active"] = "true" if values["active"] else "false"
    try:
        view = voucher_admin.update_voucher(voucher_id, _form(values), eligible, caller.scope)
    except FinanceError as exc:
        renamed = _api_names(exc)
        if renamed is exc:
            raise
        raise renamed from exc
    return voucher_json(view)


@api.patch(
    "/{id}",
    response_model=VoucherOut,
    summary="Change a voucher (only the fields sent)",
    operation_id="update_voucher",
    responses=NOT_IN_SCOPE,
)
async def update_voucher(id: Id, body: VoucherChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(_update, id, body, caller)


@api.post(
    "/{id}/deactivate",
    response_model=VoucherOut,
    summary="No more redemptions of this code",
    operation_id="deactivate_voucher",
    responses=NOT_IN_SCOPE,
)
async def deactivate_voucher(id: Id, caller: Editor) -> Any:
    view = await asyncio.to_thread(voucher_admin.deactivate_voucher, id, caller.scope)
    return voucher_json(view)


def _redemptions(
    voucher_id: int, scope: frozenset[int], page: int, page_size: int
) -> dict[str, Any]:
    voucher_admin.get_voucher(voucher_id, scope)  # 404 outside the scope
    query = ListQuery(sort="created_at", descending=True, page=page, page_size=page_size)
    found = fetch_redemptions(voucher_id, query, scope)
    return {
        "items": found.rows,
        "total": found.total,
        "page": found.page,
        "page_size": found.page_size,
    }


@api.get(
    "/{id}/redemptions",
    response_model=RedemptionPageOut,
    summary="Who redeemed the voucher, newest first",
    operation_id="list_voucher_redemptions",
    responses=NOT_IN_SCOPE,
)
async def list_voucher_redemptions(
    id: Id,
    caller: Viewer,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
) -> Any:
    return await asyncio.to_thread(_redemptions, id, caller.scope, page, page_size)
