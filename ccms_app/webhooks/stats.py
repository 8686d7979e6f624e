"""Webhook delivery counters since the process started, for /metrics.

A plain counter set (no Prometheus import here): the worker and the dispatcher record, the
metrics route reads `totals()` at scrape time, like `core.push_stats`.

Outcomes: `delivered` (a 2xx answer), `retrying` (an attempt failed; it is tried again),
`given_up` (failed for a day), `dropped` (never queued: a failing receiver's backlog was
full).
"""

from __future__ import annotations

import threading

OUTCOMES = ("delivered", "retrying", "given_up", "dropped")

_lock = threading.Lock()
_counts = dict.fromkeys(OUTCOMES, 0)
_attempts = 0
_attempt_seconds = 0.0


def record_attempt(outcome: str, seconds: float) -> None:
    """One HTTP attempt that ended with `outcome` (delivered, retrying or given_up)."""
    global _attempts, _attempt_seconds
    with _lock:
        _counts[outcome] = _counts.get(outcome, 0) + 1
        _attempts += 1
        _attempt_seconds += seconds


def record_dropped(count: int) -> None:
    with _lock:
        _counts["dropped"] += count


def totals() -> dict[str, int]:
    """Count per outcome since start."""
    with _lock:
        return dict(_counts)


def attempt_time() -> tuple[int, float]:
    """(attempts, seconds they took) since start."""
    with _lock:
        return _attempts, _attempt_seconds
