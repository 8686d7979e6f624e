"""Firmware Management: firmware images, roll-out campaigns and uploaded diagnostics files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.models.types import utc_column, utc_now


class CampaignStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class TargetStatus(StrEnum):
    """One charge point's progress in a campaign (FirmwareStatusNotification, mostly)."""

    PENDING = "pending"  # not sent yet
    SENT = "sent"  # UpdateFirmware sent / accepted; waiting for the download to start
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    INSTALLING = "installing"
    INSTALLED = "installed"
    FAILED = "failed"  # download or installation failed, or no answer
    OFFLINE = "offline"  # not connected when the campaign ran
    REJECTED = "rejected"  # the charge point refused UpdateFirmware (CALLERROR)


class FirmwareImage(SQLModel, table=True):
    """An uploaded firmware file, served to charge points at /firmware/{stored_name}."""

    __tablename__ = "firmware_image"
    __table_args__ = (UniqueConstraint("organisation_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    file_name: str = Field(max_length=200)  # as the operator uploaded it (sanitised)
    stored_name: str = Field(max_length=255, unique=True)  # on disk and in the URL
    version: str = Field(max_length=50)
    sha256: str = Field(max_length=64)
    size: int
    uploaded_by: str = Field(default="", max_length=320)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class FirmwareCampaign(SQLModel, table=True):
    """Roll one image out to a chosen set of charge points at a scheduled time (UTC)."""

    __tablename__ = "firmware_campaign"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    image_id: int = Field(foreign_key="firmware_image.id", index=True)
    scheduled_at: datetime = Field(sa_column=utc_column(nullable=False))
    status: str = Field(default=CampaignStatus.PLANNED, max_length=16, index=True)
    retries: int | None = None  # OCPP UpdateFirmware retries / retryInterval, passed through
    retry_interval: int | None = None
    runs: int = 0  # how many times it sent to its pending / offline charge points
    next_run_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column())


class FirmwareCampaignTarget(SQLModel, table=True):
    """One charge point in a campaign and how far its update got."""

    __tablename__ = "firmware_campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "charge_point_id"),
        Index("ix_firmware_target_cp_status", "charge_point_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="firmware_campaign.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    status: str = Field(default=TargetStatus.PENDING, max_length=16)
    last_status_at: datetime | None = Field(default=None, sa_column=utc_column())
    detail: str = Field(default="", max_length=300)
    command_id: int | None = Field(default=None, foreign_key="charge_point_command.id")


class DiagnosticsFile(SQLModel, table=True):
    """A diagnostics file a charge point uploaded to CCMS (after GetDiagnostics)."""

    __tablename__ = "diagnostics_file"
    __table_args__ = (Index("ix_diagnostics_file_cp_time", "charge_point_id", "uploaded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    file_name: str = Field(max_length=255)  # sanitised; unique per charge point directory
    size: int
    sha256: str = Field(max_length=64)
    remote_address: str = Field(default="", max_length=64)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
