"""The repair record of a work order: notes, parts used and time spent. Each is a history
entry too, so the timeline tells the whole repair in order."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from ccms_app.accounts.roles import Caller, InputError
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.work_orders.common import (
    add_event,
    editing,
    identity_of,
    publish,
    require_edit,
    work_order_event,
)
from ccms_app.maintenance.work_orders.inputs import read_minutes, read_part, read_text
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderPart, WorkOrderTime

Record = Callable[[Session, WorkOrder], object]


def _changed(caller: Caller, work_order_id: int, action: str, record: Record) -> None:
    """Run `record(session, row)` on the work order in scope, then publish `changed`."""
    require_edit(caller, action, work_order_id)
    event: NetworkEvent
    with editing(caller, work_order_id, action) as (session, row):
        record(session, row)
        session.flush()
        event = work_order_event(row, identity_of(session, row.charge_point_id), changed=True)
    publish([event])


def add_note(caller: Caller, work_order_id: int, text: str) -> None:
    """A repair process note (what was found, what was tried)."""
    note, errors = read_text(text, "text", "note")
    if errors:
        raise InputError(errors)
    _changed(
        caller,
        work_order_id,
        "work_order.note",
        lambda session, row: add_event(session, row, "note", caller.email, note),
    )


def add_part(caller: Caller, work_order_id: int, part: str, quantity: object = 1) -> None:
    checked, errors = read_part(part, quantity)
    if checked is None:
        raise InputError(errors)
    name, count = checked

    def record(session: Session, row: WorkOrder) -> None:
        session.add(
            WorkOrderPart(
                work_order_id=stored_id(row.id), part=name, quantity=count, added_by=caller.email
            )
        )
        add_event(session, row, "part", caller.email, f"{count} x {name}")

    _changed(caller, work_order_id, "work_order.part", record)


def log_time(caller: Caller, work_order_id: int, minutes: object, note: str = "") -> None:
    """Time spent on the repair; it adds to the work order's time_spent_min."""
    checked, errors = read_minutes(minutes, note)
    if checked is None:
        raise InputError(errors)
    count, text = checked

    def record(session: Session, row: WorkOrder) -> None:
        session.add(
            WorkOrderTime(
                work_order_id=stored_id(row.id), minutes=count, note=text, logged_by=caller.email
            )
        )
        row.time_spent_min = (row.time_spent_min or 0) + count
        add_event(
            session, row, "time", caller.email, f"{count} min" + (f": {text}" if text else "")
        )

    _changed(caller, work_order_id, "work_order.time", record)
