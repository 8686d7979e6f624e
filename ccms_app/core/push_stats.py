"""How long live pushes take: the publisher records each batch's push, and how long after a
charger event a Live Monitoring tab was sent it (the lag, in fixed buckets); /metrics reads
both.

A plain counter pair in core so the metrics route (no Reflex) and the publisher (a Reflex
state module) share it without importing each other.
"""

from __future__ import annotations

import bisect
import threading

_lock = threading.Lock()
_count = 0
_seconds = 0.0
# Upper bounds (seconds) of the lag histogram's buckets; the last counts everything above.
LAG_BUCKETS = (0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_lag_counts = [0] * (len(LAG_BUCKETS) + 1)
_lag_seconds = 0.0


def record(seconds: float) -> None:
    """One batch pushed to every watching tab and feed in `seconds`."""
    global _count, _seconds
    with _lock:
        _count += 1
        _seconds += seconds


def totals() -> tuple[int, float]:
    """(batches pushed, seconds spent) since the process started."""
    with _lock:
        return _count, _seconds


def record_lag(seconds: float) -> None:
    """A tab was sent an update `seconds` after the oldest charger event it shows."""
    global _lag_seconds
    at = bisect.bisect_left(LAG_BUCKETS, seconds)
    with _lock:
        _lag_counts[at] += 1
        _lag_seconds += seconds


def lag_totals() -> tuple[list[int], float]:
    """(count per bucket of LAG_BUCKETS and one above them, seconds summed) since start."""
    with _lock:
        return list(_lag_counts), _lag_seconds
