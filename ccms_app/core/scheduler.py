"""The process's one APScheduler (reservation expiry, firmware campaigns, later billing jobs).

The network runtime starts it with the OCPP server and stops it on shutdown, so it runs once
per process that runs the charger side (ARCHITECTURE.md: one scheduler, never per Reflex
worker). Jobs may be added before it starts: they run once it does. The job store is in
memory, so a job that must survive a restart is re-created from the database at start-up.

Several processes on one PostgreSQL database each schedule every job, but only the one that
leads (`core.leadership`) runs them: the others keep their scheduler paused (`lead(False)`)
and resume it if they take over.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

# A job that is late (busy loop, suspended laptop) runs once, not once per missed interval.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
JOB_GRACE_S = 5.0  # on shutdown, how long running jobs may take to finish before cancelling

_scheduler: AsyncIOScheduler | None = None
_leading = True  # whether this process runs the jobs (core.leadership; SQLite: always)


def get_scheduler() -> AsyncIOScheduler:
    """The process scheduler (created on first use, started by the network runtime)."""
    global _scheduler
    if _scheduler is None:
        _scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=dict(JOB_DEFAULTS))
    return _scheduler


def current_scheduler() -> AsyncIOScheduler | None:
    """The process scheduler if there is one; None while stopping or before the first use
    (a job that ends during `stop_scheduler`'s grace must not create a fresh one)."""
    return _scheduler


def start_scheduler() -> AsyncIOScheduler:
    """Start the process scheduler on the running event loop (idempotent)."""
    scheduler = get_scheduler()
    if not scheduler.running:
        scheduler.start(paused=not _leading)
        log.info(
            "scheduler started",
            extra={"jobs": len(scheduler.get_jobs()), "paused": not _leading},
        )
    return scheduler


def lead(leading: bool) -> None:
    """This process runs the scheduled jobs (True), or keeps them paused while another
    process leads (False)."""
    global _leading
    _leading = leading
    scheduler = _scheduler
    if scheduler is None or not scheduler.running:
        return
    if leading:
        scheduler.resume()
    else:
        scheduler.pause()


def leading() -> bool:
    return _leading


async def stop_scheduler(grace_s: float = JOB_GRACE_S) -> None:
    """Stop and forget the scheduler; the next get_scheduler() makes a fresh one. Jobs still
    running get `grace_s` to finish first."""
    global _scheduler, _leading
    scheduler, _scheduler = _scheduler, None
    _leading = True
    if scheduler is None or not scheduler.running:
        return
    scheduler.pause()  # nothing new starts while the running jobs finish
    await _let_running_jobs_finish(scheduler, grace_s)
    scheduler.shutdown(wait=False)
    # AsyncIOScheduler shuts down on the loop's next turn; let it, before the loop may close.
    await asyncio.sleep(0)
    log.info("scheduler stopped")


async def _let_running_jobs_finish(scheduler: AsyncIOScheduler, grace_s: float) -> None:
    """APScheduler's asyncio executor cancels a coroutine job still running at shutdown and
    logs that as an ERROR with a traceback: a gateway stopped during a live-cost refresh said
    so on every stop. The executor keeps no public list of running jobs: its futures are read
    from APScheduler 3's private attributes (the version is pinned in the lock)."""
    running = [
        future
        for executor in getattr(scheduler, "_executors", {}).values()
        for future in getattr(executor, "_pending_futures", ())
        if not future.done()
    ]
    if not running:
        return
    _, unfinished = await asyncio.wait(running, timeout=grace_s)
    if unfinished:
        log.warning(
            "scheduled jobs still running at shutdown are cancelled",
            extra={"jobs": len(unfinished), "grace_s": grace_s},
        )
