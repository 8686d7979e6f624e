"""Retention of meter samples (CCMS_METER_SAMPLE_RETENTION_DAYS): a session's samples go as a
whole, never half of a session, and only once nobody can still need them.

What goes, when older than the cutoff:
- the samples of a session that is over (not `active`), not flagged, and stopped before the
  cutoff (its start time when it has no stop time); samples the charger timestamped after the
  stop go with their session;
- samples without a session (clock-aligned values, transactions CCMS never issued) whose
  timestamp is before the cutoff.

What stays: every sample of a running session, however old, and of a flagged session (the
evidence for the flag, which CCMS cannot mark as settled yet). The session row itself (start,
stop, meterStart/meterStop, energy, flag) is never purged: it is the billing record.

Each batch selects at most `rows` sample ids through the (session_id, timestamp) index and
deletes them by primary key, in one short write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, exists, false, func, select
from sqlalchemy.orm import Session

from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.retention import RetainedTable
from ccms_app.core.rows import table_of

SAMPLES = table_of(MeterSample)
SESSIONS = table_of(ChargingSession)
SESSION_PAGE = 500  # sessions whose samples one query looks up


def meter_sample_retention(days: int) -> RetainedTable:
    return RetainedTable(SAMPLES.name, days, count_expired_samples, purge_expired_samples)


def _expired_sessions(cutoff: datetime) -> ColumnElement[bool]:
    """Sessions whose samples may go: over, not flagged, ended before the cutoff."""
    ended = func.coalesce(SESSIONS.c.stop_time, SESSIONS.c.start_time)
    return (
        (SESSIONS.c.status != SessionStatus.ACTIVE.value)
        & (SESSIONS.c.flagged == false())
        & (ended < cutoff)
    )


def _sessionless(cutoff: datetime) -> ColumnElement[bool]:
    return SAMPLES.c.session_id.is_(None) & (SAMPLES.c.timestamp < cutoff)


def count_expired_samples(cutoff: datetime) -> int:
    """Samples a purge would delete now (for `ccms db purge --dry-run`)."""
    of_sessions = select(SESSIONS.c.id).where(_expired_sessions(cutoff))
    query = select(func.count()).where(_sessionless(cutoff) | SAMPLES.c.session_id.in_(of_sessions))
    with read_session() as session:
        return int(session.execute(query.select_from(SAMPLES)).scalar_one())


def purge_expired_samples(cutoff: datetime, rows: int) -> Iterator[int]:
    """Delete expired samples, one committed batch of at most `rows` per iteration."""
    yield from _drain(select(SAMPLES.c.id).where(_sessionless(cutoff)), rows)
    after = 0
    while page := _sessions_with_samples(cutoff, after):
        yield from _drain(select(SAMPLES.c.id).where(SAMPLES.c.session_id.in_(page)), rows)
        after = page[-1]


def _drain(ids: Select[tuple[int]], rows: int) -> Iterator[int]:
    """Delete what `ids` selects, `rows` at a time, until it selects nothing more."""
    while True:
        with session_scope() as session:
            deleted = _delete_ids(session, session.execute(ids.limit(rows)).scalars().all())
        if deleted:
            yield deleted
        if deleted < rows:
            return


def _delete_ids(session: Session, ids: Sequence[int]) -> int:
    if ids:
        session.execute(delete(SAMPLES).where(SAMPLES.c.id.in_(ids)))
    return len(ids)


def _sessions_with_samples(cutoff: datetime, after: int) -> list[int]:
    """The next expired sessions (by id) that still have samples; a primary key walk from
    the oldest session that has any, one index seek per session."""
    with read_session() as session:
        if after == 0:
            first = session.execute(select(func.min(SAMPLES.c.session_id))).scalar_one_or_none()
            if first is None:
                return []
            after = first - 1
        has_samples = exists().where(SAMPLES.c.session_id == SESSIONS.c.id)
        query = (
            select(SESSIONS.c.id)
            .where(SESSIONS.c.id > after, _expired_sessions(cutoff), has_samples)
            .order_by(SESSIONS.c.id)
            .limit(SESSION_PAGE)
        )
        return list(session.execute(query).scalars().all())
