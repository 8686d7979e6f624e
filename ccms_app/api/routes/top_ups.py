"""Wallet top-ups through Stripe Checkout, their packages, and the payment settings.

- `GET /top-ups` (+ `/export`, `/{id}`): the recharge history (`TOP_UP_LIST`): filters
  state, organisation_id, holder_kind, holder_id, package_id (an unknown state or
  holder_kind is a 400 naming the choices, before anything is streamed); search the holder.
- `POST /top-ups {holder_kind, holder_id, package_id | recharge_minor | amount_minor,
  success_url?, cancel_url?}` -> 201 the top-up with its `checkout_url` (the Stripe
  Checkout page to send the driver to); 422 for what Stripe would refuse (an amount
  outside Stripe's limits, a return URL that is not one), 503 when Stripe is not
  configured, 502 when it refuses anyway (the top-up is kept as failed).
- `GET /top-up-packages`, `POST /top-up-packages`, `PATCH /top-up-packages/{id}`: "pay 50,
  get 55" (bonus = credit - pay); a package is switched off (`active`), not deleted.
- `GET /payment-settings`, `PUT /payment-settings` (`?organisation_id=`, default the key's):
  card hold, wallet minimum, recharge amounts, top-up limits, memberships on/off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Query, Response

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.payment_models import (
    PackageChanges,
    PackageIn,
    PackageList,
    PackageOut,
    PaymentSettingsBody,
    PaymentSettingsOut,
    TopUpIn,
)
from ccms_app.api.routes.payments import actor_of
from ccms_app.core import listing as core_listing
from ccms_app.core.money import format_minor
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.payments import packages, settings, top_ups
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.listing import TOP_UP_LIST
from ccms_app.finance.payments.models import TopUpPackage
from ccms_app.finance.payments.settings import values_of

RESOURCE = ListResource(TOP_UP_LIST, Module.FINANCE, "TopUp", "top_ups")
api = router("", "Top-ups")
TopUpItem = add_list_routes(api, RESOURCE, prefix="/top-ups", narrow=filters_checked(TOP_UP_LIST))
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
Organisation = Annotated[int | None, Query(ge=1, le=MAX_INT, description="Default: the key's")]


def _minor_text(value: int, currency: str) -> str:
    return format_minor(value, currency, with_code=False)


# --- top-ups ----------------------------------------------------------------------------


def _start(body: TopUpIn, caller: ApiCaller) -> dict[str, Any]:
    request = top_ups.TopUpRequest(
        package_id=body.package_id,
        recharge_minor=body.recharge_minor,
        amount_text="",
        success_url=body.success_url,
        cancel_url=body.cancel_url,
    )
    if body.amount_minor is not None:
        request = _with_amount(request, body, caller)
    try:
        started = top_ups.start(
            caller.scope, body.holder_kind, body.holder_id, request, actor_of(caller).email
        )
    except FinanceError as error:
        error.errors = _api_fields(error.errors)  # the API's field names, same error
        raise
    row = core_listing.fetch_one(TOP_UP_LIST, started.id, caller.scope)
    if row is None:
        raise Problem(404, f"No top-up {started.id} in this key's scope.")
    return row


def _with_amount(
    request: top_ups.TopUpRequest, body: TopUpIn, caller: ApiCaller
) -> top_ups.TopUpRequest:
    """A typed amount in minor units, as the form's text in the holder's currency."""
    currency = top_ups.holder_currency(caller.scope, body.holder_kind, body.holder_id)
    text = _minor_text(body.amount_minor or 0, currency)
    return top_ups.TopUpRequest(
        package_id=request.package_id,
        recharge_minor=request.recharge_minor,
        amount_text=text,
        success_url=request.success_url,
        cancel_url=request.cancel_url,
    )


@api.post(
    "/top-ups",
    status_code=201,
    response_model=TopUpItem,
    summary="Start a wallet top-up: answers the Stripe Checkout page to send the driver to",
    operation_id="start_top_up",
    responses={
        404: {"description": "No such holder in this key's scope"},
        502: {"description": "Stripe refused"},
        503: {"description": "Card payments are not configured"},
    },
)
async def start_top_up(body: TopUpIn, caller: Editor, response: Response) -> Any:
    row = await asyncio.to_thread(_start, body, caller)
    response.headers["Location"] = f"/api/v1/top-ups/{row['id']}"
    return row


# --- packages -----------------------------------------------------------------------------


def _package_out(found: TopUpPackage) -> PackageOut:
    return PackageOut(
        id=int(found.id or 0),
        organisation_id=found.organisation_id,
        name=found.name,
        pay_minor=found.pay_minor,
        credit_minor=found.credit_minor,
        bonus_minor=found.credit_minor - found.pay_minor,
        currency=found.currency,
        active=found.active,
    )


def _api_fields(errors: Mapping[str, str]) -> dict[str, str]:
    renamed = {"pay": "pay_minor", "credit": "credit_minor", "amount": "amount_minor"}
    return {renamed.get(k, k): v for k, v in errors.items()}


def _package_form(values: Mapping[str, Any], currency: str) -> dict[str, str]:
    form: dict[str, str] = {}
    if values.get("name") is not None:
        form["name"] = str(values["name"])
    for key, field in (("pay_minor", "pay"), ("credit_minor", "credit")):
        if values.get(key) is not None:
            form[field] = _minor_text(int(values[key]), currency)
    if values.get("active") is not None:
        form["active"] = "true" if values["active"] else "false"
    return form


def _create_package(body: PackageIn, caller: ApiCaller) -> PackageOut:
    organisation_id = body.organisation_id or caller.principal.organisation_id
    _form, default_currency = settings.form_of(organisation_id, caller.scope)
    currency = (body.currency or default_currency).upper()
    form = _package_form(body.model_dump(), currency) | {"currency": currency}
    try:
        made = packages.create(organisation_id, form, actor_of(caller).email, caller.scope)
    except FinanceError as error:
        raise FinanceError(str(error), _api_fields(error.errors)) from error
    return _package_out(made)


def _update_package(package_id: int, body: PackageChanges, caller: ApiCaller) -> PackageOut:
    found = packages.get(package_id, caller.scope)
    form = _package_form(body.model_dump(), found.currency)
    try:
        changed = packages.update(package_id, form, actor_of(caller).email, caller.scope)
    except FinanceError as error:
        raise FinanceError(str(error), _api_fields(error.errors)) from error
    return _package_out(changed)


@api.get(
    "/top-up-packages",
    response_model=PackageList,
    summary="Top-up packages of the key's organisations",
    operation_id="list_top_up_packages",
)
async def list_top_up_packages(caller: Viewer) -> Any:
    found = await asyncio.to_thread(packages.packages, caller.scope)
    return PackageList(items=[_package_out(p) for p in found])


@api.post(
    "/top-up-packages",
    status_code=201,
    response_model=PackageOut,
    summary='Create a top-up package ("pay 50, get 55")',
    operation_id="create_top_up_package",
)
async def create_top_up_package(body: PackageIn, caller: Editor) -> Any:
    return await asyncio.to_thread(_create_package, body, caller)


@api.patch(
    "/top-up-packages/{id}",
    response_model=PackageOut,
    summary="Change a top-up package or switch it off",
    operation_id="update_top_up_package",
    responses={404: {"description": "Not in this key's scope"}},
)
async def update_top_up_package(id: Id, body: PackageChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(_update_package, id, body, caller)


# --- payment settings -----------------------------------------------------------------------


def _settings_out(organisation_id: int, scope: frozenset[int]) -> PaymentSettingsOut:
    stored, currency = settings.read(organisation_id, scope)
    values = values_of(stored)
    return PaymentSettingsOut(
        organisation_id=organisation_id,
        currency=currency,
        stripe_configured=gateway.configured(),
        card_hold_minor=values.card_hold_minor,
        wallet_minimum_minor=values.wallet_minimum_minor,
        recharge_amounts_minor=list(values.recharge_amounts),
        top_up_minimum_minor=values.top_up_minimum_minor,
        top_up_maximum_minor=values.top_up_maximum_minor,
        memberships_enabled=values.memberships_enabled,
    )


def _save_settings(
    organisation_id: int, body: PaymentSettingsBody, caller: ApiCaller
) -> PaymentSettingsOut:
    _stored, currency = settings.read(organisation_id, caller.scope)
    form = {
        "card_hold": _minor_text(body.card_hold_minor, currency),
        "wallet_minimum": _minor_text(body.wallet_minimum_minor, currency),
        "recharge_amounts": ", ".join(
            _minor_text(a, currency) for a in body.recharge_amounts_minor
        ),
        "top_up_minimum": _minor_text(body.top_up_minimum_minor, currency),
        "top_up_maximum": _minor_text(body.top_up_maximum_minor, currency),
        "memberships_enabled": "true" if body.memberships_enabled else "false",
    }
    try:
        settings.save(organisation_id, form, actor_of(caller).email, caller.scope)
    except FinanceError as error:
        fields = {
            ("recharge_amounts_minor" if k == "recharge_amounts" else f"{k}_minor"): v
            for k, v in error.errors.items()
        }
        raise FinanceError(str(error), fields) from error
    return _settings_out(organisation_id, caller.scope)


@api.get(
    "/payment-settings",
    response_model=PaymentSettingsOut,
    summary="An organisation's payment settings",
    operation_id="get_payment_settings",
    responses={404: {"description": "Not in this key's scope"}},
)
async def get_payment_settings(caller: Viewer, organisation_id: Organisation = None) -> Any:
    target = organisation_id or caller.principal.organisation_id
    return await asyncio.to_thread(_settings_out, target, caller.scope)


@api.put(
    "/payment-settings",
    response_model=PaymentSettingsOut,
    summary="Replace an organisation's payment settings",
    operation_id="put_payment_settings",
    responses={404: {"description": "Not in this key's scope"}},
)
async def put_payment_settings(
    body: PaymentSettingsBody, caller: Editor, organisation_id: Organisation = None
) -> Any:
    target = organisation_id or caller.principal.organisation_id
    return await asyncio.to_thread(_save_settings, target, body, caller)
