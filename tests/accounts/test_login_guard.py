"""What a login attempt may cost: the guard's back-off, its bounded low-priority hashing, and
a password check that never needs the database's write lock."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import make_url

from ccms_app.accounts import auth
from ccms_app.accounts.login_guard import HASH_NICE, LoginBusy, LoginGuard, LoginThrottled
from tests.fixtures.db import only_sqlite

EMAIL = "ops@example.com"
PASSWORD = "a-long-charging-phrase-1"


async def test_a_full_queue_turns_attempts_away_until_a_slot_frees() -> None:
    guard = LoginGuard(slots=1, queue_limit=1)
    release = threading.Event()

    async def one(n: int) -> bool:
        with guard.attempt(f"user{n}@example.com", f"10.0.0.{n}"):
            return await guard.hash(release.wait, 10)

    running = [asyncio.create_task(one(n)) for n in (1, 2)]  # one hashing, one queued
    await asyncio.sleep(0.05)
    assert guard.in_flight() == 2
    with pytest.raises(LoginBusy), guard.attempt("user3@example.com", "10.0.0.3"):
        pass
    release.set()
    assert await asyncio.gather(*running) == [True, True]
    assert guard.in_flight() == 0
    with guard.attempt("user3@example.com", "10.0.0.3"):  # room again
        pass


def _priority() -> tuple[int, int]:
    """(scheduling policy, nice) of the calling thread."""
    me = threading.get_native_id()
    return os.sched_getscheduler(me), os.getpriority(os.PRIO_PROCESS, me)


async def test_hashing_runs_on_its_own_idle_priority_threads() -> None:
    guard = LoginGuard(slots=2)

    def where() -> tuple[str, tuple[int, int], tuple[int, int]]:
        started: list[tuple[int, int]] = []  # a thread it starts, as libargon2's lanes are
        lane = threading.Thread(target=lambda: started.append(_priority()))
        lane.start()
        lane.join()
        return threading.current_thread().name, _priority(), started[0]

    with guard.attempt(EMAIL, "10.0.0.1"):
        name, hashing, lane = await guard.hash(where)

    assert name.startswith("login-hash")
    if sys.platform.startswith("linux"):
        assert hashing[0] == os.SCHED_IDLE or hashing[1] == HASH_NICE
        assert lane == hashing
    assert _priority()[0] != os.SCHED_IDLE  # the event loop's thread kept its own


def test_parallel_attempts_get_no_more_tries_than_a_sequence() -> None:
    guard = LoginGuard(slots=1, queue_limit=50)
    with contextlib.ExitStack() as in_flight:
        for n in range(5):  # five guesses at once, none answered yet
            in_flight.enter_context(guard.attempt(EMAIL, f"10.0.0.{n}", now=100.0))
        with pytest.raises(LoginThrottled) as refused:
            in_flight.enter_context(guard.attempt(EMAIL, "10.0.0.9", now=100.0))
    assert refused.value.wait_seconds == 2.0
    with guard.attempt(EMAIL, "10.0.0.9", now=100.0):  # they ended without failing
        pass


def test_back_off_per_account_and_address_and_a_success_clears_only_the_account() -> None:
    guard = LoginGuard()
    for n in range(5):
        guard.failed(EMAIL, "10.0.0.1", now=float(n))
    with pytest.raises(LoginThrottled) as wait:
        guard.check(EMAIL, "10.0.0.2", now=5.0)  # the account waits, from anywhere
    assert wait.value.wait_seconds == pytest.approx(1.0)
    with pytest.raises(LoginThrottled):
        guard.check("other@example.com", "10.0.0.1", now=5.0)  # the address waits too
    guard.check(EMAIL, "10.0.0.2", now=6.5)  # 2 s after the fifth failure: may try again
    guard.failed(EMAIL, "10.0.0.2", now=6.5)
    with pytest.raises(LoginThrottled) as doubled:
        guard.check(EMAIL, "10.0.0.3", now=7.0)
    assert doubled.value.wait_seconds == pytest.approx(3.5)  # 4 s after the sixth

    guard.succeeded(EMAIL)
    guard.check(EMAIL, "10.0.0.3", now=7.0)
    with pytest.raises(LoginThrottled):  # one right password does not reset a spray
        guard.check("other@example.com", "10.0.0.1", now=5.5)


@only_sqlite  # SQLite's database-wide write lock
def test_check_credentials_needs_no_write_lock(engine) -> None:
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE) for the whole check:
    the read and the Argon2 check still finish; a write would wait for the lock."""
    account, _ = auth.ensure_admin(EMAIL, PASSWORD)
    path = make_url(str(engine.url)).database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # the lock is real
            writer = sqlite3.connect(path, timeout=0.1, isolation_level=None)
            try:
                writer.execute("BEGIN IMMEDIATE")
            finally:
                writer.close()
        with ThreadPoolExecutor(max_workers=1) as pool:
            # A check that waited for the lock would time out here (busy_timeout is 10 s).
            found = pool.submit(auth.check_credentials, EMAIL, PASSWORD).result(timeout=5)
            with pytest.raises(auth.AuthenticationError):
                pool.submit(auth.check_credentials, EMAIL, "a wrong password").result(timeout=5)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert found.id == account.id
