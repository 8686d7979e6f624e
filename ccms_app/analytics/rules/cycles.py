"""Cycle comparison: a month against the month before (month-on-month) and against the same
month a year earlier (year-on-year), like for like.

A whole month (one that is over) is compared with the whole previous month and the whole
same month last year. The month running now is compared on the same part of each month: from
the 1st at 00:00 to the same day of the month and hour of the day, so "1 March to 15 March
15:00" against "1 February to 15 February 15:00" and "1 March last year to 15 March 15:00".
The hour now running counts in full (figures are hourly roll-ups: an hour counts where it
starts), and so does the same hour of the other months. A month shorter than the part asked
for is taken whole: on 31 March (or 29, 30 March) February is compared in full; on 29
February of a leap year, February of the year before in full (28 days).

Ranges are wall-clock times in the operator's zone (naive datetimes); `utc_range` turns one
into UTC instants. Pure: no database, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from ccms_app.core.display import format_date, time_zone
from ccms_app.core.i18n import tr

HOUR = timedelta(hours=1)


class CycleError(ValueError):
    """A month that cannot be compared (not a month, or one in the future)."""


@dataclass(frozen=True)
class WallRange:
    """[start, end) on the operator's wall clock."""

    start: datetime
    end: datetime
    whole: bool  # the whole calendar month

    @property
    def label(self) -> str:
        """ "Mar 2026" for a whole month, "1 Mar 2026 00:00 to 15 Mar 2026 15:00" for a part
        (in the reader's language: "März 2026", "1. März 2026 00:00 bis ...")."""
        if self.whole:
            return format_date(self.start, "%b %Y", "yMMM")
        return tr("{start} to {end}", start=_wall_text(self.start), end=_wall_text(self.end))


@dataclass(frozen=True)
class Cycle:
    """The chosen month (or its part so far) and the two ranges it is compared with."""

    month: date  # the 1st of the chosen month
    current: WallRange
    previous: WallRange  # the month before
    last_year: WallRange  # the same month a year before
    so_far: bool  # the chosen month is the running one: parts compared, not whole months


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(first: date, months: int) -> date:
    """The 1st of the month `months` after (negative: before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date:
    """ "2026-03" -> 2026-03-01; CycleError for anything else."""
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise CycleError(
            tr("Give a month like 2026-03 (got {text})", text=repr(text[:20]))
        ) from None


def month_key(first: date) -> str:
    return first.strftime("%Y-%m")


def cycle(month: date, now_wall: datetime) -> Cycle:
    """The comparison of `month` as of `now_wall` (the operator's wall clock now)."""
    chosen = first_of_month(month)
    running = first_of_month(now_wall.date())
    if chosen > running:
        raise CycleError(
            tr(
                "{month} has not started yet: choose this month or an earlier one",
                month=format_date(chosen, "%b %Y", "yMMM"),
            )
        )
    elapsed = None
    if chosen == running:
        elapsed = _whole_hours(now_wall - _midnight(chosen))
    return Cycle(
        month=chosen,
        current=_part(chosen, elapsed),
        previous=_part(add_months(chosen, -1), elapsed),
        last_year=_part(add_months(chosen, -12), elapsed),
        so_far=elapsed is not None,
    )


def _whole_hours(elapsed: timedelta) -> timedelta:
    """`elapsed` up to the end of the hour it is in (an hour that has begun counts)."""
    hours = -(-elapsed // HOUR)
    return HOUR * hours


def _part(first: date, elapsed: timedelta | None) -> WallRange:
    """The month of `first` from its start for `elapsed` (None: whole), never past its end."""
    start, end = _midnight(first), _midnight(add_months(first, 1))
    if elapsed is None or start + elapsed >= end:
        return WallRange(start, end, whole=True)
    return WallRange(start, start + elapsed, whole=False)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0))


def _wall_text(moment: datetime) -> str:
    """ "1 Mar 2026 15:00"; "1. März 2026 15:00"."""
    return f"{format_date(moment, f'{moment.day} %b %Y', 'yMMMd')} {moment:%H:%M}"


def utc_range(wall: WallRange, zone: str) -> tuple[datetime, datetime]:
    """The range as UTC instants, read in `zone` (a wall time skipped by a daylight-saving
    change resolves to the instant after the gap, as finance's buckets do)."""
    tz = time_zone(zone)
    return (
        wall.start.replace(tzinfo=tz).astimezone(UTC),
        wall.end.replace(tzinfo=tz).astimezone(UTC),
    )


def change_percent(current: int, before: int) -> Fraction | None:
    """How much `current` differs from `before`, in percent of `before`, exactly; None when
    `before` is zero (no base to compare with: the page shows a dash, not "+inf %")."""
    if before == 0:
        return None
    return Fraction(current - before, before) * 100
