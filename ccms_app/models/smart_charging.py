"""Smart Charging: charging profiles sent to charge points and the composite schedules they
reported. Limits are W or A (physical quantities, one decimal as OCPP allows), not money."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from ccms_app.models.types import utc_column, utc_now


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
