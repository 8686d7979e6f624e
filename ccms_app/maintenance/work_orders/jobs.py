"""The work order jobs on the process scheduler: verification of resolved work orders (every
minute) and preventive maintenance plans (every 10 minutes)."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from ccms_app.maintenance.work_orders.plans import run_plans_job
from ccms_app.maintenance.work_orders.verification import run_verification

VERIFICATION_JOB = "work-order-verification"
PLANS_JOB = "maintenance-plans"


def schedule_work_order_jobs(scheduler: BaseScheduler) -> None:
    scheduler.add_job(
        run_verification, "interval", seconds=60, id=VERIFICATION_JOB, replace_existing=True
    )
    scheduler.add_job(run_plans_job, "interval", minutes=10, id=PLANS_JOB, replace_existing=True)
