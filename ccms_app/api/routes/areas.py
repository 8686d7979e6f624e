"""Operation areas: list, get, export, create, update (partial), delete.

The Assets page's area dialog sends the use case (`network.areas`) a name and an owner; the
API sends the same, so the checks (a name, unique per owner, an owner the key manages) and
their messages are the page's. An area that still has stations is not deleted (409).
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
from ccms_app.network import areas
from ccms_app.network.asset_lists import AREA_LIST
from ccms_app.network.rules.asset_validation import NAME_MAX

RESOURCE = ListResource(AREA_LIST, Module.ASSETS, "OperationArea", "operation_areas")
api = router(RESOURCE.path, "Operation areas")
OperationArea = add_list_routes(api, RESOURCE)
AreaId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.ASSETS, Action.EDIT)]


class AreaChanges(StrictModel):
    """A partial update: only the fields sent change."""

    name: str | None = Field(None, max_length=NAME_MAX, description="Unique per owner")
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="New owner: an organisation in the key's scope"
    )


class NewArea(AreaChanges):
    name: str = Field(max_length=NAME_MAX, description="Unique per owner, e.g. a city")
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="The owner (default: the key's organisation)"
    )


@api.post("", status_code=201, response_model=OperationArea, operation_id="create_operation_area")
async def create_area(body: NewArea, caller: Editor, response: Response) -> Any:
    owner = body.organisation_id or caller.principal.organisation_id
    view = await asyncio.to_thread(areas.create_area, caller.scope, owner, as_form(body))
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=OperationArea, operation_id="update_operation_area")
async def update_area(id: AreaId, body: AreaChanges, caller: Editor) -> Any:
    """Rename or re-own an area; a field left out keeps its value."""
    current = await asyncio.to_thread(areas.get_area, caller.scope, id)
    form = {"name": current.name} | as_form(body, exclude_unset=True)
    await asyncio.to_thread(areas.update_area, caller.scope, id, form, body.organisation_id)
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_operation_area")
async def delete_area(id: AreaId, caller: Editor) -> Response:
    """Delete an area without stations; one with stations is refused (409): move them."""
    await asyncio.to_thread(areas.delete_area, caller.scope, id)
    return Response(status_code=204)
