"""Retention of the OCPP message log: frames older than the cutoff are deleted, all of them.

The log is a debugging aid with a rolling window (CCMS_MESSAGE_LOG_RETENTION_DAYS). Nothing
pins a frame: what an operator must keep is stored elsewhere in full (a data issue keeps the
request it is about, a session its start, stop and energy), so one misbehaving charger with an
open issue cannot keep its whole log for ever.

Rows are appended in time order (`created_at` is CCMS's receive time), so the old rows are the
lowest ids: each batch deletes the old rows of the next `rows` ids from the start of the table,
by primary key range, and the purge ends at the first window that holds a row to keep. No
`created_at` index is needed: every query is a primary key seek or range.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import delete, func, select

from ccms_app.control.models import OcppMessage
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.retention import RetainedTable
from ccms_app.core.rows import table_of

TABLE = table_of(OcppMessage)


def message_log_retention(days: int) -> RetainedTable:
    return RetainedTable(TABLE.name, days, count_expired_messages, purge_expired_messages)


def count_expired_messages(cutoff: datetime) -> int:
    """Frames a purge would delete now (a full scan: for `ccms db purge --dry-run`)."""
    with read_session() as session:
        query = select(func.count()).select_from(TABLE).where(TABLE.c.created_at < cutoff)
        return int(session.execute(query).scalar_one())


def purge_expired_messages(cutoff: datetime, rows: int) -> Iterator[int]:
    """Delete frames older than `cutoff`, one committed window of `rows` ids per iteration."""
    while True:
        deleted, more = _purge_window(cutoff, rows)
        if deleted:
            yield deleted
        if not more:
            return


def _purge_window(cutoff: datetime, rows: int) -> tuple[int, bool]:
    """Delete the old rows among the lowest `rows` ids; (deleted, whether to go on)."""
    id_ = TABLE.c.id
    with session_scope() as session:
        first = session.execute(select(func.min(id_))).scalar_one_or_none()
        if first is None:
            return 0, False
        window = select(id_).where(id_ >= first).order_by(id_).offset(rows - 1).limit(1)
        last = session.execute(window).scalar_one_or_none()
        in_window = id_ >= first if last is None else id_.between(first, last)
        result = session.execute(delete(TABLE).where(in_window, TABLE.c.created_at < cutoff))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        kept = session.execute(select(id_).where(in_window).limit(1)).first() is not None
    return deleted, last is not None and not kept
