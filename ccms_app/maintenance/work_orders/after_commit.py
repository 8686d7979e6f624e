"""Events to publish once the surrounding transaction commits, for work done inside someone
else's transaction (the alarm engine's hooks run in the OCPP writer's batch).

The events wait in `session.info`; a listener on every Session publishes them after the
outermost commit and drops them on a rollback. The writer keeps its session from batch to
batch, so the list is emptied either way.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ccms_app.core.events import NetworkEvent
from ccms_app.maintenance.work_orders.common import publish

_PENDING = "work_order_events"


def publish_after_commit(session: Session, network_event: NetworkEvent) -> None:
    session.info.setdefault(_PENDING, []).append(network_event)


def _committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        publish(pending)


def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen on every Session (idempotent)."""
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_rollback", _rolled_back)
