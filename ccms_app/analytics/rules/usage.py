"""Usage rate and availability of stations, charge points and connectors over a range.

Definitions (the page repeats them):
- period: per connector, the range from the later of its start and the charge point's
  creation to its end (not past now); a station's or charge point's is the sum over its
  connectors.
- out of service: the connector's outage as the maintenance uptime report counts it (the
  charge point offline, the connector or the whole charge point Faulted or Unavailable),
  inside the period, whatever the station's opening hours or the reason.
- available time = period - out of service.
- availability = available time / period.
- charging time: the sessions' plugged-in time inside the range (start to stop, the part in
  the range), summed over the charge point's sessions: two connectors charging at once count
  twice, as they use two connectors' available time.
- usage rate = charging time / available time. A charger that keeps charging while CCMS
  sees it offline can pass 100 %: the rate is shown as computed, never capped.

Exact: durations are whole microseconds, rates are fractions; rounding is the display's.
Pure: no database, no Reflex.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TypeVar

MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class TimeUse:
    """What a connector, charge point or station did over the range, in microseconds."""

    period_us: int = 0
    outage_us: int = 0
    charging_us: int = 0

    def __add__(self, other: TimeUse) -> TimeUse:
        return TimeUse(
            self.period_us + other.period_us,
            self.outage_us + other.outage_us,
            self.charging_us + other.charging_us,
        )

    @property
    def available_us(self) -> int:
        """The period less the time out of service (never below zero)."""
        return max(0, self.period_us - self.outage_us)

    @property
    def usage(self) -> Fraction | None:
        """Charging time / available time; None when nothing was available (no base)."""
        available = self.available_us
        return None if available == 0 else Fraction(self.charging_us, available)

    @property
    def availability(self) -> Fraction | None:
        """Available time / period; None for an empty period."""
        return None if self.period_us <= 0 else Fraction(self.available_us, self.period_us)


def period_us(since: datetime, until: datetime, created_at: datetime) -> int:
    """A connector's period in microseconds: [max(since, created_at), until), zero if empty."""
    start = max(since, created_at)
    if until <= start:
        return 0
    return (until - start) // MICROSECOND


def total(uses: Iterable[TimeUse]) -> TimeUse:
    found = TimeUse()
    for use in uses:
        found += use
    return found


Row = TypeVar("Row")


def ranked(
    rows: Sequence[Row],
    rate: Callable[[Row], Fraction | None],
    name: Callable[[Row], str],
    highest_first: bool = True,
) -> list[Row]:
    """Rows by `rate` (highest or lowest first), the ones without a rate last, ties by name."""
    with_rate = [row for row in rows if rate(row) is not None]
    without = sorted((row for row in rows if rate(row) is None), key=name)
    ordered = sorted(with_rate, key=name)
    ordered.sort(key=lambda row: rate(row) or Fraction(0), reverse=highest_first)
    return ordered + without
