"""Load Balancing -> one site -> Tree: the electrical tree (grid connection, panels,
circuits, each with its limits) and the charge points hanging under its nodes (wiring,
AC/DC, currents, priority), with their add / edit / delete dialogs."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import reader_language, tr
from ccms_app.load_balancing import site_admin, tree_admin
from ccms_app.load_balancing.state.common import LbForm, options, read_site_page
from ccms_app.load_balancing.state.shown import member_row, member_values, node_row, node_values
from ccms_app.network.station_map import station_charge_points
from ccms_app.ui.events import event

NEW_NODE = {"kind": "circuit", "name": "", "limit_a": "", "limit_kw": "", "margin_a": "0"}
NEW_MEMBER = {
    "phase_rotation": "L1L2L3",
    "current_type": "AC",
    "min_current_a": "",
    "max_current_a": "32",
    "fallback_current_a": "6",
    "priority": "0",
}


def tree_page(caller: Caller, site_id: int) -> dict[str, Any]:
    nodes, members = tree_admin.site_tree(caller, site_id)
    site = site_admin.get_site(caller, site_id)
    points = station_charge_points(caller.scope(), site.station_id)
    below: dict[int, list[str]] = {}
    for m in members:
        below.setdefault(m.node_id, []).append(m.identity)
    return {
        "nodes": [{**node_row(n), "members": ", ".join(below.get(n.id, []))} for n in nodes],
        "members": [member_row(m) for m in members],
        "node_values": {str(n.id): node_values(n) for n in nodes},
        "member_values": {str(m.id): member_values(m) for m in members},
        "node_options": options([(n.id, "  " * n.depth + n.name) for n in nodes]),
        "cp_options": options([(p.id, p.identity) for p in points]),
    }


@guarded(Module.LOAD_BALANCING)
class TreeState(rx.State):
    nodes: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    members: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    node_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    cp_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    loaded: bool = False
    _node_values: dict[str, dict[str, str]] = {}
    _member_values: dict[str, dict[str, str]] = {}
    _language: str = ""  # the language of what is shown

    @event
    async def load(self) -> None:
        self.loaded = False
        await self.refresh()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if self.loaded and self._language != reader_language():
            await self.refresh()

    @event
    async def refresh(self) -> None:
        shown = await read_site_page(self, tree_page)
        if shown is not None:
            self.nodes, self.members = shown["nodes"], shown["members"]
            self.node_options, self.cp_options = shown["node_options"], shown["cp_options"]
            self._node_values, self._member_values = shown["node_values"], shown["member_values"]
        self._language = reader_language()
        self.loaded = True


@guarded(Module.LOAD_BALANCING)
class NodeFormState(LbForm, rx.State):
    @event
    async def open_new(self, parent_id: str) -> None:
        self._open("create", 0, {**NEW_NODE, "parent_id": parent_id})

    @event
    async def open_edit(self, node_id: str) -> None:
        tree = await self.get_state(TreeState)
        values = tree._node_values.get(node_id)
        if values is not None:
            self._open("edit", int(node_id), dict(values))

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        name = self.values.get("name", "")
        done = (tr("Node {name} added.", name=name), tr("Node {name} saved.", name=name))
        return await self._save_dialog(
            tree_admin.add_node, tree_admin.update_node, done, TreeState.refresh
        )

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        return await self._delete_row(
            tree_admin.delete_node, tr("Node deleted."), TreeState.refresh
        )


@guarded(Module.LOAD_BALANCING)
class MemberFormState(LbForm, rx.State):
    @event
    async def open_new(self, node_id: str) -> None:
        self._open("create", 0, {**NEW_MEMBER, "node_id": node_id, "charge_point_id": ""})

    @event
    async def open_edit(self, member_id: str) -> None:
        tree = await self.get_state(TreeState)
        values = tree._member_values.get(member_id)
        if values is not None:
            self._open("edit", int(member_id), dict(values))

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        done = (tr("Charge point added."), tr("Charge point saved."))
        return await self._save_dialog(
            tree_admin.add_member, tree_admin.update_member, done, TreeState.refresh
        )

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        done = tr("Charge point removed from the tree.")
        return await self._delete_row(tree_admin.remove_member, done, TreeState.refresh)
