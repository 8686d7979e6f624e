"""System > Roles: the roles list and the permission matrix editor.

Thin: `accounts.roles` decides (scope, built-in roles unchangeable, nothing granted beyond the
caller's own permissions, no deletion while accounts hold the role) and audits. Opening the
editor and ticking boxes change nothing on the server and need system:view; saving and
deleting need system:edit (`@requires`), checked by the gate and again by the use case.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts import roles
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS, Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListSpec
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState


def granted_text(permissions: str) -> str:
    """ "12 of 40": how much of the matrix a role ticks (in English; the page words
    `granted_counts` in the tab's language)."""
    granted, total = granted_counts(permissions)
    return f"{granted} of {total}"


def granted_counts(permissions: str) -> tuple[str, str]:
    """How many permissions a role ticks, and how many there are: ("12", "40")."""
    granted = [p for p in permissions.split(",") if p]
    return str(len(granted)), str(len(ALL_PERMISSIONS))


@guarded(Module.SYSTEM)
class RoleListState(ListState, rx.State):
    """The custom roles of the operator's scope, with their holders (the built-in ones are a
    fixed handful: `RoleEditorState.built_ins`)."""

    def _list_spec(self) -> ListSpec:
        return roles.CUSTOM_ROLE_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        permissions = str(row.get("permissions") or "")
        shown["permissions"] = granted_text(permissions)
        shown["granted"], shown["total"] = granted_counts(permissions)
        return shown


@guarded(Module.SYSTEM)
class RoleEditorState(rx.State):
    """The open role: its name and ticked permissions. `grantable` is what the caller holds
    (only those boxes can be ticked); `read_only` for built-in roles and roles the caller
    may not change."""

    is_open: bool = False
    role_id: int = 0  # 0: a new role
    name: str = ""
    owner: str = ""
    holders: int = 0
    built_in: bool = False
    read_only: bool = False
    selected: rx.Field[list[str]] = rx.field(default_factory=list)
    grantable: rx.Field[list[str]] = rx.field(default_factory=list)
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    confirm_delete: bool = False
    built_ins: list[dict[str, str]] = []

    @event
    async def load_built_ins(self) -> None:
        """on_load: the built-in roles with how many accounts of the scope hold each."""
        caller = await event_caller(self)
        if caller is None:
            return
        scope = await asyncio.to_thread(caller.scope)
        views = await asyncio.to_thread(roles.built_in_roles, scope)
        self.built_ins = [
            {
                "id": str(v.id),
                "name": v.name,
                "accounts": str(v.accounts),
                "permissions": granted_text(",".join(v.permissions)),
                "granted": granted_counts(",".join(v.permissions))[0],
                "total": granted_counts(",".join(v.permissions))[1],
            }
            for v in views
        ]

    @event
    async def open_new(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self._show(0, "", "", 0, False, [], sorted(caller.permissions))
        self.read_only = roles.EDIT_PERMISSION not in caller.permissions
        return None

    @event
    async def open_role(self, role_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(roles.get_role, caller, as_id(role_id))
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        owner = view.organisation_name or N_("Built-in")  # shown with t_var
        grantable = sorted(caller.permissions)
        self._show(
            view.id,
            view.name,
            owner,
            view.accounts,
            view.built_in,
            list(view.permissions),
            grantable,
        )
        self.read_only = (
            view.built_in
            or roles.EDIT_PERMISSION not in caller.permissions
            or not set(view.permissions) <= caller.permissions
        )
        return None

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open
            self.confirm_delete = False

    @event
    def set_name(self, value: str) -> None:
        self.name = value

    @event
    def toggle(self, permission: str, checked: bool) -> None:
        """Tick or clear one box (only one the caller could grant)."""
        if self.read_only or permission not in self.grantable:
            return
        chosen = set(self.selected)
        if checked:
            chosen.add(permission)
        else:
            chosen.discard(permission)
        self.selected = sorted(chosen)

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = value

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        role_id, name, chosen = self.role_id, self.name, list(self.selected)
        self.busy = True
        try:
            if role_id:
                view = await asyncio.to_thread(roles.update_role, caller, role_id, name, chosen)
                done = tr(
                    "Role {name} saved: its {count} account(s) have it now.",
                    name=view.name,
                    count=view.accounts,
                )
            else:
                view = await asyncio.to_thread(roles.create_role, caller, name, chosen)
                done = tr("Role {name} created.", name=view.name)
        except InputError as exc:
            self.errors, self.message = dict(exc.errors), ""
            return None
        except (RefusedError, NotFoundError) as exc:
            self.errors, self.message = {}, str(exc)
            return None
        finally:
            self.busy = False
        self.is_open = False
        return [rx.toast.success(done), RoleListState.refresh]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        role_id = self.role_id
        self.confirm_delete = False
        try:
            name = await asyncio.to_thread(roles.delete_role, caller, role_id)
        except (RefusedError, NotFoundError) as exc:
            self.message = str(exc)
            return rx.toast.error(str(exc))
        self.is_open = False
        return [rx.toast.success(tr("Role {name} deleted.", name=name)), RoleListState.refresh]

    def _show(
        self,
        role_id: int,
        name: str,
        owner: str,
        holders: int,
        built_in: bool,
        selected: list[str],
        grantable: list[str],
    ) -> None:
        self.role_id, self.name, self.owner, self.holders = role_id, name, owner, holders
        self.built_in, self.selected, self.grantable = built_in, sorted(selected), grantable
        self.errors, self.message, self.busy, self.confirm_delete = {}, "", False, False
        self.is_open = True
