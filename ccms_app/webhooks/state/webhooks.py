"""System > Webhooks: the list, the create / edit dialog, and the secret shown once.

Thin: `webhooks.subscriptions` decides (validation, scope, who may) and audits. Every
handler needs system:view (`@guarded`); saving, deleting, a new secret and a test event
need system:edit (`@requires`), checked by the gate and again by the use case.

The secret never sits in a state field (Reflex writes states to disk): an operator's own
secret arrives in the form submission (`secret_form`, whose secret-named field the gate's
audit blanks), and one CCMS made goes straight into the page's read-only box with
`rx.set_value`, not through the state.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListSpec
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.webhooks import subscriptions
from ccms_app.webhooks.rules.events import ALL_EVENTS, EVENT_TYPES, describe_selection
from ccms_app.webhooks.rules.outcomes import outcome_text
from ccms_app.webhooks.subscriptions import SavedSubscription, SubscriptionDisabledError

SECRET_BOX_ID = "webhook_secret"  # the read-only input the page shows a new secret in
REFUSALS = (InputError, NotFoundError, RefusedError, SubscriptionDisabledError)


def health(row: dict[str, Any]) -> str:
    """ "failing", "working" or "no attempt yet": how its receiver is doing (the pages show
    it with t_var)."""
    if row.get("failing_since"):
        return N_("failing")
    return N_("working") if row.get("last_attempt_at") else N_("no attempt yet")


@guarded(Module.SYSTEM)
class WebhookListState(ListState, rx.State):
    """The webhooks of the operator's organisation and its sub-operators (the receivers'
    outcomes worded in the tab's language: `follow_language` words them again)."""

    def _list_spec(self) -> ListSpec:
        return subscriptions.SUBSCRIPTION_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["events"] = describe_selection(str(row.get("events") or ""))
        shown["enabled"] = N_("enabled") if row.get("enabled") else N_("disabled")
        shown["health"] = health(row)
        shown["last_outcome"] = outcome_text(shown.get("last_outcome", ""))
        return shown


@guarded(Module.SYSTEM)
class WebhookFormState(rx.State):
    """The open dialog ("create" or "edit") and the new secret's box."""

    mode: str = ""
    editing_id: int = 0
    values: dict[str, str] = {}  # name, url
    chosen: rx.Field[list[str]] = rx.field(default_factory=list)  # event types, or ["*"]
    enabled: bool = True
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    confirm_delete: bool = False
    secret_shown: bool = False  # the box holding a new secret is open
    secret_for: str = ""  # the webhook it belongs to

    @event
    def open_new(self) -> None:
        self._open("create", 0, {"name": "", "url": ""}, [ALL_EVENTS], True)

    @event
    async def open_edit(self, webhook_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(
                subscriptions.get_subscription, caller, as_id(webhook_id)
            )
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        chosen = sorted(t for t in view.events.split(",") if t)
        self._open("edit", view.id, {"name": view.name, "url": view.url}, chosen, view.enabled)
        return None

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def toggle_event(self, event_type: str, checked: bool) -> None:
        """Tick or clear one type (ticking one ends "all events")."""
        if event_type not in EVENT_TYPES and event_type != ALL_EVENTS:
            return
        chosen = {t for t in self.chosen if t != ALL_EVENTS}
        if event_type == ALL_EVENTS:
            chosen = {ALL_EVENTS} if checked else set()
        elif checked:
            chosen.add(event_type)
        else:
            chosen.discard(event_type)
        self.chosen = sorted(chosen)
        self.errors = {k: v for k, v in self.errors.items() if k != "events"}

    @event
    def switch_enabled(self, value: bool) -> None:
        self.enabled = bool(value)

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.mode = ""
            self.confirm_delete = False

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = bool(value)

    @event
    def close_secret(self) -> Any:
        self.secret_shown, self.secret_for = False, ""
        return rx.set_value(SECRET_BOX_ID, "")

    @requires(Action.EDIT)
    @event
    async def save(self, secret_form: dict[str, Any]) -> Any:
        """Create or change; `secret_form` carries the optional own secret."""
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        form = {
            **self.values,
            "events": ",".join(self.chosen),
            "enabled": "true" if self.enabled else "false",
            "secret": str(secret_form.get("secret", "")).strip(),
        }
        self.errors, self.message, self.busy = {}, "", True
        try:
            saved = await asyncio.to_thread(self._save, caller, form)
        except InputError as exc:
            self.errors = dict(exc.errors)
            return None
        except REFUSALS as exc:
            self.message = str(exc)
            return None
        finally:
            self.busy = False
        created = self.mode == "create"
        self.mode = ""
        done = (
            tr("Webhook {name} created.", name=saved.view.name)
            if created
            else tr("Webhook {name} saved.", name=saved.view.name)
        )
        shown = self._show_secret(saved) if created else []
        return [rx.toast.success(done), WebhookListState.refresh, *shown]

    @requires(Action.EDIT)
    @event
    async def rotate_secret(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            saved = await asyncio.to_thread(subscriptions.rotate_secret, caller, self.editing_id)
        except REFUSALS as exc:
            self.message = str(exc)
            return None
        self.mode = ""
        return [
            rx.toast.success(tr("New secret made: the old one no longer signs.")),
            *self._show_secret(saved),
        ]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.confirm_delete = False
        try:
            name = await asyncio.to_thread(
                subscriptions.delete_subscription, caller, self.editing_id
            )
        except REFUSALS as exc:
            self.message = str(exc)
            return None
        self.mode = ""
        return [
            rx.toast.success(tr("Webhook {name} deleted.", name=name)),
            WebhookListState.refresh,
        ]

    @requires(Action.EDIT)
    @event
    async def send_test(self, webhook_id: str) -> Any:
        return await send_test_event(self, as_id(webhook_id))

    # --- implementation ------------------------------------------------------------------

    def _save(self, caller: Any, form: dict[str, str]) -> SavedSubscription:
        if self.mode == "create":
            return subscriptions.create_subscription(caller, form)
        return subscriptions.update_subscription(caller, self.editing_id, form)

    def _show_secret(self, saved: SavedSubscription) -> list[Any]:
        self.secret_shown, self.secret_for = True, saved.view.name
        return [rx.set_value(SECRET_BOX_ID, saved.secret)]

    def _open(
        self, mode: str, editing_id: int, values: dict[str, str], chosen: list[str], enabled: bool
    ) -> None:
        self.mode, self.editing_id, self.values = mode, editing_id, values
        self.chosen, self.enabled = chosen, enabled
        self.errors, self.message, self.busy, self.confirm_delete = {}, "", False, False


async def send_test_event(state: rx.State, webhook_id: int) -> Any:
    """Queue a test event (the list's and the log page's button): a toast says what next."""
    caller = await event_caller(state)
    if caller is None:
        return rx.toast.error(tr(SESSION_ENDED))
    try:
        await asyncio.to_thread(subscriptions.send_test_event, caller, webhook_id)
    except REFUSALS as exc:
        return rx.toast.error(str(exc))
    return rx.toast.success(tr("Test event queued: its delivery shows in the log within seconds."))
