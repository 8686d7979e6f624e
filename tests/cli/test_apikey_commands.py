"""`ccms apikey create | list | revoke`, and the demo key `ccms run` prints, on a real
migrated database (the commands in-process through click's CliRunner)."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, col, select

from ccms_app.accounts.api_keys import principal_for_api_key
from ccms_app.accounts.models import ApiKey, AuditEntry, Organisation
from ccms_app.cli import cli, reflex_process
from ccms_app.core.db import session_scope
from ccms_app.demo_api_key import DEMO_API_KEY_NAME
from tests.fixtures.settings import SettingsEnv


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, ["apikey", *args])


def created_key(result: Result) -> str:
    """The key: the last line of `apikey create`'s output."""
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def stored(session: Session) -> list[ApiKey]:
    session.rollback()  # see what the command committed
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


@pytest.fixture
def sub_operator(cli_db: str, organisation: Organisation) -> int:
    with session_scope() as s:
        sub = Organisation(name="Partner", parent_id=organisation.id)
        s.add(sub)
        s.flush()
        return int(sub.id or 0)


def test_create_prints_the_key_once_as_the_last_line(
    runner: CliRunner, cli_db: str, organisation: Organisation, session: Session
) -> None:
    result = invoke(runner, "create", "--name", "ERP export", "--role", "Viewer")

    key = created_key(result)
    principal = principal_for_api_key(key)
    assert principal is not None and principal.role_name == "Viewer"
    assert principal.organisation_id == organisation.id  # the root operator by default
    (row,) = stored(session)
    assert f"API key {row.id} 'ERP export' created: role Viewer" in result.output
    assert "cannot show it again" in result.output
    assert result.output.count(key) == 1 and key not in (row.key_hash, row.prefix)
    assert row.created_by == "cli"


def test_create_for_a_sub_operator(runner: CliRunner, sub_operator: int, session: Session) -> None:
    org = str(sub_operator)
    key = created_key(
        invoke(runner, "create", "--name", "Partner app", "--role", "Operator", "--org", org)
    )

    principal = principal_for_api_key(key)
    assert principal is not None and principal.organisation_id == sub_operator
    assert principal.organisation_name == "Partner"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--name", "x", "--role", "Nobody"], "No role named 'Nobody'"),
        (["--name", "x", "--role", "Viewer", "--org", "99"], "No organisation with id 99"),
        (["--name", "   ", "--role", "Viewer"], "Give the key a name"),
        (["--name", "x", "--role", "Viewer", "--org", str(2**64)], "--org"),
        (["--role", "Viewer"], "--name"),
    ],
)
def test_create_refuses_bad_input_with_exit_code_2(
    runner: CliRunner,
    cli_db: str,
    organisation: Organisation,
    session: Session,
    args: list[str],
    problem: str,
) -> None:
    result = invoke(runner, "create", *args)

    assert result.exit_code == 2 and problem in result.stderr
    assert stored(session) == []


def test_list_shows_every_key_and_revoke_stops_one(
    runner: CliRunner, organisation: Organisation, sub_operator: int, session: Session
) -> None:
    org = str(sub_operator)
    erp = created_key(invoke(runner, "create", "--name", "ERP", "--role", "Viewer"))
    app = created_key(invoke(runner, "create", "--name", "App", "--role", "Viewer", "--org", org))
    erp_id, app_id = (row.id for row in stored(session))

    revoked = invoke(runner, "revoke", str(app_id))
    again = invoke(runner, "revoke", str(app_id))
    listed = invoke(runner, "list")

    assert revoked.exit_code == 0, revoked.output
    assert revoked.output == f"API key {app_id} 'App' revoked: its next request is refused\n"
    assert again.exit_code == 0  # revoking twice changes nothing
    assert principal_for_api_key(app) is None and principal_for_api_key(erp) is not None
    header, *lines = listed.output.splitlines()
    assert header.split("\t")[:3] == ["id", "prefix", "name"]
    assert [line.split("\t")[0] for line in lines] == [str(erp_id), str(app_id)]
    erp_line, app_line = (line.split("\t") for line in lines)
    assert erp_line[1] == f"{erp[:12]}..." and erp_line[3] == f"Test Operator ({organisation.id})"
    assert erp_line[6] == "never" and erp_line[7] == "active"
    assert app_line[3] == f"Partner ({org})" and app_line[7].startswith("revoked ")
    assert erp not in listed.output and app not in listed.output
    session.rollback()
    actions = {e.action: e.actor for e in session.exec(select(AuditEntry)).all()}
    assert actions["api_key.revoke"] == "cli"


def test_revoke_an_unknown_key_is_a_usage_error(runner: CliRunner, cli_db: str) -> None:
    result = invoke(runner, "revoke", "42")

    assert result.exit_code == 2 and "no API key 42" in result.stderr


# --- the demo key of `ccms run` ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def run_demo(
    runner: CliRunner, cli_db: str, settings_env: SettingsEnv, monkeypatch: pytest.MonkeyPatch
) -> tuple[CliRunner, int]:
    """`ccms run` on free ports with the demo, Reflex replaced by a process that exits."""
    web_port = _free_port()
    settings_env.setenv("CCMS_WEB_PORT", str(web_port))
    settings_env.setenv("CCMS_OCPP_PORT", str(_free_port()))
    settings_env.setenv("CCMS_DEMO_FLEET", "2")
    monkeypatch.delenv("CCMS_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(reflex_process, "run_reflex", lambda port: 0)
    return runner, web_port


def _banner_key(result: Result) -> str:
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if "Demo API key " in line]
    return line.split()[3]


def test_the_demo_prints_a_working_key_with_a_curl_example(
    run_demo: tuple[CliRunner, int], session: Session
) -> None:
    runner, web_port = run_demo

    result = runner.invoke(cli, ["run"])

    key = _banner_key(result)
    principal = principal_for_api_key(key)
    assert principal is not None and principal.role_name == "Administrator"
    assert (
        f'Try the API     curl -H "Authorization: Bearer {key}" '
        f"http://localhost:{web_port}/api/v1/charge-points"
    ) in result.output
    lines = result.output.splitlines()
    login = next(i for i, line in enumerate(lines) if "Demo login" in line)
    assert "Demo API key" in lines[login + 1]  # next to the login


def test_a_demo_restart_revokes_the_previous_key(
    run_demo: tuple[CliRunner, int], session: Session
) -> None:
    runner, _ = run_demo

    first = _banner_key(runner.invoke(cli, ["run"]))
    second = _banner_key(runner.invoke(cli, ["run"]))

    assert first != second
    assert principal_for_api_key(first) is None
    assert principal_for_api_key(second) is not None
    keys = [k for k in stored(session) if k.name == DEMO_API_KEY_NAME]
    assert [k.revoked_at is None for k in keys] == [False, True]
    revocations = session.exec(
        select(AuditEntry).where(AuditEntry.action == "api_key.revoke")
    ).all()
    assert [(e.actor, e.object_id) for e in revocations] == [("demo", str(keys[0].id))]


def test_no_key_without_the_demo(
    run_demo: tuple[CliRunner, int], settings_env: SettingsEnv, session: Session
) -> None:
    runner, _ = run_demo
    settings_env.delenv("CCMS_DEMO_FLEET")

    result = runner.invoke(cli, ["run"])

    assert result.exit_code == 0, result.output
    assert "API key" not in result.output and "curl" not in result.output
    assert stored(session) == []
