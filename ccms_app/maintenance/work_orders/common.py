"""What every work order use case shares: permissions, the scope check, the history entry
and publishing after the commit.

Seeing needs maintenance:view (the gate checks it), changing maintenance:edit, checked here
again against the caller of this very request (API keys and web events alike). A work order
outside the caller's organisation scope is "not found", the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlmodel import Session

from ccms_app.accounts.roles import Caller, not_found, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderEvent
from ccms_app.network.models import ChargePoint

VIEW_PERMISSION = permission(Module.MAINTENANCE, Action.VIEW)
EDIT_PERMISSION = permission(Module.MAINTENANCE, Action.EDIT)
OBJECT = "work_order"


class WorkOrderError(ValueError):
    """A request the work order cannot take now (wrong status, nothing to do); 409."""


def require_edit(caller: Caller, action: str, object_id: object) -> None:
    require(caller, EDIT_PERMISSION, action, OBJECT, object_id)


def _visible(session: Session, caller: Caller, work_order_id: int) -> WorkOrder | None:
    row = session.get(WorkOrder, work_order_id) if work_order_id > 0 else None
    return row if row is not None and row.organisation_id in caller.scope() else None


@contextmanager
def editing(caller: Caller, work_order_id: int, action: str) -> Iterator[tuple[Session, WorkOrder]]:
    """A write transaction on the work order, or NotFoundError when it is not the caller's
    to see. The refusal is audited after the transaction ends (the audit log writes in its
    own transaction, which would wait for ours on SQLite)."""
    with session_scope() as session:
        row = _visible(session, caller, work_order_id)
        if row is not None:
            yield session, row
            return
    not_found(caller, action, OBJECT, work_order_id, "work order")


@contextmanager
def reading(caller: Caller, work_order_id: int, action: str) -> Iterator[tuple[Session, WorkOrder]]:
    """As `editing`, read-only."""
    with read_session() as session:
        row = _visible(session, caller, work_order_id)
        if row is not None:
            yield session, row
            return
    not_found(caller, action, OBJECT, work_order_id, "work order")


def add_event(
    session: Session,
    work_order: WorkOrder,
    kind: str,
    actor: str,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
) -> WorkOrderEvent:
    """One history entry; the work order's updated_at moves with it."""
    now = utc_now()
    event = WorkOrderEvent(
        work_order_id=stored_id(work_order.id),
        at=now,
        actor=actor[:320],
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        text=text,
    )
    work_order.updated_at = now
    session.add(work_order)
    session.add(event)
    return event


def identity_of(session: Session, charge_point_id: int) -> str:
    cp = session.get(ChargePoint, charge_point_id)
    return cp.identity if cp is not None else ""


def work_order_event(work_order: WorkOrder, identity: str = "", **flags: object) -> NetworkEvent:
    """The kind="work_order" event to publish after the commit: `created=True`,
    `status_changed=True` (with `from_status="..."`) or `changed=True`."""
    return NetworkEvent(
        kind="work_order",
        charge_point_id=work_order.charge_point_id,
        identity=identity,
        data={
            "work_order_id": work_order.id,
            "organisation_id": work_order.organisation_id,
            "status": work_order.status,
            **flags,
        },
    )


def publish(events: Iterable[NetworkEvent]) -> None:
    """Publish after the commit (never inside the transaction: listeners re-read the rows)."""
    bus = get_event_bus()
    for event in events:
        bus.publish(event)
