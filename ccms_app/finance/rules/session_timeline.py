"""A charging session's timeline for the tariff engine, from what its charger reported.

Where the periods come from:
- cut points: the session's start and end, every meter sample time and every connector status
  change inside the session (a status change is where idle time starts or stops);
- energy: the energy register readings (Wh) give the energy charged so far at each sample;
  between two readings the energy is spread over the charging time between them in
  proportion to duration. The session's counted energy (what the session row holds, after the
  data policy) is the total: the last stretch runs from the last reading to it. Without any
  register reading the total is spread evenly over the session's charging time;
- idle (PARKING: the car occupies the connector without charging): the connector's status is
  SuspendedEV or Finishing, or the charger reports less than IDLE_POWER_KW while no energy
  flows. Energy flowing overrules the status (a charger that says SuspendedEV while its meter
  moves is charging). SuspendedEVSE is the charger withholding power (e.g. load balancing):
  not the driver's idle time, so not PARKING. Time after the StopTransaction is not part of
  the session: chargers that should bill idle time until unplugging end the transaction on
  unplugging (StopTransactionOnEVSideDisconnect, the 1.6 default);
- power and current per period: the latest reading at or before the period's start.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from ccms_app.finance.rules.tariff_types import PeriodKind, SessionTimeline, TimelinePeriod

IDLE_STATUSES = frozenset({"SuspendedEV", "Finishing"})
IDLE_POWER_KW = Decimal("0.1")
_WH_PER_KWH = Decimal(1000)


@dataclass(frozen=True)
class MeterPoint:
    """One meter sample time of the session: what it said (None: not in that sample)."""

    at: datetime
    register_wh: Decimal | None = None
    power_w: Decimal | None = None
    current_a: Decimal | None = None


@dataclass(frozen=True)
class SessionFacts:
    start: datetime
    end: datetime
    meter_start_wh: int
    energy_wh: int  # the session's counted energy: the total to distribute
    reserved_at: datetime | None = None  # when its reservation began, if it had one


def build_timeline(
    facts: SessionFacts, points: list[MeterPoint], statuses: list[tuple[datetime, str]]
) -> SessionTimeline:
    """The session as periods for `tariff_engine.price_session` (see the module docstring)."""
    start, end = facts.start, max(facts.end, facts.start)
    points = sorted((p for p in points if start <= p.at <= end), key=lambda p: p.at)
    statuses = sorted(s for s in statuses if s[0] <= end)
    cuts = sorted({start, end, *(p.at for p in points), *(at for at, _ in statuses if at > start)})
    spans = list(pairwise(cuts))
    idle = [_idle_by_status(statuses, a) for a, _ in spans]
    energy = _energy_per_span(facts, points, spans, idle)
    periods = []
    if facts.reserved_at is not None and facts.reserved_at < start:
        periods.append(TimelinePeriod(start=facts.reserved_at, kind=PeriodKind.RESERVATION))
    times = [p.at for p in points]
    in_force = _filled(points)
    for (a, _b), by_status, kwh in zip(spans, idle, energy, strict=True):
        index = bisect_right(times, a)
        power, current = in_force[index - 1] if index else (None, None)
        parking = kwh == 0 and (by_status or (power is not None and power < IDLE_POWER_KW))
        periods.append(
            TimelinePeriod(
                start=a,
                kind=PeriodKind.PARKING if parking else PeriodKind.CHARGING,
                energy_kwh=kwh,
                max_power_kw=power,
                min_power_kw=power,
                max_current_a=current,
                min_current_a=current,
            )
        )
    if not spans:
        periods.append(TimelinePeriod(start=start, energy_kwh=_kwh(facts.energy_wh)))
    return SessionTimeline(periods=tuple(_merged(periods)), end=end)


def _idle_by_status(statuses: list[tuple[datetime, str]], at: datetime) -> bool:
    """The connector's status in force at `at` says the car sits without charging."""
    current = None
    for changed_at, status in statuses:
        if changed_at > at:
            break
        current = status
    return current in IDLE_STATUSES


def _energy_per_span(
    facts: SessionFacts,
    points: list[MeterPoint],
    spans: list[tuple[datetime, datetime]],
    idle: list[bool],
) -> list[Decimal]:
    """kWh charged in each span: each stretch between two known energy levels spread over its
    charging spans by duration (over all its spans when every one of them looked idle)."""
    levels = _energy_levels(facts, points)
    out = [Decimal(0)] * len(spans)
    first = 0  # spans and levels are both in time order: walk them together
    for (t0, e0), (t1, e1) in pairwise(levels):
        while first < len(spans) and spans[first][0] < t0:
            first += 1
        last = first
        while last < len(spans) and spans[last][1] <= t1:
            last += 1
        delta = e1 - e0
        inside = range(first, last)
        if delta <= 0 or not inside:
            continue
        charging = [i for i in inside if not idle[i]] or list(inside)
        total = sum((_seconds(*spans[i]) for i in charging), Decimal(0))
        for i in charging:
            share = _seconds(*spans[i]) / total if total else Decimal(1) / len(charging)
            out[i] += delta * share
    return [_kwh(wh) for wh in out]


def _energy_levels(facts: SessionFacts, points: list[MeterPoint]) -> list[tuple[datetime, Decimal]]:
    """(time, Wh charged so far), never going down and never above the counted total."""
    total = Decimal(max(facts.energy_wh, 0))
    levels = [(facts.start, Decimal(0))]
    for point in points:
        if point.register_wh is None:
            continue
        so_far = min(max(point.register_wh - facts.meter_start_wh, levels[-1][1]), total)
        levels.append((point.at, so_far))
    levels.append((max(facts.end, facts.start), total))
    return levels


def _filled(points: list[MeterPoint]) -> list[tuple[Decimal | None, Decimal | None]]:
    """(kW, A) in force at each sample: its own reading, else the latest one before it."""
    power = current = None
    filled = []
    for point in points:
        if point.power_w is not None:
            power = point.power_w / _WH_PER_KWH
        if point.current_a is not None:
            current = point.current_a
        filled.append((power, current))
    return filled


def _merged(periods: list[TimelinePeriod]) -> list[TimelinePeriod]:
    """Neighbours without energy that differ in nothing else become one period (fewer pieces
    to price, the same price). Periods with energy stay apart: the engine spreads a period's
    energy evenly, so merging two rates would move where a kWh threshold is crossed."""
    merged: list[TimelinePeriod] = []
    for period in periods:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.kind == period.kind
            and last.max_power_kw == period.max_power_kw
            and last.max_current_a == period.max_current_a
            and period.kind != PeriodKind.RESERVATION
            and last.energy_kwh == 0
            and period.energy_kwh == 0
        ):
            merged[-1] = TimelinePeriod(
                start=last.start,
                kind=last.kind,
                max_power_kw=last.max_power_kw,
                min_power_kw=last.min_power_kw,
                max_current_a=last.max_current_a,
                min_current_a=last.min_current_a,
            )
        else:
            merged.append(period)
    return merged


def _seconds(a: datetime, b: datetime) -> Decimal:
    delta = b - a
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000


def _kwh(wh: Decimal | int) -> Decimal:
    return Decimal(wh) / _WH_PER_KWH
