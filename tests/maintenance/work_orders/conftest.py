"""Work order tests: the workshop network, the alarm hook installed (until the lead wires
`alarm_hook.install()` into tests/conftest.py), and photos in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccms_app.maintenance.work_orders import alarm_hook
from tests.fixtures.settings import SettingsEnv
from tests.maintenance.work_orders.support import workshop

__all__ = ["workshop"]

alarm_hook.install()


@pytest.fixture
def photo_dir(settings_env: SettingsEnv, tmp_path: Path) -> Path:
    directory = tmp_path / "photos"
    settings_env.setenv("CCMS_WORK_ORDER_PHOTO_DIR", str(directory))
    settings_env.setenv("CCMS_WORK_ORDER_PHOTO_MAX_MB", "1")
    return directory
