"""`ccms run` supervises its web process (ccms_app/cli/supervisor.py), shown with tiny fake
child processes: the real Reflex app is never started here."""

from __future__ import annotations

import http.server
import itertools
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccms_app.cli.supervisor import (
    HealthCheck,
    RestartPolicy,
    ping_probe,
    spawn_in_group,
    supervise,
)
from ccms_app.core.config import PROJECT_ROOT

# Exits 1 on its first run, stays up on the second (writing its pid to `up`).
FLAKY_CHILD = textwrap.dedent(
    """
    import os, sys, time, pathlib
    d = pathlib.Path(sys.argv[1])
    runs = d / "runs"
    n = len(runs.read_text()) if runs.exists() else 0
    runs.write_text("x" * (n + 1))
    if n == 0:
        sys.exit(1)
    (d / "up").write_text(str(os.getpid()))
    time.sleep(60)
    """
)

SUPERVISOR = textwrap.dedent(
    """
    import logging, sys
    from ccms_app.cli.supervisor import RestartPolicy, spawn_in_group, supervise
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    child = [sys.executable, "-c", sys.argv[1], sys.argv[2]]
    sys.exit(supervise(lambda: spawn_in_group(child), RestartPolicy(first_delay=0.1)))
    """
)

FAST = RestartPolicy(first_delay=0.01, max_quick_crashes=3, end_grace=2.0)


def wait_for(path: Path, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)
    return path.read_text()


def gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def python(code: str) -> subprocess.Popen[bytes]:
    return spawn_in_group([sys.executable, "-c", code])


def test_a_crash_is_restarted_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, FLAKY_CHILD, str(tmp_path)],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        child_pid = int(wait_for(tmp_path / "up"))
        supervisor.send_signal(signal.SIGTERM)
        _, stderr = supervisor.communicate(timeout=30)
    finally:
        supervisor.kill()
    assert supervisor.returncode == 0, stderr
    assert (tmp_path / "runs").read_text() == "xx"  # crashed once, restarted once
    assert "web process crashed; restarting" in stderr
    assert gone(child_pid)


def test_too_many_quick_crashes_give_up(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    code = supervise(lambda: python("import sys; sys.exit(3)"), FAST)

    assert code == 3
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("web process crashed; restarting") == 2
    assert messages[-1] == "web process keeps crashing; giving up"


def test_the_back_off_doubles_up_to_its_cap() -> None:
    policy = RestartPolicy(first_delay=1, max_delay=10)
    assert [policy.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_a_clean_exit_is_not_restarted() -> None:
    starts: list[int] = []

    def start() -> subprocess.Popen[bytes]:
        starts.append(1)
        return python("pass")

    assert supervise(start, FAST) == 0
    assert starts == [1]


def test_a_hung_process_is_ended_and_restarted(caplog: pytest.LogCaptureFixture) -> None:
    answers = itertools.cycle([True, False, False])  # each run: answers once, then not twice
    health = HealthCheck(lambda: next(answers), interval=0.01, failures=2)
    policy = RestartPolicy(first_delay=0.01, max_quick_crashes=2, end_grace=2.0)

    code = supervise(lambda: python("import time; time.sleep(60)"), policy, health)

    assert code == 128 + signal.SIGTERM
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("web process stopped answering its health check; restarting it") == 2


@pytest.fixture
def ping_server() -> Iterator[str]:
    class Ping(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/ping" else 404)
            self.end_headers()
            self.wfile.write(b'"pong"')

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Ping)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ping_probe(ping_server: str) -> None:
    assert ping_probe(f"{ping_server}/ping", timeout=5)()
    assert not ping_probe(f"{ping_server}/nothing", timeout=5)()
    assert not ping_probe("http://127.0.0.1:9/ping", timeout=1)()
