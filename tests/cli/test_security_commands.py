"""`ccms chargepoint set-password` and the TLS start-up check on a real migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from ccms_app.accounts.auth import verify_password
from ccms_app.cli import cli, reflex_process
from ccms_app.cli import run as run_command
from ccms_app.core import migrations
from ccms_app.core.config import Settings
from ccms_app.network.models import ChargePoint


@pytest.fixture
def registered(runner: CliRunner, cli_db: str) -> None:
    result = runner.invoke(cli, ["chargepoint", "register", "CP-1", "--station", "Depot"])
    assert result.exit_code == 0, result.output


def password_hash(session: Session) -> str:
    session.rollback()
    return (
        session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-1"))
        .one()
        .auth_password_hash
    )


def test_set_a_given_password(runner: CliRunner, registered: None, session: Session) -> None:
    result = runner.invoke(
        cli, ["chargepoint", "set-password", "CP-1", "--password", "given-password-1234"]
    )

    assert result.exit_code == 0, result.output
    assert result.output == (
        "charge point CP-1: password set; it applies from the next connection\n"
    )
    assert verify_password(password_hash(session), "given-password-1234")


def test_generate_prints_the_key_once(
    runner: CliRunner, registered: None, session: Session
) -> None:
    result = runner.invoke(cli, ["chargepoint", "set-password", "CP-1", "--generate"])

    assert result.exit_code == 0, result.output
    [key_line] = [
        line for line in result.output.splitlines() if line.startswith("AuthorizationKey")
    ]
    key = key_line.removeprefix("AuthorizationKey: ")
    assert len(key) == 20
    assert verify_password(password_hash(session), key)
    assert "cannot show it again" in result.output


def test_prompts_twice_without_an_option(
    runner: CliRunner, registered: None, session: Session
) -> None:
    result = runner.invoke(
        cli,
        ["chargepoint", "set-password", "CP-1"],
        input="typed-password-12345\ntyped-password-12345\n",
    )

    assert result.exit_code == 0, result.output
    assert verify_password(password_hash(session), "typed-password-12345")


def test_clear(runner: CliRunner, registered: None, session: Session) -> None:
    runner.invoke(cli, ["chargepoint", "set-password", "CP-1", "--generate"])

    result = runner.invoke(cli, ["chargepoint", "set-password", "CP-1", "--clear"])

    assert result.exit_code == 0, result.output
    assert result.output == "charge point CP-1: password cleared; it connects without one\n"
    assert password_hash(session) == ""


def test_a_too_short_password_exits_2_with_the_rule(
    runner: CliRunner, registered: None, session: Session
) -> None:
    result = runner.invoke(cli, ["chargepoint", "set-password", "CP-1", "--password", "short"])

    assert result.exit_code == 2
    assert "Invalid value for '--password'" in result.stderr
    assert "16-40 characters" in result.stderr
    assert password_hash(session) == ""


def test_an_unknown_identity_exits_2(runner: CliRunner, cli_db: str) -> None:
    result = runner.invoke(cli, ["chargepoint", "set-password", "CP-404", "--generate"])

    assert result.exit_code == 2
    assert "no charge point 'CP-404'" in result.stderr


def test_conflicting_options_exit_2(runner: CliRunner, registered: None) -> None:
    result = runner.invoke(cli, ["chargepoint", "set-password", "CP-1", "--generate", "--clear"])

    assert result.exit_code == 2
    assert "only one of --password, --generate and --clear" in result.stderr


def test_run_refuses_an_unloadable_certificate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`ccms run` checks the TLS files before migrating or starting Reflex."""
    bad = Settings(ocpp_tls_cert=str(tmp_path / "missing.crt"), ocpp_tls_key=str(tmp_path / "k"))
    monkeypatch.setattr(run_command, "get_settings", lambda: bad)
    monkeypatch.setattr(run_command, "_check_ports_free", lambda settings: None)
    monkeypatch.setattr(migrations, "upgrade_database", lambda: pytest.fail("migrated"))
    monkeypatch.setattr(reflex_process, "run_reflex", lambda port: pytest.fail("started"))

    result = CliRunner().invoke(cli, ["run"])

    assert result.exit_code == 1
    assert "cannot load the OCPP TLS certificate" in result.stderr
    assert "missing.crt" in result.stderr
