"""How long live pushes take: the publisher records each batch's push, /metrics reads it.

A plain counter pair in core so the metrics route (no Reflex) and the publisher (a Reflex
state module) share it without importing each other.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_count = 0
_seconds = 0.0


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
