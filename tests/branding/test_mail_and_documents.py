"""The brand in what leaves the system: the From name of e-mails (through a real local SMTP
server), and the header and logo of receipts, invoices and partner reports (read with pypdf)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from ccms_app.branding import brands
from ccms_app.branding.rules.uploads import ImageKind
from ccms_app.core.config import Settings
from ccms_app.core.mail import OutgoingMail, build_message, from_header
from ccms_app.finance.documents.mailing import SendOutcome, send_document
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.partners.report_pdf import Report, render_report
from tests.branding.support import caller, form, png
from tests.finance.documents.support import World, charge, world
from tests.fixtures.settings import SettingsEnv
from tests.fixtures.smtp import Inbox, free_port, smtp_server

__all__ = ["world"]

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
HEADER = "Voltaris Charging · Hafenstraße 1 · 20457 Hamburg"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def inbox(settings_env: SettingsEnv) -> Iterator[Inbox]:
    port = free_port()
    settings_env.setenv("CCMS_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("CCMS_SMTP_PORT", str(port))
    settings_env.setenv("CCMS_SMTP_FROM", "billing@voltaris.example")
    settings_env.setenv("CCMS_SMTP_TIMEOUT", "5")
    with smtp_server(port) as handler:
        yield handler


@pytest.fixture
def branded(world: World) -> World:
    brands.forget()
    brands.save_brand(
        caller(world.organisation_id),
        form(product_name="Voltaris", email_sender_name="Voltaris Billing", document_header=HEADER),
    )
    return world


def test_a_receipt_mail_comes_from_the_brands_sender_name(branded: World, inbox: Inbox) -> None:
    receipt = issue_receipt(charge(branded, "CARD-ZOE", STOP))
    assert send_document(receipt.id or 0).outcome == SendOutcome.SENT
    (message,) = inbox.messages
    assert message["From"] == "Voltaris Billing <billing@voltaris.example>"
    assert message["From"].addresses[0].display_name == "Voltaris Billing"
    body = message.get_body(("plain",))
    assert body is not None and "CCMS" not in body.get_content()
    assert "CCMS" not in message["Subject"]
    (attachment,) = list(message.iter_attachments())
    assert HEADER in text_of(attachment.get_content())


def test_a_non_ascii_sender_name_is_encoded_and_arrives_intact(world: World, inbox: Inbox) -> None:
    brands.forget()
    brands.save_brand(caller(world.organisation_id), form(email_sender_name="Łódź Ładowanie"))
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    assert send_document(receipt.id or 0).outcome == SendOutcome.SENT
    (message,) = inbox.messages
    assert message["From"].addresses[0].display_name == "Łódź Ładowanie"
    assert message["From"].addresses[0].addr_spec == "billing@voltaris.example"


def test_a_display_name_set_in_ccms_smtp_from_is_kept() -> None:
    assert from_header("Ops <ops@example.com>", "Voltaris") == "Ops <ops@example.com>"
    assert from_header("ops@example.com", "Voltaris") == "Voltaris <ops@example.com>"
    assert from_header("ops@example.com", "") == "ops@example.com"
    # A line break cannot start a new header: the name stays one quoted phrase.
    assert from_header("ops@example.com", "Evil\r\nBcc: x@y") == '"Evil Bcc: x@y" <ops@example.com>'
    settings = Settings(smtp_host="localhost", smtp_from="Ops <ops@example.com>")
    message = build_message(OutgoingMail("a@b.example", "S", "B", sender_name="V"), settings)
    assert message["From"] == "Ops <ops@example.com>"
    assert message["Message-ID"].endswith("@example.com>")


def test_without_a_brand_mail_keeps_the_bare_address(world: World, inbox: Inbox) -> None:
    brands.forget()
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    send_document(receipt.id or 0)
    (message,) = inbox.messages
    assert message["From"] == "billing@voltaris.example"


def test_the_receipt_pdf_has_the_header_and_the_brand_logo_and_no_ccms(branded: World) -> None:
    brands.store_image(caller(branded.organisation_id), ImageKind.LOGO, png(300, 100))
    receipt = issue_receipt(charge(branded, "CARD-ZOE", STOP))
    pdf = render_pdf(receipt)
    text = text_of(pdf)
    assert text.index(HEADER) < text.index("Receipt R-000001")  # at the top
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1  # the brand's logo
    assert reader.metadata is not None and reader.metadata.creator == "Voltaris"
    assert b"CCMS" not in pdf
    assert render_pdf(receipt) == pdf  # the same content and brand draw the same bytes


def test_a_partner_report_shows_the_brand_given() -> None:
    brand = brands.DocumentBrand("Voltaris", HEADER, png(300, 100))
    report = Report(
        title="Partner settlement 2026-01",
        issuer="Voltaris GmbH",
        issuer_lines=("Hafenstraße 1",),
        facts=("Month: January 2026",),
        generated_at=datetime(2026, 2, 1, tzinfo=UTC),
        brand=brand,
    )
    pdf = render_report(report)
    assert HEADER in text_of(pdf) and b"CCMS" not in pdf
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    plain = render_report(Report("Report", "Voltaris GmbH", (), (), report.generated_at))
    assert b"CCMS" not in plain
