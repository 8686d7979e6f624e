"""The command dialog of a charge point row: pick a command, send it, see its outcome.

Sending runs as a background event: a charge point may take up to the command timeout to
answer, and the tab must keep receiving live updates meanwhile.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.control import commands
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.state.command_forms import LABELS, command_outcome, words
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.monitoring.charge_point_view import station_zone
from ccms_app.monitoring.view import format_time
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)

ACTIONS = [
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "Reset",
    "UnlockConnector",
    "ChangeAvailability",
]
# Message ids (the pages show them with t / t_var, the server with `words`).
ACTION_LABELS = {action: LABELS[action] for action in ACTIONS}
FINAL_OK = {"accepted"}


@dataclasses.dataclass
class CommandRow:
    id: int = 0
    action: str = ""
    status: str = ""
    detail: str = ""
    at: str = ""
    by: str = ""


def command_rows(views: list[Any], zone: str = "UTC") -> list[CommandRow]:
    """Recent commands as the dialog lists them (newest first), times in `zone` (the
    charge point's station's)."""
    now = utc_now()
    return [
        CommandRow(
            id=v.id,
            action=ACTION_LABELS.get(v.action, v.action),  # a message id: shown with t_var
            status=v.status,
            detail=v.error,
            at=format_time(v.created_at, zone, now),
            by=v.requested_by,
        )
        for v in views
    ]


@guarded(Module.LIVE_MONITORING)
class CommandState(rx.State):
    """Per tab: which charge point the dialog is open for and what the operator picked."""

    dialog_open: bool = False
    charge_point_id: int = 0
    identity: str = ""
    online: bool = False
    action: str = ACTIONS[0]
    connector_options: rx.Field[list[str]] = rx.field(default_factory=list)
    connector_id: str = ""
    transaction_options: rx.Field[list[str]] = rx.field(default_factory=list)
    transaction_id: str = ""
    id_tag: str = ""
    reset_type: str = "Soft"
    availability: str = "Operative"
    availability_connector: str = "0"
    busy: bool = False
    outcome: str = ""
    outcome_ok: bool = False
    load_error: str = ""
    recent: rx.Field[list[CommandRow]] = rx.field(default_factory=list)

    @event
    async def open_for(self, charge_point_id: int) -> None:
        """Open the dialog for one charge point, with its connectors and transactions."""
        auth_state = await self.get_state(AuthState)
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        detail = await asyncio.to_thread(monitoring.charge_point_detail, charge_point_id, scope)
        self._reset_form()
        self.dialog_open = True
        if detail is None:
            self.load_error = tr("This charge point no longer exists or is not yours.")
            return
        self.charge_point_id = detail.id
        self.identity = detail.identity
        self.online = detail.online
        self.connector_options = [str(c) for c in detail.connector_ids] or ["1"]
        self.connector_id = self.connector_options[0]
        self.transaction_options = [  # shown and sent back: the first word is the id
            tr("{transaction} (connector {connector})", transaction=tx, connector=connector)
            for tx, connector in detail.active_transactions
        ]
        self.transaction_id = self.transaction_options[0] if self.transaction_options else ""
        self.recent = await _recent_rows(detail.id)

    @event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @event
    def set_action(self, value: str) -> None:
        self.action = value
        self.outcome = ""

    @event
    def set_connector_id(self, value: str) -> None:
        self.connector_id = value

    @event
    def set_transaction_id(self, value: str) -> None:
        self.transaction_id = value

    @event
    def set_id_tag(self, value: str) -> None:
        self.id_tag = value

    @event
    def set_reset_type(self, value: str) -> None:
        self.reset_type = value

    @event
    def set_availability(self, value: str) -> None:
        self.availability = value

    @event
    def set_availability_connector(self, value: str) -> None:
        self.availability_connector = value

    @rx.var
    def availability_connector_options(self) -> list[str]:
        return ["0", *self.connector_options]

    @requires(Action.CONTROL)
    @background_event
    async def send(self):
        async with self:
            if self.busy or not self.charge_point_id:
                return None
            auth_state = await self.get_state(AuthState)
            email = acting_email(auth_state)
            charge_point_id, action, params = self.charge_point_id, self.action, self._params()
            self.busy = True
            self.outcome = tr("Sending {command}…", command=_label(action))
            self.outcome_ok = False
        message, ok = await _send(email, charge_point_id, action, params)
        recent = await _recent_rows(charge_point_id)
        async with self:
            self.busy = False
            self.outcome = message
            self.outcome_ok = ok
            self.recent = recent
        return rx.toast.success(message) if ok else rx.toast.error(message)

    def _params(self) -> dict[str, Any]:
        if self.action == "RemoteStartTransaction":
            return {"connector_id": self.connector_id, "id_tag": self.id_tag}
        if self.action == "RemoteStopTransaction":
            return {"transaction_id": self.transaction_id.split(" ")[0]}
        if self.action == "Reset":
            return {"type": self.reset_type}
        if self.action == "UnlockConnector":
            return {"connector_id": self.connector_id}
        return {"connector_id": self.availability_connector, "type": self.availability}

    def _reset_form(self) -> None:
        self.charge_point_id = 0
        self.identity = ""
        self.online = False
        self.action = ACTIONS[0]
        self.connector_options = []
        self.connector_id = ""
        self.transaction_options = []
        self.transaction_id = ""
        self.id_tag = ""
        self.reset_type = "Soft"
        self.availability = "Operative"
        self.availability_connector = "0"
        self.outcome = ""
        self.outcome_ok = False
        self.load_error = ""
        self.recent = []


async def _send(
    email: str, charge_point_id: int, action: str, params: dict[str, Any]
) -> tuple[str, bool]:
    """Send through the command service; every failure becomes a message for the operator."""
    label = _label(action)
    if not email:
        return tr("Your session has ended. Log in again to send commands."), False
    try:
        view = await commands.send_command(charge_point_id, action, params, email)
    except (CommandInputError, LookupError) as exc:
        return tr("{command} not sent: {error}.", command=label, error=exc), False
    except Exception as exc:
        log.exception("command failed", extra={"action": action, "cp": charge_point_id})
        return tr("{command} could not be sent: {error}", command=label, error=exc), False
    return _outcome_text(label, view.status, view.error), view.status in FINAL_OK


def _label(action: str) -> str:
    """The command's name in the reader's language."""
    return words(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def _outcome_text(label: str, status: str, error: str) -> str:
    """`label` (already in the reader's language) and what happened to it."""
    return command_outcome(label, status, error)


async def _recent_rows(charge_point_id: int) -> list[CommandRow]:
    try:
        views = await asyncio.to_thread(commands.recent_commands, charge_point_id, 10)
        zone = await asyncio.to_thread(station_zone, charge_point_id)
    except Exception:
        log.exception("recent commands unavailable", extra={"cp": charge_point_id})
        return []
    return command_rows(views, zone)
