"""Revenue-share agreements with partners (sub-operators, station owners) and employees'
home chargers (reimbursement)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class RevenueShareAgreement(SQLModel, table=True):
    """What the operator keeps of a partner's charging income: `operator_percent` of it,
    `fee_per_session_minor` per session and a monthly `platform_fee_minor`; the rest is due
    to the partner. Applies to the partner organisation's stations, or to one station."""

    __tablename__ = "revenue_share_agreement"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)  # the operator
    partner_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id")  # None = all
    name: str = Field(max_length=100)
    operator_percent: str = Field(default="0", max_length=8)  # Decimal text
    fee_per_session_minor: int = 0
    platform_fee_minor: int = 0  # per month
    currency: str = Field(default="EUR", max_length=3)
    valid_from: datetime = Field(sa_column=utc_column(nullable=False))
    valid_until: datetime | None = Field(default=None, sa_column=utc_column())
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class HomeCharger(SQLModel, table=True):
    """A charge point at an employee's home: sessions on it are reimbursed at the employee's
    electricity rate."""

    __tablename__ = "home_charger"

    charge_point_id: int = Field(foreign_key="charge_point.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)  # the employee
    rate_per_kwh: str = Field(max_length=16)  # Decimal text in `currency` per kWh
    currency: str = Field(default="EUR", max_length=3)
    since: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    created_by: str = Field(default="", max_length=320)
