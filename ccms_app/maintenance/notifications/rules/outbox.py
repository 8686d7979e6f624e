"""When the e-mail outbox sends: digest windows and retry back-off.

Every unsent notification of one recipient list goes out together once the list's window
has passed, counted from its oldest unsent row (MaintenanceSettings.digest_window_s): a
site-wide outage of 500 alarms within the window is one mail, not 500. A failed mail leaves
its rows unsent with `next_attempt_at` pushed back (1, 2, 4 ... minutes, at most an hour);
they are retried for as long as it takes, with whatever joined the list meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
MAX_ALARMS_PER_MAIL = 1000  # a larger outage is several mails of this many


@dataclass(frozen=True)
class Pending:
    """One unsent notification as the job sees it."""

    id: int
    recipients: str
    created_at: datetime
    next_attempt_at: datetime | None
    window_s: int  # its organisation's digest window


def retry_delay(attempts: int) -> timedelta:
    """How long after the `attempts`-th failure the next try is made."""
    exponent = min(max(attempts, 1) - 1, 10)
    return min(FIRST_RETRY * (2**exponent), MAX_RETRY)


def due_mails(pending: Iterable[Pending], now: datetime) -> list[list[Pending]]:
    """The mails to send now: per recipient list, its rows (oldest first) when its window
    has passed and no row waits for a retry; a list longer than MAX_ALARMS_PER_MAIL is cut
    into several mails."""
    by_list: dict[str, list[Pending]] = {}
    for row in pending:
        by_list.setdefault(row.recipients, []).append(row)
    mails: list[list[Pending]] = []
    for recipients in sorted(by_list):
        rows = sorted(by_list[recipients], key=lambda r: (r.created_at, r.id))
        if any(r.next_attempt_at is not None and r.next_attempt_at > now for r in rows):
            continue  # the list failed lately: its retry takes the newer rows along
        window = timedelta(seconds=max(min(r.window_s for r in rows), 0))
        if rows[0].created_at + window > now:
            continue
        mails += [
            rows[start : start + MAX_ALARMS_PER_MAIL]
            for start in range(0, len(rows), MAX_ALARMS_PER_MAIL)
        ]
    return mails
