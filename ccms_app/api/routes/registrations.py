"""Unregistered charge points: list, get, export; register one at a station, or reject it.

A charger that connects with an identity CCMS does not know is recorded, unregistered, and
answered Pending until an operator acts, as on the Assets page's Unregistered tab:
- register (`network.registration.register_unregistered`): assign it to a station (and
  optionally set its details; a field left out keeps what the charger reported); if it is
  connected it is asked to boot again (TriggerMessage) and is Accepted at once;
- reject: the tab's Delete, the record is removed (`delete_charge_point`). A charger that
  connects again is recorded again; to refuse unknown chargers for good, an operator sets
  the network's "unknown charge points" setting to refuse (System, network settings).
They belong to the network operator (the root organisation): a sub-operator's key sees none.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes import charge_points
from ccms_app.core import listing
from ccms_app.network import charge_point_admin, registration
from ccms_app.network.asset_lists import UNREGISTERED_LIST

RESOURCE = ListResource(
    UNREGISTERED_LIST, Module.ASSETS, "UnregisteredChargePoint", "unregistered_charge_points"
)
api = router(RESOURCE.path, "Unregistered charge points")
UnregisteredChargePoint = add_list_routes(api, RESOURCE)
ChargePointId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.ASSETS, Action.EDIT)]


class ChargePointRegistration(charge_points.ChargePointDetails):
    """The station it stands at, and what the operator knows better than the charger
    (a detail left out keeps what the charger reported)."""

    station_id: int = Field(ge=1, le=MAX_INT, description="Its owner becomes the owner")


class RegistrationResult(BaseModel):
    charge_point: charge_points.ChargePointDetail  # type: ignore[valid-type]
    trigger_status: str = Field(
        description="Status of the TriggerMessage(BootNotification) sent to it; "
        '"" when it was not connected (it is Accepted when it next boots)'
    )
    message: str = Field(description="What happened, in the web UI's words")


def _details(body: ChargePointRegistration, reported_method: str) -> dict[str, str]:
    """The register dialog's fields: empty ones keep what the charger reported; the charging
    method starts as the one on record, as the dialog does."""
    details = {name: "" for name in charge_points.ChargePointDetails.model_fields} | {
        "charging_method": reported_method
    }
    return details | body.form(exclude_unset=True)


def _unregistered_in_scope(caller: ApiCaller, charge_point_id: int) -> None:
    if listing.fetch_one(UNREGISTERED_LIST, charge_point_id, caller.scope) is None:
        raise Problem(404, f"No unregistered charge point {charge_point_id} in this key's scope.")


@api.post(
    "/{id}/register",
    response_model=RegistrationResult,
    operation_id="register_charge_point",
    summary="Register it at a station (if connected, it is Accepted at once)",
)
async def register_charge_point(
    id: ChargePointId, body: ChargePointRegistration, caller: Editor
) -> Any:
    await asyncio.to_thread(_unregistered_in_scope, caller, id)
    current = await asyncio.to_thread(charge_point_admin.get_charge_point, caller.scope, id)
    result = await registration.register_unregistered(
        caller.scope,
        id,
        body.station_id,
        caller.principal.email,
        _details(body, current.charging_method or "AC"),
    )
    registered = await asyncio.to_thread(charge_point_admin.get_charge_point, caller.scope, id)
    detail = await asyncio.to_thread(charge_points.detail_of, registered, caller.scope)
    return {
        "charge_point": detail,
        "trigger_status": result.trigger_status,
        "message": result.describe() + ".",
    }


@api.delete(
    "/{id}",
    status_code=204,
    operation_id="reject_charge_point",
    summary="Reject it: its record is deleted (it is recorded again if it connects again)",
)
async def reject_charge_point(id: ChargePointId, caller: Editor) -> Response:
    await asyncio.to_thread(_unregistered_in_scope, caller, id)
    await asyncio.to_thread(charge_point_admin.delete_charge_point, caller.scope, id)
    return Response(status_code=204)
