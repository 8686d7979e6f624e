"""Alarm e-mail through a real SMTP server (aiosmtpd on 127.0.0.1): the outbox row written in
the alarm's transaction, one digest per recipient list, retries after a failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.config import get_settings
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import AlarmActivity, AlarmNotification
from ccms_app.maintenance.notifications.digest import (
    DIGEST_INTERVAL_S,
    DIGEST_JOB_ID,
    schedule_alarm_digest,
    send_due_digests,
)
from ccms_app.maintenance.notifications.rules.outbox import FIRST_RETRY
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import Inbox, free_port, smtp_server
from tests.maintenance.notifications.support import World

WINDOW = timedelta(seconds=60)  # MaintenanceSettings.digest_window_s by default


@pytest.fixture
def smtp_port(settings_env: SettingsEnv) -> int:
    port = free_port()
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("CCMS_SMTP_PORT", str(port))
    settings_env.setenv("CCMS_SMTP_FROM", "alarms@ccms.example")
    settings_env.setenv("CCMS_SMTP_TIMEOUT", "5")
    settings_env.setenv("CCMS_PUBLIC_URL", "https://ccms.example")
    return port


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    with smtp_server(smtp_port) as handler:
        yield handler


@pytest.fixture
def world(organisation: Organisation) -> World:
    return World(int(organisation.id or 0))


def _after_window() -> datetime:
    return utc_now() + WINDOW + timedelta(seconds=1)


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _outbox(session: Session) -> list[AlarmNotification]:
    session.rollback()
    return list(session.exec(select(AlarmNotification).order_by(col(AlarmNotification.id))))


def test_a_site_wide_outage_of_500_alarms_is_one_mail(
    world: World, inbox: Inbox, session: Session
) -> None:
    sites = {"Depot North": 200, "Depot South": 200, "Airport": 100}
    identities: list[str] = []
    for site, count in sites.items():
        world.station(site)
        names = [f"{site.split()[-1].upper()}-{n:03d}" for n in range(count)]
        world.charge_points_at(site, names)
        identities += names
    rule = world.rule(" Ops@Example.com;\nnight@example.com, ops@example.com ")
    alarm_ids = world.raise_alarms(identities, rule, error_code="GroundFailure")
    assert len(alarm_ids) == 500

    # Within the window nothing goes out: more alarms of the outage may still come.
    assert send_due_digests(utc_now(), get_settings()).mails == 0
    assert inbox.messages == []

    run = send_due_digests(_after_window(), get_settings())
    assert (run.mails, run.alarms, run.failures) == (1, 500, 0)
    (message,) = inbox.messages
    assert sorted(inbox.recipients[0]) == ["night@example.com", "ops@example.com"]
    assert message["From"] == "alarms@ccms.example"
    assert message["Subject"] == "CCMS: 500 alarms at 3 stations"
    body = _body(message)
    assert "500 alarms were raised (500 major)." in body
    for site, count in sites.items():
        assert f"{site} ({count} alarms)" in body
    for alarm_id in alarm_ids:
        assert f"https://ccms.example/maintenance/alarms/{alarm_id}\n" in body
    assert "- NORTH-000 connector 1: Connector faulted, major," in body
    assert "error code GroundFailure" in body

    rows = _outbox(session)
    assert len(rows) == 500 and all(r.sent_at is not None for r in rows)
    assert {r.recipients for r in rows} == {"night@example.com,ops@example.com"}
    notified = session.exec(select(AlarmActivity).where(AlarmActivity.kind == "notified")).all()
    assert len(notified) == 500
    # Sent once: the next runs send nothing more.
    assert send_due_digests(_after_window(), get_settings()).mails == 0
    assert len(inbox.messages) == 1


def test_two_recipient_lists_get_one_mail_each(world: World, inbox: Inbox) -> None:
    world.station("Harbour")
    world.charge_points_at("Harbour", ["H-1", "H-2", "H-3"])
    ops = world.rule("ops@example.com")
    field = world.rule("FIELD@example.com", cause="connector_faulted", roles="")
    world.raise_alarms(["H-1", "H-2"], ops)
    world.raise_alarms(["H-3"], field, severity="critical")
    world.raise_alarms(["H-1"], None, connector_id=2)  # no rule: nobody is mailed

    run = send_due_digests(_after_window(), get_settings())
    assert (run.mails, run.alarms) == (2, 3)
    by_recipient = {tuple(r): m for r, m in zip(inbox.recipients, inbox.messages, strict=True)}
    assert by_recipient[("ops@example.com",)]["Subject"] == "CCMS: 2 alarms at 1 station"
    single = by_recipient[("field@example.com",)]
    assert single["Subject"] == "CCMS: Connector faulted at H-3 connector 1 (critical)"


def test_one_alarm_mail_says_what_the_charger_said(world: World, inbox: Inbox) -> None:
    world.station("Market Square", zone="Europe/Warsaw")
    world.charge_points_at("Market Square", ["MS-7"])
    rule = world.rule("ops@example.com")
    (alarm_id,) = world.raise_alarms(
        ["MS-7"],
        rule,
        error_code="OtherError",
        info="RCD tripped",
        vendor_id="Acme",
        vendor_error_code="E-417",
        readable_cause="Residual current device tripped: reset on site",
    )
    assert send_due_digests(_after_window(), get_settings()).mails == 1
    (message,) = inbox.messages
    assert message["Subject"] == "CCMS: Connector faulted at MS-7 connector 1 (major)"
    body = _body(message)
    for line in (
        "Connector faulted (major) at MS-7 connector 1, Market Square.",
        "Raised:            2026-03-02 10:30 CET",  # 09:30 UTC at the station
        "OCPP error code:   OtherError",
        "Info:              RCD tripped",
        "Vendor:            Acme",
        "Vendor error code: E-417",
        "Readable cause:    Residual current device tripped: reset on site",
        f"Open the alarm: https://ccms.example/maintenance/alarms/{alarm_id}",
    ):
        assert line in body


def test_a_failed_mail_is_kept_and_retried_with_what_came_since(
    world: World, smtp_port: int, session: Session
) -> None:
    world.charge_points_at(None, ["R-1", "R-2"])
    rule = world.rule("ops@example.com")
    world.raise_alarms(["R-1"], rule)

    first_try = _after_window()
    run = send_due_digests(first_try, get_settings())  # nothing listens on the port
    assert (run.mails, run.failures) == (0, 1)
    (row,) = _outbox(session)
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error.startswith(f"cannot send through 127.0.0.1:{smtp_port}")
    assert row.next_attempt_at == first_try + FIRST_RETRY

    world.raise_alarms(["R-2"], rule)  # joins the waiting list
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # Before the back-off has passed, nothing is tried, even with the server up.
        assert send_due_digests(first_try + timedelta(seconds=30), get_settings()).mails == 0
        run = send_due_digests(first_try + FIRST_RETRY, get_settings())
    finally:
        controller.stop()
    assert (run.mails, run.alarms, run.failures) == (1, 2, 0)
    assert handler.messages[0]["Subject"] == "CCMS: 2 alarms at 1 station"
    rows = _outbox(session)
    assert all(r.sent_at is not None and r.last_error == "" for r in rows)
    assert [r.attempts for r in rows] == [1, 0]


def test_while_mail_is_off_nothing_is_lost(
    world: World, settings_env: SettingsEnv, session: Session
) -> None:
    settings_env.setenv("CCMS_SMTP_HOST", "")
    world.charge_points_at(None, ["OFF-1"])
    world.raise_alarms(["OFF-1"], world.rule("ops@example.com"))
    assert send_due_digests(_after_window(), get_settings()).mails == 0
    (row,) = _outbox(session)
    assert row.sent_at is None and row.attempts == 0


def test_the_digest_runs_on_the_scheduler() -> None:
    scheduler = AsyncIOScheduler()
    schedule_alarm_digest(scheduler, get_settings())
    schedule_alarm_digest(scheduler, get_settings())  # a restart replaces it
    jobs = {job.id: job for job in scheduler.get_jobs()}  # replaced, not doubled
    assert list(jobs) == [DIGEST_JOB_ID]
    assert jobs[DIGEST_JOB_ID].trigger.interval == timedelta(seconds=DIGEST_INTERVAL_S)
