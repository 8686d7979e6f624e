"""Reading charger timestamps, which are often sloppy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# A charger clock this far ahead of ours is wrong; we keep our receive time instead.
MAX_CLOCK_AHEAD = timedelta(minutes=5)


def parse_charger_time(value: str | None, received_at: datetime) -> tuple[datetime, str]:
    """A UTC datetime for a charger timestamp, and a note when it had to be corrected.

    No time zone -> taken as UTC; unreadable or in the future -> the receive time.
    """
    if not value:
        return received_at, "missing timestamp; receive time used"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return received_at, f"unreadable timestamp {value!r}; receive time used"
    note = ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        note = "timestamp without time zone taken as UTC"
    parsed = parsed.astimezone(UTC)
    if parsed - received_at > MAX_CLOCK_AHEAD:
        return received_at, f"timestamp {value} is in the future; receive time used"
    return parsed, note
