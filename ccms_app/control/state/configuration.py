"""The configuration section of a charge point page: fetch, and inline edit of one key.

The stored keys themselves live in ChargePointLiveState (pushed whenever they change). A
read-only key cannot be edited here, and the service refuses it too; a change the charge
point accepted with RebootRequired is marked until the next fetch.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.control import configuration
from ccms_app.control.state.charge_point import (
    current_charge_point,
    not_sendable,
    not_sent,
    outcome_text,
    signed_in_email,
)
from ccms_app.control.state.command_forms import command_label
from ccms_app.core.i18n import tr
from ccms_app.monitoring.charge_point_view import ConfigRow
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)


@guarded(Module.LIVE_MONITORING)
class ChargePointConfigState(rx.State):
    fetching: bool = False
    editing_key: str = ""
    edit_value: str = ""
    saving: bool = False
    message: str = ""
    message_ok: bool = False
    reboot_keys: rx.Field[list[str]] = rx.field(default_factory=list)

    @event
    def reset_section(self) -> None:
        """A charge point page opens with nothing being edited."""
        self.fetching = self.saving = False
        self.editing_key = self.edit_value = self.message = ""
        self.reboot_keys = []

    @requires(Action.CONTROL)
    @background_event
    async def fetch(self):
        """Ask the charge point for all its keys (GetConfiguration) and store the answer."""
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            if self.fetching or not charge_point_id:
                return
            self.fetching = True
            self.message = ""
            requested_by = await signed_in_email(self)
        message, ok, _ = await _call(
            "GetConfiguration",
            requested_by,
            lambda email: configuration.fetch_configuration(charge_point_id, email),
        )
        async with self:
            self.fetching = False
            self.message, self.message_ok = message, ok
            if ok:
                self.reboot_keys = []

    @event
    async def start_edit(self, key: str) -> None:
        row = await self._row(key)
        if row is None or row.readonly:
            return
        self.editing_key = key
        self.edit_value = row.value
        self.message = ""

    @event
    def set_edit_value(self, value: str) -> None:
        self.edit_value = value

    @event
    def cancel_edit(self) -> None:
        self.editing_key = ""
        self.edit_value = ""

    @requires(Action.CONTROL)
    @background_event
    async def save(self):
        """ChangeConfiguration of the key being edited; the stored value follows the answer."""
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            key, value = self.editing_key, self.edit_value
            row = await self._row(key)
            if self.saving or not charge_point_id or row is None or row.readonly:
                return
            self.saving = True
            requested_by = await signed_in_email(self)
        message, ok, view = await _call(
            "ChangeConfiguration",
            requested_by,
            lambda email: configuration.change_configuration(charge_point_id, key, value, email),
        )
        async with self:
            self.saving = False
            self.message, self.message_ok = message, ok
            if ok:
                self.editing_key = ""
                if configuration.reboot_required(view):
                    self.reboot_keys = [*self.reboot_keys, key]
                    self.message = tr(
                        "{key} changed: the charge point applies it after a reboot.", key=key
                    )

    async def _row(self, key: str) -> ConfigRow | None:
        live = await self.get_state(ChargePointLiveState)
        return next((r for r in live.configuration if r.key == key), None)


async def _call(
    action: str, requested_by: str | None, run: Callable[[str], Awaitable[Any]]
) -> tuple[str, bool, Any]:
    """Run a configuration command for the operator; failures become a message."""
    label = command_label(action)
    if requested_by is None:
        ended = tr("Your session has ended. Log in again to change the configuration.")
        return ended, False, None
    try:
        view = await run(requested_by)
    except (LookupError, ValueError) as exc:
        return not_sent(label, exc), False, None
    except Exception as exc:
        log.exception("configuration command failed", extra={"action": action})
        return not_sendable(label, exc), False, None
    return outcome_text(action, view.status, view.error), view.status == "accepted", view
