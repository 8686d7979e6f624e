"""`ccms chargepoint register` and `ccms idtag add` on a real migrated database."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlmodel import Session, select

from ccms_app.cli import cli
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, RegistrationState


def test_register_reports_created_then_unchanged(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    first = runner.invoke(cli, ["chargepoint", "register", "CP-100", "--station", "Depot A"])
    second = runner.invoke(cli, ["chargepoint", "register", "CP-100", "--station", "Depot A"])

    assert first.exit_code == 0, first.output
    assert first.output == "charge point CP-100 created at station 'Depot A'; station created\n"
    assert second.exit_code == 0
    assert second.output == "charge point CP-100 unchanged at station 'Depot A'\n"
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-100")).one()
    assert cp.registration_state == RegistrationState.REGISTERED


def test_register_moves_to_another_station(runner: CliRunner, cli_db: str) -> None:
    runner.invoke(cli, ["chargepoint", "register", "CP-100", "--station", "Depot A"])

    result = runner.invoke(cli, ["chargepoint", "register", "CP-100", "--station", "Depot B"])

    assert result.exit_code == 0
    assert result.output.startswith("charge point CP-100 updated at station 'Depot B'")
    assert "moved to station" in result.output


def test_register_bad_identity_exits_2_with_the_reason(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    result = runner.invoke(cli, ["chargepoint", "register", "CP 1", "--station", "Depot"])

    assert result.exit_code == 2
    assert "Invalid value for 'IDENTITY'" in result.stderr
    assert "contains ' '" in result.stderr
    assert session.exec(select(ChargePoint)).all() == []


def test_register_without_station_is_a_usage_error(runner: CliRunner, cli_db: str) -> None:
    result = runner.invoke(cli, ["chargepoint", "register", "CP-1"])

    assert result.exit_code == 2
    assert "Missing option '--station'" in result.stderr


def test_register_many_from_stdin(runner: CliRunner, cli_db: str, session: Session) -> None:
    result = runner.invoke(
        cli,
        ["chargepoint", "register", "-", "--station", "Depot"],
        input="CP-1\n# a comment\n\nCP-2\nCP-1\n",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "charge point CP-1 created at station 'Depot'; station created",
        "charge point CP-2 created at station 'Depot'",
        "charge point CP-1 unchanged at station 'Depot'",
    ]
    assert len(session.exec(select(ChargePoint)).all()) == 2


def test_idtag_add_with_expiry_then_unchanged(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    args = ["idtag", "add", "04AABBCCDD", "--expires", "2030-12-31", "--parent", "FLEET-1"]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)

    assert first.exit_code == 0, first.output
    assert first.output == (
        "id tag 04AABBCCDD created: active, expires 2030-12-31T23:59:59+00:00, parent FLEET-1\n"
    )
    assert second.output.startswith("id tag 04AABBCCDD unchanged")
    tag = session.exec(select(IdTag).where(IdTag.id_tag == "04AABBCCDD")).one()
    assert tag.expiry_date == datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert tag.parent_id_tag == "FLEET-1"


def test_idtag_add_blocked_updates(runner: CliRunner, cli_db: str) -> None:
    runner.invoke(cli, ["idtag", "add", "CARD-7"])

    result = runner.invoke(cli, ["idtag", "add", "CARD-7", "--blocked"])

    assert result.exit_code == 0
    assert result.output == "id tag CARD-7 updated: blocked, expires never (status)\n"


def test_idtag_add_bad_input_exits_2(runner: CliRunner, cli_db: str, session: Session) -> None:
    too_long = runner.invoke(cli, ["idtag", "add", "X" * 21])
    bad_date = runner.invoke(cli, ["idtag", "add", "CARD-1", "--expires", "31/12/2030"])
    naive = runner.invoke(cli, ["idtag", "add", "CARD-1", "--expires", "2030-12-31T10:00"])

    assert too_long.exit_code == 2
    assert "Invalid value for 'ID_TAG'" in too_long.stderr
    assert "21 characters long; OCPP allows at most 20" in too_long.stderr
    assert bad_date.exit_code == 2
    assert "Invalid value for '--expires'" in bad_date.stderr
    assert "not a date (YYYY-MM-DD)" in bad_date.stderr
    assert naive.exit_code == 2 and "has no time zone" in naive.stderr
    assert session.exec(select(IdTag)).all() == []


def test_idtag_add_many_from_stdin_reports_rejects(
    runner: CliRunner, cli_db: str, session: Session
) -> None:
    result = runner.invoke(
        cli, ["idtag", "add", "-", "--expires", "2031-01-01"], input="CARD-A\nCARD-B\n" + "Y" * 25
    )

    assert result.exit_code == 2
    assert result.stdout.count("created") == 2
    assert "25 characters long" in result.stderr
    assert "1 of 3 rejected" in result.stderr
    assert {t.id_tag for t in session.exec(select(IdTag)).all()} == {"CARD-A", "CARD-B"}
