"""One scheduler per deployment: the process holding the scheduler lock runs the jobs.

On PostgreSQL two processes (here: two engines, each with its own connections, as two
processes have) compete for the advisory lock; on SQLite the one process always leads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ccms_app.core import db, scheduler
from ccms_app.core.leadership import SCHEDULER_LOCK, Leadership
from tests.fixtures.ocpp import eventually


class Process:
    """One CCMS process's view of the leadership: its own engine, what it was told."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = db.make_engine(url)
        self.told: list[str] = []
        self.leadership = Leadership(
            self.engine,
            lambda: self.told.append("elected"),
            lambda: self.told.append("deposed"),
            retry_s=0.05,
        )

    def close(self) -> None:
        self.leadership.release()
        self.engine.dispose()


@pytest.fixture
def processes(database_url: str) -> Iterator[tuple[Process, Process]]:
    pair = (Process(database_url), Process(database_url))
    yield pair
    for process in pair:
        process.close()


async def test_one_process_leads_and_another_takes_over_when_it_dies(
    processes: tuple[Process, Process], database_url: str
) -> None:
    first, second = processes
    await first.leadership.step()
    await second.leadership.step()
    assert first.leadership.leading and first.told == ["elected"]
    if database_url.startswith("sqlite"):
        assert second.leadership.leading  # one process by design: it always leads
        return
    assert not second.leadership.leading and second.told == []
    await second.leadership.step()  # the lock is still held: nothing changes
    assert not second.leadership.leading

    # The leader's session ends (killed process, lost network): PostgreSQL frees the lock.
    with second.engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = :key"
            ),
            {"key": SCHEDULER_LOCK},
        )
    await eventually(lambda: _takes_over(second))
    assert second.told == ["elected"]
    await first.leadership.step()  # its check finds the connection gone: it steps down
    assert not first.leadership.leading and first.told == ["elected", "deposed"]
    await first.leadership.step()
    assert not first.leadership.leading  # and cannot take it back while the other leads
    second.leadership.release()  # the new leader stops in turn: the first may lead again
    await eventually(lambda: _takes_over(first))
    assert first.told == ["elected", "deposed", "elected"]


async def test_a_leader_that_stops_hands_the_jobs_over(
    processes: tuple[Process, Process], database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite: one process, nothing to hand over")
    first, second = processes
    running = asyncio.create_task(first.leadership.run())
    await eventually(lambda: first.leadership.leading)
    running.cancel()  # the runtime stops: the lock is given up
    with pytest.raises(asyncio.CancelledError):
        await running
    await eventually(lambda: _takes_over(second))


async def _takes_over(process: Process) -> bool:
    """One try; the lock is free only once the old session's backend has exited, a moment
    after its connection was closed or terminated."""
    await process.leadership.step()
    return process.leadership.leading


async def test_a_follower_keeps_its_jobs_paused_until_it_leads() -> None:
    ran: list[str] = []
    scheduler.lead(False)
    jobs = scheduler.start_scheduler()
    try:
        jobs.add_job(lambda: ran.append("job"), "interval", seconds=0.05, id="probe")
        await asyncio.sleep(0.3)
        assert ran == []  # paused: another process runs the jobs
        scheduler.lead(True)
        await eventually(lambda: bool(ran))
    finally:
        await scheduler.stop_scheduler()
    assert scheduler.leading()  # a fresh scheduler leads unless told otherwise
