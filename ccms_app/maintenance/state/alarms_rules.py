"""Maintenance -> Alarm rules: the rule list and its create / edit dialog.

Thin: `maintenance.alarms.rule_admin` validates (every field at once), scopes, checks
maintenance:edit again and audits refusals. The roles a rule notifies are picked from the
roles the operator sees (`accounts.roles.visible_roles`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts import roles
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.config import get_settings
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.mail import mail_enabled
from ccms_app.maintenance.alarms import rule_admin
from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.state.forms import submit
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

NEW_RULE = {
    "name": "",
    "cause": "connector_faulted",
    "vendor": "",
    "model": "",
    "error_code": "",
    "severity": "major",
    "notify_browser": "true",
    "notify_role_ids": "",
    "email_recipients": "",
    "create_work_order": "false",
    "work_order_priority": "medium",
    "enabled": "true",
}


@guarded(Module.MAINTENANCE)
class AlarmRuleListState(ListState, rx.State):
    mail_off: rx.Field[bool] = rx.field(False)

    def _list_spec(self) -> ListSpec:
        return rule_admin.RULE_LIST

    @event
    def check_mail(self) -> None:
        """Rules that e-mail need SMTP: the page says so when CCMS_SMTP_HOST is not set (the
        mails wait in the outbox until it is)."""
        off = not mail_enabled(get_settings())
        if off != self.mail_off:
            self.mail_off = off

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        matches = " · ".join(
            str(v) for v in (row.get("vendor"), row.get("model"), row.get("error_code")) if v
        )
        notify = [
            tr("browser") if row.get("notify_browser") else "",
            tr("e-mail") if row.get("email_recipients") else "",
            tr("work order") if row.get("create_work_order") else "",
        ]
        shown.update(
            cause_text=cause_label(str(row.get("cause") or "")),
            matches=matches or tr("any charger"),
            actions_text=", ".join(n for n in notify if n) or "—",
            state=N_("enabled") if row.get("enabled") else N_("disabled"),
        )
        return shown


@guarded(Module.MAINTENANCE)
class AlarmRuleFormState(rx.State):
    """The open dialog ("create" or "edit")."""

    mode: str = ""
    editing_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    confirm_delete: bool = False
    role_choices: list[list[str]] = []

    @rx.var
    def chosen_roles(self) -> list[str]:
        return [r for r in self.values.get("notify_role_ids", "").split(",") if r]

    @event
    async def open_new(self) -> None:
        await self._open("create", 0, dict(NEW_RULE))

    @event
    async def open_edit(self, rule_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            row = await asyncio.to_thread(rule_admin.get_rule, int(rule_id or 0), caller.scope())
        except (NotFoundError, ValueError) as exc:
            return rx.toast.error(str(exc))
        await self._open("edit", int(row["id"]), rule_admin.rule_form(row))
        return None

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_flag(self, name: str, value: bool) -> None:
        self._set(name, "true" if value else "false")

    @event
    def toggle_role(self, role_id: str, checked: bool) -> None:
        current = [r for r in self.values.get("notify_role_ids", "").split(",") if r]
        chosen = [r for r in current if r != role_id]
        self._set("notify_role_ids", ",".join([*chosen, role_id] if checked else chosen))

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.mode, self.confirm_delete = "", False

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = bool(value)

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values, rule_id = dict(self.values), self.editing_id
        if self.mode == "create":
            saved = await submit(self, lambda caller: rule_admin.create_rule(caller, values))
        else:
            saved = await submit(
                self, lambda caller: rule_admin.update_rule(caller, rule_id, values)
            )
        if not saved.ok:
            return saved.shown
        name = self.values.get("name", "")
        created = self.mode == "create"
        self.mode = ""
        done = f"Rule {name} {'created' if created else 'saved'}."
        return [rx.toast.success(done), AlarmRuleListState.refresh]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        self.confirm_delete = False
        rule_id = self.editing_id
        saved = await submit(self, lambda caller: rule_admin.delete_rule(caller, rule_id))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [
            rx.toast.success(tr("Rule {saved} deleted.", saved=saved.value)),
            AlarmRuleListState.refresh,
        ]

    def _set(self, name: str, value: str) -> None:
        """A switch or a role box changed: its error goes (a click, long before the next
        one; a typed field's error stays until Save, see `ui.inputs`)."""
        self.values = {**self.values, name: value}
        self.errors = {k: v for k, v in self.errors.items() if k != name}

    async def _open(self, mode: str, editing_id: int, values: dict[str, str]) -> None:
        caller = await event_caller(self)
        scope = caller.scope() if caller is not None else frozenset()
        visible = await asyncio.to_thread(roles.visible_roles, scope)
        self.role_choices = [[str(r.id), r.name] for r in visible]
        self.mode, self.editing_id, self.values = mode, editing_id, values
        self.errors, self.message, self.busy, self.confirm_delete = {}, "", False, False
