"""System > Accounts: the list, the create dialog and the actions on one account.

Thin: `accounts.account_admin` decides everything (who may, scope, grants, the last
administrator) and audits; these states carry what the operator typed. Every handler needs
system:view (`@guarded`); the changes need system:edit (`@requires`), checked by the gate and
again by the use case. Passwords arrive only in a form submission's payload: they are never
kept in a state field, so they never reach Reflex's state store. The argument carrying such
a form is named `password_form`, so the gate's audit of the event blanks it whole (a form's
fields travel as [name, value] pairs, which key-based redaction alone would not see).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import account_admin, roles
from ccms_app.accounts.account_admin import AccountInput, AccountView
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

# A message id: shown as tr(SESSION_ENDED) (the reader's language).


async def event_caller(state: rx.State) -> Caller | None:
    """Who sends this event, as the gate confirmed it just before (AuthState is refreshed
    from the database on every event); None when signed out."""
    auth_state = await state.get_state(AuthState)
    if not auth_state.is_authenticated or not auth_state._account_id:
        return None
    return Caller(
        account_id=auth_state._account_id,
        organisation_id=auth_state._organisation_id,
        email=auth_state.operator_email,
        permissions=frozenset(auth_state.permissions),
        remote_address=remote_address(state),
    )


def remote_address(state: rx.State) -> str:
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    return str(headers.get("asgi-scope-client", ""))


def as_id(value: Any) -> int:
    """An id as the browser sends it ("12", 12, "") -> 12 (0 when not a number)."""
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        return 0


def choice_lists(pairs: list[tuple[int, str]]) -> list[list[str]]:
    return [[str(pk), label] for pk, label in pairs]


def role_label(role: roles.RoleView) -> str:
    """A role's name as the reader reads it: a built-in role's in the reader's language."""
    return tr(role.name) if role.built_in else role.name


def grantable_roles(scope: Collection[int], permissions: frozenset[str]) -> list[list[str]]:
    """The roles the caller may hand out (the server checks again on save)."""
    return [
        [str(r.id), r.name] for r in roles.visible_roles(scope) if set(r.permissions) <= permissions
    ]


@guarded(Module.SYSTEM)
class AccountListState(ListState, rx.State):
    """The accounts of the operator's organisation and its sub-operators."""

    def _list_spec(self) -> ListSpec:
        return account_admin.ACCOUNT_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return account_admin.account_page(query, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["last_login"] = shown["last_login"] or N_("never")  # shown with t_var
        shown["name"] = shown["name"] or "—"
        return shown

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {
            "role_id": [(str(r.id), role_label(r)) for r in roles.visible_roles(scope)],
            "organisation_id": [
                (str(pk), name) for pk, name in account_admin.organisation_choices(scope)
            ],
        }


@guarded(Module.SYSTEM)
class AccountFormState(rx.State):
    """The create dialog: name, e-mail and initial password typed in the form; organisation
    and role chosen from the caller's scope."""

    is_open: bool = False
    organisation_id: str = ""
    role_id: str = ""
    organisation_choices: list[list[str]] = []
    role_choices: list[list[str]] = []
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False

    @event
    async def open_new(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        scope = await asyncio.to_thread(caller.scope)
        organisations = await asyncio.to_thread(account_admin.organisation_choices, scope)
        self.organisation_choices = choice_lists(organisations)
        self.role_choices = await asyncio.to_thread(grantable_roles, scope, caller.permissions)
        self.organisation_id = str(caller.organisation_id)
        self.role_id = next((pk for pk, name in self.role_choices if name == "Viewer"), "")
        self.errors, self.message, self.busy = {}, "", False
        self.is_open = True
        return None

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open

    @event
    def set_organisation(self, value: str) -> None:
        self.organisation_id = value

    @event
    def set_role(self, value: str) -> None:
        self.role_id = value

    @requires(Action.EDIT)
    @event
    async def create(self, password_form: dict[str, Any]) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        data = AccountInput(
            full_name=str(password_form.get("full_name", "")),
            email=str(password_form.get("email", "")),
            organisation_id=as_id(self.organisation_id),
            role_id=as_id(self.role_id),
            password=str(password_form.get("password", "")),
        )
        self.busy = True
        try:
            created = await asyncio.to_thread(account_admin.create_account, caller, data)
        except InputError as exc:
            self.errors, self.message = dict(exc.errors), ""
            return None
        except (RefusedError, NotFoundError) as exc:
            self.errors, self.message = {}, str(exc)
            return None
        finally:
            self.busy = False
        self.is_open = False
        return [
            rx.toast.success(
                tr(
                    "{email} created. Pass the initial password on: it "
                    "must be changed at the first login.",
                    email=created.email,
                )
            ),
            AccountListState.refresh,
        ]


@guarded(Module.SYSTEM)
class AccountActionsState(rx.State):
    """The actions on one account: deactivate (after a confirm), reactivate, reset the
    password, change the role. `dialog` says which dialog is open ("" for none)."""

    dialog: str = ""  # "" | "deactivate" | "reset" | "role"
    target_id: int = 0
    target_label: str = ""
    role_id: str = ""
    role_choices: list[list[str]] = []
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False

    @event
    def ask_deactivate(self, account_id: str, label: str) -> None:
        self._open("deactivate", account_id, label)

    @event
    def open_reset(self, account_id: str, label: str) -> None:
        self._open("reset", account_id, label)

    @event
    async def open_role(self, account_id: str, label: str, role_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        scope = await asyncio.to_thread(caller.scope)
        self.role_choices = await asyncio.to_thread(grantable_roles, scope, caller.permissions)
        self._open("role", account_id, label)
        self.role_id = str(role_id)
        return None

    @event
    def set_dialog_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.dialog = ""

    @event
    def set_role(self, value: str) -> None:
        self.role_id = value

    @requires(Action.EDIT)
    @event
    async def deactivate(self) -> Any:
        target = self.target_id
        return await self._act(
            lambda caller: account_admin.deactivate_account(caller, target),
            lambda view: tr(
                "{email} is deactivated: every open session of it has ended.", email=view.email
            ),
        )

    @requires(Action.EDIT)
    @event
    async def reactivate(self, account_id: str) -> Any:
        target = as_id(account_id)
        return await self._act(
            lambda caller: account_admin.reactivate_account(caller, target),
            lambda view: tr("{email} may log in again.", email=view.email),
        )

    @requires(Action.EDIT)
    @event
    async def reset_password(self, password_form: dict[str, Any]) -> Any:
        target, password = self.target_id, str(password_form.get("password", ""))
        return await self._act(
            lambda caller: account_admin.reset_password(caller, target, password),
            lambda view: tr(
                "Password of {email} reset: pass it on; it must be changed at the next login. "
                "Its open sessions have ended.",
                email=view.email,
            ),
        )

    @requires(Action.EDIT)
    @event
    async def change_role(self) -> Any:
        target, role = self.target_id, as_id(self.role_id)
        return await self._act(
            lambda caller: account_admin.change_role(caller, target, role),
            lambda view: tr(
                "{email} is now {role}.",
                email=view.email,
                role=tr(view.role_name),  # a built-in role's name is a message id
            ),
        )

    # --- implementation ------------------------------------------------------------------

    def _open(self, dialog: str, account_id: str, label: str) -> None:
        self.dialog, self.target_id, self.target_label = dialog, as_id(account_id), label
        self.errors, self.message, self.busy = {}, "", False

    async def _act(
        self, work: Callable[[Caller], AccountView], done: Callable[[AccountView], str]
    ) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            view = await asyncio.to_thread(work, caller)
        except InputError as exc:
            self.errors, self.message = dict(exc.errors), ""
            return None
        except (RefusedError, NotFoundError) as exc:
            self.message = str(exc)
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self.dialog = ""
        return [rx.toast.success(done(view)), AccountListState.refresh]
