"""Retention of load balancing history: decisions and building load readings.

The live view needs the last 24 hours and the decision log a few days; after
CCMS_LOAD_HISTORY_RETENTION_DAYS (30 by default, 0 = keep) the hourly purge deletes them, in
committed batches like the other retained tables (core.retention).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Column, Table, delete, func, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.retention import RetainedTable
from ccms_app.core.rows import table_of
from ccms_app.load_balancing.models import BuildingLoadReading, LoadDecision

DECISIONS = table_of(LoadDecision)
READINGS = table_of(BuildingLoadReading)


def load_history_retention(days: int) -> list[RetainedTable]:
    return [
        _retained(DECISIONS, DECISIONS.c.decided_at, days),
        _retained(READINGS, READINGS.c.measured_at, days),
    ]


def _retained(table: Table, at: Column[datetime], days: int) -> RetainedTable:
    def count(cutoff: datetime) -> int:
        with read_session() as session:
            query = select(func.count()).select_from(table).where(at < cutoff)
            return int(session.execute(query).scalar_one())

    def purge(cutoff: datetime, rows: int) -> Iterator[int]:
        while True:
            with session_scope() as session:
                ids = list(
                    session.execute(select(table.c.id).where(at < cutoff).limit(rows)).scalars()
                )
                if not ids:
                    return
                session.execute(delete(table).where(table.c.id.in_(ids)))
            yield len(ids)

    return RetainedTable(table.name, days, count, purge)
