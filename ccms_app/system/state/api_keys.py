"""System > API keys: the list, the "New API key" dialog, the key shown once, revoking.

Thin: `accounts.api_keys` decides (api_keys:edit, the caller's scope, never a role beyond the
caller's own) and audits; these states carry what the operator chose. Every handler needs
api_keys:view (`@guarded`); creating and revoking need api_keys:edit (`@requires`), checked
by the gate and again by the use case.

The new key never becomes a state field. Reflex pickles every state to disk (`.states/`, or
Redis) and sends fields as deltas, so a key kept in a field, even only until its dialog
closes, would lie in a state file for as long as the tab lives. Instead `create` returns
one client-side script carrying the key (`reveal_script`), which writes it into the shown-once
dialog's element; the state holds only the key's name and visible prefix. The key so exists
in the browser's DOM only while that dialog is open (closing it unmounts the element), the
copy button reads it from there, and no state file, delta or audit entry ever holds it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import account_admin, api_keys, roles
from ccms_app.accounts.api_keys import ApiKeyView
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.types import utc_now
from ccms_app.system.state.accounts import (
    as_id,
    choice_lists,
    event_caller,
    grantable_roles,
    role_label,
)
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, shown_row

REVEALED_KEY_ELEMENT = "api-key-revealed"  # the element of the shown-once dialog
DEFAULT_ROLE = "Viewer"  # least privilege until the operator picks another
REVEAL_TRIES = 100  # the dialog mounts a frame or two after its state delta: poll for it
REVEAL_EVERY_MS = 20

# Copy the shown key; where the Clipboard API is missing (plain http on another host) or
# refused, select the key instead so Ctrl+C copies it. Answers whether it copied.
COPY_SCRIPT = f"""(() => {{
  const el = document.getElementById("{REVEALED_KEY_ELEMENT}");
  const key = el ? el.textContent : "";
  if (!key) return false;
  const select = () => {{
    const range = document.createRange();
    range.selectNodeContents(el);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }};
  if (!navigator.clipboard || !window.isSecureContext) return select();
  return navigator.clipboard.writeText(key).then(() => true, select);
}})()"""


def reveal_script(key: str) -> str:
    """The script that puts `key` into the shown-once dialog (see the module docstring)."""
    return f"""(() => {{
  const key = {json.dumps(key)};
  let tries = 0;
  const show = () => {{
    const el = document.getElementById("{REVEALED_KEY_ELEMENT}");
    if (el) {{ el.textContent = key; return; }}
    if (++tries < {REVEAL_TRIES}) setTimeout(show, {REVEAL_EVERY_MS});
  }};
  show();
}})()"""


def shown_key_row(row: dict[str, Any], zone: str = "UTC") -> dict[str, str]:
    """One key as the list shows it: its visible start with an ellipsis, "never" for a key
    not used yet, and the revocation time ("" while it works); times in the operator's
    `zone`."""
    shown = shown_row(row, zone, utc_now())
    shown["prefix"] = f"{shown['prefix']}…"
    shown["last_used_at"] = shown["last_used_at"] or N_("never")  # shown with t_var
    return shown


@guarded(Module.API_KEYS)
class ApiKeyListState(ListState, rx.State):
    """The API keys of the operator's organisation and its sub-operators, revoked included
    (a revoked key stays listed: who made it and when it was last used still matter)."""

    def _list_spec(self) -> ListSpec:
        return api_keys.API_KEY_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return shown_key_row(row, self._zone)

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        role_names = {r.name: role_label(r) for r in roles.visible_roles(scope)}
        return {
            "organisation_id": [
                (str(pk), name) for pk, name in account_admin.organisation_choices(scope)
            ],
            "role": list(role_names.items()),
        }


@guarded(Module.API_KEYS)
class ApiKeyFormState(rx.State):
    """The "New API key" dialog (name typed; role and organisation chosen from what the
    caller may grant), then the dialog that shows the key once (`revealed_*`: which key,
    never the key itself)."""

    is_open: bool = False
    organisation_id: str = ""
    role_id: str = ""
    organisation_choices: list[list[str]] = []
    role_choices: list[list[str]] = []
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    revealed_name: str = ""
    revealed_prefix: str = ""
    revealed_role: str = ""
    revealed_organisation: str = ""

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
        self.role_id = next((pk for pk, name in self.role_choices if name == DEFAULT_ROLE), "")
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
    async def create(self, form: dict[str, Any]) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        name, role_id = str(form.get("name", "")), as_id(self.role_id)
        organisation_id = as_id(self.organisation_id) or None
        self.busy = True
        try:
            made = await asyncio.to_thread(
                api_keys.create_api_key, caller, name, role_id, organisation_id
            )
        except InputError as exc:
            self.errors, self.message = dict(exc.errors), ""
            return None
        except (RefusedError, NotFoundError) as exc:
            self.errors, self.message = {}, str(exc)
            return None
        finally:
            self.busy = False
        self.is_open = False
        self._reveal(made.view)
        return [rx.call_script(reveal_script(made.key)), ApiKeyListState.refresh]

    @event
    def set_revealed_open(self, is_open: bool) -> None:
        """Closing the shown-once dialog forgets which key it showed; the key is gone with
        the dialog's element."""
        if not is_open:
            self._reveal(None)

    @event
    def copied(self, ok: bool) -> Any:
        """The copy button's answer from the browser."""
        if ok is True:
            return rx.toast.success(tr("Key copied to the clipboard."))
        return rx.toast.info(
            tr("This browser did not let CCMS copy: the key is selected, press Ctrl+C (⌘C).")
        )

    def _reveal(self, view: ApiKeyView | None) -> None:
        self.revealed_name = view.name if view else ""
        self.revealed_prefix = view.prefix if view else ""
        self.revealed_role = view.role if view else ""
        self.revealed_organisation = view.organisation if view else ""


@guarded(Module.API_KEYS)
class ApiKeyActionsState(rx.State):
    """Revoking one key, after a confirm dialog (`target_id` 0: no dialog open)."""

    target_id: int = 0
    target_label: str = ""
    message: str = ""
    busy: bool = False

    @event
    def ask_revoke(self, key_id: str, label: str) -> None:
        self.target_id, self.target_label = as_id(key_id), label
        self.message, self.busy = "", False

    @event
    def set_confirm_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.target_id, self.target_label, self.message = 0, "", ""

    @requires(Action.EDIT)
    @event
    async def revoke(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            view = await asyncio.to_thread(api_keys.revoke_api_key, caller, self.target_id)
        except (RefusedError, NotFoundError) as exc:
            self.message = str(exc)
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self.target_id, self.target_label = 0, ""
        return [
            rx.toast.success(
                tr("API key {view} revoked: its next request is refused.", view=view.name)
            ),
            ApiKeyListState.refresh,
        ]
