"""Drivers and their id tags (RFID cards)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.models.enums import DriverStatus, IdTagStatus
from ccms_app.models.types import utc_column, utc_now


class Driver(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200, index=True)
    email: str = Field(default="", max_length=320, index=True)
    phone: str = Field(default="", max_length=40)
    status: str = Field(default=DriverStatus.ACTIVE, max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class IdTag(SQLModel, table=True):
    """An OCPP idTag (RFID card UID or app token), at most 20 characters."""

    __tablename__ = "id_tag"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    id_tag: str = Field(max_length=20, unique=True, index=True)
    status: str = Field(default=IdTagStatus.ACTIVE, max_length=16)
    expiry_date: datetime | None = Field(default=None, sa_column=utc_column())
    parent_id_tag: str | None = Field(default=None, max_length=20)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    # A card may belong to a group instead (a fleet card charging on the group account).
    group_id: int | None = Field(default=None, foreign_key="user_group.id", index=True)
    description: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class UserGroup(SQLModel, table=True):
    """Drivers charging on one account (a company fleet, a housing association ...).

    The group price is what the finance module bills members per kWh: integer minor units of
    `currency` (e.g. 29 = EUR 0.29), never a float. None means the standard tariff applies.
    """

    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200, index=True)
    account_name: str = Field(default="", max_length=200)
    billing_email: str = Field(default="", max_length=320)
    price_per_kwh_minor: int | None = None
    currency: str = Field(default="EUR", max_length=3)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class UserGroupMember(SQLModel, table=True):
    """A driver in a group; only authorised members may charge on the group account."""

    __tablename__ = "user_group_member"
    __table_args__ = (UniqueConstraint("group_id", "driver_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)
    authorised: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class Vehicle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    make: str = Field(max_length=100, index=True)
    model: str = Field(max_length=100)
    battery_capacity_wh: int | None = None
    licence_plate: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
