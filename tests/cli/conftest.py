"""CLI fixtures: the `ccms` commands run in-process (click's CliRunner) on a real database."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine

from tests.fixtures.settings import SettingsEnv


@pytest.fixture(autouse=True)
def _info_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Build every INFO record as `ccms` does, so a bad `extra` key fails here."""
    caplog.set_level(logging.INFO)


@pytest.fixture
def cli_db(settings_env: SettingsEnv, database_url: str, engine: Engine) -> str:
    """CCMS_DATABASE_URL points at this test's migrated database (the process engine too)."""
    settings_env.setenv("CCMS_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
