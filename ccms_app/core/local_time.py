"""A form's wall time read and filled in a time zone: the one way every form does it.

The browser sends a wall time without a zone ("2026-12-06T10:00" from a datetime-local
input, or a date); the form says which zone it means (the operator's for a campaign, a
voucher or a tariff version, the station's for a charging profile), and these turn it into
the UTC instant CCMS stores, and a stored instant back into the field's text. A text with
its own offset ("...+02:00", "...Z": the API) keeps it.

Daylight saving: a wall time the zone skips (02:30 on the spring-forward night) or repeats
(02:30 on the fall-back night) is read with fold=0, i.e. with the offset in force before the
change: a skipped 02:30 in Europe/Berlin is 01:30 UTC (shown back as 03:30 CEST), a repeated
one is the first 02:30 (CEST). Neither raises.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ccms_app.core.display import time_zone

FORM_TIME = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends and shows


def wall_time_to_utc(text: str, zone: str) -> datetime | None:
    """The datetime-local text as typed in `zone`, in UTC; "" is None. A text that carries
    its own offset ("...+02:00") keeps it. ValueError when it is not a date and time."""
    value = text.strip()
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return parsed.replace(tzinfo=time_zone(zone), fold=0).astimezone(UTC)


def utc_to_wall_time(value: datetime, zone: str) -> str:
    """A stored instant (naive means UTC) as a datetime-local field's text in `zone`."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(time_zone(zone)).strftime(FORM_TIME)


def local_midnight(day: date, zone: str) -> datetime:
    """The first instant of `day` in `zone`, in UTC: where a day the operator picks, a bucket
    of a chart or a billing period starts (zoneinfo resolves a skipped midnight to the instant
    after the gap, the same for a day's end and the next one's start)."""
    return datetime.combine(day, time(0), tzinfo=time_zone(zone)).astimezone(UTC)


def midnight_of(now: datetime, zone: str = "UTC") -> datetime:
    """The start (in UTC) of the day `now` falls on in `zone`: where Home's "today" starts
    for an operator, and a daily charging schedule without a start time."""
    return local_midnight(now.astimezone(time_zone(zone)).date(), zone)
