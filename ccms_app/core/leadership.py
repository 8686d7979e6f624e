"""Exactly one scheduler in a deployment: the process that holds the scheduler lock leads.

Every CCMS process defines the same scheduled jobs (billing, live costs, purges, roll-ups),
so two processes on one PostgreSQL database would otherwise issue every invoice twice. On
PostgreSQL the lock is a session-level advisory lock (`pg_try_advisory_lock`) held on a
connection of the leader's own: PostgreSQL releases it the moment that connection ends (the
process died, was killed, lost the network), and another process's next try takes it. The
leader checks its connection every `retry_s`; a broken one deposes it at once, so two
leaders never run side by side for longer than that check. SQLite is one process by design
(docs/deploy.md): there the process always leads.

Jobs survive a change of leader because each process schedules all of them at start-up
(in memory, paused while it does not lead); the new leader resumes its own, and re-reads
from the database what was planned elsewhere (`on_elected`: firmware campaigns).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

SCHEDULER_LOCK = 0x43434D53  # "CCMS": the advisory lock key of the scheduler
RETRY_S = 5.0


class Leadership:
    """Who runs the scheduled jobs: this process while it holds the lock (see module doc)."""

    def __init__(
        self,
        engine: Engine,
        on_elected: Callable[[], None],
        on_deposed: Callable[[], None],
        retry_s: float = RETRY_S,
        lock_key: int = SCHEDULER_LOCK,
    ) -> None:
        self._engine = engine
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._retry_s = retry_s
        self._lock_key = lock_key
        self._connection: Connection | None = None
        # A cancelled step leaves its thread running: release waits for it to finish with
        # the connection before closing it (closing it under a running query can fail and
        # leave the lock held).
        self._guard = threading.Lock()
        self._released = False  # after release() a late try gives back what it took
        self.leading = False

    @property
    def shared(self) -> bool:
        """Whether other processes may share the database (and so the jobs)."""
        return self._engine.dialect.name == "postgresql"

    async def run(self) -> None:
        """Until cancelled: lead when the lock is free, step down when it is lost."""
        try:
            while True:
                await self.step()
                await asyncio.sleep(self._retry_s)
        finally:
            await asyncio.to_thread(self.release)

    async def step(self) -> None:
        """One turn: a follower tries to take the lock, a leader checks it still holds it."""
        if self.leading:
            if not await asyncio.to_thread(self._still_holds):
                self._depose()
        elif await asyncio.to_thread(self._try_lead):
            self.leading = True
            log.info("scheduler leadership taken: this process runs the scheduled jobs")
            self._on_elected()

    def _try_lead(self) -> bool:
        if not self.shared:
            return True
        connection = self._engine.connect()
        try:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._lock_key}
            ).scalar()
            connection.commit()  # the lock is the session's, not the transaction's
        except Exception:
            connection.close()
            log.warning("could not ask for the scheduler lock", exc_info=True)
            return False
        if not taken:
            connection.close()
            return False
        with self._guard:
            if self._released:  # the runtime stopped while this try was under way
                connection.invalidate()
                return False
            self._connection = connection
        return True

    def _still_holds(self) -> bool:
        if not self.shared:
            return True
        with self._guard:
            connection = self._connection
            if connection is None:
                return False
            try:
                connection.execute(text("SELECT 1")).scalar()
                connection.commit()
            except Exception:
                log.warning("the scheduler lock's connection broke", exc_info=True)
                return False
        return True

    def _depose(self) -> None:
        self.leading = False
        log.warning("scheduler leadership lost: this process stops running scheduled jobs")
        self._on_deposed()
        self._drop_connection()

    def release(self) -> None:
        """Give the lock up for good: the runtime stops (closing the lock's connection
        releases it on PostgreSQL)."""
        with self._guard:
            self._released = True
        self._drop_connection()

    def _drop_connection(self) -> None:
        with self._guard:
            connection, self._connection = self._connection, None
            if connection is not None:
                with contextlib.suppress(Exception):
                    connection.invalidate()  # never back to the pool while it holds the lock
