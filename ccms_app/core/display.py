"""How values read on every page: times in a zone, numbers with their unit, a dash for none.

Rows are formatted once on the server (per push or per page load), so every module that
prints a time or a quantity uses these and they all read the same.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MISSING = "—"


def format_time(value: datetime | None, zone: str, now: datetime) -> str:
    """Local time of the station: just the time for today, the date too otherwise."""
    if value is None:
        return MISSING
    tz = time_zone(zone)
    local = value.astimezone(tz)
    pattern = "%H:%M:%S %Z" if local.date() == now.astimezone(tz).date() else "%Y-%m-%d %H:%M %Z"
    return local.strftime(pattern)


def format_number(value: float | None, unit: str, digits: int = 1) -> str:
    return MISSING if value is None else f"{value:,.{digits}f} {unit}"


@lru_cache(maxsize=512)
def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; UTC when it is unknown (a typo must not break a page)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
