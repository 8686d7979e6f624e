"""Campaigns as the Firmware page shows them: each with its image and its charge points."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from ccms_app.control.firmware.errors import FirmwareError
from ccms_app.control.models import (
    FirmwareCampaign,
    FirmwareCampaignTarget,
    FirmwareImage,
)
from ccms_app.core.db import read_session
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.models import ChargePoint, Station


@dataclass(frozen=True)
class TargetView:
    charge_point_id: int
    identity: str
    status: str
    detail: str
    last_status_at: datetime | None
    station_zone: str = ""  # the charger's station's time zone ("" without a station)


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


def get_campaign(campaign_id: int) -> CampaignView:
    views = _campaign_views(select(FirmwareCampaign).where(FirmwareCampaign.id == campaign_id))
    if not views:
        raise FirmwareError(tr("this campaign does not exist"))
    return views[0]


def list_campaigns(organisation_ids: Collection[int], limit: int = 20) -> list[CampaignView]:
    return _campaign_views(
        select(FirmwareCampaign)
        .where(col(FirmwareCampaign.organisation_id).in_(list(organisation_ids)))
        .order_by(col(FirmwareCampaign.created_at).desc(), col(FirmwareCampaign.id).desc())
        .limit(limit)
    )


def _campaign_views(statement: SelectOfScalar[FirmwareCampaign]) -> list[CampaignView]:
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
            select(FirmwareCampaignTarget, ChargePoint.identity, Station.timezone)
            .join(ChargePoint, col(ChargePoint.id) == col(FirmwareCampaignTarget.charge_point_id))
            .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
            .where(col(FirmwareCampaignTarget.campaign_id).in_(ids))
            .order_by(col(ChargePoint.identity))
        ).all()
    targets: dict[int, list[TargetView]] = {}
    for target, identity, zone in rows:
        targets.setdefault(target.campaign_id, []).append(
            TargetView(
                charge_point_id=target.charge_point_id,
                identity=identity,
                status=target.status,
                detail=target.detail,
                last_status_at=target.last_status_at,
                station_zone=zone or "",
            )
        )
    return [
        CampaignView(
            id=stored_id(c.id),
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
            targets=tuple(targets.get(stored_id(c.id), [])),
        )
        for c in campaigns
    ]


def publish_campaign(campaign_id: int) -> None:
    """Tell open Firmware pages that the campaign changed."""
    get_event_bus().publish(NetworkEvent(kind="firmware", data={"campaign_id": campaign_id}))
