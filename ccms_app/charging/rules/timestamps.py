"""Reading charger timestamps, which are often sloppy (docs/data-policy.md, "Timestamps").

Old timestamps are fine: a charger that was offline replays its sessions hours or days late,
each message with its own time, and CCMS keeps those times. What is corrected:
- no time zone             -> taken as UTC (OCPP requires UTC; most such chargers send UTC)
- in the future            -> our receive time (a charger clock ahead of ours is wrong)
- before 2015 (e.g. 1970)  -> our receive time (a charger whose clock was never set)
- unreadable               -> our receive time
Each correction comes with an issue kind so the charge point's clock can be flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# A charger clock this far ahead of ours is wrong; we keep our receive time instead.
MAX_CLOCK_AHEAD = timedelta(minutes=5)
# Nothing that speaks OCPP 1.6 (published 2015) ran before this: the clock was never set.
EARLIEST_PLAUSIBLE = datetime(2015, 1, 1, tzinfo=UTC)

# Issue kinds (ChargerDataIssue.kind) for a corrected timestamp.
CLOCK_NO_TIMEZONE = "clock_no_timezone"
CLOCK_AHEAD = "clock_ahead"
CLOCK_NOT_SET = "clock_not_set"
CLOCK_UNREADABLE = "clock_unreadable"


@dataclass(frozen=True)
class ChargerTime:
    """A charger timestamp as CCMS stores it. `issue` is "" or a CLOCK_* kind; `note` says
    what was corrected (also for a missing optional timestamp, which is no issue)."""

    at: datetime
    note: str = ""
    issue: str = ""


def read_charger_time(value: str | None, received_at: datetime) -> ChargerTime:
    """The UTC datetime to store for a charger timestamp, and what had to be corrected."""
    if not value:
        return ChargerTime(received_at, "missing timestamp; receive time used")
    shown = repr(value[:40])
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        note = f"unreadable timestamp {shown}; receive time used"
        return ChargerTime(received_at, note, CLOCK_UNREADABLE)
    note, issue = "", ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        note, issue = "timestamp without time zone taken as UTC", CLOCK_NO_TIMEZONE
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
        return ChargerTime(
            received_at, f"timestamp {shown} out of range; receive time used", CLOCK_UNREADABLE
        )
    if parsed - received_at > MAX_CLOCK_AHEAD:
        return ChargerTime(
            received_at, f"timestamp {shown} is in the future; receive time used", CLOCK_AHEAD
        )
    if parsed < EARLIEST_PLAUSIBLE:
        return ChargerTime(
            received_at, f"timestamp {shown} is before 2015; receive time used", CLOCK_NOT_SET
        )
    return ChargerTime(parsed, note, issue)


def parse_charger_time(value: str | None, received_at: datetime) -> tuple[datetime, str]:
    """(UTC datetime, note) for a charger timestamp; see read_charger_time."""
    read = read_charger_time(value, received_at)
    return read.at, read.note
