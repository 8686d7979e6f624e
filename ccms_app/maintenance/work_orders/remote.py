"""Remote commands from a work order: reset, unlock connector, change availability, get
diagnostics. Each goes through control.commands (same validation, record and lifecycle as
the charge point page: requested -> sent -> accepted | rejected | failed | timed_out |
offline) and its outcome is a "command" entry in the work order's history.

Sending needs live_monitoring:control (the gate of the page's handler and of the API route:
the permission every charger command needs) and, checked here, maintenance:edit (it writes
the work order's history).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ccms_app.accounts.roles import Caller
from ccms_app.control import commands
from ccms_app.control.commands import CommandView
from ccms_app.control.firmware.diagnostics import request_diagnostics
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.i18n import N_, tr
from ccms_app.maintenance.work_orders.common import (
    add_event,
    editing,
    identity_of,
    publish,
    reading,
    require_edit,
    work_order_event,
)

COMMAND_LABELS: dict[str, str] = {
    "Reset": N_("Reset"),
    "UnlockConnector": N_("Unlock connector"),
    "ChangeAvailability": N_("Change availability"),
    "GetDiagnostics": N_("Get diagnostics"),
}
COMMAND_ACTIONS: tuple[str, ...] = tuple(COMMAND_LABELS)


def _target(caller: Caller, work_order_id: int, action: str) -> int:
    audit_action = "work_order.command"
    require_edit(caller, audit_action, work_order_id)
    if action not in COMMAND_LABELS:
        raise CommandInputError(
            tr(
                "action: from a work order only {command_actions} can be sent",
                command_actions=", ".join(COMMAND_ACTIONS),
            )
        )
    with reading(caller, work_order_id, audit_action) as (_session, row):
        return row.charge_point_id


def _summary(action: str, params: dict[str, Any], view: CommandView) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(params.items()) if v not in (None, ""))
    text = f"{COMMAND_LABELS[action]}" + (f" ({shown})" if shown else "")
    text += f": {view.status}" + (f" - {view.error}" if view.error else "")
    return f"{text} [command #{view.id}]"


def _record(caller: Caller, work_order_id: int, text: str) -> None:
    with editing(caller, work_order_id, "work_order.command") as (session, row):
        add_event(session, row, "command", caller.email, text)
        session.flush()
        event = work_order_event(row, identity_of(session, row.charge_point_id), changed=True)
    publish([event])


async def send_from_work_order(
    caller: Caller, work_order_id: int, action: str, params: dict[str, Any]
) -> CommandView:
    """Send the command to the work order's charge point; its final state. Bad parameters
    raise CommandInputError before anything is sent or recorded."""
    charge_point_id = await asyncio.to_thread(_target, caller, work_order_id, action)
    if action == "GetDiagnostics":
        scope = await asyncio.to_thread(caller.scope)
        view = await request_diagnostics(charge_point_id, caller.email, scope=scope)
        shown: dict[str, Any] = {}
    else:
        view = await commands.send_command(charge_point_id, action, params, caller.email)
        shown = params
    await asyncio.to_thread(_record, caller, work_order_id, _summary(action, shown, view))
    return view


def work_order_commands(caller: Caller, work_order_id: int, limit: int = 10) -> list[CommandView]:
    """The charge point's latest commands (the lifecycle the page shows)."""
    with reading(caller, work_order_id, "work_order.view") as (_session, row):
        charge_point_id = row.charge_point_id
    return commands.recent_commands(charge_point_id, limit)
