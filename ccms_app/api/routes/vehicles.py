"""Vehicles: list, get, export, create, update (partial), delete.

The vehicle form of the Users pages and this API call the same use cases (`drivers.vehicles`).
The battery capacity is sent as kWh in a decimal string ("75.5"), exact to the Wh, never a
float; the list answers `battery_capacity_wh`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.routes.drivers import users_scope
from ccms_app.drivers import vehicles

RESOURCE = ListResource(vehicles.VEHICLE_LIST, Module.USERS, "Vehicle", "vehicles")
api = router(RESOURCE.path, "Vehicles")
Vehicle = add_list_routes(api, RESOURCE)
VehicleId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.USERS, Action.EDIT)]
CAPACITY_MAX_LENGTH = 20  # "2000.000" and spaces; the use case says what is wrong


class VehicleChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one."""

    make: str | None = Field(None, max_length=vehicles.MAKE_MAX_LENGTH)
    model: str | None = Field(None, max_length=vehicles.MAKE_MAX_LENGTH)
    battery_capacity_kwh: str | None = Field(
        None,
        max_length=CAPACITY_MAX_LENGTH,
        description="kWh as a decimal string, at most 3 decimals; null: unknown",
        examples=["75.5"],
    )
    licence_plate: str | None = Field(None, max_length=vehicles.PLATE_MAX_LENGTH)
    driver_id: int | None = Field(
        None, ge=1, le=MAX_INT, strict=True, description="The driver it is linked to"
    )


class NewVehicle(VehicleChanges):
    make: str = Field(max_length=vehicles.MAKE_MAX_LENGTH)
    model: str = Field(max_length=vehicles.MAKE_MAX_LENGTH)


def _input(values: dict[str, Any]) -> vehicles.VehicleInput:
    """The use case's input from the vehicle's fields (None: empty, as the form sends it)."""
    return vehicles.VehicleInput(
        make=values.get("make") or "",
        model=values.get("model") or "",
        battery_capacity_kwh=values.get("battery_capacity_kwh") or "",
        licence_plate=values.get("licence_plate") or "",
        driver_id=values.get("driver_id"),
    )


@api.post("", status_code=201, response_model=Vehicle, operation_id="create_vehicle")
async def create_vehicle(body: NewVehicle, caller: Editor, response: Response) -> Any:
    view = await asyncio.to_thread(
        vehicles.create_vehicle, users_scope(caller), _input(body.model_dump())
    )
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=Vehicle, operation_id="update_vehicle")
async def update_vehicle(id: VehicleId, body: VehicleChanges, caller: Editor) -> Any:
    scope = users_scope(caller)
    current = await asyncio.to_thread(vehicles.get_vehicle, scope, id)
    values = {
        "make": current.make,
        "model": current.model,
        "battery_capacity_kwh": current.capacity_kwh_text,
        "licence_plate": current.licence_plate,
        "driver_id": current.driver_id,
    } | body.model_dump(exclude_unset=True)
    await asyncio.to_thread(vehicles.update_vehicle, scope, id, _input(values))
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_vehicle")
async def delete_vehicle(id: VehicleId, caller: Editor) -> Response:
    await asyncio.to_thread(vehicles.delete_vehicle, users_scope(caller), id)
    return Response(status_code=204)
