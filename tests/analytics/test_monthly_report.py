"""The monthly report e-mail through a real SMTP server (aiosmtpd on 127.0.0.1): recipients
checked when saved; last month's report (November 2026 of the hand-computed network in
tests/analytics/test_reports.py) arrives once with the sessions CSV; a second run sends
nothing; a failure is recorded and the next run sends it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from email.message import EmailMessage

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.roles import InputError
from ccms_app.analytics.monthly_report import (
    MONTHLY_REPORT_INTERVAL,
    MONTHLY_REPORT_JOB,
    MonthlyRun,
    save_subscription,
    schedule_monthly_reports,
    send_monthly_reports,
    subscription_of,
)
from ccms_app.core.config import get_settings
from tests.analytics.test_reports import NOW, ReportNetwork, seed_reports
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import Inbox, free_port, smtp_server


@pytest.fixture
def smtp_port(settings_env: SettingsEnv) -> int:
    port = free_port()
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("CCMS_SMTP_PORT", str(port))
    settings_env.setenv("CCMS_SMTP_FROM", "reports@ccms.example")
    settings_env.setenv("CCMS_SMTP_TIMEOUT", "5")
    return port


@pytest.fixture
def network(engine: Engine, organisation: Organisation) -> ReportNetwork:
    return seed_reports(int(organisation.id or 0))


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _attachment(message: EmailMessage) -> tuple[str, str]:
    (part,) = list(message.iter_attachments())
    content = part.get_content()
    text = content.decode() if isinstance(content, bytes) else str(content)
    return str(part.get_filename()), text


def test_recipients_are_checked_when_saved(network: ReportNetwork) -> None:
    with pytest.raises(InputError) as wrong:
        save_subscription(network.org, "ops@example.com, not an address", True)
    assert "not an address" in wrong.value.errors["recipients"]
    with pytest.raises(InputError) as nobody:
        save_subscription(network.org, " ", True)
    assert "at least one" in nobody.value.errors["recipients"]
    saved = save_subscription(
        network.org, " Ops@Example.com;\nboss@example.com, ops@example.com", True
    )
    assert saved.recipients == ("ops@example.com", "boss@example.com")
    assert subscription_of(network.org).recipients_text == "ops@example.com, boss@example.com"
    assert save_subscription(network.org, "", False).enabled is False  # off: nobody is fine


def test_last_months_report_arrives_once_and_a_failure_is_retried(
    network: ReportNetwork, smtp_port: int
) -> None:
    save_subscription(network.org, "ops@example.com, boss@example.com", True)
    settings = get_settings()
    # nothing listens on the port yet: as with a server that is down
    assert send_monthly_reports(NOW, settings) == MonthlyRun(sent=0, failed=1)
    failed = subscription_of(network.org)
    assert failed.last_sent_month == "" and "127.0.0.1" in failed.last_error
    with smtp_server(smtp_port) as inbox:
        assert send_monthly_reports(NOW, settings) == MonthlyRun(sent=1)
        assert send_monthly_reports(NOW + timedelta(days=1), settings) == MonthlyRun()
        check_the_mail(inbox)
    sent = subscription_of(network.org)
    assert (sent.last_sent_month, sent.last_error) == ("2026-11", "")


def check_the_mail(inbox: Inbox) -> None:
    assert len(inbox.messages) == 1  # the second run found November sent
    assert sorted(inbox.recipients[0]) == ["boss@example.com", "ops@example.com"]
    message = inbox.messages[0]
    assert message["Subject"] == "Charging report November 2026: Test Operator"
    assert message["From"] == "reports@ccms.example"
    body = _body(message)
    for line in (
        "01 Nov 2026 to 30 Nov 2026, Europe/Berlin time.",
        "Orders: 4",
        "Energy: 35.000 kWh",
        "Charging time: 5 h 15 min",
        "Amount incl. VAT: €19.00 (excl. VAT: €15.96)",
        "  1. Depot: 27.000 kWh (77.1 %)",
        "  2. Street: 8.000 kWh (22.9 %)",
        "Station availability: 99.630 % over all connectors.",
        "Least available: Depot 99.583 %, Street 99.722 %.",
        "Attached: the 4 sessions that started in November 2026 (CSV).",
    ):
        assert line in body.splitlines(), f"{line!r} not in\n{body}"
    name, text = _attachment(message)
    assert name == "sessions-2026-11.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Charge point"] for r in rows] == ["CP-2", "CP-3", "CP-3", "CP-1"]


def test_nothing_is_sent_while_off_or_without_mail(
    network: ReportNetwork, smtp_port: int, settings_env: SettingsEnv
) -> None:
    save_subscription(network.org, "ops@example.com", False)
    with smtp_server(smtp_port) as inbox:
        assert send_monthly_reports(NOW, get_settings()) == MonthlyRun()
        save_subscription(network.org, "ops@example.com", True)
        settings_env.delenv("CCMS_SMTP_HOST")
        assert send_monthly_reports(NOW, get_settings()) == MonthlyRun()
        assert inbox.messages == []
    assert subscription_of(network.org).last_error == ""


def test_the_job_is_scheduled_daily(smtp_port: int) -> None:
    scheduler = AsyncIOScheduler()
    schedule_monthly_reports(scheduler, get_settings())
    schedule_monthly_reports(scheduler, get_settings())  # a restart replaces it
    jobs = {job.id: job for job in scheduler.get_jobs()}  # replaced, not doubled
    assert list(jobs) == [MONTHLY_REPORT_JOB]
    assert jobs[MONTHLY_REPORT_JOB].trigger.interval == MONTHLY_REPORT_INTERVAL
