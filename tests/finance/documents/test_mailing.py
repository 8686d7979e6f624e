"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1), and the billing job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session, select

from ccms_app.core.config import get_settings
from ccms_app.finance.documents.jobs import issue_due_documents, schedule_billing_jobs
from ccms_app.finance.documents.mailing import SendOutcome, send_document
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument
from tests.finance.documents.support import World, charge
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import Inbox, free_port, smtp_server

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp_port(settings_env: SettingsEnv) -> int:
    """CCMS_SMTP_* pointing at a local port (nothing listens there until a test starts)."""
    port = free_port()
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("CCMS_SMTP_PORT", str(port))
    settings_env.setenv("CCMS_SMTP_FROM", "billing@ccms.example")
    settings_env.setenv("CCMS_SMTP_TIMEOUT", "5")
    return port


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    with smtp_server(smtp_port) as handler:
        yield handler


def stored(session: Session, document_id: int) -> BillingDocument:
    session.rollback()
    document = session.get(BillingDocument, document_id)
    assert document is not None
    session.refresh(document)
    return document


def test_a_receipt_arrives_with_its_pdf(world: World, inbox: Inbox, session: Session) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    assert send_document(receipt.id or 0).outcome == SendOutcome.SENT

    (message,) = inbox.messages
    assert inbox.recipients == [["zoe@example.com"]]
    assert message["From"] == "billing@ccms.example"
    assert message["Subject"] == "Receipt R-000001 from Łódź Charging Sp. z o.o."
    body = message.get_body(("plain",))
    assert body is not None and "total €8.33" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "R-000001.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    document = stored(session, receipt.id or 0)
    assert document.emailed_at is not None and document.email_error == ""
    # Sent once: asking again sends nothing.
    assert send_document(receipt.id or 0).outcome == SendOutcome.ALREADY_SENT
    assert len(inbox.messages) == 1


def test_an_unreachable_server_is_recorded_and_the_job_sends_later(
    world: World, smtp_port: int, session: Session
) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    failed = send_document(receipt.id or 0)
    assert failed.outcome == SendOutcome.UNREACHABLE
    document = stored(session, receipt.id or 0)
    assert document.emailed_at is None
    assert document.email_error.startswith(f"cannot send through 127.0.0.1:{smtp_port}")

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        run = issue_due_documents(datetime.now(UTC), get_settings())
    finally:
        controller.stop()
    assert (run.emailed, run.email_failures) == (1, 0)
    assert [m["Subject"] for m in handler.messages] == [
        "Receipt R-000001 from Łódź Charging Sp. z o.o."
    ]
    document = stored(session, receipt.id or 0)
    assert document.emailed_at is not None and document.email_error == ""


def test_without_an_address_or_with_mail_off_nothing_is_sent(
    world: World, settings_env: SettingsEnv, session: Session
) -> None:
    anonymous = issue_receipt(charge(world, "CARD-NOBODY", STOP))
    zoe = issue_receipt(charge(world, "CARD-ZOE", STOP))
    settings_env.delenv("CCMS_SMTP_HOST")
    assert send_document(zoe.id or 0).outcome == SendOutcome.OFF
    assert stored(session, zoe.id or 0).email_error == ""  # nothing tried, nothing lost
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    assert send_document(anonymous.id or 0).outcome == SendOutcome.NO_ADDRESS
    assert stored(session, anonymous.id or 0).email_error == "the buyer has no e-mail address"


def test_the_job_issues_receipts_and_last_months_invoices(
    world: World, inbox: Inbox, session: Session
) -> None:
    charge(world, "CARD-ZOE", STOP)
    charge(world, "CARD-FLEET", STOP)
    charge(world, "CARD-NOBODY", STOP)  # no account: neither receipt nor invoice
    now = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)  # 01:30 on 1 March in Berlin

    run = issue_due_documents(now, get_settings())
    assert (run.receipts, run.invoices, run.emailed, run.email_failures) == (2, 2, 4, 0)
    numbers = session.exec(select(BillingDocument.number).order_by(BillingDocument.id)).all()
    assert sorted(numbers) == ["INV-000001", "INV-000002", "R-000001", "R-000002"]
    assert sorted(r[0] for r in inbox.recipients) == sorted(
        ["zoe@example.com", "zoe@example.com", "fleet@example.com", "fleet@example.com"]
    )
    assert issue_due_documents(now, get_settings()) == type(run)()  # nothing new


def test_the_jobs_are_scheduled() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    schedule_billing_jobs(scheduler, get_settings())
    schedule_billing_jobs(scheduler, get_settings())  # replaced, not doubled
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["billing-documents", "billing-invoices"]
    assert jobs["billing-documents"].args[1] is False and jobs["billing-invoices"].args[1] is True
