"""Planning and cancelling firmware roll-out campaigns."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlmodel import col, select

from ccms_app.control.firmware.campaign_runs import remove_job, schedule_campaign
from ccms_app.control.firmware.campaign_views import CampaignView, get_campaign, publish_campaign
from ccms_app.control.firmware.errors import FirmwareError
from ccms_app.control.models import (
    CampaignStatus,
    FirmwareCampaign,
    FirmwareCampaignTarget,
    FirmwareImage,
)
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)


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
        raise FirmwareError(tr("campaign name is required (at most 200 characters)"))
    if scheduled_at.tzinfo is None:
        raise FirmwareError(tr("scheduled time must include a time zone"))
    if not charge_point_ids:
        raise FirmwareError(tr("choose at least one charge point"))
    for label, value in (("retries", retries), ("retry interval", retry_interval)):
        if value is not None and value < 0:
            raise FirmwareError(tr("{label} must be 0 or more", label=label))
    with session_scope() as session:
        image = session.get(FirmwareImage, image_id)
        if image is None or image.organisation_id not in scope:
            raise FirmwareError(tr("choose an uploaded firmware image"))
        wanted = set(charge_point_ids)
        found = session.exec(
            select(col(ChargePoint.id)).where(
                col(ChargePoint.id).in_(wanted), col(ChargePoint.organisation_id).in_(scope)
            )
        ).all()
        if set(found) != wanted:
            raise FirmwareError(tr("some chosen charge points do not exist or are not yours"))
        campaign = FirmwareCampaign(
            organisation_id=organisation_id,
            name=name,
            image_id=stored_id(image.id),
            scheduled_at=scheduled_at,
            retries=retries,
            retry_interval=retry_interval,
            created_by=created_by,
        )
        session.add(campaign)
        session.flush()
        campaign_id = stored_id(campaign.id)
        for cp_id in sorted(wanted):
            session.add(FirmwareCampaignTarget(campaign_id=campaign_id, charge_point_id=cp_id))
        session.flush()
    schedule_campaign(campaign_id, scheduled_at)
    publish_campaign(campaign_id)
    log.info(
        "firmware campaign planned",
        extra={"campaign_id": campaign_id, "targets": len(wanted), "at": scheduled_at.isoformat()},
    )
    return get_campaign(campaign_id)


def cancel_campaign(campaign_id: int, scope: Collection[int], by: str) -> CampaignView:
    """Stop a planned or running campaign; updates already under way on chargers go on."""
    with session_scope() as session:
        campaign = session.get(FirmwareCampaign, campaign_id)
        if campaign is None or campaign.organisation_id not in scope:
            raise FirmwareError(tr("this campaign does not exist"))
        if campaign.status not in (CampaignStatus.PLANNED, CampaignStatus.RUNNING):
            raise FirmwareError(
                tr("a {status} campaign cannot be cancelled", status=campaign.status)
            )
        campaign.status = CampaignStatus.CANCELLED
        campaign.next_run_at = None
        campaign.finished_at = utc_now()
        session.add(campaign)
    remove_job(campaign_id)
    publish_campaign(campaign_id)
    log.info("firmware campaign cancelled", extra={"campaign_id": campaign_id, "by": by})
    return get_campaign(campaign_id)
