"""User groups: list, get, export, create, update (partial), delete; members: list, add,
authorise or not, remove.

The group form and the group page of the Users module call the same use cases
(`drivers.user_groups`). A group has no price of its own: its members are billed with the
tariff assigned to it (`/tariff-assignments`, target `group`). Changing members marks the
group's cards for the local lists' next sync. A group's cards are `/id-tags?group_id=`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form, read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.routes.drivers import users_scope
from ccms_app.drivers import user_groups
from ccms_app.drivers.common import EMAIL_MAX_LENGTH, NotFoundError, Scope

RESOURCE = ListResource(user_groups.GROUP_LIST, Module.USERS, "UserGroup", "user_groups")
api = router(RESOURCE.path, "User groups")
UserGroup = add_list_routes(api, RESOURCE)
GroupId = Annotated[int, Path(ge=1, le=MAX_INT)]
DriverId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.USERS, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.USERS, Action.EDIT)]


class GroupChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one."""

    name: str | None = Field(None, max_length=user_groups.NAME_MAX_LENGTH)
    account_name: str | None = Field(None, max_length=user_groups.NAME_MAX_LENGTH)
    billing_email: str | None = Field(None, max_length=EMAIL_MAX_LENGTH)


class NewGroup(GroupChanges):
    name: str = Field(max_length=user_groups.NAME_MAX_LENGTH)


class NewMember(StrictModel):
    driver_id: int = Field(ge=1, le=MAX_INT, strict=True)
    authorised: bool = Field(True, strict=True, description="May charge on the group account")


class MemberChanges(StrictModel):
    authorised: bool = Field(strict=True, description="May charge on the group account")


class GroupMember(BaseModel):
    driver_id: int
    name: str
    email: str
    driver_status: str = Field(description="active | suspended")
    authorised: bool


def _input(form: dict[str, str]) -> user_groups.GroupInput:
    return user_groups.GroupInput(
        name=form.get("name", ""),
        account_name=form.get("account_name", ""),
        billing_email=form.get("billing_email", ""),
    )


def _member(scope: Scope, group_id: int, driver_id: int) -> GroupMember:
    """One member as the group page lists it; NotFoundError when the driver is not in it."""
    for member in user_groups.group_detail(scope, group_id).members:
        if member.driver_id == driver_id:
            return GroupMember(**vars(member))
    raise NotFoundError(f"driver {driver_id} is not in group {group_id}")


@api.post("", status_code=201, response_model=UserGroup, operation_id="create_user_group")
async def create_user_group(body: NewGroup, caller: Editor, response: Response) -> Any:
    view = await asyncio.to_thread(
        user_groups.create_group, users_scope(caller), _input(as_form(body))
    )
    return await read_back(RESOURCE, view.id, caller, response)


@api.patch("/{id}", response_model=UserGroup, operation_id="update_user_group")
async def update_user_group(id: GroupId, body: GroupChanges, caller: Editor) -> Any:
    scope = users_scope(caller)
    current = await asyncio.to_thread(user_groups.get_group, scope, id)
    form = {
        "name": current.name,
        "account_name": current.account_name,
        "billing_email": current.billing_email,
    }
    form |= as_form(body, exclude_unset=True)
    await asyncio.to_thread(user_groups.update_group, scope, id, _input(form))
    return await read_back(RESOURCE, id, caller)


@api.delete("/{id}", status_code=204, operation_id="delete_user_group")
async def delete_user_group(id: GroupId, caller: Editor) -> Response:
    """Only a group without cards (409 otherwise); its memberships go with it."""
    await asyncio.to_thread(user_groups.delete_group, users_scope(caller), id)
    return Response(status_code=204)


@api.get("/{id}/members", response_model=list[GroupMember], operation_id="list_user_group_members")
async def list_user_group_members(id: GroupId, caller: Viewer) -> Any:
    detail = await asyncio.to_thread(user_groups.group_detail, users_scope(caller), id)
    return [GroupMember(**vars(member)) for member in detail.members]


@api.get(
    "/{id}/members/{driver_id}",
    response_model=GroupMember,
    operation_id="get_user_group_member",
)
async def get_user_group_member(id: GroupId, driver_id: DriverId, caller: Viewer) -> Any:
    return await asyncio.to_thread(_member, users_scope(caller), id, driver_id)


@api.post(
    "/{id}/members",
    status_code=201,
    response_model=GroupMember,
    operation_id="add_user_group_member",
)
async def add_user_group_member(
    id: GroupId, body: NewMember, caller: Editor, response: Response
) -> Any:
    """Put a driver of the key's scope in the group."""
    scope = users_scope(caller)
    await asyncio.to_thread(user_groups.add_member, scope, id, body.driver_id, body.authorised)
    response.headers["Location"] = f"/api/v1{RESOURCE.path}/{id}/members/{body.driver_id}"
    return await asyncio.to_thread(_member, scope, id, body.driver_id)


@api.patch(
    "/{id}/members/{driver_id}",
    response_model=GroupMember,
    operation_id="update_user_group_member",
)
async def update_user_group_member(
    id: GroupId, driver_id: DriverId, body: MemberChanges, caller: Editor
) -> Any:
    """Allow or stop a member charging on the group account."""
    scope = users_scope(caller)
    await asyncio.to_thread(
        user_groups.set_member_authorised, scope, id, driver_id, body.authorised
    )
    return await asyncio.to_thread(_member, scope, id, driver_id)


@api.delete("/{id}/members/{driver_id}", status_code=204, operation_id="remove_user_group_member")
async def remove_user_group_member(id: GroupId, driver_id: DriverId, caller: Editor) -> Response:
    await asyncio.to_thread(user_groups.remove_member, users_scope(caller), id, driver_id)
    return Response(status_code=204)
