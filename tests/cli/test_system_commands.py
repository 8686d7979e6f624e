"""`ccms db upgrade`, `seed-demo`, `create-admin` and the start-up checks of `ccms run`."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, select

from ccms_app import cli as cli_module
from ccms_app.accounts.auth import verify_password
from ccms_app.accounts.models import OperatorAccount
from ccms_app.cli import cli, reflex_process
from ccms_app.network.models import ChargePoint
from tests.fixtures.settings import SettingsEnv


def test_db_upgrade_migrates_an_empty_database(
    runner: CliRunner, settings_env: SettingsEnv, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'ccms.db'}"
    settings_env.setenv("CCMS_DATABASE_URL", url)

    first = runner.invoke(cli, ["db", "upgrade"])
    second = runner.invoke(cli, ["db", "upgrade"])

    assert first.exit_code == 0, first.output
    assert first.output == f"database upgraded to head: {url}\n"
    assert second.exit_code == 0
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"charge_point", "id_tag", "operator_account", "alembic_version"} <= tables


def test_seed_demo_prints_what_it_did(runner: CliRunner, cli_db: str, session: Session) -> None:
    first = runner.invoke(cli, ["seed-demo", "--fleet", "4"])
    second = runner.invoke(cli, ["seed-demo", "--fleet", "4"])

    assert first.exit_code == 0, first.output
    assert "created: 2 organisations, 2 operation areas, 3 stations, 3 charge points" in (
        first.output
    )
    assert "DEMO-CP-0004 is left unregistered" in first.output
    assert "admin account admin@ccms.local created" in first.output
    assert "created: nothing" in second.output
    assert len(session.exec(select(ChargePoint)).all()) == 3


def test_seed_demo_fleet_defaults_to_ccms_demo_fleet(
    runner: CliRunner, cli_db: str, settings_env: SettingsEnv
) -> None:
    settings_env.setenv("CCMS_DEMO_FLEET", "3")

    result = runner.invoke(cli, ["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "registered demo charge points: 2 (DEMO-CP-0001 .. DEMO-CP-0002)" in result.output


def test_create_admin_with_password_option(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    result = runner.invoke(
        cli, ["create-admin", "--email", "Boss@Example.com", "--password", "correct horse battery"]
    )
    again = runner.invoke(
        cli, ["create-admin", "--email", "boss@example.com", "--password", "another secret phrase"]
    )

    assert result.exit_code == 0, result.output
    assert result.output == "admin boss@example.com created\n"
    assert (
        again.output == "admin boss@example.com already existed: password reset, account active\n"
    )
    account = session.exec(select(OperatorAccount)).one()
    assert account.role_id == 1  # Administrator (revision 0015)
    assert verify_password(account.password_hash, "another secret phrase")


def test_create_admin_prompts_twice(runner: CliRunner, cli_db: str, session: Session) -> None:
    result = runner.invoke(
        cli,
        ["create-admin", "--email", "ops@example.com"],
        input="s3cret-pass-long\ns3cret-pass-long\n",
    )

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    account = session.exec(select(OperatorAccount)).one()
    assert verify_password(account.password_hash, "s3cret-pass-long")


def test_create_admin_reads_ccms_admin_password(
    runner: CliRunner, cli_db: str, settings_env: SettingsEnv, session: Session
) -> None:
    settings_env.setenv("CCMS_ADMIN_PASSWORD", "from-the-env-long")

    result = runner.invoke(cli, ["create-admin", "--email", "ops@example.com"])

    assert result.exit_code == 0, result.output
    account = session.exec(select(OperatorAccount)).one()
    assert verify_password(account.password_hash, "from-the-env-long")


def test_create_admin_bad_input_exits_2(runner: CliRunner, cli_db: str, session: Session) -> None:
    bad_email = runner.invoke(
        cli, ["create-admin", "--email", "nobody", "--password", "long-one-pass-x"]
    )
    short = runner.invoke(cli, ["create-admin", "--email", "a@b.example", "--password", "short"])

    assert bad_email.exit_code == 2 and "Not a valid email address" in bad_email.stderr
    assert short.exit_code == 2 and "at least 12 characters" in short.stderr
    assert session.exec(select(OperatorAccount)).all() == []


def test_run_refuses_a_busy_web_port_before_touching_anything(
    runner: CliRunner, settings_env: SettingsEnv, tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings_env.setenv("CCMS_WEB_PORT", str(port))
        settings_env.setenv("CCMS_DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.db'}")

        result = runner.invoke(cli, ["run"])

    assert result.exit_code == 1
    assert f"port {port} (CCMS_WEB_PORT) is not available" in result.stderr
    assert not (tmp_path / "untouched.db").exists()


def test_run_refuses_equal_ports(runner: CliRunner, settings_env: SettingsEnv) -> None:
    settings_env.setenv("CCMS_WEB_PORT", "3999")
    settings_env.setenv("CCMS_OCPP_PORT", "3999")

    result = runner.invoke(cli, ["run"])

    assert result.exit_code == 2
    assert "CCMS_WEB_PORT and CCMS_OCPP_PORT must differ" in result.stderr


def test_reflex_is_started_single_port_with_the_venv_first_on_path() -> None:
    command = reflex_process.reflex_command(3100)
    env = reflex_process.reflex_environment()

    assert command[:3] == [sys.executable, "-m", "reflex"]
    assert command[3:] == [
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        "3100",
        "--backend-port",
        "3100",
    ]
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)
    assert env["REFLEX_USE_NPM"] == "1"


def test_main_rejects_a_malformed_setting(
    settings_env: SettingsEnv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings_env.setenv("CCMS_WEB_PORT", "three thousand")
    monkeypatch.setattr(sys, "argv", ["ccms", "db", "upgrade"])

    with pytest.raises(SystemExit) as exited:
        cli_module.main()

    assert exited.value.code == 2
    assert "CCMS_WEB_PORT must be an integer" in capsys.readouterr().err
