"""When a failed delivery is tried again, and when CCMS gives up.

Exponential back-off: 10 s after the first failure, then twice as long each time, at most an
hour apart, until the event is a day old (counted from when it happened, not from its first
attempt: events queued behind a dead receiver age too, so a backlog drains instead of
growing for ever). The last try is at the deadline itself; a delivery is always tried at
least once. A small random spread keeps many failed deliveries from retrying in lockstep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)
    max_age: timedelta = timedelta(hours=24)
    spread: float = 0.1  # +-10 % of each delay

    def delay(self, failures: int, jitter: float = 0.0) -> timedelta:
        """The wait after the `failures`-th failed attempt (1 = the first); `jitter` in
        [-1, 1] picks a point in the spread."""
        exponent = max(0, min(failures - 1, 40))  # 2**40 first delays exceed any max_delay
        base = min(self.first_delay * (2**exponent), self.max_delay)
        factor = 1.0 + self.spread * max(-1.0, min(1.0, jitter))
        return base * factor

    def next_attempt(
        self, created_at: datetime, failures: int, now: datetime, jitter: float = 0.0
    ) -> datetime | None:
        """When to try again after `failures` failed attempts, or None: give up."""
        deadline = created_at + self.max_age
        if now >= deadline:
            return None
        return min(now + self.delay(failures, jitter), deadline)

    def schedule(self) -> list[timedelta]:
        """Every attempt's offset from the event when each one fails at once (no jitter)."""
        offsets, at, failures = [timedelta(0)], timedelta(0), 0
        while at < self.max_age:
            failures += 1
            at = min(at + self.delay(failures), self.max_age)
            offsets.append(at)
        return offsets
