"""What happens on the chargers: sessions, meter samples, status events, commands, the OCPP log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, func, text
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class SessionStatus(StrEnum):
    ACTIVE = "active"  # running: counts, holds its id tag
    REFUSED = "refused"  # started, but CCMS refused its id tag: not running, holds nothing
    COMPLETED = "completed"


# Not stopped yet: a StopTransaction, the next start on the connector or the stale-session
# policy ends them.
OPEN_STATUSES = (SessionStatus.ACTIVE, SessionStatus.REFUSED)


class ChargingSession(SQLModel, table=True):
    """A transaction. Its primary key is the OCPP transactionId the server assigns."""

    __tablename__ = "charging_session"
    __table_args__ = (
        Index("ix_session_cp_status", "charge_point_id", "status"),
        Index("ix_session_start", "start_time"),
        Index("ix_session_flagged_start", "flagged", "start_time"),  # the flagged sessions list
        # a driver's sessions by their id tags, compared case-insensitively as OCPP wants
        Index("ix_session_id_tag_lower", func.lower(text("id_tag"))),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_pk: int | None = Field(default=None, foreign_key="connector.id")
    connector_id: int
    id_tag: str = Field(max_length=20, index=True)
    id_tag_status: str = Field(default="Accepted", max_length=16)
    reservation_id: int | None = None
    status: str = Field(default=SessionStatus.ACTIVE, max_length=16, index=True)
    start_time: datetime = Field(sa_column=utc_column(nullable=False))
    stop_time: datetime | None = Field(default=None, sa_column=utc_column())
    meter_start_wh: int
    meter_stop_wh: int | None = None
    energy_wh: int = 0
    stop_reason: str = Field(default="", max_length=32)
    stop_id_tag: str | None = Field(default=None, max_length=20)
    # Latest live readings, so live pages need no meter-sample scan.
    power_w: float | None = None
    current_a: float | None = None
    voltage_v: float | None = None
    soc_percent: float | None = None
    meter_updated_at: datetime | None = Field(default=None, sa_column=utc_column())
    flagged: bool = False
    flag_reason: str = Field(default="", max_length=200)


class MeterSample(SQLModel, table=True):
    """One sampledValue of a MeterValues / transactionData message, unit-normalised."""

    __tablename__ = "meter_sample"
    __table_args__ = (Index("ix_meter_sample_session_time", "session_id", "timestamp"),)

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    connector_id: int
    session_id: int | None = Field(default=None, foreign_key="charging_session.id")
    timestamp: datetime = Field(sa_column=utc_column(nullable=False))
    measurand: str = Field(max_length=64)
    phase: str | None = Field(default=None, max_length=8)
    location: str | None = Field(default=None, max_length=8)
    context: str | None = Field(default=None, max_length=32)
    value: float | None = None  # None when the charger sent something unreadable (see raw_value)
    unit: str = Field(default="", max_length=16)
    raw_value: str = Field(default="", max_length=64)
    raw_unit: str = Field(default="", max_length=16)


class Reservation(SQLModel, table=True):
    """A ReserveNow; its id is the OCPP reservationId."""

    __table_args__ = (
        Index("ix_reservation_cp_status", "charge_point_id", "status"),
        Index("ix_reservation_id_tag_lower", func.lower(text("id_tag"))),  # a driver's
        # the reservation a session used: every stop's pricing asks (reservation fees)
        Index("ix_reservation_session_id", "session_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int
    id_tag: str = Field(max_length=20)
    parent_id_tag: str | None = Field(default=None, max_length=20)
    expiry_date: datetime = Field(sa_column=utc_column(nullable=False))
    # requested | accepted | rejected | faulted | occupied | unavailable | failed | used |
    # cancelled | expired
    status: str = Field(default="requested", max_length=16, index=True)
    session_id: int | None = Field(default=None, foreign_key="charging_session.id")
    requested_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class ChargerDataIssue(SQLModel, table=True):
    """Something a charger sent that could not be applied as is: kept here for an operator."""

    __tablename__ = "charger_data_issue"
    __table_args__ = (
        Index("ix_data_issue_cp_time", "charge_point_id", "created_at"),
        # "Is the same issue still open?" on every odd message (data_issues.record_issue):
        # one index seek, however many issues the network has (revision 0010).
        Index("ix_data_issue_open_key", "identity", "kind", "detail", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int | None = Field(default=None, foreign_key="charge_point.id")
    identity: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=48, index=True)
    detail: str = Field(default="", max_length=500)
    payload: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column())
    resolved_by: str = Field(default="", max_length=320)  # the operator's email
