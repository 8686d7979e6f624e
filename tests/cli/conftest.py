"""CLI fixtures: the `ccms` commands run in-process (click's CliRunner) on a real database."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from ccms_app.core.config import get_settings


@pytest.fixture(autouse=True)
def _info_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Build every INFO record as `ccms` does, so a bad `extra` key fails here."""
    caplog.set_level(logging.INFO)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set CCMS_* variables through the yielded monkeypatch; get_settings() is re-read."""
    for name in ("CCMS_ADMIN_EMAIL", "CCMS_ADMIN_PASSWORD", "CCMS_OPERATOR_NAME"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def cli_db(settings_env: pytest.MonkeyPatch, database_url: str, engine: Engine) -> str:
    """CCMS_DATABASE_URL points at this test's migrated database (the process engine too)."""
    settings_env.setenv("CCMS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    return database_url


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
