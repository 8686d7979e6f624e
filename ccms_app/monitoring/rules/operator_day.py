"""Where "today" starts for Home's figures: at midnight in the operator's time zone, not in
UTC (an operator in Berlin sees a session started at 00:30 local time counted today, though
it is still yesterday in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from ccms_app.core.display import time_zone


def midnight_of(now: datetime, zone: str = "UTC") -> datetime:
    """The start (in UTC) of the day `now` falls on in `zone`."""
    tz = time_zone(zone)
    local_day = now.astimezone(tz).date()
    return datetime.combine(local_day, time(0), tzinfo=tz).astimezone(UTC)
