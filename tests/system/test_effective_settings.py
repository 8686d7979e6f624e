"""The settings in force follow an operator's change without a restart: the heartbeat
interval a real charger is answered over a real websocket, the retention purge's days, the
purge job itself; and the SMTP test against a local SMTP server and with e-mail off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ccms_app import retention as policy
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.control.models import OcppMessage
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.scheduler import start_scheduler, stop_scheduler
from ccms_app.finance import billing_profiles
from ccms_app.network.provisioning import register_charge_point
from ccms_app.system import overrides, settings_admin, smtp_test
from tests.fixtures.ocpp import connect_charge_point
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import free_port, smtp_server

ADMIN = frozenset({"system:view", "system:edit", "finance:view", "finance:edit"})
IDENTITY = "CP-HEARTBEAT-1"


@pytest.fixture
def root(organisation: Organisation) -> int:
    assert organisation.id is not None
    return organisation.id


@pytest.fixture
def admin(root: int) -> Caller:
    return Caller(1, root, "ada@example.com", ADMIN)


@pytest.fixture
def env(settings_env: SettingsEnv) -> Iterator[SettingsEnv]:
    """Known environment values (set before the OCPP service reads its settings)."""
    settings_env.setenv("CCMS_HEARTBEAT_INTERVAL", "120")
    settings_env.setenv("CCMS_MESSAGE_LOG_RETENTION_DAYS", "30")
    settings_env.setenv("CCMS_METER_SAMPLE_RETENTION_DAYS", "400")
    yield settings_env


async def _boot(client: object) -> tuple[str, int]:
    reply = await client.call(  # type: ignore[attr-defined]
        call.BootNotification(charge_point_vendor="Acme", charge_point_model="Wallbox")
    )
    return reply.status, int(reply.interval)


async def test_boot_notification_answers_the_operators_heartbeat_interval(
    env: SettingsEnv, admin: Caller, root: int, ocpp_url: str
) -> None:
    register_charge_point(IDENTITY, "Harbour", root)
    async with connect_charge_point(ocpp_url, IDENTITY) as client:
        assert await _boot(client) == ("Accepted", 120)  # CCMS_HEARTBEAT_INTERVAL

        settings_admin.save_section(admin, "connections", {"heartbeat_interval": "45"})
        assert await _boot(client) == ("Accepted", 45)  # no restart

        settings_admin.save_section(admin, "connections", {"heartbeat_interval": "900"})
        assert await _boot(client) == ("Accepted", 900)

        settings_admin.save_section(admin, "connections", {"heartbeat_interval": ""})
        assert await _boot(client) == ("Accepted", 120)  # the environment's again

    # An unregistered charger keeps its retry interval whatever the setting.
    settings_admin.save_section(admin, "connections", {"heartbeat_interval": "45"})
    async with connect_charge_point(ocpp_url, "CP-STRANGER-9") as stranger:
        assert await _boot(stranger) == ("Pending", 60)


def _add_messages(session: Session, age_days: int, count: int) -> None:
    at = datetime.now(UTC) - timedelta(days=age_days)
    for n in range(count):
        session.add(
            OcppMessage(charge_point_identity="CP", direction="in", payload=f"[{n}]", created_at=at)
        )
    session.commit()


def _message_ages(session: Session) -> list[int]:
    session.rollback()
    now = datetime.now(UTC)
    return sorted((now - at).days for at in session.exec(select(col(OcppMessage.created_at))))


async def test_the_purge_uses_the_operators_retention(
    env: SettingsEnv, admin: Caller, session: Session, engine: Engine
) -> None:
    _add_messages(session, 40, 3)
    _add_messages(session, 8, 2)
    settings_admin.save_section(admin, "retention", {"message_log_retention_days": "60"})
    assert overrides.retention_days(get_settings()).message_log == 60
    policy.purge(get_settings())
    assert _message_ages(session) == [8, 8, 40, 40, 40]  # the environment's 30 would purge

    settings_admin.save_section(admin, "retention", {"message_log_retention_days": "7"})
    await policy.run_purge(get_settings())  # the scheduled job reads the days at each run
    assert _message_ages(session) == []

    _add_messages(session, 5000, 1)
    settings_admin.save_section(admin, "retention", {"message_log_retention_days": "0"})
    policy.purge(get_settings())
    assert _message_ages(session) == [5000]  # 0 keeps for ever


async def test_a_retention_set_while_the_environment_keeps_everything_starts_the_purge(
    settings_env: SettingsEnv, admin: Caller, engine: Engine
) -> None:
    for name in (
        "MESSAGE_LOG",
        "METER_SAMPLE",
        "AUDIT",
        "LOAD_HISTORY",
        "POWER_SAMPLE",
    ):
        settings_env.setenv(f"CCMS_{name}_RETENTION_DAYS", "0")
    scheduler = start_scheduler()
    try:
        policy.schedule_purge(scheduler, get_settings(), overrides.retention_days(get_settings()))
        assert scheduler.get_job(policy.PURGE_JOB_ID) is None
        settings_admin.save_section(admin, "retention", {"meter_sample_retention_days": "90"})
        assert scheduler.get_job(policy.PURGE_JOB_ID) is not None
    finally:
        await stop_scheduler()


def test_smtp_test_mail_reaches_the_operator(admin: Caller, root: int, engine: Engine) -> None:
    port = free_port()
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="noreply@volt.example")
    with smtp_server(port) as inbox:
        outcome = smtp_test.send_test_mail("ada@example.com", root, "de", settings)
    assert outcome.sent, outcome.message.text()
    assert outcome.message.text() == "Test e-mail sent to ada@example.com."
    [mail] = inbox.messages
    assert mail["To"] == "ada@example.com" and mail["From"] == "noreply@volt.example"
    assert mail["Subject"] == "Test-E-Mail aus Ihrem Ladenetz"  # the operator's language
    assert "127.0.0.1" in mail.get_content()


def test_smtp_test_mail_falls_back_to_the_sellers_address(
    admin: Caller, root: int, engine: Engine
) -> None:
    port = free_port()
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port)
    no_sender = smtp_test.send_test_mail("ada@example.com", root, "en", settings)
    assert not no_sender.sent and "CCMS_SMTP_FROM" in no_sender.message.text()

    billing_profiles.save_profile(root, {"seller_email": "billing@volt.example"}, "test")
    with smtp_server(port) as inbox:
        assert smtp_test.send_test_mail("ada@example.com", root, "en", settings).sent
    assert inbox.messages[0]["From"] == "billing@volt.example"


def test_smtp_test_says_what_the_server_did(admin: Caller, root: int, engine: Engine) -> None:
    port = free_port()  # nothing listens there
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="a@volt.example")
    outcome = smtp_test.send_test_mail("ada@example.com", root, "en", settings)
    assert not outcome.sent
    text = outcome.message.text()
    assert text.startswith("The test e-mail was not sent:") and f"127.0.0.1:{port}" in text


def test_smtp_off_says_how_to_turn_it_on(admin: Caller, root: int, engine: Engine) -> None:
    settings = Settings(smtp_host="")
    assert not smtp_test.smtp_status(settings).configured
    outcome = smtp_test.send_test_mail("ada@example.com", root, "en", settings)
    assert not outcome.sent
    assert "CCMS_SMTP_HOST" in outcome.message.text() and "E-mail is off" in outcome.message.text()
    assert "CCMS_SMTP_HOST" in outcome.message.text("zh_Hans")
    status = smtp_test.smtp_status(Settings(smtp_host="mail.example", smtp_port=587))
    assert (status.configured, status.server) == (True, "mail.example:587")
