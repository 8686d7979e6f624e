"""Firmware: images (list, get, export, upload) and roll-out campaigns (list, get, export,
plan, cancel), as the Firmware page offers them (`control.firmware`).

- An image is uploaded as multipart/form-data (`file`, optional `version`; without one the
  version is read from the file name, e.g. fw-2.1.0.bin): stored once per organisation
  (the same file twice is refused), served to chargers at its `url`.
- A campaign sends UpdateFirmware with one image to chosen charge points at `scheduled_at`
  (now when left out), then follows each through its FirmwareStatusNotifications; `targets`
  on GET shows each charge point's progress. Cancelling stops a planned or running one
  (updates under way on chargers go on) and answers it, cancelled.
Images cannot be deleted (the Firmware page has no delete: campaigns refer to them).
Diagnostics (GetDiagnostics) are a command: the commands resource sends them. Guarded like
the Firmware page: firmware:view to read, firmware:edit to upload, plan and cancel.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import File, Form, Path, Response, UploadFile
from pydantic import BaseModel, Field, create_model
from sqlalchemy import Select, String, bindparam, func, select
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import UtcInstant
from ccms_app.control.firmware import campaign_views, campaigns, images
from ccms_app.control.firmware.errors import FirmwareError, UnknownChargePointError
from ccms_app.control.models import (
    FirmwareCampaign,
    FirmwareCampaignTarget,
    FirmwareImage,
    TargetStatus,
)
from ccms_app.core import listing
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.types import utc_now

problems.register({FirmwareError: 422, UnknownChargePointError: 404})

MAX_TARGETS = 10_000  # charge points per campaign (one SQL IN list in the use case)
NAME_MAX = 200  # the campaign name, as campaigns.create_campaign checks it

# The download URL: firmware_url() of the stored name, made at query time (stored names are
# plain [A-Za-z0-9._-], so the use case's quoting leaves them as they are).
_DOWNLOAD_BASE = bindparam("firmware_base", callable_=lambda: images.firmware_url(""), type_=String)

FIRMWARE_IMAGE_LIST = ListSpec(
    name="firmware images",
    base=lambda: select(FirmwareImage),
    columns=(
        ListColumn("id", "Image", FirmwareImage.id),
        ListColumn("version", "Version", FirmwareImage.version, searchable=True, filterable=True),
        ListColumn("file_name", "File", FirmwareImage.file_name, searchable=True),
        ListColumn("size", "Size (bytes)", FirmwareImage.size),
        ListColumn("sha256", "SHA-256", FirmwareImage.sha256, filterable=True, sortable=False),
        ListColumn("stored_name", "Served as", FirmwareImage.stored_name, sortable=False),
        ListColumn(
            "url", "Download URL", _DOWNLOAD_BASE + col(FirmwareImage.stored_name), sortable=False
        ),
        ListColumn("uploaded_by", "Uploaded by", FirmwareImage.uploaded_by),
        ListColumn("uploaded_at", "Uploaded (UTC)", FirmwareImage.uploaded_at),
    ),
    organisation_column=FirmwareImage.organisation_id,
    id_column=FirmwareImage.id,
    default_sort="uploaded_at",
)


def _targets(status: str | None = None) -> Any:
    """How many charge points a campaign has (in `status`), per row."""
    query = select(func.count(col(FirmwareCampaignTarget.id))).where(
        col(FirmwareCampaignTarget.campaign_id) == col(FirmwareCampaign.id)
    )
    if status is not None:
        query = query.where(col(FirmwareCampaignTarget.status) == status)
    return query.scalar_subquery()


def _campaigns() -> Select[Any]:
    return select(FirmwareCampaign).join(
        FirmwareImage, col(FirmwareImage.id) == col(FirmwareCampaign.image_id)
    )


FIRMWARE_CAMPAIGN_LIST = ListSpec(
    name="firmware campaigns",
    base=_campaigns,
    columns=(
        ListColumn("id", "Campaign", FirmwareCampaign.id),
        ListColumn("name", "Name", FirmwareCampaign.name, searchable=True),
        ListColumn("image_id", "Image", FirmwareCampaign.image_id, filterable=True),
        ListColumn("image_version", "Version", FirmwareImage.version, searchable=True),
        ListColumn("image_file", "File", FirmwareImage.file_name, sortable=False),
        ListColumn("status", "Status", FirmwareCampaign.status, filterable=True),
        ListColumn("scheduled_at", "Scheduled (UTC)", FirmwareCampaign.scheduled_at),
        ListColumn("charge_points", "Charge points", _targets(), sortable=False),
        ListColumn("installed", "Installed", _targets(TargetStatus.INSTALLED), sortable=False),
        ListColumn("runs", "Runs", FirmwareCampaign.runs, sortable=False),
        ListColumn("retries", "Retries", FirmwareCampaign.retries, sortable=False),
        ListColumn("retry_interval", "Retry interval (s)", FirmwareCampaign.retry_interval),
        ListColumn("next_run_at", "Next run (UTC)", FirmwareCampaign.next_run_at),
        ListColumn("created_by", "Created by", FirmwareCampaign.created_by),
        ListColumn("created_at", "Created (UTC)", FirmwareCampaign.created_at),
        ListColumn("started_at", "Started (UTC)", FirmwareCampaign.started_at),
        ListColumn("finished_at", "Finished (UTC)", FirmwareCampaign.finished_at),
    ),
    organisation_column=FirmwareCampaign.organisation_id,
    id_column=FirmwareCampaign.id,
    default_sort="created_at",
)

IMAGES = ListResource(FIRMWARE_IMAGE_LIST, Module.FIRMWARE, "FirmwareImage", "firmware_images")
CAMPAIGNS = ListResource(
    FIRMWARE_CAMPAIGN_LIST,
    Module.FIRMWARE,
    "FirmwareCampaign",
    "firmware_campaigns",
    with_get=False,
)
api = router("/firmware", "Firmware")
# One router, two resources: the images' and campaigns' routes live under their own paths.
FirmwareImageItem = add_list_routes(api, IMAGES, prefix="/images")
FirmwareCampaignItem = add_list_routes(api, CAMPAIGNS, prefix="/campaigns")
CampaignId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FIRMWARE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FIRMWARE, Action.EDIT)]


class CampaignTarget(BaseModel):
    charge_point_id: int
    charge_point: str = Field(description="Its identity")
    status: str = Field(description="pending, sent, downloading, ... installed, failed, offline")
    detail: str
    last_status_at: datetime | None


FirmwareCampaignDetail = create_model(
    "FirmwareCampaignDetail",
    __base__=FirmwareCampaignItem,
    targets=(list[CampaignTarget], Field(description="Each charge point's progress")),
)


class NewCampaign(StrictModel):
    name: str = Field(max_length=NAME_MAX)
    image_id: int = Field(ge=1, le=MAX_INT, description="An uploaded image")
    charge_point_ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        max_length=MAX_TARGETS, description="The charge points to update"
    )
    scheduled_at: UtcInstant | None = Field(None, description="When to send (default: now)")
    retries: int | None = Field(None, ge=0, le=MAX_INT, description="UpdateFirmware retries")
    retry_interval: int | None = Field(None, ge=0, le=MAX_INT, description="Seconds")


def campaign_detail(campaign_id: int, caller: ApiCaller) -> dict[str, Any]:
    """The campaign as listed, with each charge point's progress; 404 outside the scope."""
    row = listing.fetch_one(FIRMWARE_CAMPAIGN_LIST, campaign_id, caller.scope)
    if row is None:
        raise Problem(404, f"No firmware campaign {campaign_id} in this key's scope.")
    view = campaign_views.get_campaign(campaign_id)
    targets = [
        CampaignTarget(
            charge_point_id=t.charge_point_id,
            charge_point=t.identity,
            status=t.status,
            detail=t.detail,
            last_status_at=t.last_status_at,
        )
        for t in view.targets
    ]
    return {**row, "targets": targets}


def _plan(body: NewCampaign, caller: ApiCaller) -> dict[str, Any]:
    view = campaigns.create_campaign(
        caller.principal.organisation_id,
        body.name,
        body.image_id,
        body.charge_point_ids,
        body.scheduled_at or utc_now(),
        caller.principal.email,
        scope=caller.scope,
        retries=body.retries,
        retry_interval=body.retry_interval,
    )
    return campaign_detail(view.id, caller)


def _cancel(campaign_id: int, caller: ApiCaller) -> dict[str, Any]:
    campaign_detail(campaign_id, caller)  # 404 first
    try:
        campaigns.cancel_campaign(campaign_id, caller.scope, caller.principal.email)
    except FirmwareError as exc:
        raise Problem(409, str(exc)) from exc
    return campaign_detail(campaign_id, caller)


def _upload(upload: UploadFile, version: str, caller: ApiCaller) -> int:
    image = images.store_firmware(
        caller.principal.organisation_id,
        upload.filename or "firmware.bin",
        version,
        upload.file,
        caller.principal.email,
    )
    return image.id


@api.post(
    "/images",
    status_code=201,
    response_model=FirmwareImageItem,
    summary="Upload a firmware image (multipart/form-data)",
    operation_id="create_firmware_image",
)
async def upload_firmware_image(
    file: Annotated[UploadFile, File(description="The firmware file")],
    caller: Editor,
    response: Response,
    version: Annotated[str, Form(max_length=50, description="Default: from the file name")] = "",
) -> Any:
    image_id = await asyncio.to_thread(_upload, file, version, caller)
    row = await asyncio.to_thread(listing.fetch_one, FIRMWARE_IMAGE_LIST, image_id, caller.scope)
    response.headers["Location"] = f"/api/v1/firmware/images/{image_id}"
    return row


@api.get(
    "/campaigns/{id}",
    response_model=FirmwareCampaignDetail,
    summary="One firmware campaign, with each charge point's progress",
    operation_id="get_firmware_campaign",
)
async def get_firmware_campaign(id: CampaignId, caller: Viewer) -> Any:
    return await asyncio.to_thread(campaign_detail, id, caller)


@api.post(
    "/campaigns",
    status_code=201,
    response_model=FirmwareCampaignDetail,
    summary="Plan a firmware roll-out campaign",
    operation_id="create_firmware_campaign",
)
async def create_firmware_campaign(body: NewCampaign, caller: Editor, response: Response) -> Any:
    detail = await asyncio.to_thread(_plan, body, caller)
    response.headers["Location"] = f"/api/v1/firmware/campaigns/{detail['id']}"
    return detail


@api.delete(
    "/campaigns/{id}",
    response_model=FirmwareCampaignDetail,
    summary="Cancel a planned or running campaign (it stays listed, cancelled)",
    operation_id="cancel_firmware_campaign",
    responses={409: {"description": "The campaign is done or cancelled already"}},
)
async def cancel_firmware_campaign(id: CampaignId, caller: Editor) -> Any:
    return await asyncio.to_thread(_cancel, id, caller)
