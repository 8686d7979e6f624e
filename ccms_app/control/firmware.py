"""Firmware Management: firmware files, roll-out campaigns, diagnostics uploads.

CCMS serves the firmware files and receives the diagnostics itself (HTTP on the web port, see
ccms_app/api), so the whole loop works on one machine. A campaign sends UpdateFirmware to all
its charge points at the scheduled time (APScheduler job, restored from the database at start-
up) and follows each one through the FirmwareStatusNotifications it sends.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from sqlmodel import Session, col, select

from ccms_app.control import commands
from ccms_app.control.models import (
    CampaignStatus,
    CommandStatus,
    DiagnosticsFile,
    FirmwareCampaign,
    FirmwareCampaignTarget,
    FirmwareImage,
    TargetStatus,
)
from ccms_app.core.config import get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
NAME_MAX = 120
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,49}$")
VERSION_IN_NAME = re.compile(r"\d+(?:\.\d+)+(?:-[0-9A-Za-z]+)*")
UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")

OFFLINE_RETRY_DELAY = timedelta(minutes=5)  # offline charge points are tried again this late
MAX_RUNS = 3  # ... this many times in all; then they stay "offline"
MAX_CONCURRENT_SENDS = 100
TRACKING_WINDOW = timedelta(hours=24)  # a notification belongs to a target this recent

_ACTIVE_TARGET = (
    TargetStatus.SENT,
    TargetStatus.DOWNLOADING,
    TargetStatus.DOWNLOADED,
    TargetStatus.INSTALLING,
    TargetStatus.FAILED,  # a charger retries a failed download by itself
)
_FINAL_TARGET = {TargetStatus.INSTALLED, TargetStatus.FAILED, TargetStatus.REJECTED}
# FirmwareStatusNotification status -> target status, with the detail shown to the operator.
_NOTIFIED: dict[str, tuple[TargetStatus, str]] = {
    "Downloading": (TargetStatus.DOWNLOADING, ""),
    "Downloaded": (TargetStatus.DOWNLOADED, ""),
    "Installing": (TargetStatus.INSTALLING, ""),
    "Installed": (TargetStatus.INSTALLED, ""),
    "DownloadFailed": (TargetStatus.FAILED, "download failed"),
    "InstallationFailed": (TargetStatus.FAILED, "installation failed"),
}


class FirmwareError(ValueError):
    """The operator's or charger's input cannot be used; the message says why."""


class DiagnosticsTooLargeError(FirmwareError):
    """An upload went over CCMS_DIAGNOSTICS_MAX_MB."""


class UnknownChargePointError(LookupError):
    """An upload or request names a charge point CCMS does not know (or the operator's scope
    does not include)."""


# ---- file names --------------------------------------------------------------------------


def sanitise_file_name(name: str) -> str:
    """A file name safe on any disk and in a URL: no path, no leading dot, [A-Za-z0-9._-]."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = UNSAFE_CHARS.sub("_", base).strip("._-")
    if not base:
        raise FirmwareError(f"file name {name!r} has no usable characters")
    if len(base) > NAME_MAX:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        base = base[: NAME_MAX - len(keep) - 1].rstrip("._-") + ("." + keep if keep else "")
    return base


def version_from_file_name(name: str) -> str | None:
    """`fw-2.1.0.bin` -> `2.1.0` (the first dotted number); what the simulator installs."""
    found = VERSION_IN_NAME.search(name)
    return found.group(0) if found else None


def _stored_firmware_name(safe_name: str, version: str, sha256: str) -> str:
    """Content-addressed (never overwritten, no clash between operators), version visible."""
    if version_from_file_name(safe_name) != version:
        stem, dot, ext = safe_name.rpartition(".")
        safe_name = f"{stem}-{version}.{ext}" if dot and stem else f"{safe_name}-{version}"
    return f"{sha256[:12]}-{safe_name}"


def _inside(directory: Path, name: str) -> Path | None:
    """directory/name if `name` is one plain, safe file name (no traversal, no hidden file)."""
    if not name or name != UNSAFE_CHARS.sub("_", name) or name.startswith("."):
        return None
    path = directory / name
    return path if path.resolve().parent == directory.resolve() else None


@contextmanager
def _temporary_file(directory: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A temp file in `directory` (same disk, so the final rename is atomic), removed unless
    the caller moved it away."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, raw = tempfile.mkstemp(dir=directory, prefix=".upload-")
    path = Path(raw)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out, path
    finally:
        path.unlink(missing_ok=True)


# ---- firmware images ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImageView:
    id: int
    file_name: str
    stored_name: str
    version: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def url(self) -> str:
        return firmware_url(self.stored_name)


def _image_view(row: FirmwareImage) -> ImageView:
    return ImageView(
        id=row.id,
        file_name=row.file_name,
        stored_name=row.stored_name,
        version=row.version,
        sha256=row.sha256,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def firmware_url(stored_name: str) -> str:
    """Where a charge point downloads the image (CCMS_PUBLIC_URL + /firmware/...)."""
    return f"{get_settings().charger_base_url}/firmware/{quote(stored_name)}"


def firmware_file(name: str) -> Path | None:
    """The file behind GET /firmware/{name}, or None (unknown or not a plain file name)."""
    path = _inside(get_settings().firmware_dir, name)
    return path if path is not None and path.is_file() else None


def store_firmware(
    organisation_id: int, file_name: str, version: str, source: IO[bytes], uploaded_by: str
) -> ImageView:
    """Keep an uploaded image (streamed to disk, sha256 computed) and record it."""
    version = (version or "").strip() or version_from_file_name(file_name) or ""
    if not VERSION_PATTERN.match(version):
        raise FirmwareError(
            "version is required: 1-50 letters, digits, '.', '_', '+' or '-' (e.g. 2.1.0)"
        )
    safe = sanitise_file_name(file_name)
    directory = get_settings().firmware_dir
    with _temporary_file(directory) as (out, temp):
        digest, size = hashlib.sha256(), 0
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.close()
        if size == 0:
            raise FirmwareError("the firmware file is empty")
        sha256 = digest.hexdigest()
        stored = _stored_firmware_name(safe, version, sha256)
        with session_scope() as session:
            existing = session.exec(
                select(FirmwareImage).where(
                    FirmwareImage.organisation_id == organisation_id,
                    FirmwareImage.sha256 == sha256,
                )
            ).first()
            if existing is not None:
                raise FirmwareError(f"this file is already uploaded as version {existing.version}")
            row = FirmwareImage(
                organisation_id=organisation_id,
                file_name=safe,
                stored_name=stored,
                version=version,
                sha256=sha256,
                size=size,
                uploaded_by=uploaded_by,
            )
            session.add(row)
            session.flush()
            os.replace(temp, directory / stored)
    log.info(
        "firmware image stored",
        extra={"image_id": row.id, "file": stored, "version": version, "size": size},
    )
    return _image_view(row)


def list_images(organisation_ids: Collection[int]) -> list[ImageView]:
    with read_session() as session:
        rows = session.exec(
            select(FirmwareImage)
            .where(col(FirmwareImage.organisation_id).in_(list(organisation_ids)))
            .order_by(col(FirmwareImage.uploaded_at).desc())
        ).all()
    return [_image_view(r) for r in rows]


# ---- campaigns: creating and scheduling ----------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    charge_point_id: int
    identity: str
    status: str
    detail: str
    last_status_at: datetime | None


@dataclass(frozen=True)
class CampaignView:
    id: int
    name: str
    image_id: int
    image_version: str
    image_file: str
    scheduled_at: datetime
    status: str
    runs: int
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    targets: tuple[TargetView, ...]

    def count(self, status: str) -> int:
        return sum(1 for t in self.targets if t.status == status)


def create_campaign(
    organisation_id: int,
    name: str,
    image_id: int,
    charge_point_ids: Collection[int],
    scheduled_at: datetime,
    created_by: str,
    *,
    scope: Collection[int] | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
) -> CampaignView:
    """Plan a roll-out of one image to charge points of the operator's scope (default: its own
    organisation) and schedule it; a time in the past runs at once."""
    scope = set(scope or {organisation_id})
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise FirmwareError("campaign name is required (at most 200 characters)")
    if scheduled_at.tzinfo is None:
        raise FirmwareError("scheduled time must include a time zone")
    if not charge_point_ids:
        raise FirmwareError("choose at least one charge point")
    for label, value in (("retries", retries), ("retry interval", retry_interval)):
        if value is not None and value < 0:
            raise FirmwareError(f"{label} must be 0 or more")
    with session_scope() as session:
        image = session.get(FirmwareImage, image_id)
        if image is None or image.organisation_id not in scope:
            raise FirmwareError("choose an uploaded firmware image")
        wanted = set(charge_point_ids)
        found = session.exec(
            select(ChargePoint.id).where(
                col(ChargePoint.id).in_(wanted), col(ChargePoint.organisation_id).in_(scope)
            )
        ).all()
        if set(found) != wanted:
            raise FirmwareError("some chosen charge points do not exist or are not yours")
        campaign = FirmwareCampaign(
            organisation_id=organisation_id,
            name=name,
            image_id=image.id,
            scheduled_at=scheduled_at,
            retries=retries,
            retry_interval=retry_interval,
            created_by=created_by,
        )
        session.add(campaign)
        session.flush()
        for cp_id in sorted(wanted):
            session.add(FirmwareCampaignTarget(campaign_id=campaign.id, charge_point_id=cp_id))
        session.flush()
        campaign_id = campaign.id
    schedule_campaign(campaign_id, scheduled_at)
    _publish(campaign_id)
    log.info(
        "firmware campaign planned",
        extra={"campaign_id": campaign_id, "targets": len(wanted), "at": scheduled_at.isoformat()},
    )
    return get_campaign(campaign_id)


def job_id(campaign_id: int) -> str:
    return f"firmware-campaign-{campaign_id}"


def schedule_campaign(campaign_id: int, run_at: datetime) -> None:
    """An APScheduler job that runs the campaign at `run_at` (at once if that is past)."""
    from ccms_app.core.scheduler import get_scheduler

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
    """At start-up: jobs live in memory, campaigns in the database. Reschedule every planned
    campaign and every running one that waits for a retry of its offline charge points."""
    with read_session() as session:
        rows = session.exec(
            select(FirmwareCampaign).where(
                col(FirmwareCampaign.status).in_([CampaignStatus.PLANNED, CampaignStatus.RUNNING])
            )
        ).all()
    count = 0
    for campaign in rows:
        at = campaign.scheduled_at if campaign.status == "planned" else campaign.next_run_at
        if at is not None:
            schedule_campaign(campaign.id, at)
            count += 1
    log.info("firmware campaign jobs restored", extra={"count": count})
    return count


def cancel_campaign(campaign_id: int, scope: Collection[int], by: str) -> CampaignView:
    """Stop a planned or running campaign; updates already under way on chargers go on."""
    with session_scope() as session:
        campaign = session.get(FirmwareCampaign, campaign_id)
        if campaign is None or campaign.organisation_id not in scope:
            raise FirmwareError("this campaign does not exist")
        if campaign.status not in (CampaignStatus.PLANNED, CampaignStatus.RUNNING):
            raise FirmwareError(f"a {campaign.status} campaign cannot be cancelled")
        campaign.status = CampaignStatus.CANCELLED
        campaign.next_run_at = None
        campaign.finished_at = utc_now()
        session.add(campaign)
    _remove_job(campaign_id)
    _publish(campaign_id)
    log.info("firmware campaign cancelled", extra={"campaign_id": campaign_id, "by": by})
    return get_campaign(campaign_id)


def _remove_job(campaign_id: int) -> None:
    from apscheduler.jobstores.base import JobLookupError

    from ccms_app.core.scheduler import get_scheduler

    with suppress(JobLookupError):
        get_scheduler().remove_job(job_id(campaign_id))


# ---- campaigns: running --------------------------------------------------------------------


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
        _publish(campaign_id)
        limit = asyncio.Semaphore(MAX_CONCURRENT_SENDS)
        outcomes = await asyncio.gather(
            *(_send_update(limit, cp_id, plan) for cp_id in plan.charge_point_ids)
        )
        retry_at = await asyncio.to_thread(_finish_run, plan, dict(outcomes))
        if retry_at is not None:
            schedule_campaign(campaign_id, retry_at)
        _publish(campaign_id)
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
            _set_target(target, TargetStatus.SENT, "UpdateFirmware sent", now)
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
        campaign = session.get(FirmwareCampaign, plan.campaign_id)
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
                _set_target(target, new_status or TargetStatus.SENT, detail, now)
            session.add(target)
        session.flush()
        offline = any(t.status == TargetStatus.OFFLINE for t in targets)
        if offline and campaign.runs < MAX_RUNS and campaign.status == CampaignStatus.RUNNING:
            campaign.next_run_at = now + OFFLINE_RETRY_DELAY
        _refresh_campaign(session, campaign, now)
        return campaign.next_run_at


def _set_target(target: FirmwareCampaignTarget, status: str, detail: str, now: datetime) -> None:
    target.status = status
    target.detail = detail[:300]
    target.last_status_at = now


def _refresh_campaign(session: Session, campaign: FirmwareCampaign, now: datetime) -> None:
    """Done once every charge point is final (offline counts as final when no retry waits)."""
    if campaign.status != CampaignStatus.RUNNING:
        return
    statuses = session.exec(
        select(FirmwareCampaignTarget.status).where(
            FirmwareCampaignTarget.campaign_id == campaign.id
        )
    ).all()
    waiting_retry = campaign.next_run_at is not None
    final = _FINAL_TARGET if waiting_retry else _FINAL_TARGET | {TargetStatus.OFFLINE}
    if all(s in final for s in statuses):
        campaign.status = CampaignStatus.DONE
        campaign.finished_at = now
    session.add(campaign)


# ---- campaigns: progress from FirmwareStatusNotification ----------------------------------


def track_firmware_status(
    session: Session, charge_point: ChargePoint, status: str, now: datetime
) -> list[NetworkEvent]:
    """Move the charge point's current campaign target on (runs in the group-commit writer)."""
    target = session.exec(
        select(FirmwareCampaignTarget)
        .where(
            FirmwareCampaignTarget.charge_point_id == charge_point.id,
            col(FirmwareCampaignTarget.status).in_(_ACTIVE_TARGET),
            col(FirmwareCampaignTarget.last_status_at) >= now - TRACKING_WINDOW,
        )
        .order_by(col(FirmwareCampaignTarget.id).desc())
    ).first()
    if target is None:
        return []
    new_status, detail = _NOTIFIED.get(status, (None, f"charge point reports {status}"))
    _set_target(target, new_status or target.status, detail, now)
    session.add(target)
    session.flush()
    campaign = session.get(FirmwareCampaign, target.campaign_id)
    _refresh_campaign(session, campaign, now)
    return [
        NetworkEvent(
            kind="firmware",
            charge_point_id=charge_point.id,
            identity=charge_point.identity,
            data={"campaign_id": target.campaign_id, "status": target.status},
        )
    ]


# ---- campaigns: reading -------------------------------------------------------------------


def get_campaign(campaign_id: int) -> CampaignView:
    views = _campaign_views(select(FirmwareCampaign).where(FirmwareCampaign.id == campaign_id))
    if not views:
        raise FirmwareError("this campaign does not exist")
    return views[0]


def list_campaigns(organisation_ids: Collection[int], limit: int = 20) -> list[CampaignView]:
    return _campaign_views(
        select(FirmwareCampaign)
        .where(col(FirmwareCampaign.organisation_id).in_(list(organisation_ids)))
        .order_by(col(FirmwareCampaign.created_at).desc(), col(FirmwareCampaign.id).desc())
        .limit(limit)
    )


def _campaign_views(statement: Any) -> list[CampaignView]:
    with read_session() as session:
        campaigns = session.exec(statement).all()
        ids = [c.id for c in campaigns]
        images = {
            i.id: i
            for i in session.exec(
                select(FirmwareImage).where(
                    col(FirmwareImage.id).in_({c.image_id for c in campaigns})
                )
            ).all()
        }
        rows = session.exec(
            select(FirmwareCampaignTarget, ChargePoint.identity)
            .join(ChargePoint, ChargePoint.id == FirmwareCampaignTarget.charge_point_id)
            .where(col(FirmwareCampaignTarget.campaign_id).in_(ids))
            .order_by(ChargePoint.identity)
        ).all()
    targets: dict[int, list[TargetView]] = {}
    for target, identity in rows:
        targets.setdefault(target.campaign_id, []).append(
            TargetView(
                charge_point_id=target.charge_point_id,
                identity=identity,
                status=target.status,
                detail=target.detail,
                last_status_at=target.last_status_at,
            )
        )
    return [
        CampaignView(
            id=c.id,
            name=c.name,
            image_id=c.image_id,
            image_version=images[c.image_id].version,
            image_file=images[c.image_id].file_name,
            scheduled_at=c.scheduled_at,
            status=c.status,
            runs=c.runs,
            created_by=c.created_by,
            started_at=c.started_at,
            finished_at=c.finished_at,
            targets=tuple(targets.get(c.id, [])),
        )
        for c in campaigns
    ]


def _publish(campaign_id: int) -> None:
    get_event_bus().publish(NetworkEvent(kind="firmware", data={"campaign_id": campaign_id}))


# ---- diagnostics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiagnosticsView:
    id: int
    charge_point_id: int
    identity: str
    file_name: str
    size: int
    sha256: str
    uploaded_at: datetime

    @property
    def download_path(self) -> str:
        """Relative link for the operator's browser (same origin as the pages)."""
        return f"/diagnostics/{quote(self.identity, safe='')}/{quote(self.file_name)}"


def diagnostics_location(identity: str) -> str:
    """The upload URL given in GetDiagnostics: the charger adds its file name (HTTP PUT/POST)."""
    return f"{get_settings().charger_base_url}/diagnostics/{quote(identity, safe='')}/"


async def request_diagnostics(
    charge_point_id: int,
    requested_by: str,
    *,
    scope: Collection[int] | None = None,
    start_time: datetime | None = None,
    stop_time: datetime | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
) -> commands.CommandView:
    """GetDiagnostics with CCMS itself as the upload location."""
    identity = await asyncio.to_thread(_identity_in_scope, charge_point_id, scope)
    params = {
        "location": diagnostics_location(identity),
        "start_time": start_time,
        "stop_time": stop_time,
        "retries": retries,
        "retry_interval": retry_interval,
    }
    return await commands.send_command(charge_point_id, "GetDiagnostics", params, requested_by)


def _identity_in_scope(charge_point_id: int, scope: Collection[int] | None) -> str:
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
    if cp is None or (scope is not None and cp.organisation_id not in scope):
        raise UnknownChargePointError(f"charge point {charge_point_id} does not exist")
    return cp.identity


def _charge_point_by_identity(identity: str) -> ChargePoint:
    with read_session() as session:
        cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
    if cp is None:
        raise UnknownChargePointError(f"unknown charge point {identity!r}")
    return cp


async def save_diagnostics(
    identity: str, file_name: str, chunks: AsyncIterator[bytes], remote_address: str = ""
) -> DiagnosticsView:
    """Store an upload under CCMS_DIAGNOSTICS_DIR/<identity>/ (never overwriting) and record
    it. Raises UnknownChargePointError, FirmwareError (name) or DiagnosticsTooLargeError."""
    settings = get_settings()
    cp = await asyncio.to_thread(_charge_point_by_identity, identity)
    safe = sanitise_file_name(file_name)
    directory = settings.diagnostics_dir / sanitise_file_name(identity)
    limit = settings.diagnostics_max_mb * 1024 * 1024
    with _temporary_file(directory) as (out, temp):
        digest, size = hashlib.sha256(), 0
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise DiagnosticsTooLargeError(
                    f"diagnostics upload is over {settings.diagnostics_max_mb} MB"
                )
            digest.update(chunk)
            out.write(chunk)
        out.close()
        view = await asyncio.to_thread(
            _record_diagnostics, cp, directory, safe, temp, size, digest.hexdigest(), remote_address
        )
    log.info(
        "diagnostics uploaded",
        extra={"identity": identity, "file": view.file_name, "size": size},
    )
    get_event_bus().publish(
        NetworkEvent(
            kind="firmware",
            charge_point_id=cp.id,
            identity=cp.identity,
            data={"diagnostics_file": view.file_name},
        )
    )
    return view


def _free_name(directory: Path, name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, f".{ext}") if dot and stem else (name, "")
    candidate, n = name, 1
    while (directory / candidate).exists():
        candidate, n = f"{stem}-{n}{ext}", n + 1
    return candidate


def _record_diagnostics(
    cp: ChargePoint,
    directory: Path,
    name: str,
    temp: Path,
    size: int,
    sha256: str,
    remote_address: str,
) -> DiagnosticsView:
    with session_scope() as session:
        final = _free_name(directory, name)
        row = DiagnosticsFile(
            organisation_id=cp.organisation_id,
            charge_point_id=cp.id,
            file_name=final,
            size=size,
            sha256=sha256,
            remote_address=remote_address[:64],
        )
        session.add(row)
        session.flush()
        os.replace(temp, directory / final)
    return _diagnostics_view(row, cp.identity)


def _diagnostics_view(row: DiagnosticsFile, identity: str) -> DiagnosticsView:
    return DiagnosticsView(
        id=row.id,
        charge_point_id=row.charge_point_id,
        identity=identity,
        file_name=row.file_name,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


def list_diagnostics(organisation_ids: Collection[int], limit: int = 50) -> list[DiagnosticsView]:
    with read_session() as session:
        rows = session.exec(
            select(DiagnosticsFile, ChargePoint.identity)
            .join(ChargePoint, ChargePoint.id == DiagnosticsFile.charge_point_id)
            .where(col(DiagnosticsFile.organisation_id).in_(list(organisation_ids)))
            .order_by(col(DiagnosticsFile.uploaded_at).desc(), col(DiagnosticsFile.id).desc())
            .limit(limit)
        ).all()
    return [_diagnostics_view(row, identity) for row, identity in rows]


def diagnostics_file(identity: str, file_name: str, scope: Collection[int]) -> Path | None:
    """The stored file for an operator's download link, or None (unknown or not theirs)."""
    with read_session() as session:
        row = session.exec(
            select(DiagnosticsFile)
            .join(ChargePoint, ChargePoint.id == DiagnosticsFile.charge_point_id)
            .where(ChargePoint.identity == identity, DiagnosticsFile.file_name == file_name)
        ).first()
    if row is None or row.organisation_id not in scope:
        return None
    directory = get_settings().diagnostics_dir / sanitise_file_name(identity)
    path = _inside(directory, file_name)
    return path if path is not None and path.is_file() else None
