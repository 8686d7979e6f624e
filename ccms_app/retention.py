"""CCMS's retention policy: which tables are purged, after how long, and when (a composition
root beside runtime.py: it names tables of every module, so it lives in none of them).

The scheduled purge runs every hour, the first time ten minutes after start (not during the
reconnect storm of a restart); hourly runs keep each one small (an hour's worth of old rows).
`ccms db purge` runs the same purge at once. Settings: CCMS_MESSAGE_LOG_RETENTION_DAYS,
CCMS_METER_SAMPLE_RETENTION_DAYS and CCMS_AUDIT_RETENTION_DAYS (0 = keep for ever); the first
two may be overridden on the System settings page (`system.overrides`, read at each run);
docs/data-policy.md "Retention".
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from ccms_app.accounts.audit_log import audit_log_retention
from ccms_app.analytics.power_samples import power_sample_retention
from ccms_app.charging.sample_retention import meter_sample_retention
from ccms_app.control.message_retention import message_log_retention
from ccms_app.core.config import Settings
from ccms_app.core.retention import PurgeReport, RetainedTable, purge_in_background, purge_now
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.retention import load_history_retention
from ccms_app.system.overrides import RetentionDays, retention_days

log = logging.getLogger(__name__)

PURGE_JOB_ID = "retention-purge"
PURGE_INTERVAL = timedelta(hours=1)
FIRST_PURGE_AFTER = timedelta(minutes=10)


def retained_tables(settings: Settings, days: RetentionDays | None = None) -> list[RetainedTable]:
    """What the purge trims. `days`: the message log's and meter samples' days in force
    (`system.overrides.retention_days`: the operator's System settings, else the
    environment's); None takes the environment's alone."""
    kept = days or RetentionDays(
        settings.message_log_retention_days, settings.meter_sample_retention_days
    )
    return [
        message_log_retention(kept.message_log),
        meter_sample_retention(kept.meter_samples),
        audit_log_retention(settings.audit_retention_days),
        *load_history_retention(settings.load_history_retention_days),
        *power_sample_retention(settings.power_sample_retention_days),
    ]


def purge(settings: Settings, *, dry_run: bool = False) -> list[PurgeReport]:
    """Purge now (or count, dry run), blocking: `ccms db purge`."""
    return purge_now(
        retained_tables(settings, retention_days(settings)), utc_now(), dry_run=dry_run
    )


async def run_purge(settings: Settings) -> list[PurgeReport]:
    """The scheduled job: a failure is logged and the next run tries again."""
    try:
        days = await asyncio.to_thread(retention_days, settings)  # read at each run
        return await purge_in_background(retained_tables(settings, days), utc_now())
    except Exception:
        log.exception("retention purge failed")
        return []


def schedule_purge(
    scheduler: BaseScheduler, settings: Settings, days: RetentionDays | None = None
) -> None:
    """Add (or replace) the hourly purge; nothing to schedule when everything is kept (by
    the environment, or by `days`: an operator's change calls this again with them)."""
    if not any(table.days > 0 for table in retained_tables(settings, days)):
        return
    scheduler.add_job(
        run_purge,
        "interval",
        args=[settings],
        seconds=PURGE_INTERVAL.total_seconds(),
        next_run_time=utc_now() + FIRST_PURGE_AFTER,
        id=PURGE_JOB_ID,
        replace_existing=True,
    )
