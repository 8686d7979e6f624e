"""When does a TariffElement apply: OCPI 2.2.1 TariffRestrictions, evaluated on one piece of
a session, and the instants where their answer can change.

The engine cuts the timeline at every instant returned by `clock_boundaries` (plus kWh and
duration thresholds, computed from the piece's energy and elapsed time) so that inside one
piece every restriction has one answer. Each piece is then judged by `restrictions_hold`:

- start_time / end_time: the local wall-clock time (tariff.time_zone) at the middle of the
  piece; the window is [start_time, end_time) and wraps past midnight when end < start.
  Only start_time: until midnight; only end_time: from midnight; start == end: all day.
- start_date / end_date: the local date; start inclusive, end exclusive (as OCPI says).
- day_of_week: the local weekday of the instant (a 22:00-06:00 window on FRIDAY does not
  continue into Saturday morning: OCPI is silent, the literal reading is the predictable one).
- min_kwh / max_kwh: energy charged in the session before the piece: min inclusive, max
  exclusive ("valid from" / "valid until" this amount).
- min_duration / max_duration: seconds since the session (or reservation) started: min
  inclusive, max exclusive, as OCPI states.
- min/max_current and min/max_power: the period's reported values, min inclusive, max
  exclusive (the OCPI complex example uses max_current 32 and min_current 32 as a partition).
  max_* checks the period's maximum, min_* its minimum; when only one is reported it stands
  for both. Unknown values never match a power or current restriction.

DST: boundaries are computed on local dates with both folds and the zone's UTC-offset change
instants added, so a window edge inside a skipped or repeated hour is never missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction

from ccms_app.finance.rules.tariff_types import DayOfWeek, Restrictions, TimelinePeriod

_WEEKDAYS = (
    DayOfWeek.MONDAY,
    DayOfWeek.TUESDAY,
    DayOfWeek.WEDNESDAY,
    DayOfWeek.THURSDAY,
    DayOfWeek.FRIDAY,
    DayOfWeek.SATURDAY,
    DayOfWeek.SUNDAY,
)
_MIDNIGHT = time(0, 0)
_SECOND = timedelta(seconds=1)


@dataclass(slots=True)
class PieceContext:
    """What the restrictions look at for one piece of the timeline."""

    local: datetime  # local wall-clock instant inside the piece (its middle)
    energy_before_units: int | Fraction  # energy of the session so far, in 1/energy_scale kWh
    energy_scale: int
    elapsed_us: int | Fraction  # microseconds since the session (or reservation) started
    period: TimelinePeriod


@dataclass(frozen=True, slots=True)
class CompiledRestrictions:
    """Restrictions with their thresholds converted once per tariff (exact)."""

    source: Restrictions
    min_kwh: Fraction | None
    max_kwh: Fraction | None
    min_us: int | None
    max_us: int | None


def compile_restrictions(restrictions: Restrictions | None) -> CompiledRestrictions | None:
    if restrictions is None:
        return None
    r = restrictions
    return CompiledRestrictions(
        source=r,
        min_kwh=None if r.min_kwh is None else Fraction(r.min_kwh),
        max_kwh=None if r.max_kwh is None else Fraction(r.max_kwh),
        min_us=None if r.min_duration is None else r.min_duration * 1_000_000,
        max_us=None if r.max_duration is None else r.max_duration * 1_000_000,
    )


def restrictions_hold(compiled: CompiledRestrictions | None, ctx: PieceContext) -> bool:
    """True when every restriction that is set holds for the piece (reservation excepted:
    the engine chooses which elements may price a reservation piece)."""
    if compiled is None:
        return True
    r = compiled.source
    return (
        _time_window_holds(r.start_time, r.end_time, ctx.local.time())
        and _date_holds(r.start_date, r.end_date, ctx.local.date())
        and (not r.day_of_week or _WEEKDAYS[ctx.local.weekday()] in r.day_of_week)
        and _kwh_holds(compiled, ctx.energy_before_units, ctx.energy_scale)
        and _range_holds(compiled.min_us, compiled.max_us, ctx.elapsed_us)
        and _reported_holds(
            r.min_power, r.max_power, ctx.period.min_power_kw, ctx.period.max_power_kw
        )
        and _reported_holds(
            r.min_current, r.max_current, ctx.period.min_current_a, ctx.period.max_current_a
        )
    )


def _kwh_holds(compiled: CompiledRestrictions, units: int | Fraction, scale: int) -> bool:
    """min_kwh <= units / scale < max_kwh, on integers when the energy is whole units."""
    low, high = compiled.min_kwh, compiled.max_kwh
    if low is not None and units * low.denominator < low.numerator * scale:
        return False
    return high is None or units * high.denominator < high.numerator * scale


def _time_window_holds(start: time | None, end: time | None, now: time) -> bool:
    if start is None and end is None:
        return True
    lower = start or _MIDNIGHT
    if end is None:
        return now >= lower
    if lower < end:
        return lower <= now < end
    if lower == end:
        return True
    return now >= lower or now < end


def _date_holds(start: date | None, end: date | None, today: date) -> bool:
    return (start is None or today >= start) and (end is None or today < end)


def _range_holds(
    minimum: Fraction | int | None, maximum: Fraction | int | None, value: Fraction | int
) -> bool:
    """min inclusive, max exclusive."""
    if minimum is not None and value < minimum:
        return False
    return maximum is None or value < maximum


def _reported_holds(
    minimum: Decimal | None,
    maximum: Decimal | None,
    reported_min: Decimal | None,
    reported_max: Decimal | None,
) -> bool:
    low = reported_min if reported_min is not None else reported_max
    high = reported_max if reported_max is not None else reported_min
    if minimum is not None and (low is None or low < minimum):
        return False
    return maximum is None or (high is not None and high < maximum)


def clock_times(restrictions: list[Restrictions]) -> tuple[time, ...]:
    """The local wall-clock times at which some element's answer can change. Midnight is one
    for a day or date restriction and for a window with only one edge (only start_time runs
    until midnight, only end_time from midnight)."""
    times: set[time] = set()
    for r in restrictions:
        times.update(t for t in (r.start_time, r.end_time) if t is not None)
        one_edge = (r.start_time is None) != (r.end_time is None)
        if one_edge or r.day_of_week or r.start_date or r.end_date:
            times.add(_MIDNIGHT)
    return tuple(sorted(times))


def clock_boundaries(
    times: tuple[time, ...], zone: tzinfo, start: datetime, end: datetime
) -> list[datetime]:
    """UTC instants strictly inside (start, end) where the local clock passes one of `times`,
    plus the zone's offset changes (DST) inside the interval."""
    if not times or end <= start:
        return []
    found: set[datetime] = set()
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day <= last:
        for clock in times:
            for fold in (0, 1):
                local = datetime.combine(day, clock, tzinfo=zone).replace(fold=fold)
                instant = local.astimezone(UTC)
                if start < instant < end:
                    found.add(instant)
        day += timedelta(days=1)
    found.update(_offset_changes(zone, start, end))
    return sorted(found)


def _offset_changes(zone: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants in (start, end) where the zone's UTC offset changes (found by bisection on
    whole seconds; zones change offset at most a few times a year)."""
    changes: list[datetime] = []
    _bisect_changes(zone, start, end, changes, depth=0)
    return [c for c in changes if start < c < end]


def _bisect_changes(
    zone: tzinfo, low: datetime, high: datetime, out: list[datetime], depth: int
) -> None:
    if low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
        if high - low > timedelta(days=90) and depth < 8:  # two changes could cancel out
            middle = low + (high - low) / 2
            _bisect_changes(zone, low, middle, out, depth + 1)
            _bisect_changes(zone, middle, high, out, depth + 1)
        return
    while high - low > _SECOND:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    out.append(low.replace(microsecond=0) + _SECOND)  # offsets change on whole seconds
