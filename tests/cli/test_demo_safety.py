"""Demo safety: without CCMS_DEMO_FLEET no account and no default password; with it, the
banner says the demo must not face the internet. `ccms run` runs in-process up to the point
where it would start Reflex."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount
from ccms_app.cli import cli, reflex_process
from ccms_app.core.config import PROJECT_ROOT, Settings
from ccms_app.maintenance.demo_maintenance import DEMO_TECHNICIAN_EMAIL
from tests.fixtures.settings import SettingsEnv

DEMO_PASSWORD = "ccms-demo-admin"
WARNING = "this server must NOT be reachable from the internet"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start(
    runner: CliRunner,
    cli_db: str,
    settings_env: SettingsEnv,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[CliRunner, int]:
    """`ccms run` on free ports, with Reflex replaced by a process that exits at once."""
    web_port = _free_port()
    settings_env.setenv("CCMS_WEB_PORT", str(web_port))
    settings_env.setenv("CCMS_OCPP_PORT", str(_free_port()))
    settings_env.delenv("CCMS_DEMO_FLEET")
    monkeypatch.delenv("REFLEX_BACKEND_HOST", raising=False)
    started: list[int] = []
    monkeypatch.setattr(reflex_process, "run_reflex", lambda port: started.append(port) or 0)
    return runner, web_port


def run(runner: CliRunner) -> Result:
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    return result


def accounts(session: Session) -> list[OperatorAccount]:
    session.rollback()
    return list(session.exec(select(OperatorAccount)).all())


def demo_admin(session: Session) -> OperatorAccount:
    """The demo's admin; the demo's other account is its maintenance technician."""
    found = {account.email: account for account in accounts(session)}
    assert set(found) == {"admin@ccms.local", DEMO_TECHNICIAN_EMAIL}
    return found["admin@ccms.local"]


def test_run_without_the_demo_creates_no_account_even_with_a_password_set(
    start: tuple[CliRunner, int], settings_env: SettingsEnv, session: Session
) -> None:
    runner, web_port = start
    settings_env.setenv("CCMS_ADMIN_PASSWORD", "an-operator-chosen-phrase")

    result = run(runner)

    assert accounts(session) == []
    assert "No operator account yet: ccms create-admin" in result.output
    assert f"Listening on    0.0.0.0:{web_port} (all network addresses)" in result.output
    assert "Demo login" not in result.output and DEMO_PASSWORD not in result.output
    assert WARNING not in result.output


def test_run_with_the_demo_says_it_must_not_face_the_internet(
    start: tuple[CliRunner, int],
    settings_env: SettingsEnv,
    monkeypatch: pytest.MonkeyPatch,
    session: Session,
) -> None:
    runner, web_port = start
    settings_env.setenv("CCMS_DEMO_FLEET", "2")

    everywhere = run(runner)
    monkeypatch.setenv("REFLEX_BACKEND_HOST", "127.0.0.1")
    local = run(runner)

    assert f"Demo login      admin@ccms.local / {DEMO_PASSWORD}" in everywhere.output
    assert WARNING in everywhere.output and WARNING in local.output
    assert f"Listening on    0.0.0.0:{web_port} (all network addresses)" in everywhere.output
    assert f"Listening on    127.0.0.1:{web_port} (this address only)" in local.output
    admin = demo_admin(session)
    assert auth.verify_password(admin.password_hash, DEMO_PASSWORD)


def test_a_demo_restart_keeps_the_password_the_operator_chose(
    start: tuple[CliRunner, int], settings_env: SettingsEnv, session: Session
) -> None:
    runner, _ = start
    settings_env.setenv("CCMS_DEMO_FLEET", "2")
    assert "admin account admin@ccms.local created" in run(runner).output
    auth.ensure_admin("admin@ccms.local", "my own long passphrase")

    again = run(runner)

    assert "admin account admin@ccms.local present (its password left as it is)" in again.output
    assert f"admin@ccms.local / {DEMO_PASSWORD} (unless you changed it)" in again.output
    admin = demo_admin(session)
    assert auth.verify_password(admin.password_hash, "my own long passphrase")
    settings_env.setenv("CCMS_ADMIN_PASSWORD", "set-from-the-environment")
    assert "password set from CCMS_ADMIN_PASSWORD" in run(runner).output
    admin = demo_admin(session)
    assert auth.verify_password(admin.password_hash, "set-from-the-environment")


def test_no_default_password_outside_the_demo(settings_env: SettingsEnv) -> None:
    assert Settings().admin_password == ""
    holders = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "ccms_app").rglob("*.py")
        if DEMO_PASSWORD in path.read_text(encoding="utf-8")
    ]
    assert holders == ["ccms_app/demo.py"]


def test_create_admin_without_any_password_creates_nothing(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    result = runner.invoke(cli, ["create-admin", "--email", "ops@example.com"], input="")

    assert result.exit_code != 0
    assert accounts(session) == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("12345678", "at least 12 characters"),
        ("password1234", "too common"),
        ("qwertyuiopasdf", "too common"),
        ("ops@example.com!", "too common"),  # the e-mail itself
    ],
)
def test_create_admin_applies_the_password_policy_to_every_source(
    runner: CliRunner,
    cli_db: str,
    settings_env: SettingsEnv,
    session: Session,
    password: str,
    problem: str,
) -> None:
    email = ["create-admin", "--email", "ops@example.com"]
    option = runner.invoke(cli, [*email, "--password", password])
    prompted = runner.invoke(cli, email, input=f"{password}\n{password}\n")
    settings_env.setenv("CCMS_ADMIN_PASSWORD", password)
    from_env = runner.invoke(cli, email)

    for result in (option, prompted, from_env):
        assert result.exit_code == 2 and problem in result.stderr
    assert accounts(session) == []
