"""Purging rows older than a retention period, in small committed batches.

A table with a retention policy (the OCPP message log, meter samples) supplies two functions:
one that counts what a purge would delete, and one that deletes it one batch at a time. Each
batch is its own short write transaction, committed before the next starts, so the
group-commit writer and the UI never wait long for SQLite's write lock; between batches the
runner pauses (`asyncio.sleep` in the server, `time.sleep` in the CLI) so they get it first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Table, delete, func, select

from ccms_app.core.db import read_session, session_scope

log = logging.getLogger(__name__)

BATCH_ROWS = 5_000  # rows per DELETE: tens of milliseconds of write lock on SQLite
BATCH_PAUSE_S = 0.2  # between batches: the OCPP writer's batches go first


@dataclass(frozen=True)
class RetainedTable:
    """A table with a retention period; `days` 0 keeps its rows for ever.

    `count(cutoff)` says how many rows a purge would delete now; `purge(cutoff, rows)` deletes
    them, one committed batch of at most `rows` rows per iteration, yielding each batch's count.
    """

    table: str
    days: int
    count: Callable[[datetime], int]
    purge: Callable[[datetime, int], Iterator[int]]

    def cutoff(self, now: datetime) -> datetime | None:
        """Rows older than this go; None when the table is kept for ever."""
        return None if self.days <= 0 else now - timedelta(days=self.days)


@dataclass(frozen=True)
class PurgeReport:
    """What one purge did (or, dry run, would do) to one table."""

    table: str
    rows: int
    cutoff: datetime | None
    dry_run: bool = False

    def line(self) -> str:
        """One line for the CLI."""
        if self.cutoff is None:
            return f"{self.table}: kept for ever (retention 0)"
        verb = "would purge" if self.dry_run else "purged"
        return f"{self.table}: {verb} {self.rows} rows older than {self.cutoff.isoformat()}"


def purge_now(
    tables: list[RetainedTable],
    now: datetime,
    *,
    dry_run: bool = False,
    batch_rows: int = BATCH_ROWS,
    pause: float = BATCH_PAUSE_S,
) -> list[PurgeReport]:
    """Purge (or count) every table now, blocking: the `ccms db purge` path."""
    reports = []
    for table in tables:
        cutoff = table.cutoff(now)
        if cutoff is None or dry_run:
            rows = 0 if cutoff is None else table.count(cutoff)
            reports.append(PurgeReport(table.table, rows, cutoff, dry_run))
            continue
        rows = 0
        for deleted in table.purge(cutoff, batch_rows):
            rows += deleted
            time.sleep(pause)
        reports.append(_logged(PurgeReport(table.table, rows, cutoff)))
    return reports


async def purge_in_background(
    tables: list[RetainedTable],
    now: datetime,
    *,
    batch_rows: int = BATCH_ROWS,
    pause: float = BATCH_PAUSE_S,
) -> list[PurgeReport]:
    """The scheduled purge: each batch in a worker thread, the event loop free in between."""
    reports = []
    for table in tables:
        cutoff = table.cutoff(now)
        if cutoff is None:
            continue
        batches = table.purge(cutoff, batch_rows)
        rows = 0
        while (deleted := await asyncio.to_thread(next, batches, None)) is not None:
            rows += deleted
            await asyncio.sleep(pause)
        reports.append(_logged(PurgeReport(table.table, rows, cutoff)))
    return reports


def _logged(report: PurgeReport) -> PurgeReport:
    """Every purge that deleted something leaves one structured line per table."""
    if report.rows and report.cutoff is not None:
        log.info(
            "retention purge",
            extra={"table": report.table, "rows": report.rows, "cutoff": report.cutoff.isoformat()},
        )
    return report


def retained_by_time(
    table: Table, at: Column[datetime], days: int, *where: Any, name: str = ""
) -> RetainedTable:
    """A table with an integer `id` whose rows go once `at` is older than `days` (only the
    rows matching `where`, when given; `name` then says which part in the purge's report):
    counted and deleted by id, a batch at a time."""

    def count(cutoff: datetime) -> int:
        with read_session() as session:
            query = select(func.count()).select_from(table).where(at < cutoff, *where)
            return int(session.execute(query).scalar_one())

    def purge(cutoff: datetime, rows: int) -> Iterator[int]:
        while True:
            with session_scope() as session:
                ids = list(
                    session.execute(
                        select(table.c.id).where(at < cutoff, *where).limit(rows)
                    ).scalars()
                )
                if not ids:
                    return
                session.execute(delete(table).where(table.c.id.in_(ids)))
            yield len(ids)

    return RetainedTable(name or table.name, days, count, purge)
