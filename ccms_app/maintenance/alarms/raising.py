"""Raise an alarm, or count a repeat of the one already open.

One open alarm per charge point + connector + cause: `Alarm.open_key` is unique while the
alarm is open, so two raisers that race (the event worker and the sweep, two processes) never
open two. The new row is inserted in a savepoint; if another transaction opened the same key
first, the savepoint rolls back and this raise counts as a repeat of that alarm.

A batch raises many at once (`raise_many`): with the open alarms prefetched, the new rows are
inserted a chunk per savepoint (one multi-row INSERT), their activity lines added in bulk and
the hooks run once per chunk; a chunk that hits the unique key (a racing raiser) falls back to
alarm-by-alarm raising, so the race safety is the same.

A new alarm keeps what the charger said (errorCode, info, vendorId, vendorErrorCode), the
operator's readable cause of the vendor code (VendorErrorCode), the severity and rule that
apply (maintenance.rules.alarm_rules), gets a "raised" activity line, and runs the alarm hooks
(work orders, e-mail) in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.alarm_events import RAISED, REPEATED, alarm_event
from ccms_app.maintenance.alarms.hooks import run_alarm_hooks, run_alarm_hooks_many
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmRule, AlarmStatus
from ccms_app.maintenance.alarms.rule_match import find_rule, vendor_code_for
from ccms_app.maintenance.rules.alarm_causes import cause_label, logs_repeat, open_key
from ccms_app.maintenance.rules.alarm_rules import severity_for
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlarmSignal:
    """Something that raises (or repeats) an alarm on `connector_id` (0 = the charge point)."""

    connector_id: int
    cause: str
    fault_started_at: datetime
    error_code: str = ""
    info: str = ""
    vendor_id: str = ""
    vendor_error_code: str = ""
    detail: str = ""
    occurrences: int = 1  # how many times it happened since the engine last looked


@dataclass(frozen=True)
class Raise:
    """One signal of a batch for `raise_many`; `repeat` as in `raise_or_repeat`."""

    cp: ChargePoint
    signal: AlarmSignal
    repeat: bool = True


_OPEN = "open_alarms"  # session.info: open key -> the open Alarm or None, per transaction
PREFETCH_CHUNK = 500  # keys per IN (...) query
RAISE_CHUNK = 250  # new alarms per savepoint (one multi-row INSERT)


def prefetch_open_alarms(session: Session, keys: Iterable[str]) -> None:
    """Look the open alarms of many keys up in a few queries (a batch of 500 faults asks once,
    not 500 times); open_alarm answers these keys from memory for the rest of the transaction.
    Safe on SQLite, where the write transaction is taken up front (BEGIN IMMEDIATE) so nobody
    else can open an alarm meanwhile; elsewhere a racing insert still fails on the unique key
    and becomes a repeat."""
    cache: dict[str, Alarm | None] = session.info.setdefault(_OPEN, {})
    wanted = [key for key in dict.fromkeys(keys) if key not in cache]
    for start in range(0, len(wanted), PREFETCH_CHUNK):
        chunk = wanted[start : start + PREFETCH_CHUNK]
        cache.update(dict.fromkeys(chunk))
        for alarm in session.exec(select(Alarm).where(col(Alarm.open_key).in_(chunk))):
            cache[str(alarm.open_key)] = alarm


def open_alarm(session: Session, key: str) -> Alarm | None:
    """The open alarm with this key (an index seek on the unique open_key, or the prefetch)."""
    cache: dict[str, Alarm | None] = session.info.setdefault(_OPEN, {})
    if key in cache:
        return cache[key]
    found = session.exec(select(Alarm).where(col(Alarm.open_key) == key)).first()
    cache[key] = found
    return found


def forget_open_alarm(session: Session, key: str) -> None:
    """The key was freed (the alarm closed) in this transaction."""
    session.info.setdefault(_OPEN, {})[key] = None


def raise_or_repeat(
    session: Session, cp: ChargePoint, signal: AlarmSignal, now: datetime, *, repeat: bool = True
) -> NetworkEvent | None:
    """Open the alarm, or (with `repeat`) count the signal on the open one; the bus event to
    publish after the commit. Without `repeat` (the sweep re-finding a known condition) an
    open alarm is left as it is and None is returned."""
    key = open_key(stored_id(cp.id), signal.connector_id, signal.cause)
    existing = open_alarm(session, key)
    if existing is not None:
        return _repeat(session, existing, cp, signal, now) if repeat else None
    alarm, rule = _new_alarm(session, cp, signal, key, now)
    try:
        with session.begin_nested():
            session.add(alarm)
            session.flush()
    except IntegrityError:  # another raiser opened it since we looked (the savepoint is gone)
        session.info.get(_OPEN, {}).pop(key, None)
        existing = open_alarm(session, key)
        if existing is None:
            raise
        return _repeat(session, existing, cp, signal, now) if repeat else None
    session.info.setdefault(_OPEN, {})[key] = alarm
    session.add(_raised_activity(alarm, now))
    run_alarm_hooks(session, alarm, rule, RAISED)
    return _raised(alarm, cp)


def raise_many(session: Session, raises: Sequence[Raise], now: datetime) -> list[NetworkEvent]:
    """`raise_or_repeat` for a batch, in order; the bus events to publish after the commit.
    Call `prefetch_open_alarms` with the batch's keys first (else each key is one query)."""
    events: list[NetworkEvent | None] = []
    fresh: list[tuple[Raise, Alarm, AlarmRule | None]] = []
    later: list[Raise] = []  # a second signal of a key this batch opens: a repeat after it
    opening: set[str] = set()
    for item in raises:
        key = open_key(stored_id(item.cp.id), item.signal.connector_id, item.signal.cause)
        existing = open_alarm(session, key)
        if key in opening:
            later.append(item)
        elif existing is not None:
            if item.repeat:
                events.append(_repeat(session, existing, item.cp, item.signal, now))
        else:
            opening.add(key)
            fresh.append((item, *_new_alarm(session, item.cp, item.signal, key, now)))
    for start in range(0, len(fresh), RAISE_CHUNK):
        events += _insert_chunk(session, fresh[start : start + RAISE_CHUNK], now)
    events += [raise_or_repeat(session, i.cp, i.signal, now, repeat=i.repeat) for i in later]
    return [event for event in events if event is not None]


def _insert_chunk(
    session: Session, chunk: list[tuple[Raise, Alarm, AlarmRule | None]], now: datetime
) -> list[NetworkEvent | None]:
    """Insert a chunk of new alarms in one savepoint; alarm by alarm if a key was taken."""
    try:
        with session.begin_nested():
            session.add_all([alarm for _, alarm, _ in chunk])
            session.flush()
    except IntegrityError:  # someone opened one of these keys since the prefetch
        log.info("alarm chunk raced another raiser; raising one by one", extra={"n": len(chunk)})
        for _, alarm, _ in chunk:
            session.info.get(_OPEN, {}).pop(str(alarm.open_key), None)
        return [
            raise_or_repeat(session, item.cp, item.signal, now, repeat=item.repeat)
            for item, _, _ in chunk
        ]
    cache: dict[str, Alarm | None] = session.info.setdefault(_OPEN, {})
    for _, alarm, _ in chunk:
        cache[str(alarm.open_key)] = alarm
    session.add_all([_raised_activity(alarm, now) for _, alarm, _ in chunk])
    run_alarm_hooks_many(session, [(alarm, rule) for _, alarm, rule in chunk], RAISED)
    return [_raised(alarm, item.cp) for item, alarm, _ in chunk]


def _raised_activity(alarm: Alarm, now: datetime) -> AlarmActivity:
    return AlarmActivity(alarm_id=stored_id(alarm.id), at=now, kind=RAISED, text=_told(alarm))


def _raised(alarm: Alarm, cp: ChargePoint) -> NetworkEvent:
    log.info(
        "alarm raised",
        extra={
            "alarm_id": alarm.id,
            "identity": cp.identity,
            "connector_id": alarm.connector_id,
            "cause": alarm.cause,
            "severity": alarm.severity,
        },
    )
    return alarm_event(alarm, cp.identity, RAISED)


def _new_alarm(
    session: Session, cp: ChargePoint, signal: AlarmSignal, key: str, now: datetime
) -> tuple[Alarm, AlarmRule | None]:
    organisation_id = cp.organisation_id
    rule = find_rule(session, organisation_id, signal.cause, cp.vendor, cp.model, signal.error_code)
    code = vendor_code_for(session, organisation_id, cp.vendor, cp.model, signal.vendor_error_code)
    alarm = Alarm(
        organisation_id=organisation_id,
        charge_point_id=stored_id(cp.id),
        connector_id=signal.connector_id,
        cause=signal.cause,
        severity=severity_for(signal.cause, rule, code),
        status=AlarmStatus.OPEN,
        open_key=key,
        error_code=signal.error_code[:32],
        info=signal.info[:50],
        vendor_id=signal.vendor_id[:255],
        vendor_error_code=signal.vendor_error_code[:50],
        readable_cause=code.readable_cause[:200] if code is not None else "",
        detail=signal.detail[:500],
        rule_id=rule.id if rule is not None else None,
        occurrences=max(1, signal.occurrences),
        fault_started_at=min(signal.fault_started_at, now),
        first_raised_at=now,
        last_raised_at=now,
    )
    return alarm, rule


def _told(alarm: Alarm) -> str:
    """The "raised" line of the alarm's timeline: the cause and what the charger said."""
    parts = [cause_label(alarm.cause)]
    if alarm.error_code and alarm.error_code != "NoError":
        parts.append(f"error code {alarm.error_code}")
    if alarm.vendor_error_code:
        vendor = f" ({alarm.vendor_id})" if alarm.vendor_id else ""
        parts.append(f"vendor error code {alarm.vendor_error_code}{vendor}")
    if alarm.readable_cause:
        parts.append(alarm.readable_cause)
    if alarm.info:
        parts.append(f"info: {alarm.info}")
    if alarm.detail:
        parts.append(alarm.detail)
    return "; ".join(parts)


def _lock_for_update(session: Session, alarm: Alarm) -> None:
    """Count on the latest occurrences. SQLite's write transaction already shuts other writers
    out (BEGIN IMMEDIATE); on PostgreSQL two raisers would both add to the count they read and
    one repeat would be lost, so the row is locked and read again first."""
    if session.get_bind().dialect.name == "sqlite":
        return
    locked: set[int] = session.info.setdefault("locked_alarms", set())
    if alarm.id is None or alarm.id in locked:  # new here, or already read under the lock
        return
    session.flush()  # what this transaction changed is written before the row is read again
    session.refresh(alarm, with_for_update=True)
    locked.add(alarm.id)


def _repeat(
    session: Session, alarm: Alarm, cp: ChargePoint, signal: AlarmSignal, now: datetime
) -> NetworkEvent:
    _lock_for_update(session, alarm)
    before = alarm.occurrences
    alarm.occurrences = before + max(1, signal.occurrences)
    alarm.last_raised_at = now
    if signal.detail:  # what the engine says now (the newest issue, the streak so far)
        alarm.detail = signal.detail[:500]
    session.add(alarm)
    if any(logs_repeat(n) for n in range(before + 1, alarm.occurrences + 1)):
        text = f"repeated ({alarm.occurrences} occurrences)"
        session.add(AlarmActivity(alarm_id=stored_id(alarm.id), at=now, kind=REPEATED, text=text))
    return alarm_event(alarm, cp.identity, REPEATED)
