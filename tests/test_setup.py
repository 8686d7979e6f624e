"""The setup promises of the README: the two make commands, .ci/run, documented settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from ccms_app.core.config import PROJECT_ROOT

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")


def _dry_run(target: str) -> str:
    """The commands `make <target>` would run (make -n), in this checkout."""
    # Under `make test` this runs inside make: drop the parent's flags and directory banners.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTEST_ARGS")
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = PROJECT_ROOT / ".ci" / "run"

    assert os.access(script, os.X_OK)
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec make test"
    assert "make test" in (PROJECT_ROOT / "README.md").read_text()


@needs_make
def test_make_test_lints_and_runs_the_whole_suite() -> None:
    commands = _dry_run("test")

    assert re.search(r"/\.venv/bin/ruff check \.$", commands, re.MULTILINE)
    assert re.search(r"/\.venv/bin/pytest *$", commands, re.MULTILINE)
    assert "apt-get install -y -q --no-install-recommends" in commands
    assert "chromium" in commands


@needs_make
def test_make_run_starts_ccms_with_a_demo_fleet_by_default() -> None:
    commands = _dry_run("run")

    assert "CCMS_DEMO_FLEET=${CCMS_DEMO_FLEET:-10} " in commands
    assert commands.rstrip().endswith("/.venv/bin/ccms run")


def test_readme_documents_every_setting() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    used = set()
    for folder in ("ccms_app", "ocpp_server"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"\bCCMS_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))

    assert used >= {"CCMS_DATABASE_URL", "CCMS_WEB_PORT", "CCMS_OCPP_PORT", "CCMS_DEMO_FLEET"}
    undocumented = sorted(name for name in used if f"`{name}`" not in readme)
    assert undocumented == []
