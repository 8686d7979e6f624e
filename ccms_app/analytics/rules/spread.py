"""How one charging session counts in hourly analytics.

- **Energy** counts in the hours it was delivered: the session's energy register readings
  (relative to its start reading) draw a curve from (start, 0) to (stop, total); the energy of
  an hour is the curve's rise across it, straight lines between readings. Without readings the
  energy is spread evenly over the session's time. A session from 23:30 to 00:30 that drew
  evenly puts half its energy in each day.
- **Charging time** (the session's duration, plugged in to unplugged) counts in each hour by
  the exact microseconds it overlaps.
- **The order** (the session as one count) and **its amount** count once, in the hour it
  ended: an order is complete, and priced, when it stops. So the 23:30-00:30 session counts
  in both days' energy and time, and in the second day's orders and amount.

Energy per hour is whole Wh: the cumulative curve is rounded at each hour boundary (half up),
so the hours of a session always add up to its energy exactly. Pure: no database, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

HOUR = timedelta(hours=1)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class HourShare:
    """What one session puts in one UTC hour."""

    hour: datetime  # the hour's first instant, UTC
    energy_wh: int
    charging_us: int
    orders: int = 0  # 1 in the hour the session ended
    amount_excl_minor: int = 0
    amount_incl_minor: int = 0


def hour_of(moment: datetime) -> datetime:
    """The UTC hour `moment` falls in."""
    utc = moment.astimezone(UTC)
    return utc.replace(minute=0, second=0, microsecond=0)


def micros(delta: timedelta) -> int:
    return delta // _US


def spread(
    start: datetime,
    stop: datetime,
    energy_wh: int,
    readings: Iterable[tuple[datetime, float]] = (),
    amount_excl_minor: int = 0,
    amount_incl_minor: int = 0,
    ended: bool = True,
    within: tuple[datetime, datetime] | None = None,
) -> tuple[HourShare, ...]:
    """A session's hours, oldest first. `readings` are (time, Wh since the start reading);
    `ended` False for a session still running at `stop` (no order, no amount yet).
    `within` (since, until): only the hours starting in it, the same values (a session left
    running for months costs the hours asked for, not all of its own)."""
    total = max(0, int(energy_wh))
    if stop <= start:
        only = (_order_hour(hour_of(start), total, 0, ended, amount_excl_minor, amount_incl_minor),)
        return _inside(only, within)
    curve = _Curve(_points(start, stop, total, readings))
    shares: list[HourShare] = []
    hour = hour_of(start)
    last_hour = hour_of(stop - _US)
    before = 0  # the curve at the session's start: 0 Wh
    if within is not None:
        hour = max(hour, _first_hour_from(within[0]))
        last_hour = min(last_hour, _first_hour_from(within[1]) - HOUR)
        if hour > hour_of(start):
            before = curve.rounded(micros(hour - start))
    while hour <= last_hour:
        begin, end = max(hour, start), min(hour + HOUR, stop)
        after = curve.rounded(micros(end - start))  # boundaries rise: each is read once
        shares.append(HourShare(hour, after - before, micros(end - begin)))
        before = after
        hour += HOUR
    closing = hour_of(stop)
    if ended:
        if not shares or shares[-1].hour != closing:  # stopped on the hour: the order is in it
            shares.append(HourShare(closing, 0, 0))
        last = shares[-1]
        shares[-1] = _order_hour(
            last.hour, last.energy_wh, last.charging_us, True, amount_excl_minor, amount_incl_minor
        )
    return _inside(tuple(shares), within)


def _first_hour_from(moment: datetime) -> datetime:
    """The first hour starting at or after `moment`."""
    floor = hour_of(moment)
    return floor if floor == moment.astimezone(UTC) else floor + HOUR


def _inside(
    shares: tuple[HourShare, ...], within: tuple[datetime, datetime] | None
) -> tuple[HourShare, ...]:
    if within is None:
        return shares
    since, until = within
    return tuple(s for s in shares if since <= s.hour < until)


def _order_hour(
    hour: datetime, energy: int, charging_us: int, ended: bool, excl: int, incl: int
) -> HourShare:
    if not ended:
        return HourShare(hour, energy, charging_us)
    return HourShare(hour, energy, charging_us, 1, excl, incl)


# A curve value: whole Wh (int) when the reading was, else an exact Fraction.
Wh = int | Fraction


def _points(
    start: datetime, stop: datetime, total: int, readings: Iterable[tuple[datetime, float]]
) -> list[tuple[int, Wh]]:
    """(µs since start, Wh) points, rising, from (0, 0) to (duration, total)."""
    duration = micros(stop - start)
    points: list[tuple[int, Wh]] = [(0, 0)]
    for at, value in sorted(readings):
        offset = micros(at - start)
        if not 0 < offset < duration or value != value:  # outside the session, or NaN
            continue
        energy = min(_exact(max(0.0, value)), total)
        energy = max(energy, points[-1][1])  # a register never runs backwards
        if offset > points[-1][0]:
            points.append((offset, energy))
    points.append((duration, total))
    return points


def _exact(value: float) -> Wh:
    """A reading as exact Wh: most registers count whole Wh (no Fraction needed)."""
    if value.is_integer():
        return int(value)
    return Fraction(value).limit_denominator(1000)


class _Curve:
    """The curve read at rising offsets: a cursor walks its segments once per session."""

    def __init__(self, points: list[tuple[int, Wh]]) -> None:
        self.points = points
        self.segment = 1  # points[segment - 1] .. points[segment]

    def rounded(self, offset: int) -> int:
        """The curve's value at `offset` µs, rounded half up to whole Wh, in integers:
        (2 * numerator + denominator) // (2 * denominator) of the exact interpolation."""
        points = self.points
        while self.segment < len(points) - 1 and offset > points[self.segment][0]:
            self.segment += 1
        (x0, y0), (x1, y1) = points[self.segment - 1], points[self.segment]
        n0, d0, n1, d1 = y0.numerator, y0.denominator, y1.numerator, y1.denominator
        if offset >= x1:  # on the point itself (or past the last one): its value
            return (2 * n1 + d1) // (2 * d1)
        span = x1 - x0
        numerator = n0 * d1 * span + (n1 * d0 - n0 * d1) * (offset - x0)
        denominator = d0 * d1 * span
        if numerator < 0:
            return 0
        return (2 * numerator + denominator) // (2 * denominator)
