"""`ccms db purge [--dry-run]`: the retention purge at once, with its counts printed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlmodel import Session, func, select

from ccms_app.cli import cli
from ccms_app.control.models import OcppMessage
from tests.fixtures.settings import SettingsEnv


def add_message(session: Session, age: timedelta) -> None:
    at = datetime.now(UTC) - age
    session.add(
        OcppMessage(charge_point_identity="CP", direction="in", payload="[]", created_at=at)
    )
    session.commit()


def messages(session: Session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(OcppMessage)).one()


def test_dry_run_counts_then_purge_deletes(
    runner: CliRunner, cli_db: str, session: Session, settings_env: SettingsEnv
) -> None:
    settings_env.setenv("CCMS_MESSAGE_LOG_RETENTION_DAYS", "7")
    for _ in range(3):
        add_message(session, timedelta(days=8))
    add_message(session, timedelta(days=1))

    dry = runner.invoke(cli, ["db", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "ocpp_message: would purge 3 rows older than" in dry.output
    assert "meter_sample: would purge 0 rows older than" in dry.output
    assert messages(session) == 4

    done = runner.invoke(cli, ["db", "purge"])
    assert done.exit_code == 0, done.output
    assert "ocpp_message: purged 3 rows older than" in done.output
    assert messages(session) == 1


def test_zero_keeps_for_ever(
    runner: CliRunner, cli_db: str, session: Session, settings_env: SettingsEnv
) -> None:
    settings_env.setenv("CCMS_MESSAGE_LOG_RETENTION_DAYS", "0")
    add_message(session, timedelta(days=5000))

    result = runner.invoke(cli, ["db", "purge"])
    assert result.exit_code == 0, result.output
    assert "ocpp_message: kept for ever (retention 0)" in result.output
    assert messages(session) == 1
