"""Preventive maintenance plans: list, get, export, create, update (partial), delete. A plan
covers one charge point, or every charge point of a vendor (and model); every N months it
creates work orders. maintenance:view to see, maintenance:edit to change."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import form_value, read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import IsoDay
from ccms_app.maintenance.rules.plans import DESCRIPTION_MAX, MAX_EVERY_MONTHS, NAME_MAX
from ccms_app.maintenance.work_orders import plans
from ccms_app.maintenance.work_orders.common import WorkOrderError

problems.register({WorkOrderError: 409})

RESOURCE = ListResource(plans.PLAN_LIST, Module.MAINTENANCE, "MaintenancePlan", "maintenance_plans")
api = router(RESOURCE.path, "Maintenance plans")
MaintenancePlan = add_list_routes(api, RESOURCE)
PlanId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}
Priority = Literal["critical", "high", "medium", "low"]


class PlanChanges(StrictModel):
    """A partial update: only the fields sent change."""

    name: str | None = Field(None, max_length=NAME_MAX)
    charge_point_id: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        strict=True,
        description="One charge point (or give vendor and model)",
    )
    vendor: str | None = Field(None, max_length=50, description="Every charge point of it")
    model: str | None = Field(None, max_length=50, description='"" = every model of the vendor')
    every_months: int | None = Field(None, ge=1, le=MAX_EVERY_MONTHS, strict=True)
    next_due_at: IsoDay | None = Field(None, description="The next due date (UTC)")
    priority: Priority | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    enabled: bool | None = Field(None, strict=True)


class NewPlan(PlanChanges):
    name: str = Field(max_length=NAME_MAX)
    every_months: int = Field(ge=1, le=MAX_EVERY_MONTHS, strict=True)
    next_due_at: IsoDay = Field(description="The first due date (UTC)")
    priority: Priority = "low"
    enabled: bool = Field(True, strict=True)
    organisation_id: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        strict=True,
        description="Whose plan (default: the key's organisation)",
    )


def _form(body: PlanChanges, exclude_unset: bool) -> dict[str, str]:
    values = body.model_dump(exclude_unset=exclude_unset, exclude={"organisation_id"})
    return {key: form_value(value) for key, value in values.items()}


@api.post(
    "", status_code=201, response_model=MaintenancePlan, operation_id="create_maintenance_plan"
)
async def create_maintenance_plan(body: NewPlan, caller: Editor, response: Response) -> Any:
    plan_id = await asyncio.to_thread(
        plans.create_plan, caller.caller, _form(body, False), body.organisation_id
    )
    return await read_back(RESOURCE, plan_id, caller, response)


@api.patch(
    "/{id}",
    response_model=MaintenancePlan,
    operation_id="update_maintenance_plan",
    responses=NOT_FOUND,
)
async def update_maintenance_plan(id: PlanId, body: PlanChanges, caller: Editor) -> Any:
    current = await asyncio.to_thread(plans.get_plan_form, caller.caller, id)
    changes = _form(body, True)
    if changes.get("charge_point_id"):
        current |= {"vendor": "", "model": ""}
    elif changes.get("vendor"):
        current |= {"charge_point_id": ""}
    await asyncio.to_thread(plans.update_plan, caller.caller, id, current | changes)
    return await read_back(RESOURCE, id, caller)


@api.delete(
    "/{id}",
    status_code=204,
    operation_id="delete_maintenance_plan",
    responses={**NOT_FOUND, 409: {"description": "It made work orders: disable it instead"}},
)
async def delete_maintenance_plan(id: PlanId, caller: Editor) -> Response:
    await asyncio.to_thread(plans.delete_plan, caller.caller, id)
    return Response(status_code=204)
