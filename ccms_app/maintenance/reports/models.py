"""The uptime roll-up: one row per connector and UTC day with the sums the NEVI uptime and UK
reliability figures need (`rules/uptime_parts`), so the whole-network report reads at most a
year of small rows per connector, summed in SQL, instead of a year of status history.

Durations are whole microseconds (BIGINT), not seconds: status times are stored to the
microsecond, and the report must equal the exact computation from the history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class UptimeDay(SQLModel, table=True):
    """A connector's day (UTC, 00:00 to 24:00), computed once the day is over
    (`reports/rollup.py`). Written for every connector and day of the last 367 days, before
    the charge point existed too (zeros), so a missing row always means "not rolled up"."""

    __tablename__ = "uptime_day"
    __table_args__ = (Index("ix_uptime_day_day", "day"),)  # purge and late-write repair

    charge_point_id: int = Field(foreign_key="charge_point.id", primary_key=True)
    connector_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    # rules/uptime_parts.hours_key of the station's zone + opening hours and the charge
    # point's creation when computed: a row whose key is not the current one is ignored.
    hours_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    # NEVI: outage (offline, Faulted, Unavailable) in the day, and the part of it while the
    # station was closed. Excluded alarms are applied when the report is read.
    outage_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed_outage_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    # UK regulation 7: time inside opening hours since the charge point was created.
    working_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    ineligible_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    not_working_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    computed_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
