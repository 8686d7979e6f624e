"""CCMS verifies resolved work orders (a job, every minute).

A resolved work order is verified when its charge point (its connector, when the order names
one) has been available for MaintenanceSettings.verification_s since it was resolved:
online, not Faulted, and the order's alarm closed. Then `verified_at` is set and the order
closes ("verified by CCMS"). The window starts again when the charger reconnected after the
resolution (it was offline in between).
When the fault is back after the resolution (a Faulted status of the connector, or the
alarm's cause raised again on the charge point), the order goes back to in_progress with a
history entry saying why. Reads: connector status, StatusEvent history, Alarm rows and the
charge point's connect events.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ccms_app.core.db import session_scope
from ccms_app.core.events import NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmStatus
from ccms_app.maintenance.alarms.settings import settings_for
from ccms_app.maintenance.work_orders.common import publish
from ccms_app.maintenance.work_orders.lifecycle import apply_status
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderStatus
from ccms_app.network.models import ChargePoint, ChargePointEvent, Connector, StatusEvent

log = logging.getLogger(__name__)

BATCH = 500
STAMP = "%Y-%m-%d %H:%M:%S"
FAULTED = "Faulted"
VERIFIED_TEXT = "verified by CCMS"
REOPENED = "reopened"  # AlarmActivity.kind of an operator reopening an alarm


@dataclass(frozen=True)
class VerificationRun:
    verified: int
    reopened: int


def _fault_since(session: Session, row: WorkOrder, since: datetime) -> str:
    """Why the fault is back since `since`, or "" when it is not."""
    statuses = select(StatusEvent).where(
        col(StatusEvent.charge_point_id) == row.charge_point_id,
        col(StatusEvent.received_at) >= since,
        col(StatusEvent.status) == FAULTED,
    )
    if row.connector_id:
        statuses = statuses.where(col(StatusEvent.connector_id).in_([0, row.connector_id]))
    faulted = session.exec(statuses.order_by(col(StatusEvent.received_at)).limit(1)).first()
    if faulted is not None:
        where = f"connector {faulted.connector_id}" if faulted.connector_id else "the charge point"
        code = f" ({faulted.error_code})" if faulted.error_code not in ("", "NoError") else ""
        return f"{where} reported Faulted{code} again at {faulted.received_at:{STAMP}} UTC"
    alarm = session.get(Alarm, row.alarm_id) if row.alarm_id else None
    if alarm is None:
        return ""
    reopened = session.exec(
        select(AlarmActivity.at).where(
            col(AlarmActivity.alarm_id) == alarm.id,
            col(AlarmActivity.kind) == REOPENED,
            col(AlarmActivity.at) >= since,
        )
    ).first()
    if reopened is not None:
        return f"alarm #{alarm.id} was reopened at {reopened:{STAMP}} UTC"
    again = session.exec(
        select(Alarm)
        .where(
            col(Alarm.charge_point_id) == row.charge_point_id,
            col(Alarm.cause) == alarm.cause,
            col(Alarm.last_raised_at) >= since,
        )
        .order_by(col(Alarm.last_raised_at))
        .limit(1)
    ).first()
    if again is not None and (not row.connector_id or again.connector_id in (0, row.connector_id)):
        when = f"{again.last_raised_at:{STAMP}} UTC"
        return f"alarm #{again.id} ({again.cause}) raised again at {when}"
    return ""


def _available(session: Session, row: WorkOrder, cp: ChargePoint) -> bool:
    if not cp.is_online or cp.status == FAULTED:
        return False
    connectors = select(Connector.status).where(col(Connector.charge_point_id) == cp.id)
    if row.connector_id:
        connectors = connectors.where(col(Connector.connector_id) == row.connector_id)
    if any(status == FAULTED for status in session.exec(connectors).all()):
        return False
    alarm = session.get(Alarm, row.alarm_id) if row.alarm_id else None
    return alarm is None or alarm.status == AlarmStatus.CLOSED


def _window_start(session: Session, row: WorkOrder, resolved_at: datetime) -> datetime:
    """The resolution, or the last reconnect after it (availability must be unbroken)."""
    reconnected = session.exec(
        select(ChargePointEvent.occurred_at)
        .where(
            col(ChargePointEvent.charge_point_id) == row.charge_point_id,
            col(ChargePointEvent.kind) == "connected",
            col(ChargePointEvent.occurred_at) > resolved_at,
        )
        .order_by(col(ChargePointEvent.occurred_at).desc())
        .limit(1)
    ).first()
    return max(resolved_at, reconnected) if reconnected is not None else resolved_at


def _check(session: Session, row: WorkOrder, now: datetime) -> NetworkEvent | None:
    resolved_at = row.resolved_at or row.updated_at
    why = _fault_since(session, row, resolved_at)
    if why:
        return apply_status(
            session, row, WorkOrderStatus.IN_PROGRESS, "", f"verification failed: {why}"
        )
    cp = session.get(ChargePoint, row.charge_point_id)
    if cp is None or not _available(session, row, cp):
        return None
    needed = timedelta(seconds=settings_for(session, row.organisation_id).verification_s)
    if now - _window_start(session, row, resolved_at) < needed:
        return None
    row.verified_at = now
    event = apply_status(session, row, WorkOrderStatus.CLOSED, "", VERIFIED_TEXT)
    return event


def verify_resolved_work_orders(now: datetime | None = None) -> VerificationRun:
    """Check every resolved work order once; publish the changes after the commit."""
    now = now or utc_now()
    events: list[NetworkEvent] = []
    verified = reopened = 0
    with session_scope() as session:
        rows = session.exec(
            select(WorkOrder)
            .where(col(WorkOrder.status) == WorkOrderStatus.RESOLVED)
            .order_by(col(WorkOrder.resolved_at))
            .limit(BATCH)
        ).all()
        for row in rows:
            event = _check(session, row, now)
            if event is None:
                continue
            events.append(event)
            if row.status == WorkOrderStatus.CLOSED:
                verified += 1
            else:
                reopened += 1
    publish(events)
    if verified or reopened:
        log.info("work orders verified", extra={"verified": verified, "reopened": reopened})
    return VerificationRun(verified, reopened)


async def run_verification() -> None:
    """The scheduler's job (in a thread: database work); a failure is logged, the next
    minute tries again."""
    try:
        await asyncio.to_thread(verify_resolved_work_orders)
    except Exception:
        log.exception("work order verification failed")
