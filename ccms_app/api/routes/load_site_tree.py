"""A load site's electrical tree: nodes (the grid connection, panels, circuits) and the charge
points hanging under them. The same use cases as the site editor
(`load_balancing.tree_admin`).

- `GET /load-sites/{id}/nodes`: the nodes depth-first (`depth` 0 = the grid connection);
  `POST` -> 201 a panel or circuit under `parent_id`.
- `PATCH /load-nodes/{id}` (rename, re-limit, move under another node of the site; never
  under its own branch), `DELETE /load-nodes/{id}` -> 204 (409 for the root, or a node with
  nodes or charge points below it: the message names them).
- `GET /load-sites/{id}/members`, `POST` -> 201: a charge point of the site's station under a
  node, with its phase rotation (which supply phase its L1, L2, L3 are on), AC/DC and current
  bounds; `PATCH /load-members/{id}`, `DELETE /load-members/{id}` -> 204.
load_balancing:view to read, load_balancing:edit to change.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT
from ccms_app.api.routes.load_sites import NOT_IN_SCOPE, Amps, Kilowatts, StrictBody, changes
from ccms_app.load_balancing import tree_admin
from ccms_app.load_balancing.rules import site_form as form
from ccms_app.load_balancing.tree_admin import MemberView, NodeView

api = router("", "Load balancing")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.EDIT)]
ConnectorAmps = Annotated[float, Field(ge=0, le=form.MAX_CONNECTOR_A)]


class LoadNodeChanges(StrictBody):
    """A partial update: only the fields sent change; null clears a limit."""

    name: str | None = Field(None, min_length=1, max_length=form.MAX_NAME)
    kind: Literal["grid", "panel", "circuit"] | None = Field(
        None, description="grid: the root only; panel or circuit below it"
    )
    parent_id: int | None = Field(None, ge=1, le=MAX_INT, description="A node of the same site")
    limit_a: Amps | None = None
    limit_kw: Kilowatts | None = None
    margin_a: float | None = Field(None, ge=0, le=form.MAX_LIMIT_A, description="Kept free, A")
    position: int | None = Field(None, ge=0, le=10_000, description="Order among siblings")


class NewLoadNode(LoadNodeChanges):
    name: str = Field(min_length=1, max_length=form.MAX_NAME)
    kind: Literal["panel", "circuit"] = "circuit"
    parent_id: int = Field(ge=1, le=MAX_INT, description="A node of the same site")


class LoadMemberChanges(StrictBody):
    """A partial update: only the fields sent change."""

    node_id: int | None = Field(None, ge=1, le=MAX_INT, description="A node of the same site")
    phase_rotation: str | None = Field(
        None,
        max_length=8,
        description="Supply phases of the charger's L1, L2, L3 (L1L2L3, L2L3L1, L3L1L2) "
        "or the one phase of a single-phase charger (L1, L2, L3)",
    )
    current_type: Literal["AC", "DC"] | None = None
    min_current_a: ConnectorAmps | None = Field(None, description="null: the site's minimum")
    max_current_a: ConnectorAmps | None = Field(None, description="Per phase, per connector")
    fallback_current_a: ConnectorAmps | None = Field(
        None, description="The safe default when CCMS is away (<= max)"
    )
    priority: int | None = Field(None, ge=-form.MAX_PRIORITY, le=form.MAX_PRIORITY)


class NewLoadMember(LoadMemberChanges):
    node_id: int = Field(ge=1, le=MAX_INT, description="A node of the same site")
    charge_point_id: int = Field(ge=1, le=MAX_INT, description="At the site's station")
    current_type: Literal["AC", "DC"] | None = Field(None, description="Default: the charger's")


@api.get(
    "/load-sites/{id}/nodes",
    response_model=list[NodeView],
    summary="A load site's tree (depth-first)",
    operation_id="list_load_nodes",
    responses=NOT_IN_SCOPE,
)
async def list_load_nodes(id: Id, caller: Viewer) -> Any:
    nodes, _members = await asyncio.to_thread(tree_admin.site_tree, caller.caller, id)
    return nodes


@api.post(
    "/load-sites/{id}/nodes",
    status_code=201,
    response_model=NodeView,
    summary="Add a panel or circuit to a load site",
    operation_id="create_load_node",
    responses=NOT_IN_SCOPE,
)
async def create_load_node(id: Id, body: NewLoadNode, caller: Editor) -> Any:
    return await asyncio.to_thread(tree_admin.add_node, caller.caller, id, changes(body))


@api.patch(
    "/load-nodes/{id}",
    response_model=NodeView,
    summary="Change a node (only the fields sent)",
    operation_id="update_load_node",
    responses=NOT_IN_SCOPE,
)
async def update_load_node(id: Id, body: LoadNodeChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(tree_admin.update_node, caller.caller, id, changes(body))


@api.delete(
    "/load-nodes/{id}",
    status_code=204,
    summary="Delete an empty panel or circuit",
    operation_id="delete_load_node",
    responses=NOT_IN_SCOPE,
)
async def delete_load_node(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(tree_admin.delete_node, caller.caller, id)
    return Response(status_code=204)


@api.get(
    "/load-sites/{id}/members",
    response_model=list[MemberView],
    summary="The charge points in a load site",
    operation_id="list_load_members",
    responses=NOT_IN_SCOPE,
)
async def list_load_members(id: Id, caller: Viewer) -> Any:
    _nodes, members = await asyncio.to_thread(tree_admin.site_tree, caller.caller, id)
    return members


@api.post(
    "/load-sites/{id}/members",
    status_code=201,
    response_model=MemberView,
    summary="Put a charge point of the site's station under a node",
    operation_id="create_load_member",
    responses=NOT_IN_SCOPE,
)
async def create_load_member(id: Id, body: NewLoadMember, caller: Editor) -> Any:
    return await asyncio.to_thread(tree_admin.add_member, caller.caller, id, changes(body))


@api.patch(
    "/load-members/{id}",
    response_model=MemberView,
    summary="Change a member (only the fields sent)",
    operation_id="update_load_member",
    responses=NOT_IN_SCOPE,
)
async def update_load_member(id: Id, body: LoadMemberChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(tree_admin.update_member, caller.caller, id, changes(body))


@api.delete(
    "/load-members/{id}",
    status_code=204,
    summary="Take a charge point out of its load site",
    operation_id="delete_load_member",
    responses=NOT_IN_SCOPE,
)
async def delete_load_member(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(tree_admin.remove_member, caller.caller, id)
    return Response(status_code=204)
