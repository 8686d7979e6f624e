"""Maintenance settings of an organisation: when an offline charge point raises an alarm,
how many failed starts in a row do, how long a resolved work order must stay fault-free to
be verified, the e-mail digest window and the SLA hours per work-order priority
(`maintenance.alarms.settings_admin`).

- `GET /maintenance-settings?organisation_id=` (default: the key's organisation): the
  stored values, or the defaults when none were saved.
- `PUT /maintenance-settings?organisation_id=`: every value (whole numbers within the
  bounds the schema states; the SLA hours may not shrink with urgency).
maintenance:view to read, maintenance:edit to change.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field, StrictInt, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.maintenance.alarms import settings_admin
from ccms_app.maintenance.rules.settings_form import BOUNDS

api = router("/maintenance-settings", "Maintenance settings")
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
Organisation = Annotated[
    int | None,
    Query(ge=1, le=MAX_INT, description="Whose settings (default: the key's organisation)"),
]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}

_FIELDS: dict[str, Any] = {
    name: (StrictInt, Field(ge=b.low, le=b.high, description=f"{b.label} ({b.unit})"))
    for name, b in BOUNDS.items()
}
MaintenanceSettingsIn = create_model("MaintenanceSettingsIn", __base__=StrictModel, **_FIELDS)


class MaintenanceSettingsOut(MaintenanceSettingsIn):  # type: ignore[misc,valid-type]
    organisation_id: int


def _out(organisation_id: int, scope: frozenset[int]) -> dict[str, Any]:
    found = settings_admin.read_settings(organisation_id, scope)
    return {"organisation_id": organisation_id, **settings_admin.settings_values(found)}


@api.get(
    "",
    response_model=MaintenanceSettingsOut,
    summary="An organisation's maintenance settings",
    operation_id="get_maintenance_settings",
    responses=NOT_IN_SCOPE,
)
async def get_maintenance_settings(caller: Viewer, organisation_id: Organisation = None) -> Any:
    owner = organisation_id or caller.principal.organisation_id
    return await asyncio.to_thread(_out, owner, caller.scope)


@api.put(
    "",
    response_model=MaintenanceSettingsOut,
    summary="Save an organisation's maintenance settings",
    operation_id="put_maintenance_settings",
    responses=NOT_IN_SCOPE,
)
async def put_maintenance_settings(
    body: MaintenanceSettingsIn,  # type: ignore[valid-type]
    caller: Editor,
    organisation_id: Organisation = None,
) -> Any:
    owner = organisation_id or caller.principal.organisation_id
    form = {k: str(v) for k, v in body.model_dump().items()}  # type: ignore[attr-defined]
    await asyncio.to_thread(settings_admin.save_settings, caller.caller, form, owner)
    return await asyncio.to_thread(_out, owner, caller.scope)
