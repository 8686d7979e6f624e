"""The analytics roll-ups: charging per charge point and UTC hour, the same per organisation
(the whole network's figures read a few thousand rows a year, not a million sessions), and
live power / status samples for the 24 h curves.

An hour row holds what happened in that hour (`rules/spread.py` says how a session is split):
the energy delivered and the session time in it, and the orders (sessions) that ended in it
with their final amounts. Hours are UTC, so one row serves every operator's time zone; a day,
month or year in a zone is a range of hours (`rules/periods.py`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from ccms_app.core.types import UTCDateTime, utc_column, utc_now


class ChargingHour(SQLModel, table=True):
    """One charge point's hour, per currency of the sessions' costs ("" when unpriced)."""

    __tablename__ = "charging_hour"
    __table_args__ = (
        Index("ix_charging_hour_station_hour", "station_id", "hour"),
        Index("ix_charging_hour_org_hour", "organisation_id", "hour"),
    )

    charge_point_id: int = Field(foreign_key="charge_point.id", primary_key=True)
    hour: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    currency: str = Field(default="", max_length=3, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    orders: int = 0  # sessions that ended in this hour
    energy_wh: int = 0  # energy delivered in this hour
    charging_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    amount_excl_minor: int = 0  # final costs of the orders that ended in this hour
    amount_incl_minor: int = 0


class ChargingDay(SQLModel, table=True):
    """A charge point's UTC day: the sum of its hours (`rules/decompose.py` reads whole days
    from here, the edges from `charging_hour`). Organisation and station: the day's last
    hour's (a charge point moved during a day counts the day where it went)."""

    __tablename__ = "charging_day"
    __table_args__ = (
        Index("ix_charging_day_station_day", "station_id", "day"),
        Index("ix_charging_day_org_day", "organisation_id", "day"),
    )

    charge_point_id: int = Field(foreign_key="charge_point.id", primary_key=True)
    day: date = Field(primary_key=True)
    currency: str = Field(default="", max_length=3, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    orders: int = 0
    energy_wh: int = 0
    charging_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    amount_excl_minor: int = 0
    amount_incl_minor: int = 0


class ChargingMonth(SQLModel, table=True):
    """A charge point's UTC month (`month` is its first day): the sum of its days."""

    __tablename__ = "charging_month"
    __table_args__ = (
        Index("ix_charging_month_station_month", "station_id", "month"),
        Index("ix_charging_month_org_month", "organisation_id", "month"),
    )

    charge_point_id: int = Field(foreign_key="charge_point.id", primary_key=True)
    month: date = Field(primary_key=True)
    currency: str = Field(default="", max_length=3, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    orders: int = 0
    energy_wh: int = 0
    charging_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    amount_excl_minor: int = 0
    amount_incl_minor: int = 0


class NetworkHour(SQLModel, table=True):
    """The sum of an organisation's charge point hours: what network-wide views read."""

    __tablename__ = "network_hour"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    hour: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    currency: str = Field(default="", max_length=3, primary_key=True)
    orders: int = 0
    energy_wh: int = 0
    charging_us: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    amount_excl_minor: int = 0
    amount_incl_minor: int = 0


class RollupCursor(SQLModel, table=True):
    """Where the roll-up job stopped: the last session id and cost time it has seen.

    Sessions seen running are kept in `rollup_pending` until they end, so a session that
    stops hours later, or a cost released from review, is rolled up without a scan."""

    __tablename__ = "rollup_cursor"

    name: str = Field(primary_key=True, max_length=32)
    last_session_id: int = 0
    last_priced_at: datetime | None = Field(default=None, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class RollupPending(SQLModel, table=True):
    """A session the roll-up has seen open: it is rolled up when it ends."""

    __tablename__ = "rollup_pending"

    session_id: int = Field(foreign_key="charging_session.id", primary_key=True)


class PowerSample(SQLModel, table=True):
    """Live power every few minutes: per station, and per organisation (station_id None) with
    the charge point counts by state, for the 24 h power curve and the status analysis."""

    __tablename__ = "power_sample"
    __table_args__ = (
        Index("ix_power_sample_org_station_at", "organisation_id", "station_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    at: datetime = Field(sa_column=utc_column(nullable=False))
    power_w: int = 0
    charging: int = 0  # sessions running
    online: int = 0  # organisation rows only: registered charge points by state
    offline: int = 0
    faulted: int = 0


class MonthlyReportSubscription(SQLModel, table=True):
    """Who gets an organisation's monthly charging report by e-mail, and the last month sent
    (so a restart or a second scheduler run never sends a month twice)."""

    __tablename__ = "monthly_report_subscription"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    recipients: str = Field(default="", max_length=1000)  # comma-separated addresses
    enabled: bool = True
    last_sent_month: str = Field(default="", max_length=7)  # "2026-11"
    last_error: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
