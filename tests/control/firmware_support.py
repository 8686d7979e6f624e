"""Settings for firmware tests: temporary firmware / diagnostics directories, a small limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ccms_app.core.config import Settings, get_settings

PUBLIC_URL = "http://ccms.test:3000"


@pytest.fixture
def firmware_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    """CCMS_FIRMWARE_DIR, CCMS_DIAGNOSTICS_DIR under tmp_path, a 1 MB upload limit; tests
    that serve HTTP themselves set CCMS_PUBLIC_URL again and clear the settings cache."""
    monkeypatch.setenv("CCMS_FIRMWARE_DIR", str(tmp_path / "firmware"))
    monkeypatch.setenv("CCMS_DIAGNOSTICS_DIR", str(tmp_path / "diagnostics"))
    monkeypatch.setenv("CCMS_DIAGNOSTICS_MAX_MB", "1")
    monkeypatch.setenv("CCMS_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()
