"""Drivers: list, get, export, create, update (partial), delete; suspend and reactivate; the
groups a driver is in.

Bodies go to the use cases the Users pages call (`drivers.driver_admin`), so validation and
messages are theirs, field by field; every route is guarded like those pages (Module.USERS).
A driver's cards are `/id-tags?driver_id=`, their vehicles `/vehicles?driver_id=`. This module
also holds what the other Users resources share: the use cases' Scope of a key, and the
statuses of the Users errors.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form, read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.drivers import driver_admin
from ccms_app.drivers.common import (
    EMAIL_MAX_LENGTH,
    NotFoundError,
    RefusedError,
    Scope,
    UserInputError,
)

# The Users use cases' own errors: a field's message per entry, a row outside the key's
# scope, and a refusal because of what the row holds (cards, sessions ...).
problems.register({UserInputError: 422, NotFoundError: 404, RefusedError: 409})

RESOURCE = ListResource(driver_admin.DRIVER_LIST, Module.USERS, "Driver", "drivers")
api = router(RESOURCE.path, "Drivers")
Driver = add_list_routes(api, RESOURCE)
DriverId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.USERS, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.USERS, Action.EDIT)]


def users_scope(caller: ApiCaller) -> Scope:
    """The Users use cases' scope for a key: its organisation owns what it creates, and it
    sees its own rows and its sub-operators' (the gate's organisation scope)."""
    return Scope(caller.principal.organisation_id, caller.scope)


class DriverChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one."""

    name: str | None = Field(None, max_length=driver_admin.NAME_MAX_LENGTH)
    email: str | None = Field(None, max_length=EMAIL_MAX_LENGTH, description="Unique per operator")
    phone: str | None = Field(
        None, max_length=driver_admin.PHONE_MAX_LENGTH, examples=["+31 20 123 4567"]
    )


class NewDriver(DriverChanges):
    name: str = Field(max_length=driver_admin.NAME_MAX_LENGTH)


class DriverGroup(BaseModel):
    """A group the driver is a member of; only an authorised member charges on its account."""

    id: int
    name: str
    authorised: bool


def _input(form: dict[str, str]) -> driver_admin.DriverInput:
    return driver_admin.DriverInput(
        name=form.get("name", ""), email=form.get("email", ""), phone=form.get("phone", "")
    )


@api.post("", status_code=201, response_model=Driver, operation_id="create_driver")
async def create_driver(body: NewDriver, caller: Editor, response: Response) -> Any:
    """A new active driver of the key's organisation."""
    view = await asyncio.to_thread(
        driver_admin.create_driver, users_scope(caller), _input(as_form(body))
    )
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=Driver, operation_id="update_driver")
async def update_driver(id: DriverId, body: DriverChanges, caller: Editor) -> Any:
    scope = users_scope(caller)
    current = await asyncio.to_thread(driver_admin.get_driver, scope, id)
    form = {"name": current.name, "email": current.email, "phone": current.phone}
    form |= as_form(body, exclude_unset=True)
    await asyncio.to_thread(driver_admin.update_driver, scope, id, _input(form))
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_driver")
async def delete_driver(id: DriverId, caller: Editor) -> Response:
    """Only a driver without cards or sessions (409 otherwise: suspend instead); their group
    memberships go with them, their vehicles stay, unlinked."""
    await asyncio.to_thread(driver_admin.delete_driver, users_scope(caller), id)
    return Response(status_code=204)


@api.post("/{id}/suspend", response_model=Driver, operation_id="suspend_driver")
async def suspend_driver(id: DriverId, caller: Editor) -> Any:
    """Every card of the driver answers Blocked from the next Authorize on."""
    await asyncio.to_thread(driver_admin.suspend_driver, users_scope(caller), id)
    return await read_back(RESOURCE, id, caller)


@api.post("/{id}/reactivate", response_model=Driver, operation_id="reactivate_driver")
async def reactivate_driver(id: DriverId, caller: Editor) -> Any:
    await asyncio.to_thread(driver_admin.reactivate_driver, users_scope(caller), id)
    return await read_back(RESOURCE, id, caller)


@api.get("/{id}/groups", response_model=list[DriverGroup], operation_id="list_driver_groups")
async def list_driver_groups(id: DriverId, caller: Viewer) -> Any:
    """The user groups the driver is in, as the driver's page shows them."""
    detail = await asyncio.to_thread(driver_admin.driver_detail, users_scope(caller), id)
    return [DriverGroup(id=g.id, name=g.name, authorised=g.authorised) for g in detail.groups]
