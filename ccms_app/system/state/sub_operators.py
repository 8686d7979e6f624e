"""System > Sub-operators: the list, the create dialog and the licence dialog.

Thin: the list is a ListState over `accounts.sub_operators.SUB_OPERATOR_LIST`; the dialogs
carry text to `create_sub_operator` / `update_licence`, which decide (validation, who may,
two tiers) and audit. Every handler needs system:view (`@guarded`); the changes need
system:edit (`@requires`), checked by the gate and again by the use case against the
principal of this very event.

The first administrator's initial password is kept in a backend-only field (never sent
back to the browser) and forgotten once the dialog saves or closes.

Reflex runs on_load again on every websocket reconnect, in the same tab state: the same
organisation's page loading again keeps the open dialog with what was typed in it (the
password too: the browser's field still shows it) and a save in flight. Another login's
organisation, or one no longer allowed to manage sub-operators, starts with it closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts import sub_operators
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.licences import LICENCE_FIELDS
from ccms_app.accounts.principals import Principal, principal_for_session
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import DEFAULT, tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.types import utc_now
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

CREATE_FIELDS = ("name", "admin_name", "admin_email", *LICENCE_FIELDS)


@guarded(Module.SYSTEM)
class SubOperatorListState(ListState, rx.State):
    """The sub-operators of the operator's organisation, with their usage and licence
    (worded in the tab's language: `follow_language` words them again after a switch)."""

    def _list_spec(self) -> ListSpec:
        return sub_operators.SUB_OPERATOR_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return sub_operators.describe_row(row, utc_now().date())


@guarded(Module.SYSTEM)
class SubOperatorFormState(ReopenAware, rx.State):
    """Who may manage sub-operators here, and the open dialog ("create" or "licence")."""

    may_manage: bool = False  # system:edit in an organisation at the top
    note: str = ""  # why not, for the page
    mode: str = ""  # "" (closed) | "create" | "licence"
    editing_id: int = 0
    editing_name: str = ""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    _admin_password: str = ""
    _language: str = DEFAULT  # the language of `note`

    @event
    async def load_access(self) -> None:
        """on_load: whether to offer the create and edit buttons (the server decides anew
        on every change); the open dialog stays for the same organisation (module
        docstring)."""
        caller = await self._caller()
        self._language = (await self.get_state(AuthState)).language
        reason = await asyncio.to_thread(sub_operators.refusal_for, caller) if caller else ""
        self.may_manage = caller is not None and not reason
        self.note = reason
        if caller is None:
            self._closed()
        anew = caller is None or self._opening_anew(str(caller.organisation_id))
        if anew or not self.may_manage:
            self._close()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the note says why again, in it."""
        if self.note and self._language != (await self.get_state(AuthState)).language:
            caller = await self._caller()
            self._language = (await self.get_state(AuthState)).language
            self.note = await asyncio.to_thread(sub_operators.refusal_for, caller) if caller else ""

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_password(self, password: str) -> None:
        self._admin_password = password

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self._close()

    @requires(Action.EDIT)
    @event
    def open_new(self) -> None:
        self._open("create", 0, "", {name: "" for name in CREATE_FIELDS})

    @requires(Action.EDIT)
    @event
    async def open_licence(self, sub_operator_id: str) -> Any:
        auth_state = await self.get_state(AuthState)
        try:
            view = await asyncio.to_thread(
                sub_operators.get_sub_operator, auth_state._organisation_id, int(sub_operator_id)
            )
        except (ValueError, sub_operators.SubOperatorNotFound) as exc:
            return rx.toast.error(str(exc))
        self._open("licence", view.id, view.name, view.licence_form())
        return None

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        caller = await self._caller()
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        values, address = dict(self.values), self._remote_address()
        self.busy = True
        try:
            if self.mode == "create":
                values["admin_password"] = self._admin_password
                created = await asyncio.to_thread(
                    sub_operators.create_sub_operator, caller, values, address
                )
                done = tr(
                    "{name} created. {email} must choose a new password at first login.",
                    name=created.name,
                    email=created.administrator_email,
                )
            else:
                await asyncio.to_thread(
                    sub_operators.update_licence, caller, self.editing_id, values, address
                )
                done = tr("Licence of {name} saved.", name=self.editing_name)
        except sub_operators.SubOperatorError as exc:
            self.errors, self.message = dict(exc.errors), str(exc)
            return None
        except (sub_operators.SubOperatorRefused, sub_operators.SubOperatorNotFound) as exc:
            self.errors, self.message = {}, str(exc)
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self._close()
        return [rx.toast.success(done), SubOperatorListState.refresh]

    # --- implementation ------------------------------------------------------------------

    def _open(self, mode: str, editing_id: int, name: str, values: dict[str, str]) -> None:
        self.mode, self.editing_id, self.editing_name = mode, editing_id, name
        self.values, self.errors, self.message = values, {}, ""
        self._admin_password = ""
        self.busy = False

    def _close(self) -> None:
        self.mode = ""
        self._admin_password = ""
        self.errors, self.message = {}, ""

    async def _caller(self) -> Principal | None:
        """The principal of this event, as the gate found it (re-read: the use case checks
        the role and the organisation itself)."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return None
        return await asyncio.to_thread(principal_for_session, auth_state._session_hash)

    def _remote_address(self) -> str:
        headers = self.router_data.get("headers", {}) if self.router_data else {}
        return str(headers.get("asgi-scope-client", ""))
