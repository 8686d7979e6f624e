"""Id tags (RFID cards): list, get, export, issue, update (partial), delete; block, unblock.

The card form of the Users pages and this API call the same use cases (`drivers.id_tags`):
the same checks (CiString20, unique ignoring case, parent without cycles, a driver or a
group as owner, not both) and the same messages per field. Assigning a card to a driver or a
group is an update of `driver_id` / `group_id`. An id tag itself never changes: sessions
refer to it by value.
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
from ccms_app.api.times import IsoDay
from ccms_app.core.identifiers import ID_TAG_MAX_LENGTH
from ccms_app.drivers import id_tags

RESOURCE = ListResource(id_tags.ID_TAG_LIST, Module.USERS, "IdTag", "id_tags")
api = router(RESOURCE.path, "Id tags")
IdTag = add_list_routes(api, RESOURCE)
IdTagId = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.USERS, Action.EDIT)]


class IdTagChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one. To move a
    card from a driver to a group (or back), send the new owner and null for the other."""

    expiry: IsoDay | None = Field(
        None, description="Valid to the end of this day (UTC); null: never expires"
    )
    parent_id_tag: str | None = Field(
        None, max_length=ID_TAG_MAX_LENGTH, description="An existing card; null: none"
    )
    driver_id: int | None = Field(
        None, ge=1, le=MAX_INT, strict=True, description="Owner: a driver"
    )
    group_id: int | None = Field(
        None, ge=1, le=MAX_INT, strict=True, description="Owner: a user group"
    )
    description: str | None = Field(None, max_length=id_tags.DESCRIPTION_MAX_LENGTH)
    concurrent_transactions: bool = Field(
        False, strict=True, description="A fleet card: several transactions at once"
    )


class NewIdTag(IdTagChanges):
    id_tag: str = Field(
        max_length=ID_TAG_MAX_LENGTH, description="OCPP idTag: printable ASCII, unique"
    )


def _input(values: dict[str, Any]) -> id_tags.IdTagInput:
    """The use case's input from the card's fields (None: empty, as the form sends it)."""
    expiry = values.get("expiry")
    return id_tags.IdTagInput(
        id_tag=values.get("id_tag") or "",
        expiry=expiry.isoformat() if expiry else "",
        parent_id_tag=values.get("parent_id_tag") or "",
        driver_id=values.get("driver_id"),
        group_id=values.get("group_id"),
        description=values.get("description") or "",
        concurrent_transactions=bool(values.get("concurrent_transactions")),
    )


def _current(view: id_tags.IdTagView) -> dict[str, Any]:
    """The card as its edit form opens: the expiry as the date it ends."""
    return {
        "expiry": view.expiry_date.date() if view.expiry_date else None,
        "parent_id_tag": view.parent_id_tag,
        "driver_id": view.driver_id,
        "group_id": view.group_id,
        "description": view.description,
        "concurrent_transactions": view.concurrent_transactions,
    }


@api.post("", status_code=201, response_model=IdTag, operation_id="create_id_tag")
async def create_id_tag(body: NewIdTag, caller: Editor, response: Response) -> Any:
    """Issue an active card of the key's organisation, with its owner if given."""
    view = await asyncio.to_thread(
        id_tags.issue_id_tag, users_scope(caller), _input(body.model_dump())
    )
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=IdTag, operation_id="update_id_tag")
async def update_id_tag(id: IdTagId, body: IdTagChanges, caller: Editor) -> Any:
    """Owner, expiry, parent, description, concurrent transactions; local lists holding
    the card are marked for their next sync when what Authorize answers may change."""
    scope = users_scope(caller)
    current = await asyncio.to_thread(id_tags.get_id_tag, scope, id)
    values = _current(current) | body.model_dump(exclude_unset=True)
    await asyncio.to_thread(id_tags.update_id_tag, scope, id, _input(values))
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_id_tag")
async def delete_id_tag(id: IdTagId, caller: Editor) -> Response:
    """Only a card nobody charged with, no card's parent and in no local list (409
    otherwise, saying what to do: usually block it)."""
    await asyncio.to_thread(id_tags.delete_id_tag, users_scope(caller), id)
    return Response(status_code=204)


@api.post("/{id}/block", response_model=IdTag, operation_id="block_id_tag")
async def block_id_tag(id: IdTagId, caller: Editor) -> Any:
    """The card answers Blocked from the next Authorize on; local lists holding it are
    marked for their next sync."""
    await asyncio.to_thread(id_tags.block_id_tag, users_scope(caller), id)
    return await read_back(RESOURCE, id, caller)


@api.post("/{id}/unblock", response_model=IdTag, operation_id="unblock_id_tag")
async def unblock_id_tag(id: IdTagId, caller: Editor) -> Any:
    await asyncio.to_thread(id_tags.unblock_id_tag, users_scope(caller), id)
    return await read_back(RESOURCE, id, caller)
