"""Running a campaign: the APScheduler job that sends UpdateFirmware to its charge points at
the scheduled time, and again (a few times) to the ones that were offline."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import col, select

from ccms_app.control import commands
from ccms_app.control.firmware.campaign_progress import load_campaign, refresh_campaign, set_target
from ccms_app.control.firmware.campaign_views import CampaignView, get_campaign, publish_campaign
from ccms_app.control.firmware.images import firmware_url
from ccms_app.control.models import (
    CampaignStatus,
    CommandStatus,
    FirmwareCampaign,
    FirmwareCampaignTarget,
    FirmwareImage,
    TargetStatus,
)
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.scheduler import get_scheduler
from ccms_app.core.types import utc_now

log = logging.getLogger(__name__)

OFFLINE_RETRY_DELAY = timedelta(minutes=5)  # offline charge points are tried again this late
MAX_RUNS = 3  # ... this many times in all; then they stay "offline"
MAX_CONCURRENT_SENDS = 100


JOB_PREFIX = "firmware-campaign-"
SYNC_JOB_ID = "firmware-campaigns-sync"
SYNC_S = 15  # how soon the leader runs a campaign planned in another process


def job_id(campaign_id: int) -> str:
    return f"{JOB_PREFIX}{campaign_id}"


def schedule_campaign(campaign_id: int, run_at: datetime) -> None:
    """An APScheduler job that runs the campaign at `run_at` (at once if that is past)."""
    get_scheduler().add_job(
        run_campaign_job,
        trigger="date",
        run_date=max(run_at, utc_now()),
        args=[campaign_id],
        id=job_id(campaign_id),
        replace_existing=True,
        misfire_grace_time=None,  # late (busy loop, restart) is better than never
    )


def restore_campaign_jobs() -> int:
    """Jobs live in memory, campaigns in the database: give every planned campaign, and every
    running one that waits for a retry of its offline charge points, its job at its time,
    and drop the jobs of campaigns that no longer wait (cancelled, finished). Runs at
    start-up, when this process takes the lead, and every `SYNC_S` on a shared database,
    where campaigns are planned and cancelled in other processes (web, other gateways).
    Returns how many campaigns have a job."""
    wanted = _waiting_campaigns()
    scheduler = get_scheduler()
    now = utc_now()
    for campaign_id, at in wanted.items():
        job = scheduler.get_job(job_id(campaign_id))
        scheduled = getattr(job, "next_run_time", None)  # None: not started yet, or paused
        if job is None or (at > now and scheduled is not None and scheduled != at):
            schedule_campaign(campaign_id, at)
    for job in scheduler.get_jobs():
        campaign = job.id.removeprefix(JOB_PREFIX)
        if job.id.startswith(JOB_PREFIX) and campaign.isdigit() and int(campaign) not in wanted:
            remove_job(int(campaign))
    log.debug("firmware campaign jobs restored", extra={"count": len(wanted)})
    return len(wanted)


def schedule_campaign_sync(scheduler: BaseScheduler) -> None:
    """On a shared database: the leader follows campaigns planned in other processes."""
    scheduler.add_job(
        restore_campaign_jobs,
        "interval",
        seconds=SYNC_S,
        id=SYNC_JOB_ID,
        replace_existing=True,
    )


def _waiting_campaigns() -> dict[int, datetime]:
    """Campaign id -> when its next run is due, for those that wait for one."""
    with read_session() as session:
        rows = session.exec(
            select(FirmwareCampaign).where(
                col(FirmwareCampaign.status).in_([CampaignStatus.PLANNED, CampaignStatus.RUNNING])
            )
        ).all()
    wanted: dict[int, datetime] = {}
    for campaign in rows:
        at = campaign.scheduled_at if campaign.status == "planned" else campaign.next_run_at
        if at is not None:
            wanted[stored_id(campaign.id)] = at
    return wanted


def remove_job(campaign_id: int) -> None:
    with suppress(JobLookupError):
        get_scheduler().remove_job(job_id(campaign_id))


@dataclass(frozen=True)
class _RunPlan:
    campaign_id: int
    charge_point_ids: list[int]
    params: dict[str, Any]
    requested_by: str
    run: int


async def run_campaign_job(campaign_id: int) -> None:
    """The scheduler's entry point: a failure is logged, never lost in the scheduler."""
    try:
        await run_campaign(campaign_id)
    except Exception:
        log.exception("firmware campaign run failed", extra={"campaign_id": campaign_id})


async def run_campaign(campaign_id: int) -> CampaignView:
    """Send UpdateFirmware to every pending (or earlier offline) charge point, concurrently."""
    plan = await asyncio.to_thread(_start_run, campaign_id)
    if plan is not None:
        publish_campaign(campaign_id)
        limit = asyncio.Semaphore(MAX_CONCURRENT_SENDS)
        outcomes = await asyncio.gather(
            *(_send_update(limit, cp_id, plan) for cp_id in plan.charge_point_ids)
        )
        retry_at = await asyncio.to_thread(_finish_run, plan, dict(outcomes))
        if retry_at is not None:
            schedule_campaign(campaign_id, retry_at)
        publish_campaign(campaign_id)
        log.info(
            "firmware campaign run",
            extra={"campaign_id": campaign_id, "run": plan.run, "sent": len(outcomes)},
        )
    return await asyncio.to_thread(get_campaign, campaign_id)


def _start_run(campaign_id: int) -> _RunPlan | None:
    now = utc_now()
    with session_scope() as session:
        campaign = session.get(FirmwareCampaign, campaign_id)
        if campaign is None or campaign.status not in (
            CampaignStatus.PLANNED,
            CampaignStatus.RUNNING,
        ):
            return None
        image = session.get(FirmwareImage, campaign.image_id)
        if image is None:  # the foreign key keeps it; images are never deleted
            raise LookupError(
                tr("firmware image {image_id} does not exist", image_id=campaign.image_id)
            )
        targets = session.exec(
            select(FirmwareCampaignTarget).where(
                FirmwareCampaignTarget.campaign_id == campaign_id,
                col(FirmwareCampaignTarget.status).in_(
                    [TargetStatus.PENDING, TargetStatus.OFFLINE]
                ),
            )
        ).all()
        campaign.status = CampaignStatus.RUNNING
        campaign.started_at = campaign.started_at or now
        campaign.runs += 1
        campaign.next_run_at = None
        session.add(campaign)
        for target in targets:  # marked before sending: the charger may report back at once
            set_target(target, TargetStatus.SENT, "UpdateFirmware sent", now)
            session.add(target)
        params: dict[str, Any] = {
            "location": firmware_url(image.stored_name),
            "retrieve_date": now,
            "retries": campaign.retries,
            "retry_interval": campaign.retry_interval,
        }
        return _RunPlan(
            campaign_id=campaign_id,
            charge_point_ids=[t.charge_point_id for t in targets],
            params=params,
            requested_by=f"{campaign.created_by} (campaign {campaign.name})"[:320],
            run=campaign.runs,
        )


async def _send_update(
    limit: asyncio.Semaphore, charge_point_id: int, plan: _RunPlan
) -> tuple[int, tuple[str, str, int | None]]:
    async with limit:
        try:
            view = await commands.send_command(
                charge_point_id, "UpdateFirmware", plan.params, plan.requested_by
            )
        except Exception as exc:  # unknown charge point, bad URL: this target fails, not all
            log.warning(
                "firmware update not sent",
                extra={"charge_point_id": charge_point_id, "error": repr(exc)},
            )
            return charge_point_id, (CommandStatus.FAILED, str(exc), None)
    return charge_point_id, (view.status, view.error, view.id)


def _outcome_target(status: str, error: str) -> tuple[TargetStatus | None, str]:
    """What a command outcome means for the target (None: leave it to the notifications)."""
    if status == CommandStatus.ACCEPTED:
        return None, "UpdateFirmware accepted"
    if status == CommandStatus.OFFLINE:
        return TargetStatus.OFFLINE, "charge point offline"
    if status == CommandStatus.TIMED_OUT:
        return TargetStatus.FAILED, "no answer to UpdateFirmware"
    if status == CommandStatus.REJECTED or error.startswith("CALLERROR"):
        return TargetStatus.REJECTED, error
    return TargetStatus.FAILED, error


def _finish_run(
    plan: _RunPlan, outcomes: dict[int, tuple[str, str, int | None]]
) -> datetime | None:
    """Record each charge point's outcome; returns when to retry offline ones, if ever."""
    now = utc_now()
    with session_scope() as session:
        campaign = load_campaign(session, plan.campaign_id)
        targets = session.exec(
            select(FirmwareCampaignTarget).where(
                FirmwareCampaignTarget.campaign_id == plan.campaign_id,
                col(FirmwareCampaignTarget.charge_point_id).in_(list(outcomes)),
            )
        ).all()
        for target in targets:
            status, error, command_id = outcomes[target.charge_point_id]
            target.command_id = command_id or target.command_id
            new_status, detail = _outcome_target(status, error)
            if target.status == TargetStatus.SENT:  # not moved on by a notification already
                set_target(target, new_status or TargetStatus.SENT, detail, now)
            session.add(target)
        session.flush()
        offline = any(t.status == TargetStatus.OFFLINE for t in targets)
        if offline and campaign.runs < MAX_RUNS and campaign.status == CampaignStatus.RUNNING:
            campaign.next_run_at = now + OFFLINE_RETRY_DELAY
        refresh_campaign(session, campaign, now)
        return campaign.next_run_at
