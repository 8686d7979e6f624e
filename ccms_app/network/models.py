"""The charging network: operation areas, stations, charge points and connectors.

What happens on the chargers: sessions, meter samples, status events, commands, the OCPP log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class RegistrationState(StrEnum):
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    DISABLED = "disabled"


class ConnectorStatus(StrEnum):
    """OCPP 1.6 ChargePointStatus values, plus Unknown before the first StatusNotification."""

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EVSE = "SuspendedEVSE"
    SUSPENDED_EV = "SuspendedEV"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"
    UNKNOWN = "Unknown"


class OperationArea(SQLModel, table=True):
    __tablename__ = "operation_area"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class Station(SQLModel, table=True):
    """A site with one or more charge points."""

    # ix_station_name: the stations list sorts by name (revision 0007, bench/lists_100k.py).
    __table_args__ = (UniqueConstraint("organisation_id", "name"), Index("ix_station_name", "name"))

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="operation_area.id", index=True)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    timezone: str = Field(default="UTC", max_length=64)
    # OpenStreetMap opening_hours syntax, e.g. "24/7" or "Mo-Fr 07:00-20:00; Sa 09:00-14:00".
    opening_hours: str = Field(default="24/7", max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class ChargePoint(SQLModel, table=True):
    """A charger known by its OCPP identity. Connector 0 status lives here."""

    __tablename__ = "charge_point"
    # The unregistered list: filter by state, sort by identity (revision 0007); identities
    # differing only in letter case, asked at every connection of an unknown one (0014).
    __table_args__ = (
        Index("ix_charge_point_registration_identity", "registration_state", "identity"),
        Index("ix_charge_point_identity_lower", func.lower(text("identity"))),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    identity: str = Field(max_length=64, unique=True, index=True)
    vendor: str = Field(default="", max_length=50)
    model: str = Field(default="", max_length=50)
    serial_number: str = Field(default="", max_length=50)
    firmware_version: str = Field(default="", max_length=50)
    iccid: str = Field(default="", max_length=20)
    imsi: str = Field(default="", max_length=20)
    meter_type: str = Field(default="", max_length=25)
    meter_serial_number: str = Field(default="", max_length=25)
    max_power_w: int | None = None  # rated power range: min_power_w .. max_power_w
    min_power_w: int | None = None
    min_voltage_v: int | None = None
    max_voltage_v: int | None = None
    phases: int | None = None  # 1 or 3 (AC); None for DC or unknown
    charging_method: str = Field(default="AC", max_length=2)  # AC | DC
    # Usage state set by the operator: a disabled charge point stays registered and connected
    # but is taken out of service (made Inoperative, id tags not accepted).
    enabled: bool = True
    registration_state: str = Field(
        default=RegistrationState.UNREGISTERED, max_length=16, index=True
    )
    is_online: bool = Field(default=False, index=True)
    last_seen_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_boot_at: datetime | None = Field(default=None, sa_column=utc_column())
    status: str = Field(default=ConnectorStatus.UNKNOWN, max_length=16)
    error_code: str = Field(default="NoError", max_length=32)
    vendor_error_code: str = Field(default="", max_length=50)
    status_at: datetime | None = Field(default=None, sa_column=utc_column())
    firmware_status: str = Field(default="", max_length=32)
    firmware_status_at: datetime | None = Field(default=None, sa_column=utc_column())
    diagnostics_status: str = Field(default="", max_length=32)
    diagnostics_status_at: datetime | None = Field(default=None, sa_column=utc_column())
    # Security Profile 1 (HTTP Basic): argon2 hash of the charge point's password; "" = none set.
    auth_password_hash: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class Connector(SQLModel, table=True):
    """One outlet of a charge point (OCPP connectorId >= 1)."""

    __table_args__ = (UniqueConstraint("charge_point_id", "connector_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    connector_id: int
    connector_type: str = Field(default="", max_length=32)
    max_power_w: int | None = None
    status: str = Field(default=ConnectorStatus.UNKNOWN, max_length=16, index=True)
    error_code: str = Field(default="NoError", max_length=32)
    vendor_error_code: str = Field(default="", max_length=50)
    info: str = Field(default="", max_length=50)
    status_at: datetime | None = Field(default=None, sa_column=utc_column())


class StatusEvent(SQLModel, table=True):
    """Every StatusNotification as received, for history and fault analysis."""

    __tablename__ = "status_event"
    __table_args__ = (
        Index("ix_status_event_cp_time", "charge_point_id", "received_at"),
        Index("ix_status_event_received", "received_at"),  # the network's event history
    )

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int
    status: str = Field(max_length=16)
    error_code: str = Field(max_length=32)
    vendor_error_code: str = Field(default="", max_length=50)
    vendor_id: str = Field(default="", max_length=255)
    info: str = Field(default="", max_length=50)
    timestamp: datetime | None = Field(default=None, sa_column=utc_column())
    received_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class ChargePointEvent(SQLModel, table=True):
    """A charge point's life besides StatusNotifications: connected, disconnected, booted,
    firmware and diagnostics status. With status_event and security_event it is the event
    history operators filter (maintenance.events)."""

    __tablename__ = "charge_point_event"
    __table_args__ = (
        Index("ix_charge_point_event_cp_time", "charge_point_id", "occurred_at"),
        Index("ix_charge_point_event_time", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    charge_point_id: int = Field(foreign_key="charge_point.id")
    kind: str = Field(max_length=16)  # connected | disconnected | boot | firmware | diagnostics
    detail: str = Field(default="", max_length=200)  # reason, boot status, firmware status, ...
    occurred_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class SecurityEvent(SQLModel, table=True):
    """A refused or failed charge point connection attempt (authentication, policy)."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_identity_time", "identity", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(max_length=64)
    remote_address: str = Field(default="", max_length=64)
    kind: str = Field(max_length=48)
    detail: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
