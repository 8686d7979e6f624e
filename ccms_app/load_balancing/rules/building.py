"""The building's own load (dynamic strategy): the demo's daily curve, and what to assume
when the readings stop.

Dynamic sharing gives the chargers the grid connection's limit less what the building draws.
A stale reading is unsafe (the building may have switched on its heat pumps since), so once
the latest reading is older than the site's maximum age the highest load of the last 24 hours
is assumed until readings come back: the chargers get less, the fuse holds.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from ccms_app.core.i18n import N_
from ccms_app.core.stored_text import reword

PhaseAmps = tuple[float, float, float]

# What is assumed of a building load without a fresh reading, for the operator: stored in the
# decision's detail in English (the control loop writes for no reader), worded in the
# reader's language where shown (`note_text`).
PEAK_ASSUMED = N_("no recent reading: the 24 h peak is assumed")
NO_READING = N_("no building load reading yet")
STALE_PEAK = N_("stale since {since}: the 24 h peak is assumed")
STALE_LAST = N_("stale since {since}: the last reading is assumed")
NOTES = (PEAK_ASSUMED, NO_READING, STALE_PEAK, STALE_LAST)

# (hour of day, share of the peak): night base load, morning ramp, midday peak, evening fall.
_WORKDAY = (
    (0, 0.25),
    (6, 0.25),
    (9, 0.85),
    (12, 1.0),
    (14, 1.0),
    (17, 0.8),
    (21, 0.35),
    (24, 0.25),
)
_WEEKEND_SHARE = 0.4  # of the daytime rise above the night base
_PHASE_BALANCE = (1.0, 0.93, 0.87)  # real buildings load their phases unevenly


def _share(hours: float) -> float:
    for (h0, s0), (h1, s1) in pairwise(_WORKDAY):
        if hours < h1:
            return s0 + (s1 - s0) * (hours - h0) / (h1 - h0)
    return _WORKDAY[-1][1]


def demo_building_load_a(local: datetime, peak_a: float) -> PhaseAmps:
    """The demo building's load per phase at this local time (deterministic: the same time
    gives the same load, so demo runs and tests repeat)."""
    hours = local.hour + local.minute / 60 + local.second / 3600
    share = _share(hours)
    if local.isoweekday() >= 6:
        share = 0.25 + (share - 0.25) * _WEEKEND_SHARE
    share *= 1 + 0.03 * math.sin(hours * 7.0)  # the small ups and downs of a real meter
    l1, l2, l3 = (round(peak_a * share * balance, 1) for balance in _PHASE_BALANCE)
    return (l1, l2, l3)


def assumed_building(
    latest: tuple[datetime, PhaseAmps] | None,
    peak_24h: PhaseAmps | None,
    now: datetime,
    max_age_s: int,
) -> tuple[PhaseAmps, str]:
    """(the building load to count per phase, a note for the operator; "" when fresh)."""
    if latest is not None and now - latest[0] <= timedelta(seconds=max_age_s):
        return latest[1], ""
    if latest is None:
        if peak_24h is not None:
            return peak_24h, PEAK_ASSUMED
        return (0.0, 0.0, 0.0), NO_READING
    since = latest[0].astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if peak_24h is not None:
        return peak_24h, STALE_PEAK.format(since=since)
    return latest[1], STALE_LAST.format(since=since)


def note_text(note: str) -> str:
    """A stored note in the reader's language."""
    return reword(note, NOTES)
