"""Group commit: many OCPP handlers share one database transaction and one commit.

A commit per OCPP message caps SQLite at roughly 0.4-1k messages/s (ARCHITECTURE.md). Here each
handler submits a unit of work and awaits it; one writer thread runs every unit queued so far in a
single transaction, commits once, then wakes all of them. A handler therefore still replies only
after its data is durable, at many times the rate.

If any unit in a batch fails, the batch is rolled back and each unit is retried alone, so one bad
message never loses the others' data and the failing caller gets its own exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.core.db import get_engine, writer_engine

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Session], Any]


@dataclass
class _Unit:
    work: Work
    future: asyncio.Future[Any] | None
    outcome: tuple[bool, Any] = field(default=(True, None))


class DbWriter:
    """Runs units of work in batched transactions on one dedicated thread."""

    def __init__(self, engine: Engine | None = None, max_batch: int = 1000) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Unit] = asyncio.Queue()
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.units = 0

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
            self._executor.shutdown(wait=True)
            self._executor = None

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in the next batch; return its result once committed."""
        if self._task is None:
            raise RuntimeError("DbWriter is not started")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Unit(work, future))
        return await future

    def submit(self, work: Work) -> None:
        """Queue `work` without waiting for it (e.g. message log rows); errors are logged."""
        if self._task is None:
            raise RuntimeError("DbWriter is not started")
        self._queue.put_nowait(_Unit(work, None))

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
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

    def _write(self, batch: list[_Unit]) -> None:
        engine = writer_engine(self._engine or get_engine())
        try:
            with Session(engine, expire_on_commit=False) as session:
                results = [unit.work(session) for unit in batch]
                session.commit()
            for unit, result in zip(batch, results, strict=True):
                unit.outcome = (True, result)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].outcome = (False, exc)
                return
            log.warning(
                "database batch failed; retrying its units one by one",
                extra={"units": len(batch), "error": repr(exc)},
            )
        for unit in batch:
            unit.outcome = self._write_one(engine, unit.work)

    @staticmethod
    def _write_one(engine: Engine, work: Work) -> tuple[bool, Any]:
        try:
            with Session(engine, expire_on_commit=False) as session:
                result = work(session)
                session.commit()
            return True, result
        except Exception as exc:
            return False, exc
