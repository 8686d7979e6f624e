"""What a login attempt may cost: back-off after failures, and bounded Argon2 work.

Per account (the email typed) and per address, failures are counted in this process
(rules/login_backoff.py decides the wait). An attempt that must wait is refused before any
database read or hashing. Attempts still being checked count too: once the failures plus
the attempts in flight for a key reach the free allowance, the next one is refused, so a
burst of parallel guesses gets no more tries than a sequence would.

Hashing runs on `HASH_SLOTS` threads of its own, with a short queue in front of them: past
`HASH_SLOTS + QUEUE_LIMIT` attempts in flight a login is turned away as busy at once. On
Linux these threads run under SCHED_IDLE (libargon2's lane threads inherit it), so a login
flood gets only the CPU the chargers' path leaves over, never the other way round; on a
server with spare CPU a login is as fast as ever, on a saturated one logins wait (and past
the queue are turned away as busy) while the chargers keep their pace. The threads hold no
database connection (auth.verify_login touches none). Failures and refusals are security
events, written at most once a minute per address with a count (routes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from ccms_app.accounts.rules.login_backoff import WINDOW_SECONDS, delay_after, wait_remaining

HASH_SLOTS = max(1, (os.cpu_count() or 2) // 2)
QUEUE_LIMIT = 16  # attempts waiting for a slot beyond this are turned away at once
HASH_NICE = 19  # the hashing threads' priority (Linux) where SCHED_IDLE is refused
MAX_EMAIL_CHARS = 320  # longer is no email address; it must not grow the keys either
_MAX_TRACKED = 50_000  # keys remembered; the oldest go first

Result = TypeVar("Result")


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


def _lower_priority() -> None:
    """Executor initializer: this thread (and the threads it starts: libargon2's lanes
    inherit it) yields the CPU to the rest of the server. Linux only, where both settings
    are per thread: the SCHED_IDLE policy (runs when a CPU has nothing else to do, and any
    other thread that wakes takes the CPU back at once), else nice 19. Elsewhere they would
    slow the whole process, so nothing is changed."""
    if not sys.platform.startswith("linux"):
        return
    me = threading.get_native_id()
    try:
        os.sched_setscheduler(me, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, me, HASH_NICE)


class LoginGuard:
    """Failure counts per key ("account:<email>", "address:<ip>") and the hashing threads."""

    def __init__(self, slots: int = HASH_SLOTS, queue_limit: int = QUEUE_LIMIT) -> None:
        self._failures: dict[str, _Failures] = {}
        self._pending: dict[str, int] = {}  # attempts being checked, per key
        self._lock = threading.Lock()
        self._in_flight = 0
        self._capacity = slots + queue_limit
        self._pool = ThreadPoolExecutor(
            max_workers=slots, thread_name_prefix="login-hash", initializer=_lower_priority
        )

    def check(self, email: str, address: str, now: float | None = None) -> None:
        """Raise LoginThrottled when either key must still wait."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            self._check_locked(_keys(email, address), moment)

    @contextlib.contextmanager
    def attempt(self, email: str, address: str, now: float | None = None) -> Iterator[None]:
        """Admit one login attempt while it is checked: LoginThrottled when a key must wait,
        LoginBusy when the hashing queue is full. Call `failed` inside the block, so the
        failure is counted before the attempt stops counting as in flight."""
        moment = time.monotonic() if now is None else now
        keys = _keys(email, address)
        with self._lock:
            self._check_locked(keys, moment)
            if self._in_flight >= self._capacity:
                raise LoginBusy()
            self._in_flight += 1
            for key in keys:
                self._pending[key] = self._pending.get(key, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                for key in keys:
                    left = self._pending.pop(key, 1) - 1
                    if left > 0:
                        self._pending[key] = left

    async def hash(self, work: Callable[..., Result], *args: object) -> Result:
        """Run `work` (Argon2, no database) on the hashing threads; only inside `attempt`,
        which bounds how many wait for them."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

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

    def in_flight(self) -> int:
        """Attempts admitted and not finished (waiting for a hashing thread or on one)."""
        return self._in_flight

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()

    def _check_locked(self, keys: list[str], moment: float) -> None:
        wait = 0.0
        for key in keys:
            entry = self._failures.get(key)
            count, last_at = (entry.count, entry.last_at) if entry else (0, moment)
            wait = max(wait, wait_remaining(count, last_at, moment) if entry else 0.0)
            pending = self._pending.get(key, 0)
            if pending:
                if moment - last_at > WINDOW_SECONDS:
                    count = 0
                # Were the attempts in flight to fail, this one would have to wait this long.
                wait = max(wait, delay_after(count + pending))
        if wait > 0:
            raise LoginThrottled(wait)


def _account_key(email: str) -> str:
    return f"account:{email.strip().lower()[:MAX_EMAIL_CHARS]}"


def _keys(email: str, address: str) -> list[str]:
    keys = [_account_key(email)] if email.strip() else []
    if address:
        keys.append(f"address:{address[:64]}")
    return keys


login_guard = LoginGuard()
