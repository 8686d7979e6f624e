"""`ccms run` keeps its web process up: restarted when it crashes or hangs, stopped on request.

The web process (Reflex, and inside it the OCPP server) runs in its own process group, so a
stop signal reaches its workers and npm too. `supervise` waits for it and:

- Ctrl-C / SIGTERM to `ccms run`: forwarded to the group; the group is killed if it ignores
  the stop for `stop_grace` seconds; `ccms run` exits 0.
- the process exits by itself with a non-zero code or a signal (a crash), or stops answering
  its health probe (`GET /ping` on the web port) after having answered once (hung): logged,
  its group ended, and it is started again after a back-off (1 s, 2 s, 4 s ... capped at
  60 s). A process that stayed up `stable_after` seconds starts the back-off afresh; after
  `max_quick_crashes` quick crashes in a row `ccms run` gives up with an error (and a service
  manager, e.g. systemd `Restart=always`, takes over: README "Running in production").
- the process exits 0 by itself: `ccms run` ends too, with 0.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

Child = subprocess.Popen[bytes]


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 1.0  # seconds before the first restart; doubled per quick crash
    max_delay: float = 60.0
    stable_after: float = 300.0  # up this long: a crash is a first crash again
    max_quick_crashes: int = 6  # in a row, each within stable_after of its start: give up
    stop_grace: float = 30.0  # a stop the process ignores this long: SIGKILL
    end_grace: float = 10.0  # after a crash or hang: stragglers get this long to go

    def delay(self, crashes: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2 ** max(crashes - 1, 0)))


@dataclass(frozen=True)
class HealthCheck:
    """A process that answered `probe` once and then fails it `failures` times in a row,
    `interval` seconds apart, is hung (a minute by default: never a busy moment)."""

    probe: Callable[[], bool]
    interval: float = 15.0
    failures: int = 4


def ping_probe(url: str, timeout: float = 10.0) -> Callable[[], bool]:
    """A probe that is True when `url` (Reflex's `/ping`) answers 200 within `timeout`."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as reply:
                return bool(reply.status == 200)
        except (OSError, http.client.HTTPException):
            return False

    return probe


def spawn_in_group(command: list[str], **popen: Any) -> Child:
    """Start `command` as the leader of a new process group (stdin closed)."""
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, process_group=0, **popen)


class _StopRequest:
    """SIGINT / SIGTERM to this process: remembered and forwarded to the child's group."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.pgid: int | None = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[_StopRequest]:
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._handle) for sig in signals}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.at is None:
            self.at = time.monotonic()
        if self.pgid is not None:
            signal_group(self.pgid, signum)

    def sleep(self, seconds: float) -> bool:
        """Sleep, cut short by a stop request; True if one came."""
        deadline = time.monotonic() + seconds
        while self.at is None and time.monotonic() < deadline:
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))
        return self.at is not None


def supervise(
    start: Callable[[], Child],
    policy: RestartPolicy | None = None,
    health: HealthCheck | None = None,
) -> int:
    """Run `start()`'s process until a stop request, restarting it as the module says.

    Returns the exit code for `ccms run`: 0 after a stop request or a clean exit, else the
    last crash's code (128 + signal number for a signal).
    """
    policy = policy or RestartPolicy()
    crashes = 0
    with _StopRequest().installed() as stop:
        while True:
            started = time.monotonic()
            code = _run_once(start, stop, policy, health)
            if stop.at is not None:
                return 0 if _stopped_by_signal(code) else code
            if code == 0:
                log.info("web process exited normally; ccms run stops too")
                return 0
            up = time.monotonic() - started
            crashes = crashes + 1 if up < policy.stable_after else 1
            if crashes >= policy.max_quick_crashes:
                _give_up(code, crashes, policy)
                return _exit_status(code)
            delay = policy.delay(crashes)
            log.warning(
                "web process crashed; restarting",
                extra={"exit_code": code, "up_s": round(up, 1), "restart_in_s": delay},
            )
            if stop.sleep(delay):
                return 0


def _run_once(
    start: Callable[[], Child],
    stop: _StopRequest,
    policy: RestartPolicy,
    health: HealthCheck | None,
) -> int:
    """Start the process, wait for it to end (or end it when hung), clear up its group."""
    child = start()
    stop.pgid = child.pid
    if stop.at is not None:  # the stop came while it was starting
        signal_group(child.pid, signal.SIGTERM)
    try:
        return _wait(child, stop, policy, _HealthWatch(health) if health else None)
    finally:
        stop.pgid = None
        end_group(child.pid, policy.end_grace)


def _wait(
    child: Child, stop: _StopRequest, policy: RestartPolicy, watch: _HealthWatch | None
) -> int:
    while True:
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if stop.at is not None:
            if time.monotonic() - stop.at > policy.stop_grace:
                signal_group(child.pid, signal.SIGKILL)
        elif watch is not None and watch.hung():
            log.error(
                "web process stopped answering its health check; restarting it",
                extra={"failed_probes": watch.failed},
            )
            return _end_hung(child, policy.end_grace)


def _end_hung(child: Child, grace: float) -> int:
    """SIGTERM, SIGKILL after `grace`; its exit status (reaped here, before `end_group`)."""
    signal_group(child.pid, signal.SIGTERM)
    try:
        return child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(child.pid, signal.SIGKILL)
        return child.wait()


class _HealthWatch:
    """Probes every `interval` seconds; hung = answered once, then `failures` misses."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self.answered = False
        self.failed = 0
        self.next_probe = time.monotonic() + check.interval

    def hung(self) -> bool:
        if time.monotonic() < self.next_probe:
            return False
        ok = self.check.probe()
        self.next_probe = time.monotonic() + self.check.interval
        self.answered = self.answered or ok
        self.failed = 0 if ok else self.failed + 1
        return self.answered and self.failed >= self.check.failures


def _give_up(code: int, crashes: int, policy: RestartPolicy) -> None:
    log.error(
        "web process keeps crashing; giving up",
        extra={"exit_code": code, "crashes": crashes, "within_s": policy.stable_after},
    )


def _stopped_by_signal(code: int) -> bool:
    """An exit that a stop request explains (killed by, or exiting on, a stop signal)."""
    return code <= 0 or code - 128 in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def _exit_status(code: int) -> int:
    """A shell's view of an exit: 128 + N for death by signal N."""
    return 128 - code if code < 0 else code


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def end_group(pgid: int, grace: float) -> None:
    """End what is left of the group (workers, npm): SIGTERM, then SIGKILL after `grace`, and
    wait until it is gone, so a restarted process finds its ports free. Call it once the
    group's leader is reaped: the reaping of orphans below would take its exit status."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        signal_group(pgid, signum)
        if _group_gone(pgid, grace):
            return
    log.warning("web process group still has processes", extra={"pgid": pgid})


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        # Members orphaned to us (ccms run as a container's PID 1) are ours to reap.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-pgid, os.WNOHANG)
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
