"""System > Settings: the organisation's and the network's settings, one section saved at a
time, the SMTP test and the trail of the last changes.

Thin: `system.settings_admin` reads, checks, stores and audits every setting where it lives
(and refuses what the caller may not change); `system.smtp_test` sends the test e-mail. The
inputs are controlled by `values`, so what the operator typed stays after an error; errors
come back per field as messages in the tab's language. Viewing needs system:view
(`@guarded`), saving and the SMTP test system:edit (`@requires`), checked by the gate and
again by the use case (with finance:edit for the billing settings and the root operator for
the network's).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.config import get_settings
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import gettext, tr
from ccms_app.system import settings_admin, smtp_test
from ccms_app.system.rules.settings import LABELS, TRAIL_WORDS, SettingsInputError
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import background_event, event

NO_TARIFF = "none"  # the select's value for "no default tariff" (a select item cannot be "")
TIME_FORMAT = "%Y-%m-%d %H:%M %Z"


@dataclasses.dataclass
class ChangeRowView:
    id: int = 0
    at: str = ""
    actor: str = ""
    setting: str = ""
    detail: str = ""


@guarded(Module.SYSTEM)
class SettingsState(rx.State):
    """The caller's organisation's settings as the form shows them."""

    loaded: bool = False
    network_wide: rx.Field[bool] = rx.field(False)
    may_edit: rx.Field[bool] = rx.field(False)
    may_edit_billing: rx.Field[bool] = rx.field(False)
    organisation_name: str = ""
    values: dict[str, str] = {}
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    defaults: dict[str, str] = {}
    tariff_choices: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    currency: str = ""
    plans_offered: int = 0
    busy: str = ""  # the section being saved
    changes: rx.Field[list[ChangeRowView]] = rx.field(default_factory=list)
    zone: str = "UTC"
    smtp_configured: bool = False
    smtp_server: str = ""
    smtp_sender: str = ""
    smtp_testing: bool = False
    smtp_result: str = ""
    smtp_ok: bool = False

    @event
    async def load(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return None
        view = await asyncio.to_thread(settings_admin.settings_view, caller)
        self._show(view)
        status = smtp_test.smtp_status(get_settings())
        self.smtp_configured, self.smtp_server = status.configured, status.server
        self.smtp_sender, self.smtp_result = status.sender, ""
        await self._read_changes(caller)
        self.loaded = True
        return None

    def _show(self, view: settings_admin.SettingsView) -> None:
        self.network_wide, self.may_edit = view.network_wide, view.may_edit
        self.may_edit_billing = view.may_edit_billing
        self.organisation_name = view.organisation_name
        self.values = dict(view.values)
        self.defaults = {key: str(value) for key, value in view.defaults.items()}
        self.tariff_choices = [[str(pk), name] for pk, name in view.tariff_choices]
        self.currency, self.plans_offered = view.currency, view.plans_offered
        self.errors = {}

    @event
    def set_value(self, name: str, value: str) -> None:
        self._put(str(name), str(value))

    @event
    def set_default_tariff(self, value: str) -> None:
        self._put("default_tariff", "" if value == NO_TARIFF else str(value))

    @event
    def set_memberships(self, enabled: bool) -> None:
        self._put("memberships_enabled", "true" if enabled else "false")

    def _put(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @requires(Action.EDIT)
    @event
    async def save(self, section: str):
        """Save one section's fields; the others keep what is stored."""
        caller = await event_caller(self)
        language = await self._language()
        if caller is None:
            yield rx.toast.error(tr(SESSION_ENDED))
            return
        fields = settings_admin.SECTIONS.get(str(section), ())
        form = {key: self.values.get(key, "") for key in fields}
        self.busy = str(section)
        yield
        try:
            view = await asyncio.to_thread(settings_admin.save_section, caller, section, form)
        except SettingsInputError as exc:
            self.errors = {key: message.text(language) for key, message in exc.errors.items()}
            yield rx.toast.error(gettext(language, "Not saved: check the fields marked in red."))
            return
        except RefusedError as exc:
            yield rx.toast.error(gettext(language, "Not saved: {reason}", reason=str(exc)))
            return
        finally:
            self.busy = ""
        self._keep_other_sections(view, fields)
        await self._read_changes(caller)
        yield rx.toast.success(gettext(language, "Settings saved."))

    def _keep_other_sections(
        self, view: settings_admin.SettingsView, saved: tuple[str, ...]
    ) -> None:
        """Show the saved section as stored; what is typed in other sections stays."""
        typed = dict(self.values)
        self._show(view)
        self.values = {**view.values, **{k: v for k, v in typed.items() if k not in saved}}

    @event
    async def refresh_changes(self) -> None:
        caller = await event_caller(self)
        if caller is not None:
            await self._read_changes(caller)

    async def _read_changes(self, caller: Caller) -> None:
        rows = await asyncio.to_thread(settings_admin.recent_changes, caller)
        self.zone = await asyncio.to_thread(
            settings_admin.organisation_zone, caller.organisation_id
        )
        language = await self._language()
        tz = time_zone(self.zone)
        self.changes = [
            ChangeRowView(
                id=row.id,
                at=row.at.astimezone(tz).strftime(TIME_FORMAT),
                actor=row.actor,
                setting=gettext(language, LABELS[row.key]) if row.key in LABELS else row.key,
                detail=_in_language(row.detail, language),
            )
            for row in rows
        ]

    @requires(Action.EDIT)
    @background_event
    async def send_test_mail(self):
        """One e-mail to the operator's own address through the configured SMTP server, in a
        thread (the conversation may take up to CCMS_SMTP_TIMEOUT), the tab free meanwhile."""
        async with self:
            caller = await event_caller(self)
            language = await self._language()
            if caller is None or self.smtp_testing:
                return
            self.smtp_testing, self.smtp_result = True, ""
        outcome = await asyncio.to_thread(
            smtp_test.send_test_mail,
            caller.email,
            caller.organisation_id,
            language,
            get_settings(),
        )
        async with self:
            self.smtp_testing = False
            self.smtp_ok, self.smtp_result = outcome.sent, outcome.message.text(language)

    async def _language(self) -> str:
        return str((await self.get_state(AuthState)).language)


def _in_language(detail: str, language: str) -> str:
    """A stored "before -> after" with its fixed words ("(empty)") in the reader's language."""
    for word, msgid in TRAIL_WORDS.items():
        detail = detail.replace(word, gettext(language, msgid))
    return detail
