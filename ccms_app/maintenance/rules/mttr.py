"""Mean time to repair (MTTR) and mean time between failures (MTBF), per vendor and model.

Definitions (what the report's figures mean, exactly):
- A failure is a fault alarm of a failure cause (`FAILURE_CAUSES`: a connector Faulted,
  the charge point offline past its threshold, repeated failed starts): each alarm is one
  failure, from its `fault_started_at` (when the fault began, which can be before the alarm
  was raised) to its recovery (`recovered_at`, else `closed_at` when an operator closed it;
  none while it is open).
- MTTR of a group = the mean of (recovery - fault start) over the group's failures that
  started in the period and have recovered. Open failures are not in it (they have no repair
  time yet); the report counts them beside it.
- MTBF of a group = operating time / number of failures that started in the period, where
  operating time = for each charge point of the group, the time in the period since it was
  created, minus the time any of its failures (clipped to the period; an open one runs to
  the period's end) kept it down, overlaps counted once. No failure: no MTBF (unbounded).
Durations are exact (`Fraction` seconds); rounding is the display's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from ccms_app.maintenance.rules.alarm_causes import CONNECTOR_FAULTED, FAILED_STARTS, OFFLINE
from ccms_app.maintenance.rules.intervals import ZERO, Interval, clip, length

FAILURE_CAUSES = (CONNECTOR_FAULTED, OFFLINE, FAILED_STARTS)
Group = tuple[str, str]  # (vendor, model)


@dataclass(frozen=True)
class Failure:
    group: Group
    charge_point_id: int
    started: datetime
    recovered: datetime | None = None  # None while open


@dataclass(frozen=True)
class InService:
    """A charge point of a group and when it was created."""

    group: Group
    charge_point_id: int
    since: datetime


@dataclass(frozen=True)
class GroupFigures:
    vendor: str
    model: str
    charge_points: int
    failures: int  # started in the period
    repaired: int  # of those, recovered
    repair_seconds: Fraction  # their total repair time
    operating_seconds: Fraction

    @property
    def mttr_seconds(self) -> Fraction | None:
        return self.repair_seconds / self.repaired if self.repaired else None

    @property
    def mtbf_seconds(self) -> Fraction | None:
        return self.operating_seconds / self.failures if self.failures else None


def seconds(duration: timedelta) -> Fraction:
    """A duration in exact seconds."""
    return Fraction(duration // timedelta(microseconds=1), 1_000_000)


def repair_time(failure: Failure) -> timedelta | None:
    """Recovery - fault start; None while open (a recovery before the start counts 0)."""
    if failure.recovered is None:
        return None
    return max(ZERO, failure.recovered - failure.started)


def mttr(failures: Iterable[Failure]) -> Fraction | None:
    """The mean repair time in seconds of the recovered failures; None when there are none."""
    times = [seconds(t) for f in failures if (t := repair_time(f)) is not None]
    return sum(times, Fraction(0)) / len(times) if times else None


def figures_by_group(
    charge_points: Iterable[InService], failures: Iterable[Failure], period: Interval
) -> list[GroupFigures]:
    """MTTR and MTBF inputs of each group with a charge point in service in the period, or a
    failure in it; sorted by vendor and model."""
    start, end = period
    in_period = [f for f in failures if start <= f.started < end]
    down: dict[int, list[Interval]] = {}
    for failure in failures:
        until = failure.recovered or end
        down.setdefault(failure.charge_point_id, []).append((failure.started, until))
    tallies: dict[Group, _Tally] = {}
    for cp in charge_points:
        served = clip([(max(cp.since, start), end)], period)
        lost = clip(down.get(cp.charge_point_id, []), served[0]) if served else []
        tally = tallies.setdefault(cp.group, _Tally())
        tally.charge_points += 1
        tally.operating += seconds(length(served) - length(lost))
    for failure in in_period:
        tally = tallies.setdefault(failure.group, _Tally())
        tally.failures += 1
        repaired = repair_time(failure)
        if repaired is not None:
            tally.repaired += 1
            tally.repair += seconds(repaired)
    return [
        GroupFigures(
            vendor=key[0],
            model=key[1],
            charge_points=t.charge_points,
            failures=t.failures,
            repaired=t.repaired,
            repair_seconds=t.repair,
            operating_seconds=t.operating,
        )
        for key, t in sorted(tallies.items())
    ]


@dataclass
class _Tally:
    charge_points: int = 0
    failures: int = 0
    repaired: int = 0
    repair: Fraction = field(default_factory=Fraction)
    operating: Fraction = field(default_factory=Fraction)
