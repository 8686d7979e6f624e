"""Stopping the scheduler lets a running job finish instead of cancelling it mid-write.

APScheduler's asyncio executor cancels a coroutine job still running at shutdown and logs it
as an ERROR with a traceback (a gateway stopped during a live-cost refresh said so).
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from ccms_app.core import scheduler


async def _start_job(job: object) -> None:
    """Schedule `job` to run now on a fresh scheduler and wait until it has started."""
    await scheduler.stop_scheduler()
    started = asyncio.Event()

    async def wrapped() -> None:
        started.set()
        await job()  # type: ignore[operator]

    scheduler.get_scheduler().add_job(wrapped, id="under-test")
    scheduler.start_scheduler()
    await asyncio.wait_for(started.wait(), timeout=5)


async def test_a_running_job_finishes_before_the_scheduler_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    finished = []

    async def refresh() -> None:
        await asyncio.sleep(0.3)
        finished.append(True)

    await _start_job(refresh)
    with caplog.at_level(logging.WARNING):
        await scheduler.stop_scheduler(grace_s=5)
    assert finished == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_a_job_that_outlasts_the_grace_is_cancelled_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    await _start_job(stuck)
    with caplog.at_level(logging.WARNING):
        await scheduler.stop_scheduler(grace_s=0.2)
        await asyncio.wait_for(cancelled.wait(), timeout=5)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "scheduled jobs still running at shutdown are cancelled"
    ]
    assert warnings[0].jobs == 1  # type: ignore[attr-defined]


async def test_no_new_job_starts_during_the_grace() -> None:
    runs: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(0.3)

    async def due_meanwhile() -> None:
        runs.append("ran")

    await _start_job(slow)
    scheduler.get_scheduler().add_job(due_meanwhile, "interval", seconds=0.05)
    await scheduler.stop_scheduler(grace_s=5)  # 0.3 s: six turns of the interval job
    await asyncio.sleep(0.2)
    assert runs == []
