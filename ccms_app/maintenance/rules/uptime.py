"""Charging port uptime by the US NEVI rule, 23 CFR 680.116(b) ("Minimum uptime").

What the rule says (paraphrased from the eCFR text):
- (b): each charging port must have an average annual uptime of greater than 97%.
- (b)(1): a port is "up" when its hardware and software are both online and available for
  use, or in use, and it dispenses electricity at the required minimum power.
- (b)(2): uptime is calculated on a monthly basis for the previous twelve months.
- (b)(3): mu = ((525,600 - (T_outage - T_excluded)) / 525,600) x 100, where T_outage is the
  port's total minutes of outage in the previous year and T_excluded the minutes of outage
  caused by reasons outside the operator's control, provided the operator can demonstrate
  the port would otherwise be operational: electric utility service interruptions, failure
  to charge or meet the EVSP-specified kW output due to the fault of the vehicle, scheduled
  maintenance, vandalism, or natural disasters. Also excluded are hours outside the
  station's identified hours of operation.

How CCMS applies it:
- The window is the 525,600 minutes (365 days) before `window_end`: the formula's
  denominator is fixed, so the window is too (a leap year's extra day is not in it).
- Outage (`down`): the port is offline, out of order (Faulted) or inoperative (Unavailable)
  (`port_timeline`); CCMS cannot see the dispensed power against 680.106(d) in real time,
  so a port that is Available or in use counts as up. Overlapping outages count once, and
  only their part inside the window.
- Excluded (`excluded`): outage minutes inside a period the operator marked with one of the
  exclusion reasons (an alarm's `excluded_reason`, `rules.alarm_admin.EXCLUSION_REASONS`),
  and outage minutes while the station is closed. Excluded minutes are a part of T_outage:
  excluding time when the port was up changes nothing.
- Everything is exact (fractions of minutes); rounding is the display's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from ccms_app.maintenance.rules.intervals import Interval, clip, intersect, length
from ccms_app.maintenance.rules.port_timeline import PortState

MINUTES_PER_YEAR = 525_600
NEVI_WINDOW = timedelta(minutes=MINUTES_PER_YEAR)
NEVI_THRESHOLD = Fraction(97)  # percent; the rule asks for greater than this
DOWN_STATES = frozenset({PortState.OFFLINE, PortState.OUT_OF_ORDER, PortState.INOPERATIVE})


@dataclass(frozen=True)
class NeviUptime:
    window: Interval
    outage_minutes: Fraction  # T_outage
    excluded_minutes: Fraction  # T_excluded (a part of T_outage)
    uptime_percent: Fraction  # mu

    @property
    def counted_minutes(self) -> Fraction:
        """T_outage - T_excluded: the minutes held against the port."""
        return self.outage_minutes - self.excluded_minutes

    @property
    def meets_threshold(self) -> bool:
        """Greater than 97%, as the rule asks."""
        return self.uptime_percent > NEVI_THRESHOLD


def nevi_window(window_end: datetime) -> Interval:
    """The previous twelve months as the formula counts them: 525,600 minutes."""
    return (window_end - NEVI_WINDOW, window_end)


def minutes(duration: timedelta) -> Fraction:
    """A duration in exact minutes (a timedelta is whole microseconds)."""
    return Fraction(duration // timedelta(microseconds=1), 60_000_000)


def nevi_uptime(
    down: Iterable[Interval],
    window_end: datetime,
    excluded: Iterable[Interval] = (),
    closed: Iterable[Interval] = (),
) -> NeviUptime:
    """mu of one port over the 525,600 minutes before `window_end`: `down` are its outages,
    `excluded` the periods with an exclusion reason, `closed` when its station was closed."""
    window = nevi_window(window_end)
    outage = clip(down, window)
    excused = intersect(outage, [*excluded, *closed])
    return nevi_figures(window_end, length(outage), length(excused))


def nevi_figures(window_end: datetime, outage: timedelta, excused: timedelta) -> NeviUptime:
    """mu from the window's total outage and its excluded part (sums of parts may be added
    up first: `rules/uptime_parts`)."""
    t_outage = minutes(outage)
    t_excluded = minutes(excused)
    mu = (MINUTES_PER_YEAR - (t_outage - t_excluded)) / Fraction(MINUTES_PER_YEAR) * 100
    return NeviUptime(nevi_window(window_end), t_outage, t_excluded, mu)
