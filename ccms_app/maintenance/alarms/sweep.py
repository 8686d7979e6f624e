"""The alarm sweep: what the rows say, whatever the bus said.

Every CCMS_ALARM_SWEEP_INTERVAL_S seconds, and once at start-up:
- an offline alarm for every registered, enabled charge point offline longer than its
  organisation's threshold (the fault started when it was last seen);
- a faulted alarm for every connector (or charge point, connector 0) whose current status is
  Faulted with no alarm open: a dropped bus event never loses an alarm;
- a security alarm for the new security events of registered charge points (matched by
  identity; operator logins are no charger's);
- open alarms whose condition is gone are closed (maintenance.alarms.sweep_close).
Candidates are read in id order, SWEEP_CHUNK at a time, without the write lock; each chunk is
re-checked and applied in its own short transaction (5,000+ charge points never make one long
transaction that would hold up the OCPP writer). The sweep re-finds conditions the worker
raised already: those are left as they are (not counted as repeats).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Exists, String, cast, exists, func
from sqlmodel import Session, col, select

from ccms_app.core.config import Settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import EventBus, NetworkEvent, get_event_bus
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, MaintenanceSettings
from ccms_app.maintenance.alarms.raising import (
    AlarmSignal,
    Raise,
    prefetch_open_alarms,
    raise_many,
    raise_or_repeat,
)
from ccms_app.maintenance.alarms.settings import settings_for
from ccms_app.maintenance.alarms.signals import fault_signals
from ccms_app.maintenance.alarms.sweep_close import SWEEP_CHUNK, close_recovered
from ccms_app.maintenance.rules.alarm_causes import (
    CONNECTOR_FAULTED,
    OFFLINE,
    OPERATOR_SECURITY_KINDS,
    SECURITY_EVENT,
    is_fault,
    open_key,
)
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, SecurityEvent

log = logging.getLogger(__name__)

JOB_ID = "ccms-alarm-sweep"
SECURITY_LOOK_BACK = timedelta(hours=1)  # first sweep without a security alarm: events since
DEFAULT_OFFLINE_S = MaintenanceSettings(organisation_id=0).offline_threshold_s


def _key_open(cp_id: Any, connector: Any, cause: str) -> Exists:
    """EXISTS an open alarm with this key (one seek in the unique open_key index)."""
    key = cast(cp_id, String).concat(":").concat(cast(connector, String)).concat(f":{cause}")
    return exists().where(col(Alarm.open_key) == key)


_REGISTERED = col(ChargePoint.registration_state) == RegistrationState.REGISTERED


def offline_candidates(after: int, cutoff: datetime) -> list[int]:
    """Registered, enabled charge points last seen before `cutoff`, offline, no alarm open."""
    with read_session() as session:
        return [
            stored_id(i)
            for i in session.exec(
                select(ChargePoint.id)
                .where(
                    _REGISTERED,
                    col(ChargePoint.enabled).is_(True),
                    col(ChargePoint.is_online).is_(False),
                    col(ChargePoint.last_seen_at).is_not(None),
                    col(ChargePoint.last_seen_at) < cutoff,
                    ~_key_open(ChargePoint.id, 0, OFFLINE),
                    col(ChargePoint.id) > after,
                )
                .order_by(col(ChargePoint.id))
                .limit(SWEEP_CHUNK)
            )
        ]


def _raise_offline(session: Session, cp_ids: list[int], now: datetime) -> list[NetworkEvent]:
    prefetch_open_alarms(session, [open_key(i, 0, OFFLINE) for i in cp_ids])
    changes: list[NetworkEvent] = []
    for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(cp_ids))):
        threshold = timedelta(seconds=settings_for(session, cp.organisation_id).offline_threshold_s)
        seen = cp.last_seen_at
        if cp.is_online or seen is None or now - seen < threshold:
            continue
        detail = f"no connection for more than {int(threshold.total_seconds())} s"
        signal = AlarmSignal(connector_id=0, cause=OFFLINE, fault_started_at=seen, detail=detail)
        change = raise_or_repeat(session, cp, signal, now, repeat=False)
        if change is not None:
            changes.append(change)
    return changes


def faulted_connectors(after: int) -> list[tuple[int, int, int]]:
    """(connector row id, charge point id, connector id) of Faulted connectors of registered
    charge points with no alarm open, connector row ids after `after`."""
    with read_session() as session:
        rows = session.exec(
            select(Connector.id, Connector.charge_point_id, Connector.connector_id)
            .join(ChargePoint, col(ChargePoint.id) == col(Connector.charge_point_id))
            .where(
                col(Connector.status) == "Faulted",
                _REGISTERED,
                ~_key_open(Connector.charge_point_id, Connector.connector_id, CONNECTOR_FAULTED),
                col(Connector.id) > after,
            )
            .order_by(col(Connector.id))
            .limit(SWEEP_CHUNK)
        ).all()
    return [(stored_id(row_id), cp, connector) for row_id, cp, connector in rows]


def faulted_charge_points(after: int) -> list[int]:
    """Registered charge points whose own status (connector 0) is Faulted, no alarm open."""
    with read_session() as session:
        return [
            stored_id(i)
            for i in session.exec(
                select(ChargePoint.id)
                .where(
                    col(ChargePoint.status) == "Faulted",
                    _REGISTERED,
                    ~_key_open(ChargePoint.id, 0, CONNECTOR_FAULTED),
                    col(ChargePoint.id) > after,
                )
                .order_by(col(ChargePoint.id))
                .limit(SWEEP_CHUNK)
            )
        ]


def _raise_faults(
    session: Session, pairs: list[tuple[int, int]], now: datetime
) -> list[NetworkEvent]:
    """Re-checked in the write transaction: still Faulted, still no alarm."""
    cp_ids = sorted({cp for cp, _ in pairs})
    prefetch_open_alarms(session, [open_key(cp, c, CONNECTOR_FAULTED) for cp, c in pairs])
    cps = {
        stored_id(cp.id): cp
        for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(cp_ids)))
    }
    connectors = {
        (c.charge_point_id, c.connector_id): c
        for c in session.exec(select(Connector).where(col(Connector.charge_point_id).in_(cp_ids)))
    }
    faults: list[tuple[ChargePoint, Connector | None, int]] = []
    for cp_id, connector_id in pairs:
        cp = cps.get(cp_id)
        connector = connectors.get((cp_id, connector_id)) if connector_id else None
        current = connector if connector is not None else cp
        if cp is not None and current is not None and is_fault(current.status):
            faults.append((cp, connector, 1))
    signals = fault_signals(session, faults, now)
    raises = [
        Raise(cp, signal, repeat=False) for (cp, _, _), signal in zip(faults, signals, strict=True)
    ]
    return raise_many(session, raises, now)


def security_candidates(after_id: int) -> list[tuple[int, int]]:
    """(security event id, charge point id) of charger security events after `after_id` whose
    identity is a registered charge point."""
    with read_session() as session:
        rows = session.exec(
            select(SecurityEvent.id, ChargePoint.id)
            .join(ChargePoint, col(ChargePoint.identity) == col(SecurityEvent.identity))
            .where(
                col(SecurityEvent.id) > after_id,
                col(SecurityEvent.kind).not_in(sorted(OPERATOR_SECURITY_KINDS)),
                _REGISTERED,
            )
            .order_by(col(SecurityEvent.id))
            .limit(SWEEP_CHUNK)
        ).all()
    return [(stored_id(event_id), stored_id(cp_id)) for event_id, cp_id in rows]


def _raise_security(
    session: Session, found: list[tuple[int, int]], now: datetime
) -> list[NetworkEvent]:
    """One alarm (or repeat) per charge point, counting its new events."""
    events = {
        stored_id(e.id): e
        for e in session.exec(
            select(SecurityEvent).where(col(SecurityEvent.id).in_([i for i, _ in found]))
        )
    }
    by_cp: dict[int, list[SecurityEvent]] = {}
    for event_id, cp_id in found:
        if event_id in events:
            by_cp.setdefault(cp_id, []).append(events[event_id])
    cps = {
        stored_id(cp.id): cp
        for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(list(by_cp))))
    }
    changes: list[NetworkEvent] = []
    for cp_id, cp_events in sorted(by_cp.items()):
        last = cp_events[-1]
        where = f" from {last.remote_address}" if last.remote_address else ""
        signal = AlarmSignal(
            connector_id=0,
            cause=SECURITY_EVENT,
            fault_started_at=cp_events[0].created_at,
            error_code=last.kind[:32],
            detail=f"{last.kind}{where}: {last.detail}",
            occurrences=len(cp_events),
        )
        change = raise_or_repeat(session, cps[cp_id], signal, now)
        if change is not None:
            changes.append(change)
    return changes


def security_watermark(now: datetime) -> int:
    """Where the first sweep of a process starts reading security events: after the newest
    security alarm's last raise, else SECURITY_LOOK_BACK ago (a fresh install does not raise
    an alarm for every refused connection of its past)."""
    with read_session() as session:
        newest = session.exec(
            select(func.max(Alarm.last_raised_at)).where(col(Alarm.cause) == SECURITY_EVENT)
        ).one()
        since = newest or now - SECURITY_LOOK_BACK
        last = session.exec(
            select(func.max(SecurityEvent.id)).where(col(SecurityEvent.created_at) <= since)
        ).one()
    return int(last or 0)


@dataclass
class AlarmSweep:
    """The sweep with what it remembers between runs (the last security event read). The
    alarm worker reads new security events too, as they are recorded (`security_now`): the
    lock keeps one reader at a time, so each event counts once."""

    security_after: int | None = None
    _security_lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, now: datetime) -> list[NetworkEvent]:
        """One sweep (blocking: run it in a thread); the alarm events to publish."""
        changes = close_recovered(now)
        changes += self._offline(now)
        changes += self._faults(now)
        changes += self._security(now)
        return changes

    def _offline(self, now: datetime) -> list[NetworkEvent]:
        with read_session() as session:
            least = session.exec(select(func.min(MaintenanceSettings.offline_threshold_s))).one()
        cutoff = now - timedelta(seconds=min(least or DEFAULT_OFFLINE_S, DEFAULT_OFFLINE_S))
        changes: list[NetworkEvent] = []
        after = 0
        while ids := offline_candidates(after, cutoff):
            after = ids[-1]
            with session_scope() as session:
                changes += _raise_offline(session, ids, now)
        return changes

    def _faults(self, now: datetime) -> list[NetworkEvent]:
        changes: list[NetworkEvent] = []
        after = 0
        while rows := faulted_connectors(after):
            after = rows[-1][0]
            with session_scope() as session:
                changes += _raise_faults(session, [(cp, c) for _, cp, c in rows], now)
        after = 0
        while ids := faulted_charge_points(after):
            after = ids[-1]
            with session_scope() as session:
                changes += _raise_faults(session, [(cp, 0) for cp in ids], now)
        return changes

    def _security(self, now: datetime) -> list[NetworkEvent]:
        with self._security_lock:
            if self.security_after is None:
                self.security_after = security_watermark(now)
            changes: list[NetworkEvent] = []
            while found := security_candidates(self.security_after):
                with session_scope() as session:
                    changes += _raise_security(session, found, now)
                self.security_after = found[-1][0]
            return changes


_sweep = AlarmSweep()


def security_now(now: datetime) -> list[NetworkEvent]:
    """The security alarms of the events recorded since the last read (blocking: a thread)."""
    return _sweep._security(now)


async def run_alarm_sweep(bus: EventBus | None = None) -> list[NetworkEvent]:
    """One sweep off the event loop; its events published after each commit."""
    try:
        changes = await asyncio.to_thread(_sweep.run, utc_now())
    except Exception:
        log.exception("alarm sweep failed")
        return []
    target = bus or get_event_bus()
    for change in changes:
        target.publish(change)
    if changes:
        log.info("alarm sweep", extra={"changes": len(changes)})
    return changes


def install(scheduler: BaseScheduler, settings: Settings) -> None:
    """The sweep every CCMS_ALARM_SWEEP_INTERVAL_S seconds, and once as soon as it starts."""
    scheduler.add_job(
        run_alarm_sweep,
        "interval",
        seconds=settings.alarm_sweep_interval_s,
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
