"""How long a login waits after failures: per account and per address.

Five failures are free (typos happen); each further failure doubles the wait, from 2 s up
to 15 minutes. Failures older than the window are forgotten; a success clears the
account's count (not the address's: one right password must not reset a spray).
"""

from __future__ import annotations

FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 15 * 60.0
WINDOW_SECONDS = 60 * 60.0


def delay_after(failures: int) -> float:
    """Seconds a new attempt must wait after `failures` recent failures."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES))


def wait_remaining(failures: int, last_failure_at: float, now: float) -> float:
    """Seconds still to wait at `now` (monotonic seconds), 0 when an attempt may go ahead."""
    if now - last_failure_at > WINDOW_SECONDS:
        return 0.0
    return max(0.0, last_failure_at + delay_after(failures) - now)
