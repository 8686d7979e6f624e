"""`ccms web`: the web UI alone (scale-out, issue 19). It refuses what cannot work (no Redis,
SQLite) before starting anything, and starts Reflex with the web-only environment; the
whole thing running beside two gateways is tests/cli/test_scale_out_browser.py."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from click.testing import CliRunner

from ccms_app.cli import cli, reflex_process
from tests.api.rest import free_port
from tests.fixtures.settings import SettingsEnv

POSTGRES_URL = "postgresql+psycopg://ccms@db.example/ccms"


@pytest.fixture
def started(
    settings_env: SettingsEnv, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[int, dict[str, str]]]:
    """Reflex replaced by a process that exits at once; what it was started with."""
    settings_env.setenv("CCMS_WEB_PORT", str(free_port()))
    monkeypatch.delenv("REFLEX_BACKEND_HOST", raising=False)
    calls: list[tuple[int, dict[str, str]]] = []

    def run_reflex(
        port: int, policy: object = None, extra_env: Mapping[str, str] | None = None
    ) -> int:
        calls.append((port, dict(extra_env or {})))
        return 0

    monkeypatch.setattr(reflex_process, "run_reflex", run_reflex)
    return calls


def test_web_needs_redis_and_postgresql(
    runner: CliRunner, settings_env: SettingsEnv, started: list
) -> None:
    settings_env.setenv("CCMS_DATABASE_URL", POSTGRES_URL)
    settings_env.delenv("CCMS_REDIS_URL")
    no_redis = runner.invoke(cli, ["web"])
    assert no_redis.exit_code == 2
    assert "ccms web needs CCMS_REDIS_URL" in no_redis.output

    settings_env.setenv("CCMS_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings_env.setenv("CCMS_DATABASE_URL", "sqlite:////tmp/ccms.db")
    on_sqlite = runner.invoke(cli, ["web"])
    assert on_sqlite.exit_code == 2
    assert "ccms web needs PostgreSQL" in on_sqlite.output
    assert started == []


def test_web_starts_reflex_web_only_with_its_workers_sharing_redis(
    runner: CliRunner, settings_env: SettingsEnv, started: list
) -> None:
    settings_env.setenv("CCMS_DATABASE_URL", POSTGRES_URL)
    settings_env.setenv("CCMS_REDIS_URL", "redis://redis.example:6379/0")

    default = runner.invoke(cli, ["web"])
    settings_env.setenv("CCMS_WEB_WORKERS", "3")
    four = runner.invoke(cli, ["web", "--workers", "4"])  # the option wins
    three = runner.invoke(cli, ["web"])
    zero = runner.invoke(cli, ["web", "--workers", "0"])

    assert default.exit_code == 0 and four.exit_code == 0, default.output + four.output
    assert "with 2 workers" in default.output and "with 4 workers" in four.output
    assert zero.exit_code == 2 and "--workers" in zero.output
    assert "with 3 workers" in three.output
    (_, first), (_, second), (_, third) = started
    assert first == {
        "CCMS_WEB_ONLY": "true",
        "REFLEX_REDIS_URL": "redis://redis.example:6379/0",
        "GRANIAN_WORKERS": "2",
    }
    assert second["GRANIAN_WORKERS"] == "4" and third["GRANIAN_WORKERS"] == "3"
