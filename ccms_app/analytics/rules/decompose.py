"""A range of time as the fewest roll-up rows: whole UTC months from `charging_month`, whole
UTC days from `charging_day`, the hours at the edges from `charging_hour`.

A year grouped by station reads twelve month rows per charge point instead of 8,760 hour
rows, and stays exact in any time zone: the hour is still the smallest unit, so the pieces
hold exactly the hour rows whose start is in [since, until). Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Pieces:
    """[start, end) ranges: hour starts (UTC instants), days and months (UTC dates; a month
    as its first day)."""

    hours: list[tuple[datetime, datetime]] = field(default_factory=list)
    days: list[tuple[date, date]] = field(default_factory=list)
    months: list[tuple[date, date]] = field(default_factory=list)


def pieces(since: datetime, until: datetime) -> Pieces:
    """The hour rows starting in [since, until) as hour, day and month ranges."""
    first, end = _ceil_hour(since), _ceil_hour(until)
    if end <= first:
        return Pieces()
    day0, day1 = _ceil_day(first), _floor_day(end)
    if day1 <= day0:
        return Pieces(hours=[(first, end)])
    hours = [r for r in ((first, _midnight(day0)), (_midnight(day1), end)) if r[0] < r[1]]
    month0, month1 = _ceil_month(day0), _floor_month(day1)
    if month1 <= month0:
        return Pieces(hours=hours, days=[(day0, day1)])
    days = [r for r in ((day0, month0), (month1, day1)) if r[0] < r[1]]
    return Pieces(hours=hours, days=days, months=[(month0, month1)])


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _ceil_hour(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    floor = utc.replace(minute=0, second=0, microsecond=0)
    return floor if floor == utc else floor + HOUR


def _ceil_day(moment: datetime) -> date:
    day = moment.date()
    return day if _midnight(day) == moment else day + DAY


def _floor_day(moment: datetime) -> date:
    return moment.date()


def _ceil_month(day: date) -> date:
    return day if day.day == 1 else next_month(month_of(day))


def _floor_month(day: date) -> date:
    return month_of(day)
