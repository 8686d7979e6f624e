"""The details of an alarm, read from the rows the charger's messages left: the Faulted
StatusNotification as sent, the data issue's text, the connector's recent start attempts.

Bus events only say what changed; these reads make the engine independent of them (the sweep
finds the same conditions from the same rows when an event was lost).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.control.models import ChargePointCommand
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.raising import AlarmSignal
from ccms_app.maintenance.alarms.settings import settings_for
from ccms_app.maintenance.rules.alarm_causes import (
    CONNECTOR_FAULTED,
    FAILED_STARTS,
    METER_ANOMALY_KINDS,
    REMOTE_START_ACTION,
    REMOTE_START_FAILURES,
    StartAttempt,
    data_issue_cause,
    failed_start_streak,
    session_start_failed,
    start_recovered,
)
from ccms_app.network.models import ChargePoint, Connector, StatusEvent

COMMAND_LOOK_BACK = 4  # remote starts read per attempt wanted (others are other connectors')
FRESH_FAULTS = timedelta(minutes=10)  # fault_signals reads Faulted notifications this recent
CHUNK = 500  # charge point ids per IN (...) query
STREAK_LOOK_BACK = 20  # attempts read to tell how long a failed-starts streak is


def fault_signal(
    session: Session, cp: ChargePoint, connector: Connector | None, occurrences: int = 1
) -> AlarmSignal:
    """A connector's (None: connector 0, the charge point's) Faulted status as the charger sent
    it: the newest Faulted StatusNotification (errorCode, info, vendorId, vendorErrorCode and
    its time), else the current status columns."""
    connector_id = connector.connector_id if connector is not None else 0
    event = session.exec(
        select(StatusEvent)
        .where(
            col(StatusEvent.charge_point_id) == stored_id(cp.id),
            col(StatusEvent.connector_id) == connector_id,
            col(StatusEvent.status) == "Faulted",
        )
        .order_by(col(StatusEvent.received_at).desc())
        .limit(1)
    ).first()
    return _fault_signal(cp, connector, event, occurrences)


def fault_signals(
    session: Session,
    faults: Sequence[tuple[ChargePoint, Connector | None, int]],
    now: datetime,
) -> list[AlarmSignal]:
    """`fault_signal` for many (charge point, connector, occurrences) at once: the Faulted
    StatusNotifications received in the last FRESH_FAULTS are read in one query per CHUNK
    charge points (a storm's faults are all fresh); a key without one there asks alone."""
    cp_ids = sorted({stored_id(cp.id) for cp, _, _ in faults})
    latest: dict[tuple[int, int], StatusEvent] = {}
    for start in range(0, len(cp_ids), CHUNK):
        rows = session.exec(
            select(StatusEvent).where(
                col(StatusEvent.charge_point_id).in_(cp_ids[start : start + CHUNK]),
                col(StatusEvent.received_at) >= now - FRESH_FAULTS,
                col(StatusEvent.status) == "Faulted",
            )
        )
        for event in rows:
            key = (event.charge_point_id, event.connector_id)
            known = latest.get(key)
            if known is None or (event.received_at, event.id or 0) > (
                known.received_at,
                known.id or 0,
            ):
                latest[key] = event
    signals: list[AlarmSignal] = []
    for cp, connector, occurrences in faults:
        key = (stored_id(cp.id), connector.connector_id if connector is not None else 0)
        fresh = latest.get(key)
        signals.append(
            _fault_signal(cp, connector, fresh, occurrences)
            if fresh is not None
            else fault_signal(session, cp, connector, occurrences)
        )
    return signals


def _fault_signal(
    cp: ChargePoint, connector: Connector | None, event: StatusEvent | None, occurrences: int
) -> AlarmSignal:
    connector_id = connector.connector_id if connector is not None else 0
    if event is not None:
        return AlarmSignal(
            connector_id=connector_id,
            cause=CONNECTOR_FAULTED,
            fault_started_at=event.timestamp or event.received_at,
            error_code=event.error_code,
            info=event.info,
            vendor_id=event.vendor_id,
            vendor_error_code=event.vendor_error_code,
            occurrences=occurrences,
        )
    target: ChargePoint | Connector = connector if connector is not None else cp
    return AlarmSignal(
        connector_id=connector_id,
        cause=CONNECTOR_FAULTED,
        fault_started_at=target.status_at or cp.last_seen_at or cp.created_at,
        error_code=target.error_code,
        info=connector.info if connector is not None else "",
        vendor_error_code=target.vendor_error_code,
        occurrences=occurrences,
    )


def open_issues(session: Session, charge_point_ids: list[int]) -> list[ChargerDataIssue]:
    """The unresolved data issues of these charge points, oldest first."""
    if not charge_point_ids:
        return []
    return list(
        session.exec(
            select(ChargerDataIssue)
            .where(
                col(ChargerDataIssue.charge_point_id).in_(charge_point_ids),
                col(ChargerDataIssue.resolved_at).is_(None),
            )
            .order_by(col(ChargerDataIssue.created_at), col(ChargerDataIssue.id))
        )
    )


def issue_signal(issues: list[ChargerDataIssue], cause: str, occurrences: int) -> AlarmSignal:
    """A data issue / meter anomaly alarm from the charge point's unresolved issues of that
    cause (non-empty): started with the oldest, says the newest."""
    first, last = issues[0], issues[-1]
    more = f" (+{len(issues) - 1} more unresolved)" if len(issues) > 1 else ""
    return AlarmSignal(
        connector_id=0,
        cause=cause,
        fault_started_at=first.created_at,
        error_code=last.kind[:32],
        detail=f"{last.detail}{more}",
        occurrences=occurrences,
    )


def issues_by_cause(
    issues: list[ChargerDataIssue],
) -> dict[tuple[int, str], list[ChargerDataIssue]]:
    """(charge point id, alarm cause) -> its unresolved issues, oldest first."""
    grouped: dict[tuple[int, str], list[ChargerDataIssue]] = {}
    for issue in issues:
        if issue.charge_point_id is not None:
            key = (issue.charge_point_id, data_issue_cause(issue.kind))
            grouped.setdefault(key, []).append(issue)
    return grouped


def is_meter_kind(kind: str) -> bool:
    return kind in METER_ANOMALY_KINDS


def command_connector(command: ChargePointCommand) -> int:
    """The connectorId a RemoteStartTransaction asked for (0 when it named none). The command
    log stores the request's fields by their Python names (connector_id); the OCPP spelling
    is read too."""
    try:
        payload = json.loads(command.request_payload or "{}")
        value = payload.get("connector_id", payload.get("connectorId"))
    except (ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and value >= 0 else 0


def start_attempts(
    session: Session, cp: ChargePoint, connector_id: int, wanted: int
) -> list[StartAttempt]:
    """The connector's latest `wanted` sessions and failed remote starts, newest first."""
    cp_id = stored_id(cp.id)
    sessions = session.exec(
        select(ChargingSession)
        .where(
            col(ChargingSession.charge_point_id) == cp_id,
            col(ChargingSession.connector_id) == connector_id,
        )
        .order_by(col(ChargingSession.start_time).desc())
        .limit(wanted)
    ).all()
    attempts = [
        StartAttempt(
            at=cs.start_time,
            failed=bool(session_start_failed(cs.start_time, cs.stop_time, cs.energy_wh)),
            charged=(cs.energy_wh or 0) > 0,
        )
        for cs in sessions
    ]
    commands = session.exec(
        select(ChargePointCommand)
        .where(
            col(ChargePointCommand.charge_point_id) == cp_id,
            col(ChargePointCommand.action) == REMOTE_START_ACTION,
            col(ChargePointCommand.status).in_(sorted(REMOTE_START_FAILURES)),
        )
        .order_by(col(ChargePointCommand.created_at).desc())
        .limit(wanted * COMMAND_LOOK_BACK)
    ).all()
    attempts += [
        StartAttempt(at=c.created_at, failed=True)
        for c in commands
        if command_connector(c) == connector_id
    ]
    return sorted(attempts, key=lambda a: a.at, reverse=True)[:wanted]


def failed_starts_signal(
    session: Session, cp: ChargePoint, connector_id: int, now: datetime
) -> AlarmSignal | None:
    """A failed-starts alarm when the connector's last N attempts all failed (N from the
    organisation's maintenance settings), else None."""
    threshold = max(1, settings_for(session, cp.organisation_id).failed_start_threshold)
    attempts = start_attempts(session, cp, connector_id, max(threshold, STREAK_LOOK_BACK))
    streak = failed_start_streak(attempts)
    if streak < threshold:
        return None
    return AlarmSignal(
        connector_id=connector_id,
        cause=FAILED_STARTS,
        fault_started_at=min(a.at for a in attempts[:streak]),
        detail=f"{streak} failed transaction starts in a row",
    )


def latest_start_succeeded(session: Session, cp: ChargePoint, connector_id: int) -> bool:
    """Whether the connector's newest attempt charged a car (a failed-starts alarm closes):
    a long session that delivered nothing proves no more than the failures did."""
    return start_recovered(start_attempts(session, cp, connector_id, 1))
