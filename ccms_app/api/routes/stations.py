"""Stations: list, get, export, create, update (partial), delete.

Bodies become the same form strings the web UI's station form sends, so validation and
messages are the use case's (`network.stations`), field by field.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form, read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.network import stations
from ccms_app.network.asset_lists import STATION_LIST

RESOURCE = ListResource(STATION_LIST, Module.ASSETS, "Station", "stations")
api = router(RESOURCE.path, "Stations")
Station = add_list_routes(api, RESOURCE)
StationId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.ASSETS, Action.EDIT)]


class StationChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one."""

    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    timezone: str | None = Field(None, max_length=64, description="IANA, e.g. Europe/Berlin")
    opening_hours: str | None = Field(None, max_length=500)
    organisation_id: int | None = Field(None, ge=1, le=MAX_INT, description="New owner")
    area_id: int | None = Field(None, ge=1, le=MAX_INT)


class NewStation(StationChanges):
    name: str = Field(max_length=200)


@api.post("", status_code=201, response_model=Station, operation_id="create_station")
async def create_station(body: NewStation, caller: Editor, response: Response) -> Any:
    view = await asyncio.to_thread(
        stations.create_station,
        caller.scope,
        as_form(body),
        body.organisation_id or caller.principal.organisation_id,
        body.area_id,
    )
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=Station, operation_id="update_station")
async def update_station(
    id: StationId,
    body: StationChanges,
    caller: Editor,
) -> Any:
    current = await asyncio.to_thread(stations.get_station, caller.scope, id)
    changes = body.model_dump(exclude_unset=True)
    form = current.form() | as_form(body, exclude_unset=True)
    area_id = changes.get("area_id", current.area_id)
    await asyncio.to_thread(
        stations.update_station, caller.scope, id, form, changes.get("organisation_id"), area_id
    )
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_station")
async def delete_station(id: StationId, caller: Editor) -> Response:
    await asyncio.to_thread(stations.delete_station, caller.scope, id)
    return Response(status_code=204)
