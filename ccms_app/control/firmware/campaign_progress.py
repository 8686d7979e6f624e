"""A campaign's progress: each charge point's target moves on with the outcome of its
UpdateFirmware and the FirmwareStatusNotifications it sends; the campaign is done once every
target is final."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ccms_app.control.models import (
    CampaignStatus,
    FirmwareCampaign,
    FirmwareCampaignTarget,
    TargetStatus,
)
from ccms_app.core.events import NetworkEvent
from ccms_app.core.i18n import tr
from ccms_app.network.models import ChargePoint

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


def load_campaign(session: Session, campaign_id: int) -> FirmwareCampaign:
    """The campaign a plan or a target belongs to (the foreign key keeps it there)."""
    campaign = session.get(FirmwareCampaign, campaign_id)
    if campaign is None:
        raise LookupError(
            tr("firmware campaign {campaign_id} does not exist", campaign_id=campaign_id)
        )
    return campaign


def set_target(target: FirmwareCampaignTarget, status: str, detail: str, now: datetime) -> None:
    target.status = status
    target.detail = detail[:300]
    target.last_status_at = now


def refresh_campaign(session: Session, campaign: FirmwareCampaign, now: datetime) -> None:
    """Done once every charge point is final (offline counts as final when no retry waits)."""
    if campaign.status != CampaignStatus.RUNNING:
        return
    statuses = session.exec(
        select(col(FirmwareCampaignTarget.status)).where(
            FirmwareCampaignTarget.campaign_id == campaign.id
        )
    ).all()
    waiting_retry = campaign.next_run_at is not None
    final = _FINAL_TARGET if waiting_retry else _FINAL_TARGET | {TargetStatus.OFFLINE}
    if all(s in final for s in statuses):
        campaign.status = CampaignStatus.DONE
        campaign.finished_at = now
    session.add(campaign)


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
    set_target(target, new_status or target.status, detail, now)
    session.add(target)
    session.flush()
    refresh_campaign(session, load_campaign(session, target.campaign_id), now)
    return [
        NetworkEvent(
            kind="firmware",
            charge_point_id=charge_point.id,
            identity=charge_point.identity,
            data={"campaign_id": target.campaign_id, "status": target.status},
        )
    ]
