"""Drivers and their id tags (RFID cards)."""

from __future__ import annotations

from datetime import datetime

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
    description: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
