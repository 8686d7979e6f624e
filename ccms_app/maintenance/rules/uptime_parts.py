"""Uptime and reliability as additive parts, so a year can be summed from daily roll-ups.

Both figures are sums of time over a window: NEVI's T_outage and T_excluded (`rules/uptime`)
and UK's working / ineligible / not working time inside opening hours (`rules/reliability`).
A sum over a window is the sum over any partition of it, exactly (durations are whole
microseconds), so a window can be cut into pieces: whole UTC days read from the roll-up
(`reports/models.UptimeDay`) and the partial days at its edges computed live. Each piece is
computed from the port's timeline over that piece alone (`port_timeline` starts it in the
state the changes before the piece set), which gives the same state at every instant as one
timeline over the whole window.

Days are UTC days: the UK window starts at 1 January 00:00 UTC (`calendar_year`), so whole
UTC days tile it exactly; the NEVI window (525,600 minutes before any instant) has partial
days at both ends in any day convention; and one day boundary for every station lets one SQL
range select a year of rows for the whole network. Station-local days would not tile the UTC
calendar year.

A day row holds the outage while the station was closed, not the outage inside excluded
alarms: exclusions are applied when the report is read (`excluded_extra`), from the alarm
table as it is then, so an operator marking an alarm excluded changes the report at once.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ccms_app.maintenance.rules.intervals import (
    MICROSECOND,
    ZERO,
    Interval,
    clip,
    intersect,
    length,
    subtract,
)
from ccms_app.maintenance.rules.port_timeline import Segment, intervals_in
from ccms_app.maintenance.rules.reliability import ReliabilityFigures, port_reliability
from ccms_app.maintenance.rules.uptime import DOWN_STATES

DAY = timedelta(days=1)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def day_of(at: datetime) -> date:
    """The UTC day an instant falls in."""
    return at.astimezone(UTC).date()


def first_whole_day(at: datetime) -> date:
    """The first UTC day starting at or after `at`."""
    day = day_of(at)
    return day if day_start(day) == at else day + DAY


def micros(duration: timedelta) -> int:
    return duration // MICROSECOND


def hours_key(timezone: str, opening_hours: str, created_at: datetime) -> int:
    """What a day row's figures depend on besides the history: the station's zone and
    opening hours and the charge point's creation (UK counts from it). A row whose key is
    not the port's current one is stale (the station's hours were edited)."""
    text = f"{timezone}\n{opening_hours}\n{created_at.astimezone(UTC).isoformat()}"
    return zlib.crc32(text.encode())


@dataclass(frozen=True)
class UptimeParts:
    """One connector's sums over a piece of time."""

    outage: timedelta = ZERO  # NEVI T_outage inside the piece
    excused: timedelta = ZERO  # the part of it excluded (closed, or an excluded alarm)
    uk: ReliabilityFigures = field(default_factory=ReliabilityFigures)

    def __add__(self, other: UptimeParts) -> UptimeParts:
        return UptimeParts(
            self.outage + other.outage, self.excused + other.excused, self.uk + other.uk
        )


def overlap(first: Interval, second: Interval) -> Interval | None:
    start, end = max(first[0], second[0]), min(first[1], second[1])
    return (start, end) if end > start else None


def _within(segments: Sequence[Segment], window: Interval) -> list[Segment]:
    low, high = window
    return [
        Segment(max(s.start, low), min(s.end, high), s.state)
        for s in segments
        if s.end > low and s.start < high
    ]


def piece_parts(
    segments: Sequence[Segment],
    piece: Interval,
    nevi: Interval,
    measured: Interval,
    excused: Iterable[Interval],
    opened: Iterable[Interval],
) -> UptimeParts:
    """The sums of one piece: NEVI inside `piece` and the NEVI window, outage inside
    `excused` (closed hours, plus excluded alarms for a live piece) excluded; UK inside
    `piece`, the `measured` window (year so far, since creation) and the `opened` hours."""
    parts = UptimeParts()
    nevi_piece = overlap(piece, nevi)
    if nevi_piece is not None:
        outage = clip(intervals_in(segments, DOWN_STATES), nevi_piece)
        parts = UptimeParts(length(outage), length(intersect(outage, excused)))
    uk_piece = overlap(piece, measured)
    if uk_piece is not None:
        uk = port_reliability(_within(segments, uk_piece), opened)
        parts = UptimeParts(parts.outage, parts.excused, uk)
    return parts


def excluded_extra(
    segments: Sequence[Segment],
    piece: Interval,
    excluded: Iterable[Interval],
    closed: Iterable[Interval],
) -> timedelta:
    """Outage inside `piece` and an excluded alarm but not in closed hours: what a rolled-up
    day (which excused closed hours only) adds to T_excluded for the alarm, exactly once."""
    outage = clip(intervals_in(segments, DOWN_STATES), piece)
    return length(subtract(intersect(outage, clip(excluded, piece)), closed))


def missing_runs(present: Iterable[date], first: date, last: date) -> list[tuple[date, date]]:
    """The runs of days in first..last (inclusive) not in `present`, oldest first."""
    have = set(present)
    runs: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if day not in have:
            start = day
            while day + DAY <= last and day + DAY not in have:
                day += DAY
            runs.append((start, day))
        day += DAY
    return runs
