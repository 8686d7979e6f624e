"""Group commit: many OCPP handlers share one database transaction and one commit.

A commit per OCPP message caps SQLite at roughly 0.4-1k messages/s (ARCHITECTURE.md). Here each
handler submits a unit of work and awaits it; one writer thread runs every unit queued so far in a
single transaction, commits once, then wakes all of them. A handler therefore still replies only
after its data is durable, at many times the rate.

If any unit in a batch fails, the batch is rolled back and each unit is retried alone, so one bad
message never loses the others' data and the failing caller gets its own exception. A batch
runs its units' listeners unguarded (core.listener_guard): a failing listener fails the batch,
and in the units' retries, each alone, every listener runs in its own savepoint. So a batch of
one unit is retried too.

Rows nobody awaits (the OCPP message log) need no unit each: `insert_later` queues them and the
next batch inserts all of them with one multi-row INSERT per table. Inside a unit, rows and
coalesced updates go through ccms_app.core.pending_writes (written just before the commit).

On SQLite the batches share one session (and the writer's own connection) for as long as no
other connection has committed: what one batch loaded, the next finds (core.writer_session).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.core.db import get_engine, writer_engine
from ccms_app.core.listener_guard import UNGUARDED
from ccms_app.core.pending_writes import Row, insert_rows
from ccms_app.core.writer_session import WriterSessions

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Session], Any]
BatchLoader = Callable[[Session, list[Any]], None]


@dataclass
class _Unit:
    work: Work
    future: asyncio.Future[Any] | None
    hint: Any = None
    outcome: tuple[bool, Any] = field(default=(True, None))


class _QueuedRows:
    """The unit that inserts what `DbWriter.insert_later` queued. It takes the rows once, so a
    retry (its batch failed) inserts the same rows again."""

    def __init__(self, writer: DbWriter) -> None:
        self._writer = writer
        self._rows: list[tuple[Table, Row]] | None = None

    def __call__(self, session: Session) -> None:
        if self._rows is None:
            self._rows = self._writer._take_rows()
        by_table: dict[Table, list[Row]] = {}
        for table, row in self._rows:
            by_table.setdefault(table, []).append(row)
        connection = session.connection()
        for table, rows in by_table.items():
            insert_rows(connection, table, rows)


# A batch with this many units queued already goes at once; a smaller one waits `wait`.
FILLED = 32


class DbWriter:
    """Runs units of work in batched transactions on one dedicated thread.

    `wait`: when the writer is ahead of the callers (fewer than FILLED units queued), it waits
    this long before taking a batch. Each batch costs a transaction, a PRAGMA, a commit and two
    thread hand-overs whatever its size: at 1,000 charger messages a second, taken as they
    came, batches held one or two messages and the OCPP server used 90% of a core; with 2 ms
    it used 51%, the CALLRESULT 2.6 ms later at the median (bench/ocpp_throughput.py)."""

    def __init__(
        self, engine: Engine | None = None, max_batch: int = 1000, wait: float = 0.0
    ) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._wait = wait
        self._queue: asyncio.Queue[_Unit] = asyncio.Queue()
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self._rows: deque[tuple[Table, Row]] = deque()
        self._rows_queued = False
        self._loader: BatchLoader | None = None
        self._engines: tuple[Engine, Engine] | None = None  # (process engine, writer view)
        self._sessions = WriterSessions()  # used on the writer thread only
        self.batches = 0
        self.units = 0
        self.cpu_seconds = 0.0  # the writer thread's CPU time in batches (benchmarks read it)

    async def start(self) -> None:
        if self._task is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ccms-db-writer")
        self._task = asyncio.create_task(self._run(), name="ccms-db-writer")

    async def stop(self) -> None:
        """Write everything still queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._sessions.close)
            self._executor.shutdown(wait=True)
            self._executor = None

    def set_batch_loader(self, loader: BatchLoader | None) -> None:
        """`loader(session, hints)` runs first in every batch with the hints of its units (see
        `run`): e.g. one query for all the rows the batch's units will look up one by one."""
        self._loader = loader

    async def run(self, work: Callable[[Session], T], hint: Any = None) -> T:
        """Run `work(session)` in the next batch; return its result once committed. `hint`
        (optional) is passed to the batch loader."""
        if self._task is None:
            raise RuntimeError("DbWriter is not started")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Unit(work, future, hint))
        return await future

    def submit(self, work: Work) -> None:
        """Queue `work` without waiting for it (e.g. message log rows); errors are logged."""
        if self._task is None:
            raise RuntimeError("DbWriter is not started")
        self._queue.put_nowait(_Unit(work, None))

    def insert_later(self, table: Table, row: Row) -> None:
        """Insert `row` with the next batch, not awaited (errors are logged). Rows queued before
        a unit is run are committed no later than that unit."""
        self._rows.append((table, row))
        if not self._rows_queued:
            self._rows_queued = True
            self.submit(_QueuedRows(self))

    def _take_rows(self) -> list[tuple[Table, Row]]:
        """On the writer thread: everything queued so far. The flag is cleared first, so a row
        queued meanwhile is either taken now or gets a unit of its own."""
        self._rows_queued = False
        taken = []
        while self._rows:
            taken.append(self._rows.popleft())
        return taken

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            if self._wait > 0 and self._queue.qsize() < FILLED:
                await asyncio.sleep(self._wait)  # the writer is ahead: let a batch gather
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await loop.run_in_executor(self._executor, self._write, batch)
            except Exception as exc:  # the thread itself failed; fail the callers, keep going
                log.exception("database writer batch failed", extra={"units": len(batch)})
                for unit in batch:
                    unit.outcome = (False, exc)
            self.batches += 1
            self.units += len(batch)
            for unit in batch:
                self._settle(unit)
                self._queue.task_done()

    def _settle(self, unit: _Unit) -> None:
        ok, value = unit.outcome
        if unit.future is None:
            if not ok:
                log.error("background database write failed", exc_info=value)
            return
        if unit.future.done():  # the caller was cancelled (e.g. connection dropped)
            return
        if ok:
            unit.future.set_result(value)
        else:
            unit.future.set_exception(value)

    def _writer_engine(self) -> Engine:
        """The write-locking view of the engine, made once (not per batch) while the process
        engine stays the same."""
        engine = self._engine or get_engine()
        if self._engines is None or self._engines[0] is not engine:
            self._engines = (engine, writer_engine(engine))
        return self._engines[1]

    def _write(self, batch: list[_Unit]) -> None:
        started = time.thread_time()
        try:
            self._write_batch(batch)
        finally:
            self.cpu_seconds += time.thread_time() - started

    def _write_batch(self, batch: list[_Unit]) -> None:
        engine = self._writer_engine()
        session = self._sessions.for_batch(engine)
        session.info[UNGUARDED] = True  # the retries below run without it
        try:
            self._load(session, batch)
            results = [unit.work(session) for unit in batch]
            session.commit()
            self._sessions.done(session)
            for unit, result in zip(batch, results, strict=True):
                unit.outcome = (True, result)
            return
        except Exception as exc:
            session.close()
            self._sessions.drop()
            log.warning(
                "database batch failed; retrying its units one by one",
                extra={"units": len(batch), "error": repr(exc)},
            )
        for unit in batch:
            unit.outcome = self._write_one(engine, unit)

    def _load(self, session: Session, batch: list[_Unit]) -> None:
        hints = [unit.hint for unit in batch if unit.hint is not None]
        if self._loader is not None and hints:
            self._loader(session, hints)

    def _write_one(self, engine: Engine, unit: _Unit) -> tuple[bool, Any]:
        try:
            with self._sessions.for_retry(engine) as session:
                self._load(session, [unit])
                result = unit.work(session)
                session.commit()
            self._sessions.committed()
            return True, result
        except Exception as exc:
            return False, exc
