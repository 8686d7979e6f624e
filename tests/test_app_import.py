"""Importing the app does nothing but define it: no thread, no database connection, no
settings read. The browser tests rely on it (tests/fixtures/app_zygote.py forks every test
module's app process from one import), and so does anything that imports the app to inspect
it (`reflex export`, the page walkers in tests/ui and tests/i18n)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ccms_app.core.config import PROJECT_ROOT

PROBE = """
import json, threading
import ccms_app.ccms_app
from ccms_app.core import config, db
print(json.dumps({
    "threads": [t.name for t in threading.enumerate()],
    "engine": db._engine is not None,
    "settings_read": config.get_settings.cache_info().currsize,
}))
"""


def test_importing_the_app_starts_nothing(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    env = {"PATH": "/usr/bin:/bin", "CCMS_DATABASE_URL": f"sqlite:///{database}"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found == {"threads": ["MainThread"], "engine": False, "settings_read": 0}
    assert not database.exists()
