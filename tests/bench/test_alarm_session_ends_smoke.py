"""Smoke test of bench/alarm_session_ends.py: a small shift of ended sessions, timed with this
code and (where the checkout has its git history) with the engine as committed at HEAD, in a
process of its own (it sets its own database). Timings are the benchmark's business, never
asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def has_history() -> bool:
    found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True)
    return found.returncode == 0


def test_it_times_this_code_and_the_baseline() -> None:
    baseline = ["--baseline", "HEAD"] if has_history() else []
    done = subprocess.run(
        [sys.executable, "bench/alarm_session_ends.py", "--sessions", "20", *baseline],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "one alarm-engine batch of 20 ended sessions (SQLite)"
    assert lines[1].split()[:2] == ["this", "code"] and lines[1].endswith(" ms")
    if baseline:
        assert lines[2].split()[:3] == ["engine", "at", "HEAD"] and lines[2].endswith(" ms")
        assert lines[3].endswith("x")
