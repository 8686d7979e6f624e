"""A station's open (or closed) hours inside a window, as the uptime report and the uptime
roll-up read them: the same function for both, so both count the same instants."""

from __future__ import annotations

from functools import lru_cache

from ccms_app.core.display import time_zone
from ccms_app.maintenance.rules.intervals import Interval, closed_intervals, open_intervals


def station_hours(opening_hours: str, zone: str, window: Interval, closed: bool) -> list[Interval]:
    """Open (or closed) intervals, computed once per station kind and window."""
    return list(_hours_cached(opening_hours, time_zone(zone).key, window, closed))


@lru_cache(maxsize=1024)
def _hours_cached(
    opening_hours: str, zone: str, window: Interval, closed: bool
) -> tuple[Interval, ...]:
    tz = time_zone(zone)
    try:
        found = (closed_intervals if closed else open_intervals)(opening_hours, tz, window)
    except ValueError:  # stored before validation existed: treat as always open
        found = [] if closed else [window]
    return tuple(found)
