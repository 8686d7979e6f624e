"""Cut a SessionTimeline into pieces inside which no price can change.

A period is cut where a restriction's answer can change: local clock and date boundaries
(`tariff_restrictions.clock_boundaries`), session-duration thresholds (min/max_duration),
energy thresholds (min/max_kwh; the period's energy is spread linearly over its time to
find the instant) and the end of the CCMS idle grace. Positions inside a period are exact
fractions of it (time and energy both proportional), so a period of zero seconds that
carries energy can still be cut at a kWh threshold. No float, no per-second loop.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from fractions import Fraction

from ccms_app.core.i18n import tr
from ccms_app.finance.rules.tariff_restrictions import PieceContext, clock_boundaries
from ccms_app.finance.rules.tariff_types import PeriodKind, SessionTimeline, TimelinePeriod

_MICROS = 1_000_000


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """Where the tariff can change price, independent of the session."""

    clock_times: tuple[time, ...]
    kwh_thresholds: tuple[Fraction, ...]
    duration_thresholds_us: tuple[int | Fraction, ...]
    idle_grace_us: int


Micros = int | Fraction  # time as microseconds: an int unless cut at a kWh threshold


@dataclass(slots=True)
class Piece:
    """A stretch of one period with one answer for every restriction."""

    period_index: int
    kind: PeriodKind
    start: datetime
    end: datetime
    span_us: Micros
    energy_units: int | Fraction  # in 1/ctx.energy_scale kWh (ints unless cut by time)
    ctx: PieceContext
    parking_before_us: Micros  # parking time of the session before this piece


def exact_sum(values: Iterable[Fraction | int]) -> Fraction | int:
    """Sum of rationals, fast: numerators are added per denominator (the energies of a
    session mostly share one, a power of ten), one Fraction addition per denominator."""
    by_denominator: dict[int, int] = {}
    for value in values:
        den = value.denominator
        by_denominator[den] = by_denominator.get(den, 0) + value.numerator
    total: Fraction | int = 0
    for den, num in by_denominator.items():
        total += num if den == 1 else Fraction(num, den)
    return total


def micros(delta: timedelta) -> int:
    """A timedelta as whole microseconds (exact)."""
    return (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds


def check_timeline(timeline: SessionTimeline) -> None:
    """Refuse what cannot be priced: naive datetimes, periods out of order, an end before
    the last period, reservation periods after the session started."""
    previous: datetime | None = None
    seen_session = False
    for index, period in enumerate(timeline.periods):
        if period.start.tzinfo is None or period.start.utcoffset() is None:
            raise ValueError(tr("periods[{index}].start must be timezone-aware", index=index))
        if previous is not None and period.start < previous:
            raise ValueError(
                tr("periods[{index}].start is before the previous period", index=index)
            )
        if period.kind == PeriodKind.RESERVATION and seen_session:
            raise ValueError(
                tr("periods[{index}] is a reservation after the session started", index=index)
            )
        if period.energy_kwh < 0:
            raise ValueError(tr("periods[{index}].energy_kwh is negative", index=index))
        seen_session = seen_session or period.kind != PeriodKind.RESERVATION
        previous = period.start
    if timeline.end.tzinfo is None or timeline.end.utcoffset() is None:
        raise ValueError(tr("end must be timezone-aware"))
    if previous is not None and timeline.end < previous:
        raise ValueError(tr("end is before the last period's start"))


def split_timeline(timeline: SessionTimeline, plan: SplitPlan, zone: tzinfo) -> list[Piece]:
    """The timeline's pieces in order (pieces with neither time nor energy are dropped)."""
    periods = timeline.periods
    if not periods:
        return []
    boundaries = clock_boundaries(plan.clock_times, zone, periods[0].start, timeline.end)
    session_start = next((p.start for p in periods if p.kind != PeriodKind.RESERVATION), None)
    reservation_start = periods[0].start
    pieces: list[Piece] = []
    places = energy_places(periods)
    scale = 10**places
    thresholds = tuple(_whole(t * scale) for t in plan.kwh_thresholds)
    state = _Running(0, 0, places, scale, thresholds)
    for index, period in enumerate(periods):
        end = periods[index + 1].start if index + 1 < len(periods) else timeline.end
        reserved = period.kind == PeriodKind.RESERVATION
        origin = reservation_start if reserved or session_start is None else session_start
        span = _Span(index, period, end, micros(end - period.start), micros(period.start - origin))
        pieces.extend(_split_period(span, state, boundaries, plan, zone))
    return pieces


@dataclass(slots=True)
class _Running:
    energy_before: int
    parking_before_us: int
    places: int
    scale: int
    kwh_thresholds: tuple[int | Fraction, ...]


@dataclass(slots=True)
class _Span:
    index: int
    period: TimelinePeriod
    end: datetime
    span_us: int
    elapsed_us: int


def _split_period(
    span: _Span, state: _Running, boundaries: list[datetime], plan: SplitPlan, zone: tzinfo
) -> list[Piece]:
    period, start, span_us = span.period, span.period.start, span.span_us
    reserved = period.kind == PeriodKind.RESERVATION
    energy = 0 if reserved else int(period.energy_kwh.scaleb(state.places))  # exact
    energy_before, parking_before = state.energy_before, state.parking_before_us
    parking = period.kind == PeriodKind.PARKING
    state.energy_before += energy
    state.parking_before_us += span_us if parking else 0
    if span_us == 0 and energy == 0:
        return []
    cuts: set[Fraction] = set()
    if span_us:
        low = bisect.bisect_right(boundaries, start)
        high = bisect.bisect_left(boundaries, span.end)
        cuts.update(Fraction(micros(b - start), span_us) for b in boundaries[low:high])
        cuts.update(_inside(plan.duration_thresholds_us, span.elapsed_us, span_us))
        if parking and plan.idle_grace_us:
            cuts.update(_inside((plan.idle_grace_us,), parking_before, span_us))
    if energy:
        cuts.update(_inside(state.kwh_thresholds, energy_before, energy))
    if not cuts:  # the common case: one piece, no fractions of the period
        middle = start + timedelta(microseconds=span_us // 2)
        ctx = PieceContext(
            middle.astimezone(zone), energy_before, state.scale, span.elapsed_us, period
        )
        return [
            Piece(span.index, period.kind, start, span.end, span_us, energy, ctx, parking_before)
        ]
    marks = [Fraction(0), *sorted(cuts), Fraction(1)]
    pieces: list[Piece] = []
    for low_f, high_f in itertools.pairwise(marks):
        middle = start + timedelta(microseconds=int((low_f + high_f) / 2 * span_us))
        ctx = PieceContext(
            local=middle.astimezone(zone),
            energy_before_units=_whole(energy_before + low_f * energy),
            energy_scale=state.scale,
            elapsed_us=_whole(span.elapsed_us + low_f * span_us),
            period=period,
        )
        pieces.append(
            Piece(
                period_index=span.index,
                kind=period.kind,
                start=start + timedelta(microseconds=int(low_f * span_us)),
                end=start + timedelta(microseconds=int(high_f * span_us)),
                span_us=_whole((high_f - low_f) * span_us),
                energy_units=_whole((high_f - low_f) * energy),
                ctx=ctx,
                parking_before_us=_whole(parking_before + low_f * span_us)
                if parking
                else parking_before,
            )
        )
    return pieces


def energy_places(periods: tuple[TimelinePeriod, ...]) -> int:
    """Energy is counted in units of 10**-n kWh, n >= 3 (1 Wh is whole) and at least the
    energies' decimals, so every period's energy is a whole number of units: sums and
    comparisons stay on ints."""
    places = 3
    for period in periods:
        exponent = period.energy_kwh.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            places = -exponent
    return places


def _whole(value: Fraction) -> Micros:
    """An int when the value is whole (keeps the common arithmetic on ints)."""
    return value.numerator if value.denominator == 1 else value


def _inside(
    thresholds: tuple[int | Fraction, ...],
    before: Fraction | int,
    amount: Fraction | int,
) -> list[Fraction]:
    """Fractions of `amount` at which `before + x` crosses one of the thresholds."""
    if not thresholds or amount <= 0:
        return []
    after = before + amount
    return [Fraction(t - before) / amount for t in thresholds if before < t < after]
