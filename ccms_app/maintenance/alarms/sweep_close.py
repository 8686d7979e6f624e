"""The sweep's closing half: open alarms whose condition is gone are closed as recovered.

A lost bus event (or a recovery the worker could not apply) must not leave an alarm open
forever: every sweep walks the open alarms in id order, chunk by chunk, and closes those whose
charger now says otherwise (connector serving again, charge point online, firmware installed,
diagnostics uploaded, data issues resolved, a start that worked). Security events are closed
by an operator only.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargerDataIssue
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.alarms.recovery import recover
from ccms_app.maintenance.alarms.signals import issues_by_cause, latest_start_succeeded, open_issues
from ccms_app.maintenance.rules.alarm_causes import (
    CONNECTOR_FAULTED,
    DATA_ISSUE,
    DIAGNOSTICS_FAILED,
    DIAGNOSTICS_SUCCESSES,
    FAILED_STARTS,
    FIRMWARE_FAILED,
    FIRMWARE_SUCCESSES,
    METER_ANOMALY,
    OFFLINE,
    is_recovery,
)
from ccms_app.network.models import ChargePoint, Connector

SWEEP_CHUNK = 1_000  # open alarms read (and closed) per transaction
CLOSABLE = (
    CONNECTOR_FAULTED,
    OFFLINE,
    FIRMWARE_FAILED,
    DIAGNOSTICS_FAILED,
    DATA_ISSUE,
    METER_ANOMALY,
    FAILED_STARTS,
)


def close_recovered(now: datetime) -> list[NetworkEvent]:
    """Close every open alarm whose condition is gone; the events to publish."""
    changes: list[NetworkEvent] = []
    after = 0
    while True:
        with read_session() as session:
            ids = list(
                session.exec(
                    select(Alarm.id)
                    .where(
                        col(Alarm.open_key).is_not(None),
                        col(Alarm.cause).in_(CLOSABLE),
                        col(Alarm.id) > after,
                    )
                    .order_by(col(Alarm.id))
                    .limit(SWEEP_CHUNK)
                )
            )
        if not ids:
            return changes
        after = stored_id(ids[-1])
        with session_scope() as session:
            changes += _close_chunk(session, [stored_id(i) for i in ids], now)


def close_resolved_issues(session: Session, now: datetime) -> list[NetworkEvent]:
    """Close the open data issue and meter anomaly alarms whose charge point has no unresolved
    issue of that cause left (an operator just resolved issues; the event names none)."""
    ids = [
        stored_id(i)
        for i in session.exec(
            select(Alarm.id).where(
                col(Alarm.open_key).is_not(None), col(Alarm.cause).in_((DATA_ISSUE, METER_ANOMALY))
            )
        )
    ]
    changes: list[NetworkEvent] = []
    for start in range(0, len(ids), SWEEP_CHUNK):
        changes += _close_chunk(session, ids[start : start + SWEEP_CHUNK], now)
    return changes


def _close_chunk(session: Session, alarm_ids: list[int], now: datetime) -> list[NetworkEvent]:
    alarms = session.exec(
        select(Alarm).where(col(Alarm.id).in_(alarm_ids), col(Alarm.open_key).is_not(None))
    ).all()
    cp_ids = sorted({a.charge_point_id for a in alarms})
    cps = {
        stored_id(cp.id): cp
        for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(cp_ids)))
    }
    connectors = {
        (c.charge_point_id, c.connector_id): c
        for c in session.exec(select(Connector).where(col(Connector.charge_point_id).in_(cp_ids)))
    }
    issue_cps = [a.charge_point_id for a in alarms if a.cause in (DATA_ISSUE, METER_ANOMALY)]
    unresolved = issues_by_cause(open_issues(session, sorted(set(issue_cps))))
    changes: list[NetworkEvent] = []
    for alarm in alarms:
        cp = cps.get(alarm.charge_point_id)
        if cp is None:
            continue
        connector = connectors.get((alarm.charge_point_id, alarm.connector_id))
        gone = _condition_gone(session, alarm, cp, connector, unresolved, now)
        if gone is not None:
            at, what = gone
            changes.append(
                recover(session, alarm, cp.identity, max(at, alarm.fault_started_at), what)
            )
    return changes


def _condition_gone(
    session: Session,
    alarm: Alarm,
    cp: ChargePoint,
    connector: Connector | None,
    unresolved: dict[tuple[int, str], list[ChargerDataIssue]],
    now: datetime,
) -> tuple[datetime, str] | None:
    """(when it recovered, how) when the alarm's condition no longer holds, else None."""
    if alarm.cause == CONNECTOR_FAULTED:
        target: ChargePoint | Connector | None = cp if alarm.connector_id == 0 else connector
        if target is not None and is_recovery(target.status):
            return target.status_at or now, f"status {target.status}"
    elif alarm.cause == OFFLINE:
        if cp.is_online:
            return now, "back online"
    elif alarm.cause == FIRMWARE_FAILED:
        if cp.firmware_status in FIRMWARE_SUCCESSES:
            return cp.firmware_status_at or now, f"firmware status {cp.firmware_status}"
    elif alarm.cause == DIAGNOSTICS_FAILED:
        if cp.diagnostics_status in DIAGNOSTICS_SUCCESSES:
            return cp.diagnostics_status_at or now, f"diagnostics status {cp.diagnostics_status}"
    elif alarm.cause in (DATA_ISSUE, METER_ANOMALY):
        if (alarm.charge_point_id, alarm.cause) not in unresolved:
            return now, "data issues resolved"
    elif alarm.cause == FAILED_STARTS and latest_start_succeeded(session, cp, alarm.connector_id):
        return now, "a transaction started and charged"
    return None
