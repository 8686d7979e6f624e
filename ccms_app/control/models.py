"""The charging network: operation areas, stations, charge points and connectors.

What happens on the chargers: sessions, meter samples, status events, commands, the OCPP log.

Firmware Management: firmware images, roll-out campaigns and uploaded diagnostics files.

Smart Charging: charging profiles sent to charge points and the composite schedules they
reported. Limits are W or A (physical quantities, one decimal as OCPP allows), not money.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class MessageDirection(StrEnum):
    IN = "in"  # charge point -> CSMS
    OUT = "out"  # CSMS -> charge point


class CommandStatus(StrEnum):
    """Lifecycle of an operator command sent to a charge point."""

    REQUESTED = "requested"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    OFFLINE = "offline"

    @property
    def is_final(self) -> bool:
        return self not in (CommandStatus.REQUESTED, CommandStatus.SENT)


class ChargePointConfiguration(SQLModel, table=True):
    """One configuration key as the charge point last reported (GetConfiguration) or accepted."""

    __tablename__ = "charge_point_configuration"
    __table_args__ = (UniqueConstraint("charge_point_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    key: str = Field(max_length=50)
    value: str | None = Field(default=None, max_length=500)
    readonly: bool = False
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class OcppMessage(SQLModel, table=True):
    """Every OCPP-J frame in and out, raw.

    Two rows per message on the hot path, so one index only: every query of the log (its tab,
    CSV export) is bounded by the charge point and ordered by time. message_id and action are
    filters inside one charge point's frames, not worth an index each (revision 0012)."""

    __tablename__ = "ocpp_message"
    __table_args__ = (
        Index("ix_ocpp_message_identity_time", "charge_point_identity", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    charge_point_identity: str = Field(max_length=64)
    direction: str = Field(max_length=3)
    message_type: int | None = None  # 2 CALL, 3 CALLRESULT, 4 CALLERROR, None if unparseable
    message_id: str = Field(default="", max_length=64)
    action: str = Field(default="", max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    error_code: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class ChargePointCommand(SQLModel, table=True):
    """An operator command to a charge point and its lifecycle."""

    __tablename__ = "charge_point_command"
    __table_args__ = (Index("ix_command_cp_created", "charge_point_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    action: str = Field(max_length=64)
    request_payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    response_payload: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default=CommandStatus.REQUESTED, max_length=16, index=True)
    error: str = Field(default="", max_length=500)
    requested_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


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


class ProfileStatus(StrEnum):
    """Where a profile stands. Only `accepted` is installed on the charge point."""

    REQUESTED = "requested"  # recorded, SetChargingProfile on its way
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # the charge point answered Rejected / NotSupported
    FAILED = "failed"  # CALLERROR or a bug: not installed
    TIMED_OUT = "timed_out"  # no answer: unknown, treated as not installed
    OFFLINE = "offline"
    REPLACED = "replaced"  # a later profile with the same id or stack level + purpose
    CLEARED = "cleared"  # ClearChargingProfile


class StoredChargingProfile(SQLModel, table=True):
    """One SetChargingProfile: the profile as sent and what became of it."""

    __tablename__ = "charging_profile"
    __table_args__ = (Index("ix_charging_profile_cp_status", "charge_point_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int  # 0: the charge point as a whole
    charging_profile_id: int  # OCPP chargingProfileId, unique per charge point while installed
    stack_level: int
    purpose: str = Field(max_length=24)  # ChargePointMaxProfile | TxDefaultProfile | TxProfile
    kind: str = Field(max_length=12)  # Absolute | Recurring | Relative
    recurrency_kind: str | None = Field(default=None, max_length=8)  # Daily | Weekly
    valid_from: datetime | None = Field(default=None, sa_column=utc_column())
    valid_to: datetime | None = Field(default=None, sa_column=utc_column())
    transaction_id: int | None = Field(default=None, foreign_key="charging_session.id")
    charging_rate_unit: str = Field(max_length=1)  # W | A
    duration: int | None = None  # seconds
    start_schedule: datetime | None = Field(default=None, sa_column=utc_column())
    # [{"start_period": 0, "limit": 7400.0, "number_phases": 3}, ...]
    periods_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    min_charging_rate: float | None = None
    status: str = Field(default=ProfileStatus.REQUESTED, max_length=16)
    detail: str = Field(default="", max_length=300)
    command_id: int | None = Field(default=None, foreign_key="charge_point_command.id")
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class CompositeScheduleResult(SQLModel, table=True):
    """A GetCompositeSchedule: what was asked and the schedule the charge point answered."""

    __tablename__ = "composite_schedule"
    __table_args__ = (Index("ix_composite_schedule_cp_time", "charge_point_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int
    duration: int  # seconds asked for
    requested_unit: str | None = Field(default=None, max_length=1)
    status: str = Field(max_length=16)  # the command's: accepted | rejected | failed | ...
    schedule_start: datetime | None = Field(default=None, sa_column=utc_column())
    schedule_duration: int | None = None
    charging_rate_unit: str | None = Field(default=None, max_length=1)
    periods_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    command_id: int | None = Field(default=None, foreign_key="charge_point_command.id")
    requested_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
