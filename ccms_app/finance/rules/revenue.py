"""The Finance overview's periods: which days, months or years a revenue chart shows, as
[start, end) instants in UTC computed from the operator's wall clock.

A bucket is a calendar day, month or year *in the billing profile's time zone*: the day of a
spring-forward change is 23 hours long, the autumn one 25, and a session that stopped at
23:30 local time on 31 March belongs to March even though it is 1 April in UTC. The database
groups rows by these precomputed boundaries (finance.revenue), so no SQL dialect needs to know
about time zones. Pure: no database, no Reflex.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from ccms_app.core.display import format_date, time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.local_time import local_midnight

DAYS_SHOWN = 30  # "last 30 days, by day": today and the 29 days before
MONTHS_SHOWN = 12  # "last 12 months, by month": this month and the 11 before
YEARS_SHOWN = 5  # "years": this year and the 4 before


class PeriodKind(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


# Shown with t_var (the numbers are DAYS_SHOWN, MONTHS_SHOWN and YEARS_SHOWN).
PERIOD_LABELS: dict[PeriodKind, str] = {
    PeriodKind.DAYS: N_("Last 30 days"),
    PeriodKind.MONTHS: N_("Last 12 months"),
    PeriodKind.YEARS: N_("Last 5 years"),
}


class PeriodError(ValueError):
    """An unknown period name (the message names the ones there are)."""


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart, one row of the table."""

    key: str  # "2026-03-29", "2026-03", "2026": sortable, for machines
    label: str  # "Sun 29 Mar", "Mar 2026", "2026": for people, in the reader's language
    start: datetime  # first instant, UTC
    end: datetime  # first instant of the next bucket, UTC (exclusive)


def period_kind(text: str) -> PeriodKind:
    """`"days"` -> PeriodKind.DAYS; PeriodError for anything else."""
    try:
        return PeriodKind(text.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in PeriodKind)
        raise PeriodError(
            tr("Unknown period {text}: choose one of {choices}", text=repr(text), choices=choices)
        ) from None


def buckets(kind: PeriodKind, now: datetime, zone: str) -> tuple[Bucket, ...]:
    """The buckets of `kind` up to and including the one `now` falls in, oldest first;
    each one ends where the next starts, so together they cover the period without gaps."""
    today = now.astimezone(time_zone(zone)).date()
    if kind is PeriodKind.DAYS:
        firsts = [today - timedelta(days=n) for n in range(DAYS_SHOWN - 1, -1, -1)]
    elif kind is PeriodKind.MONTHS:
        firsts = [_months_before(today, n) for n in range(MONTHS_SHOWN - 1, -1, -1)]
    else:
        firsts = [date(today.year - n, 1, 1) for n in range(YEARS_SHOWN - 1, -1, -1)]
    edges = [local_midnight(day, zone) for day in [*firsts, _next_first(kind, firsts[-1])]]
    return tuple(
        Bucket(_key(kind, day), _label(kind, day), start, end)
        for day, start, end in zip(firsts, edges, edges[1:], strict=False)
    )


def buckets_between(kind: PeriodKind, first: date, last: date, zone: str) -> tuple[Bucket, ...]:
    """The buckets of `kind` from the one holding local day `first` to the one holding `last`
    (both included), oldest first, without gaps: a chosen range of days, months or years."""
    if last < first:
        first, last = last, first
    day = _first_of(kind, first)
    firsts = []
    while day <= last:
        firsts.append(day)
        day = _next_first(kind, day)
    edges = [local_midnight(d, zone) for d in [*firsts, day]]
    return tuple(
        Bucket(_key(kind, d), _label(kind, d), start, end)
        for d, start, end in zip(firsts, edges, edges[1:], strict=False)
    )


def _first_of(kind: PeriodKind, day: date) -> date:
    if kind is PeriodKind.DAYS:
        return day
    return day.replace(day=1) if kind is PeriodKind.MONTHS else date(day.year, 1, 1)


def bucket_of(moment: datetime, within: tuple[Bucket, ...]) -> int | None:
    """The index of the bucket `moment` falls in; None outside them all."""
    if not within or moment < within[0].start or moment >= within[-1].end:
        return None
    return bisect.bisect_right([b.start for b in within], moment) - 1


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _next_first(kind: PeriodKind, first: date) -> date:
    if kind is PeriodKind.DAYS:
        return first + timedelta(days=1)
    if kind is PeriodKind.MONTHS:
        return _months_before(first, -1)
    return date(first.year + 1, 1, 1)


def _key(kind: PeriodKind, day: date) -> str:
    if kind is PeriodKind.DAYS:
        return day.isoformat()
    return day.strftime("%Y-%m") if kind is PeriodKind.MONTHS else str(day.year)


def _label(kind: PeriodKind, day: date) -> str:
    """The bucket as the reader's language writes it ("Sun 29 Mar", "So., 29. März")."""
    if kind is PeriodKind.DAYS:
        return format_date(day, "%a %d %b", "MMMEd")
    return format_date(day, "%b %Y", "yMMM") if kind is PeriodKind.MONTHS else str(day.year)
