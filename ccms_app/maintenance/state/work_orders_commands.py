"""Remote commands from a work order's page: reset, unlock connector, change availability,
get diagnostics, with the same lifecycle display as the charge point page (the command's
status badge and the charge point's recent commands).

Sending runs as a background event (a charger may take the command timeout to answer; the
tab keeps working meanwhile). It needs live_monitoring:control, the permission of every
charger command (the Maintenance staff role holds it); the use case also wants
maintenance:edit, as it writes the work order's history. Afterwards the page's state
refreshes through its `load`, which keeps what the technician typed; a reconnect loading the
same work order again keeps the command in flight and its outcome (ui.reopen).
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.state.commands import CommandRow, command_rows
from ccms_app.core.i18n import gettext, reader_language, tr
from ccms_app.drivers.state.detail import id_from_path
from ccms_app.maintenance.state.work_orders_detail import ROUTE_PREFIX, WorkOrderDetailState
from ccms_app.maintenance.work_orders import remote
from ccms_app.monitoring.charge_point_view import station_zone
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import background_event, event
from ccms_app.ui.reopen import ReopenAware

ACTIONS = list(remote.COMMAND_ACTIONS)
LABELS = dict(remote.COMMAND_LABELS)


async def _zone_of(views: list[Any]) -> str:
    """The zone the work order's commands are shown in: its charge point's station's."""
    if not views:
        return "UTC"
    return await asyncio.to_thread(station_zone, int(views[0].charge_point_id))


@guarded(Module.MAINTENANCE)
class WorkOrderCommandState(ReopenAware, rx.State):
    action: str = ACTIONS[0]
    reset_type: str = "Soft"
    connector_id: str = "1"
    availability: str = "Operative"
    busy: bool = False
    outcome: str = ""
    outcome_ok: bool = False
    recent: rx.Field[list[CommandRow]] = rx.field(default_factory=list)
    _id: int = 0

    @event
    async def load(self) -> None:
        """on_load: the work order's recent commands. Another work order clears the last
        outcome; the same one again (a reconnect) keeps it and the command in flight."""
        self._id = id_from_path(self.router.url.path, ROUTE_PREFIX)
        caller = await event_caller(self)
        if caller is None:
            return
        anew = self._opening_anew(f"{caller.account_id}:{self._id}")
        if self._work_lost() or anew:  # a command in flight died with its server
            self.outcome, self.busy = "", False
        try:
            views = await asyncio.to_thread(remote.work_order_commands, caller, self._id)
        except NotFoundError:
            views = []
            self._closed()
        self.recent = command_rows(views, await _zone_of(views))

    @event
    def set_action(self, value: str) -> None:
        self.action = value if value in LABELS else ACTIONS[0]
        self.outcome = ""

    @event
    def set_reset_type(self, value: str) -> None:
        self.reset_type = value

    @event
    def set_connector_id(self, value: str) -> None:
        self.connector_id = value

    @event
    def set_availability(self, value: str) -> None:
        self.availability = value

    def _params(self) -> dict[str, Any]:
        if self.action == "Reset":
            return {"type": self.reset_type}
        if self.action == "UnlockConnector":
            return {"connector_id": self.connector_id}
        if self.action == "ChangeAvailability":
            return {"connector_id": self.connector_id or "0", "type": self.availability}
        return {}

    @requires(Action.CONTROL, Module.LIVE_MONITORING)
    @background_event
    async def send(self):
        async with self:
            if self.busy or not self._id:
                return None
            caller = await event_caller(self)
            if caller is None:
                return rx.toast.error(tr(SESSION_ENDED))
            work_order_id, action, params = self._id, self.action, self._params()
            self.busy = True
            sending = tr("Sending {command}…", command=_words(LABELS[action]))
            self.outcome, self.outcome_ok = sending, False
        try:
            message, ok = await _send(caller, work_order_id, action, params)
            views = await _recent_of(caller, work_order_id)
            zone = await _zone_of(views)
        except Exception:
            async with self:  # a reload keeps `busy`: it must not stay set after a crash
                self.busy, self.outcome = False, ""
            raise
        async with self:
            self.busy, self.outcome, self.outcome_ok = False, message, ok
            self.recent = command_rows(views, zone)
        return [
            WorkOrderDetailState.load,
            rx.toast.success(message) if ok else rx.toast.error(message),
        ]


async def _recent_of(caller: Any, work_order_id: int) -> list[Any]:
    """The work order's latest commands; none when it is gone or out of reach meanwhile."""
    try:
        return await asyncio.to_thread(remote.work_order_commands, caller, work_order_id)
    except NotFoundError:
        return []


async def _send(
    caller: Any, work_order_id: int, action: str, params: dict[str, Any]
) -> tuple[str, bool]:
    label = _words(LABELS[action])
    try:
        view = await remote.send_from_work_order(caller, work_order_id, action, params)
    except CommandInputError as exc:
        return tr("{command} not sent: {reason}.", command=label, reason=str(exc)), False
    except (NotFoundError, RefusedError) as exc:
        return tr("{command} not sent: {reason}", command=label, reason=str(exc)), False
    if view.status == "accepted":
        return tr("{command}: accepted by the charge point.", command=label), True
    status = _words(view.status)
    if view.error:
        text = tr("{command}: {status} ({error}).", command=label, status=status, error=view.error)
        return text, False
    return tr("{command}: {status}.", command=label, status=status), False


def _words(msgid: str) -> str:
    """A label or status (a catalog message where there is one) in the reader's language."""
    return gettext(reader_language(), msgid)
