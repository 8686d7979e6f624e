"""Time intervals for uptime and reliability: merge, clip, intersect, subtract, measure, and
a station's opening hours as intervals.

An interval is `(start, end)`, half-open, both aware UTC datetimes. Durations are exact
(`timedelta` holds whole microseconds), so uptime arithmetic never rounds before the end:
an outage that overlaps another is counted once (`merge`), and only its part inside the
window counts (`clip`).

Opening hours are the station's `opening_hours` as the network module parses them
(`network.rules.asset_validation.parse_opening_hours`: "24/7" or the documented subset of
the OpenStreetMap syntax), read in the station's time zone. As in OpenStreetMap, a later rule
naming a day replaces what earlier rules said for that day ("Mo-Fr 08:00-20:00; Fr off":
closed on Fridays); a range past midnight ("22:00-02:00") runs into the next morning. Wall
times are turned into UTC through the zone, so a day with a daylight-saving change is open
for the hours the clock shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from ccms_app.network.rules.asset_validation import OpeningRule, parse_opening_hours

Interval = tuple[datetime, datetime]
ZERO = timedelta(0)
MICROSECOND = timedelta(microseconds=1)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-touching intervals covering the same instants; empty
    intervals (end <= start) are dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """The merged parts of `intervals` inside `window`."""
    low, high = window
    return merge((max(start, low), min(end, high)) for start, end in intervals)


def intersect(first: Iterable[Interval], second: Iterable[Interval]) -> list[Interval]:
    """The instants in both (each side merged first)."""
    left, right = merge(first), merge(second)
    found: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if end > start:
            found.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return found


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """The instants of `intervals` not in `removed`."""
    remaining: list[Interval] = []
    cuts = merge(removed)
    for start, end in merge(intervals):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                remaining.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            remaining.append((cursor, end))
    return remaining


def ratio(part: timedelta, whole: timedelta) -> Fraction:
    """`part / whole` exactly (both are whole microseconds)."""
    return Fraction(part // MICROSECOND, whole // MICROSECOND)


def length(intervals: Iterable[Interval]) -> timedelta:
    """How long the union of `intervals` lasts (overlaps counted once)."""
    return sum((end - start for start, end in merge(intervals)), ZERO)


# --- opening hours -----------------------------------------------------------------------


def day_rules(rules: Sequence[OpeningRule]) -> dict[int, tuple[tuple[int, int], ...]]:
    """Weekday (0 = Monday) -> its open minute ranges; a later rule naming a day wins."""
    by_day: dict[int, tuple[tuple[int, int], ...]] = {}
    for rule in rules:
        for day in rule.days:
            by_day[day] = rule.intervals
    return by_day


def _wall(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `minute` minutes after local midnight of `day` (24:00 = next day)."""
    local = datetime.combine(day + timedelta(days=minute // 1440), time(), tzinfo=zone)
    local = local.replace(hour=(minute % 1440) // 60, minute=minute % 60)
    return local.astimezone(UTC)


def open_intervals(opening_hours: str, zone: ZoneInfo, window: Interval) -> list[Interval]:
    """When a station with `opening_hours` (in `zone`) is open inside `window` (UTC).
    ValueError when the text is not valid opening hours (the station form refuses those)."""
    rules = parse_opening_hours(opening_hours)
    by_day = day_rules(rules)
    if all(by_day.get(day) == ((0, 1440),) for day in range(7)):
        return clip([window], window)
    first = window[0].astimezone(zone).date() - timedelta(days=1)
    last = window[1].astimezone(zone).date()
    found: list[Interval] = []
    day = first
    while day <= last:
        for start, end in by_day.get(day.weekday(), ()):
            close = end if end > start else end + 1440  # past midnight: into the next day
            found.append((_wall(day, start, zone), _wall(day, close, zone)))
        day += timedelta(days=1)
    return clip(found, window)


def closed_intervals(opening_hours: str, zone: ZoneInfo, window: Interval) -> list[Interval]:
    """When the station is closed inside `window`: the window minus its open hours."""
    return subtract([window], open_intervals(opening_hours, zone, window))
