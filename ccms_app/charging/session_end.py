"""Closing sessions that ended without a StopTransaction (rules: charging.rules.session_end).

A scheduled sweep (every minute) reads the open sessions with their connector and charge
point, closes those the policy says ended: stop time from the evidence, stop reason Other,
energy as counted from their samples, flagged for an operator, and their card freed. A
StopTransaction that arrives later still applies (transactions.stop): it replaces the
policy's stop time and energy.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import Session, col, select

from ccms_app.charging.models import OPEN_STATUSES, ChargingSession, SessionStatus
from ccms_app.charging.rules.session_end import OpenSession, SessionEnd, session_end
from ccms_app.charging.session_close import session_closed
from ccms_app.charging.session_flags import flag_session
from ccms_app.charging.transactions import session_event
from ccms_app.core.config import Settings
from ccms_app.core.db import session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "ccms-stale-sessions"
SWEEP_INTERVAL_S = 60.0
STOP_REASON = "Other"


def close_stale_sessions(now: datetime, grace: timedelta, max_age: timedelta) -> list[NetworkEvent]:
    """Close every open session the policy says ended; the events of those closed."""
    with session_scope() as session:
        events = [
            _close(session, cs, cp, end) for cs, cp, end in _ended(session, now, grace, max_age)
        ]
    return events


def _ended(
    session: Session, now: datetime, grace: timedelta, max_age: timedelta
) -> list[tuple[ChargingSession, ChargePoint, SessionEnd]]:
    rows = session.exec(
        select(ChargingSession, ChargePoint, Connector.status, Connector.status_at)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Connector, col(Connector.id) == ChargingSession.connector_pk)
        .where(col(ChargingSession.status).in_(OPEN_STATUSES))
    ).all()
    found = []
    for cs, cp, status, status_at in rows:
        facts = OpenSession(cs.start_time, cs.meter_updated_at, status, status_at, cp.last_boot_at)
        end = session_end(facts, now, grace, max_age)
        if end is not None:
            found.append((cs, cp, end))
    return found


def _close(session: Session, cs: ChargingSession, cp: ChargePoint, end: SessionEnd) -> NetworkEvent:
    cs.status = SessionStatus.COMPLETED
    cs.stop_time = max(end.at, cs.start_time)
    cs.stop_reason = STOP_REASON
    cs.power_w = 0.0
    cs.current_a = 0.0
    flag_session(cs, f"closed by CCMS: {end.reason}")
    session.add(cs)
    session_closed(session, cs, cp)
    log.warning(
        "session closed without StopTransaction",
        extra={"identity": cp.identity, "transaction_id": cs.id, "reason": end.reason},
    )
    return session_event(cp, cs, stopped=True, closed_by_policy=True)


async def run_sweep(settings: Settings) -> int:
    """The scheduled sweep: database work off the event loop, then the events."""
    grace = timedelta(minutes=settings.stale_session_grace_minutes)
    max_age = timedelta(hours=settings.session_max_age_hours)
    events = await asyncio.to_thread(close_stale_sessions, utc_now(), grace, max_age)
    bus = get_event_bus()
    for event in events:
        bus.publish(event)
    if events:
        log.info("stale sessions closed", extra={"count": len(events)})
    return len(events)


def schedule_sweep(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add (or replace) the periodic stale-session sweep on `scheduler`."""
    scheduler.add_job(
        run_sweep,
        "interval",
        seconds=SWEEP_INTERVAL_S,
        args=[settings],
        id=SWEEP_JOB_ID,
        replace_existing=True,
    )
