"""Maintenance staff: the people with the Maintenance staff role (or a staff profile) of the
key's organisation scope, and their profile: phone, on duty, operation areas covered.
maintenance:view to see, maintenance:edit to change (`maintenance.work_orders.staff`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.maintenance.work_orders import staff

api = router("/maintenance-staff", "Maintenance staff")
AccountId = Annotated[int, Path(ge=1, le=MAX_INT, description="The person's account id")]
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}


class StaffMember(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_id: int
    organisation_id: int
    name: str
    email: str
    role: str
    active: bool
    has_profile: bool = Field(description="False: no phone, areas or duty recorded yet")
    phone: str
    on_duty: bool
    notes: str
    area_ids: list[int]
    areas: list[str]
    open_work_orders: int = Field(description="Active work orders assigned to them")
    updated_at: datetime | None


class StaffProfile(StrictModel):
    """The whole profile (the areas replace the ones covered so far)."""

    phone: str = Field("", max_length=40)
    on_duty: bool = Field(True, strict=True)
    notes: str = Field("", max_length=500)
    area_ids: list[Annotated[int, Field(ge=1, le=MAX_INT, strict=True)]] = Field(
        default_factory=list, max_length=200, description="Operation areas covered"
    )


@api.get("", response_model=list[StaffMember], operation_id="list_maintenance_staff")
async def list_maintenance_staff(caller: Viewer) -> Any:
    """On duty first, then by name."""
    return await asyncio.to_thread(staff.list_staff, caller.caller)


@api.get(
    "/{account_id}",
    response_model=StaffMember,
    operation_id="get_maintenance_staff_member",
    responses=NOT_FOUND,
)
async def get_maintenance_staff_member(account_id: AccountId, caller: Viewer) -> Any:
    return await asyncio.to_thread(staff.get_staff, caller.caller, account_id)


@api.put(
    "/{account_id}",
    response_model=StaffMember,
    operation_id="update_maintenance_staff_member",
    responses=NOT_FOUND,
)
async def update_maintenance_staff_member(
    account_id: AccountId, body: StaffProfile, caller: Editor
) -> Any:
    return await asyncio.to_thread(
        staff.update_staff,
        caller.caller,
        account_id,
        phone=body.phone,
        on_duty=body.on_duty,
        notes=body.notes,
        area_ids=body.area_ids,
    )
