"""The work order jobs on the process scheduler: verification of resolved work orders (at the
alarm sweep's pace, CCMS_ALARM_SWEEP_INTERVAL_S: both re-check how the chargers are) and
preventive maintenance plans (every 10 minutes)."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from ccms_app.core.config import Settings
from ccms_app.maintenance.work_orders.plans import run_plans_job
from ccms_app.maintenance.work_orders.verification import run_verification

VERIFICATION_JOB = "work-order-verification"
PLANS_JOB = "maintenance-plans"


def schedule_work_order_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    scheduler.add_job(
        run_verification,
        "interval",
        seconds=settings.alarm_sweep_interval_s,
        id=VERIFICATION_JOB,
        replace_existing=True,
    )
    scheduler.add_job(run_plans_job, "interval", minutes=10, id=PLANS_JOB, replace_existing=True)
