"""Membership plans and memberships (Finance).

- `GET /membership-plans` (search name; filters organisation_id, fee_collection, active),
  `/export`, `GET /membership-plans/{id}`: the Finance -> Memberships plans list through the
  same spec (`finance.memberships.listing.PLAN_LIST`); fees in integer minor units.
- `POST /membership-plans`, `PATCH /membership-plans/{id}` (partial; `active: false`
  deactivates: no new members): every wrong field named, in the page's words.
- `GET /memberships` (search member or plan; filters status, plan_id, holder_kind,
  holder_id, fee_collection, organisation_id), `/export`, `GET /memberships/{id}`: with the
  current period (UTC) and the included Wh used in it.
- `POST /memberships {plan_id, holder_kind, holder_id}`: enrol (409 when the holder is a
  member already; 503 for a card plan while Stripe is not configured).
- `POST /memberships/{id}/cancel {at: period_end | now}`.
Every check and message is the use case's (`finance.memberships`).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path, Response

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import form_value, read_back
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.membership_models import (
    CancelMembership,
    NewMembership,
    NewPlan,
    PlanChanges,
)
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.memberships.listing import MEMBERSHIP_LIST, PLAN_LIST
from ccms_app.finance.payments.stripe_gateway import PaymentsNotConfigured

problems.register(
    {FinanceError: 422, FinanceNotFound: 404, FinanceConflict: 409, PaymentsNotConfigured: 503}
)

PLANS = ListResource(PLAN_LIST, Module.FINANCE, "MembershipPlan", "membership_plans")
MEMBERSHIPS = ListResource(MEMBERSHIP_LIST, Module.FINANCE, "Membership", "memberships")
plans_api = router(PLANS.path, "Memberships")
api = router(MEMBERSHIPS.path, "Memberships")


MembershipPlan = add_list_routes(plans_api, PLANS, narrow=filters_checked(PLAN_LIST))
Membership = add_list_routes(api, MEMBERSHIPS, narrow=filters_checked(MEMBERSHIP_LIST))
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]


def _actor(caller: ApiCaller) -> str:
    return f"API key {caller.api_key_id} ({caller.principal.email})"[:320]


def _kwh(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _form(body: PlanChanges) -> dict[str, str]:
    """The body's fields (those sent) as the plan form's strings."""
    sent = body.model_dump(exclude_unset=True)
    form = {
        key: form_value(value)
        for key, value in sent.items()
        if key not in ("included_kwh", "discount_percent", "organisation_id")
    }
    if "included_kwh" in sent:
        form["included_kwh"] = _kwh(sent["included_kwh"])
    if "discount_percent" in sent:
        form["discount_percent"] = _kwh(sent["discount_percent"])
    return form


def _created_plan(caller: ApiCaller, body: NewPlan) -> int:
    organisation_id = body.organisation_id or caller.principal.organisation_id
    form = plans.plan_form() | {"fee_collection": body.fee_collection} | _form(body)
    form.pop("monthly_fee", None)
    form["monthly_fee_minor"] = str(body.monthly_fee_minor)
    view = plans.create_plan(caller.scope, organisation_id, form, _actor(caller))
    if body.active is False:
        plans.set_plan_active(caller.scope, view.id, False)
    return view.id


@plans_api.post(
    "", status_code=201, response_model=MembershipPlan, operation_id="create_membership_plan"
)
async def create_membership_plan(body: NewPlan, caller: Editor, response: Response) -> Any:
    plan_id = await asyncio.to_thread(_created_plan, caller, body)
    return await read_back(PLANS, plan_id, caller, response)


def _updated_plan(caller: ApiCaller, plan_id: int, body: PlanChanges) -> None:
    current = plans.get_plan(caller.scope, plan_id)
    form = plans.plan_form(current)
    form.pop("monthly_fee")
    form["monthly_fee_minor"] = str(current.monthly_fee_minor)
    plans.update_plan(caller.scope, plan_id, form | _form(body))


@plans_api.patch("/{id}", response_model=MembershipPlan, operation_id="update_membership_plan")
async def update_membership_plan(id: Id, body: PlanChanges, caller: Editor) -> Any:
    await asyncio.to_thread(_updated_plan, caller, id, body)
    return await read_back(PLANS, id, caller)


@api.post("", status_code=201, response_model=Membership, operation_id="create_membership")
async def create_membership(body: NewMembership, caller: Editor, response: Response) -> Any:
    """Enrol a driver or group account (wallet plans take the first fee now)."""
    view = await asyncio.to_thread(
        enrolment.enrol,
        caller.scope,
        body.plan_id,
        body.holder_kind,
        body.holder_id,
        _actor(caller),
    )
    return await read_back(MEMBERSHIPS, view.id, caller, response)


@api.post("/{id}/cancel", response_model=Membership, operation_id="cancel_membership")
async def cancel_membership(id: Id, body: CancelMembership, caller: Editor) -> Any:
    await asyncio.to_thread(
        enrolment.cancel, caller.scope, id, body.at == "period_end", _actor(caller)
    )
    return await read_back(MEMBERSHIPS, id, caller)
