"""A work order's status moves by people: claim, start, hold, resume, resolve, close,
reopen, and (re)assignment. rules/work_order_status decides what is allowed; this module
applies it: the new status and assignee, the timestamps (started_at the first time it
starts, resolved_at, closed_at; a reopen clears resolved/verified/closed), and one history
entry per change with from/to, who and when. Published after the commit.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from ccms_app.accounts.roles import Caller, InputError
from ccms_app.core.events import NetworkEvent
from ccms_app.core.i18n import gettext, reader_language, tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.rules.work_order_status import (
    TransitionError,
    WorkAction,
    decide,
    status_label,
)
from ccms_app.maintenance.work_orders import staff
from ccms_app.maintenance.work_orders.common import (
    WorkOrderError,
    add_event,
    editing,
    identity_of,
    publish,
    require_edit,
    work_order_event,
)
from ccms_app.maintenance.work_orders.inputs import read_text
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderStatus

log = logging.getLogger(__name__)


def _in_sentence(label: str) -> str:
    """A status label inside a sentence: lower case in English ("A closed work order")."""
    shown = gettext(reader_language(), label)
    return shown.lower() if shown == label else shown


def apply_status(
    session: Session, row: WorkOrder, to_status: str, actor: str, text: str = ""
) -> NetworkEvent | None:
    """Move `row` to `to_status` with its timestamps and history entry; the event to
    publish after the commit (None when the status did not change)."""
    from_status = row.status
    if from_status == to_status:
        return None
    now = utc_now()
    row.status = to_status
    if to_status == WorkOrderStatus.IN_PROGRESS and row.started_at is None:
        row.started_at = now
    if to_status == WorkOrderStatus.RESOLVED:
        row.resolved_at = now
    if to_status == WorkOrderStatus.CLOSED:
        row.closed_at = now
    if from_status in (WorkOrderStatus.RESOLVED, WorkOrderStatus.CLOSED) and to_status in (
        WorkOrderStatus.IN_PROGRESS,
        WorkOrderStatus.OPEN,
    ):
        row.resolved_at = row.verified_at = row.closed_at = None
    add_event(session, row, "status", actor, text, from_status, to_status)
    session.flush()
    identity = identity_of(session, row.charge_point_id)
    return work_order_event(row, identity, status_changed=True, from_status=from_status)


def act(caller: Caller, work_order_id: int, action: str, text: str = "") -> str:
    """Take `action` (claim, start, hold, resume, resolve, close, reopen) on the work order;
    resolve needs the resolution text, hold and reopen take a reason. The new status."""
    try:
        chosen = WorkAction(action)
    except ValueError as exc:
        raise InputError(
            {"action": tr("Unknown work order action {action}.", action=repr(action))}
        ) from exc
    audit_action = f"work_order.{chosen.value}"
    require_edit(caller, audit_action, work_order_id)
    field = "resolution" if chosen is WorkAction.RESOLVE else "text"
    what = "resolution (what was done)" if chosen is WorkAction.RESOLVE else "reason"
    clean, errors = read_text(text, field, what, required=chosen is WorkAction.RESOLVE)
    if errors:
        raise InputError(errors)
    events: list[NetworkEvent] = []
    with editing(caller, work_order_id, audit_action) as (session, row):
        try:
            move = decide(chosen, row.status, row.assignee_account_id, caller.account_id)
        except TransitionError as exc:
            raise WorkOrderError(str(exc)) from exc
        if move.assignee_account_id != row.assignee_account_id:
            row.assignee_account_id = move.assignee_account_id
            who = staff.account_label(session, move.assignee_account_id or 0)
            add_event(session, row, "assigned", caller.email, f"assigned to {who}")
            events.append(
                work_order_event(row, identity_of(session, row.charge_point_id), changed=True)
            )
        if chosen is WorkAction.RESOLVE:
            row.resolution = clean
        status_text = clean if chosen is not WorkAction.CLAIM else ""
        moved = apply_status(session, row, move.to_status, caller.email, status_text)
        if moved is not None:
            events = [moved]
        session.flush()
        new_status = row.status
    publish(events)
    log.info(
        "work order action",
        extra={"work_order_id": work_order_id, "action": chosen.value, "by": caller.email},
    )
    return new_status


def assign(caller: Caller, work_order_id: int, account_id: int | None) -> str:
    """Give the work order to `account_id` (an active account of the scope), or nobody.
    An open order becomes assigned, an assigned one without assignee open again."""
    action = "work_order.assign"
    require_edit(caller, action, work_order_id)
    events: list[NetworkEvent] = []
    with editing(caller, work_order_id, action) as (session, row):
        if row.status in (WorkOrderStatus.RESOLVED, WorkOrderStatus.CLOSED):
            raise WorkOrderError(
                tr(
                    "A {status_label} work order is not reassigned: reopen it first.",
                    status_label=_in_sentence(status_label(row.status)),
                )
            )
        if account_id is not None and not staff.assignable(session, caller.scope(), account_id):
            raise InputError({"assignee_account_id": tr("No such person in your organisation.")})
        if account_id == row.assignee_account_id:
            return row.status
        row.assignee_account_id = account_id
        who = staff.account_label(session, account_id) if account_id else "nobody"
        add_event(session, row, "assigned", caller.email, f"assigned to {who}")
        identity = identity_of(session, row.charge_point_id)
        events.append(work_order_event(row, identity, changed=True))
        target = row.status
        if account_id and row.status == WorkOrderStatus.OPEN:
            target = WorkOrderStatus.ASSIGNED
        elif not account_id and row.status == WorkOrderStatus.ASSIGNED:
            target = WorkOrderStatus.OPEN
        moved = apply_status(session, row, target, caller.email)
        if moved is not None:
            events = [moved]
        new_status = row.status
        stored_id(row.id)
    publish(events)
    return new_status
