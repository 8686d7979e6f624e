"""What a login attempt may cost: back-off after failures, and bounded Argon2 work.

Per account (the email typed) and per address, failures are counted in this process
(rules/login_backoff.py decides the wait). An attempt that must wait is refused before any
hashing. Hashing runs in at most `HASH_SLOTS` threads with a short queue: a flood of logins
waits for a slot or is turned away as busy, and never holds a database connection, so the
chargers' writer keeps its pace. Failures and refusals are security events, written at most
once a minute per address with a count (`ThrottledRecorder`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass

from ccms_app.accounts.rules.login_backoff import WINDOW_SECONDS, wait_remaining

HASH_SLOTS = max(1, (os.cpu_count() or 2) // 2)
QUEUE_LIMIT = 16  # attempts waiting for a slot beyond this are turned away at once
_MAX_TRACKED = 50_000  # keys remembered; the oldest go first


class LoginBusy(Exception):
    """Too many logins are being checked right now; try again in a moment."""


class LoginThrottled(Exception):
    """Too many recent failures for this account or address."""

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"wait {wait_seconds:.0f} s")
        self.wait_seconds = wait_seconds


@dataclass
class _Failures:
    count: int = 0
    last_at: float = 0.0


class LoginGuard:
    """Failure counts per key ("account:<email>", "address:<ip>") and the hashing slots."""

    def __init__(self, slots: int = HASH_SLOTS, queue_limit: int = QUEUE_LIMIT) -> None:
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()
        self._slots = asyncio.Semaphore(slots)
        self._waiting = 0
        self._queue_limit = queue_limit

    def check(self, email: str, address: str, now: float | None = None) -> None:
        """Raise LoginThrottled when either key must still wait."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            waits = [
                wait_remaining(entry.count, entry.last_at, moment)
                for key in _keys(email, address)
                if (entry := self._failures.get(key)) is not None
            ]
        wait = max(waits, default=0.0)
        if wait > 0:
            raise LoginThrottled(wait)

    def failed(self, email: str, address: str, now: float | None = None) -> None:
        moment = time.monotonic() if now is None else now
        with self._lock:
            for key in _keys(email, address):
                entry = self._failures.pop(key, None) or _Failures()
                if moment - entry.last_at > WINDOW_SECONDS:
                    entry.count = 0
                entry.count += 1
                entry.last_at = moment
                self._failures[key] = entry  # re-inserted: the dict stays oldest-first
            while len(self._failures) > _MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(_account_key(email), None)

    async def hashing_slot(self) -> _Slot:
        """A context manager holding one of the hashing slots; LoginBusy when the queue is full."""
        if self._waiting >= self._queue_limit:
            raise LoginBusy()
        return _Slot(self)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


class _Slot:
    def __init__(self, guard: LoginGuard) -> None:
        self._guard = guard

    async def __aenter__(self) -> None:
        self._guard._waiting += 1
        try:
            await self._guard._slots.acquire()
        finally:
            self._guard._waiting -= 1

    async def __aexit__(self, *exc: object) -> None:
        self._guard._slots.release()


def _account_key(email: str) -> str:
    return f"account:{email.strip().lower()}"


def _keys(email: str, address: str) -> list[str]:
    keys = [_account_key(email)] if email.strip() else []
    if address:
        keys.append(f"address:{address}")
    return keys


login_guard = LoginGuard()
