"""One batch of bus events -> alarms raised, repeated and closed, in one transaction.

The worker (maintenance.alarms.worker) collects what the chargers changed for a moment and
calls `apply_events` in a thread. Events only name what changed; the current rows decide
(a connector that is Faulted now raises, one that serves drivers again recovers), so events
that arrive out of order or late do no harm, and the sweep's reading of the same rows agrees.

What counts (only registered charge points raise alarms):
- connector: Faulted raises CONNECTOR_FAULTED (each Faulted notification is an occurrence); a
  recovery status closes it. A fault and its recovery within one batch are both recorded.
- charge_point: online closes OFFLINE (the sweep raises it after the threshold); a firmware or
  diagnostics failure raises, success closes.
- warning with data_issue: DATA_ISSUE or METER_ANOMALY from the unresolved issues; warning
  with data_issues_resolved (an operator resolved issues): those alarms whose charge point
  has no unresolved issue of their cause left close.
- command RemoteStartTransaction rejected / failed / timed out, session stopped: the failed
  starts rule (a working session closes its alarm).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.control.models import ChargePointCommand
from ccms_app.core.db import session_scope
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.raising import (
    AlarmSignal,
    Raise,
    open_alarm,
    prefetch_open_alarms,
    raise_many,
    raise_or_repeat,
)
from ccms_app.maintenance.alarms.recovery import recover_open
from ccms_app.maintenance.alarms.rule_match import prefetch_vendor_codes
from ccms_app.maintenance.alarms.signals import (
    command_connector,
    failed_starts_signal,
    fault_signals,
    issue_signal,
    issues_by_cause,
    latest_start_succeeded,
    open_issues,
)
from ccms_app.maintenance.alarms.sweep_close import close_resolved_issues
from ccms_app.maintenance.rules.alarm_causes import (
    CONNECTOR_FAULTED,
    FAILED_STARTS,
    OFFLINE,
    REMOTE_START_ACTION,
    data_issue_cause,
    diagnostics_cause,
    firmware_cause,
    is_fault,
    is_recovery,
    open_key,
    remote_start_failed,
    session_start_failed,
)
from ccms_app.network.models import ChargePoint, Connector, RegistrationState

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) query


@dataclass
class EventDigest:
    """What a batch of bus events asks the engine to look at."""

    connectors: set[tuple[int, int]] = field(default_factory=set)  # (cp id, connector id)
    faulted: Counter[tuple[int, int]] = field(default_factory=Counter)  # Faulted notifications
    online: set[int] = field(default_factory=set)
    statuses: list[tuple[int, str, str]] = field(default_factory=list)  # (cp, kind, status)
    issues: Counter[tuple[int, str]] = field(default_factory=Counter)  # (cp, cause)
    commands: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    issues_resolved: bool = False

    def charge_point_ids(self) -> set[int]:
        return (
            {cp for cp, _ in self.connectors}
            | self.online
            | {cp for cp, _, _ in self.statuses}
            | {cp for cp, _ in self.issues}
        )


def relevant(event: NetworkEvent) -> bool:
    """Cheap test run for every bus event (meter values are most of them)."""
    kind, data = event.kind, event.data
    if kind == "warning" and data.get("data_issues_resolved"):
        return True  # names no charge point: the resolution is of many, any organisation's
    if kind == "security":
        return True  # a refused charger connection: the worker reads the new security events
    if event.charge_point_id is None:
        return False
    if kind == "connector":
        status = data.get("status", "")
        return is_fault(status) or is_recovery(status)
    if kind == "charge_point":
        return bool(data.get("online")) or "firmware_status" in data or "diagnostics_status" in data
    if kind == "warning":
        return "data_issue" in data
    if kind == "command":
        return data.get("action") == REMOTE_START_ACTION and remote_start_failed(
            str(data.get("status", ""))
        )
    if kind == "session":
        return bool(data.get("stopped")) and isinstance(data.get("transaction_id"), int)
    return False


def digest(events: Sequence[NetworkEvent]) -> EventDigest:
    found = EventDigest()
    for event in events:
        if not relevant(event):
            continue
        if event.charge_point_id is None:
            found.issues_resolved = True
            continue
        cp_id, data = event.charge_point_id, event.data
        if event.kind == "connector":
            key = (cp_id, int(data.get("connector_id", 0)))
            found.connectors.add(key)
            if is_fault(data.get("status", "")):
                found.faulted[key] += 1
        elif event.kind == "charge_point":
            if data.get("online"):
                found.online.add(cp_id)
            for kind in ("firmware_status", "diagnostics_status"):
                if kind in data:
                    found.statuses.append((cp_id, kind, str(data[kind])))
        elif event.kind == "warning":
            found.issues[(cp_id, data_issue_cause(str(data["data_issue"])))] += 1
        elif event.kind == "command":
            found.commands.append(int(data["command_id"]))
        elif event.kind == "session":
            found.sessions.append(int(data["transaction_id"]))
    return found


def apply_events(events: Sequence[NetworkEvent], now: datetime) -> list[NetworkEvent]:
    """Apply a batch in one transaction; the alarm events to publish after the commit."""
    found = digest(events)
    if not (found.charge_point_ids() or found.commands or found.sessions or found.issues_resolved):
        return []
    with session_scope() as session:
        return _apply(session, found, now)


def _apply(session: Session, found: EventDigest, now: datetime) -> list[NetworkEvent]:
    commands = _commands(session, found.commands)
    sessions = _sessions(session, found.sessions)
    cp_ids = found.charge_point_ids()
    cp_ids |= {c.charge_point_id for c in commands} | {cs.charge_point_id for cs in sessions}
    cps = {
        stored_id(cp.id): cp
        for cp in _charge_points(session, cp_ids)
        if cp.registration_state == RegistrationState.REGISTERED
    }
    prefetch_open_alarms(
        session,
        [open_key(cp, connector, CONNECTOR_FAULTED) for cp, connector in found.connectors]
        + [open_key(cp, 0, OFFLINE) for cp in found.online],
    )
    changes = [
        *_connector_changes(session, found, cps, now),
        *_online_changes(session, found, cps, now),
        *_status_changes(session, found, cps, now),
        *_issue_changes(session, found, cps, now),
        *_start_changes(session, commands, sessions, cps, now),
        *(close_resolved_issues(session, now) if found.issues_resolved else []),
    ]
    return [change for change in changes if change is not None]


def _connector_changes(
    session: Session, found: EventDigest, cps: dict[int, ChargePoint], now: datetime
) -> list[NetworkEvent | None]:
    """Faults first, in bulk (a storm is one read of the Faulted notifications, one INSERT per
    chunk), then recoveries: a fault and its recovery within one batch are both recorded."""
    touched = {cp for cp, connector in found.connectors if connector > 0 and cp in cps}
    rows = {(c.charge_point_id, c.connector_id): c for c in _connectors(session, touched)}
    faults: list[tuple[ChargePoint, Connector | None, int]] = []
    recoveries: list[tuple[ChargePoint, int, ChargePoint | Connector]] = []
    for key in sorted(found.connectors):
        cp = cps.get(key[0])
        if cp is None:
            continue
        connector = rows.get(key) if key[1] > 0 else None
        current: ChargePoint | Connector = connector if connector is not None else cp
        count = found.faulted[key]
        if is_fault(current.status) or count:
            faults.append((cp, connector, count))
        if is_recovery(current.status):
            recoveries.append((cp, key[1], current))
    signals = fault_signals(session, [(cp, c, max(1, n)) for cp, c, n in faults], now)
    raises = [
        Raise(cp, signal, repeat=count > 0)
        for (cp, _, count), signal in zip(faults, signals, strict=True)
    ]
    prefetch_vendor_codes(
        session, [(r.cp.organisation_id, r.signal.vendor_error_code) for r in raises]
    )
    changes: list[NetworkEvent | None] = [*raise_many(session, raises, now)]
    for cp, connector_id, current in recoveries:
        at = current.status_at or now
        what = f"status {current.status}"
        changes.append(
            recover_open(
                session, stored_id(cp.id), cp.identity, connector_id, CONNECTOR_FAULTED, at, what
            )
        )
    return changes


def _online_changes(
    session: Session, found: EventDigest, cps: dict[int, ChargePoint], now: datetime
) -> list[NetworkEvent | None]:
    return [
        recover_open(session, cp_id, cps[cp_id].identity, 0, OFFLINE, now, "back online")
        for cp_id in sorted(found.online)
        if cp_id in cps and cps[cp_id].is_online
    ]


def _status_changes(
    session: Session, found: EventDigest, cps: dict[int, ChargePoint], now: datetime
) -> list[NetworkEvent | None]:
    """Firmware and diagnostics notifications, in the order they came."""
    changes: list[NetworkEvent | None] = []
    for cp_id, kind, status in found.statuses:
        cp = cps.get(cp_id)
        firmware = kind == "firmware_status"
        decision = firmware_cause(status) if firmware else diagnostics_cause(status)
        if cp is None or decision is None:
            continue
        cause, failed = decision
        what = f"{'firmware' if firmware else 'diagnostics'} status {status}"
        if failed:
            signal = AlarmSignal(connector_id=0, cause=cause, fault_started_at=now, detail=what)
            changes.append(raise_or_repeat(session, cp, signal, now))
        else:
            changes.append(recover_open(session, cp_id, cp.identity, 0, cause, now, what))
    return changes


def _issue_changes(
    session: Session, found: EventDigest, cps: dict[int, ChargePoint], now: datetime
) -> list[NetworkEvent | None]:
    """Data issues raise or repeat their alarms in bulk: a batch in which many chargers
    report odd data (a fleet's firmware bug) reads the open alarms once and inserts the new
    ones together, as a fault storm does."""
    wanted = sorted({cp for cp, _ in found.issues if cp in cps})
    grouped = issues_by_cause(open_issues(session, wanted))
    raises = [
        Raise(cps[cp_id], issue_signal(issues, cause, count))
        for (cp_id, cause), count in sorted(found.issues.items())
        if cp_id in cps and (issues := grouped.get((cp_id, cause)))  # else resolved meanwhile
    ]
    prefetch_open_alarms(session, [open_key(stored_id(r.cp.id), 0, r.signal.cause) for r in raises])
    return [*raise_many(session, raises, now)]


def _start_changes(
    session: Session,
    commands: list[ChargePointCommand],
    sessions: list[ChargingSession],
    cps: dict[int, ChargePoint],
    now: datetime,
) -> list[NetworkEvent | None]:
    """Failed remote starts and short empty sessions count towards the failed-starts rule; a
    session that worked closes the connector's failed-starts alarm."""
    check: set[tuple[int, int]] = {(c.charge_point_id, command_connector(c)) for c in commands}
    ended = [cs for cs in sessions if cs.stop_time is not None and cs.charge_point_id in cps]
    # Only a connector with an open failed-starts alarm has one to close: when a shift's
    # sessions end together, one read of the open alarms, not two queries per session.
    prefetch_open_alarms(
        session, [open_key(cs.charge_point_id, cs.connector_id, FAILED_STARTS) for cs in ended]
    )
    changes: list[NetworkEvent | None] = []
    for cs in ended:
        if cs.stop_time is None:  # filtered above; this tells the type checker
            continue
        cp = cps[cs.charge_point_id]
        key = open_key(cs.charge_point_id, cs.connector_id, FAILED_STARTS)
        if session_start_failed(cs.start_time, cs.stop_time, cs.energy_wh):
            check.add((cs.charge_point_id, cs.connector_id))
        elif open_alarm(session, key) is not None and latest_start_succeeded(
            session, cp, cs.connector_id
        ):
            what = f"transaction {cs.id} charged {cs.energy_wh} Wh"
            changes.append(
                recover_open(
                    session,
                    cs.charge_point_id,
                    cp.identity,
                    cs.connector_id,
                    FAILED_STARTS,
                    cs.stop_time,
                    what,
                )
            )
    for cp_id, connector_id in sorted(check):
        checked = cps.get(cp_id)
        signal = failed_starts_signal(session, checked, connector_id, now) if checked else None
        if checked is not None and signal is not None:
            changes.append(raise_or_repeat(session, checked, signal, now))
    return changes


def _chunks(ids: set[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _charge_points(session: Session, ids: set[int]) -> list[ChargePoint]:
    return [
        cp
        for chunk in _chunks(ids)
        for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(chunk)))
    ]


def _connectors(session: Session, charge_point_ids: set[int]) -> list[Connector]:
    return [
        c
        for chunk in _chunks(charge_point_ids)
        for c in session.exec(select(Connector).where(col(Connector.charge_point_id).in_(chunk)))
    ]


def _commands(session: Session, ids: list[int]) -> list[ChargePointCommand]:
    return [
        c
        for chunk in _chunks(set(ids))
        for c in session.exec(
            select(ChargePointCommand).where(col(ChargePointCommand.id).in_(chunk))
        )
    ]


def _sessions(session: Session, ids: list[int]) -> list[ChargingSession]:
    return [
        cs
        for chunk in _chunks(set(ids))
        for cs in session.exec(select(ChargingSession).where(col(ChargingSession.id).in_(chunk)))
    ]
