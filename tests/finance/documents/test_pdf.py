"""The PDF: drawn from the frozen content, same bytes every time, readable text (pypdf)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from ccms_app.core import db
from ccms_app.core.money import format_money
from ccms_app.finance import billing_profiles
from ccms_app.finance.documents.credit_notes import credit_document
from ccms_app.finance.documents.invoices import issue_monthly_invoices
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingProfile
from tests.finance.documents.support import DRIVER, SELLER, World, charge

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_a_receipt_pdf_reads_as_the_receipt(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    pdf = render_pdf(receipt)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 portrait, in points
    text = text_of(pdf)
    for expected in (
        "Receipt R-000001",
        SELLER,
        "ul. Piotrkowska 1",
        "VAT ID: PL1234567890",
        DRIVER,
        "Müller Platz",
        "CP-1, connector 1",
        "2026-02-10 10:00 CET",
        "Energy",
        "10 kWh",
        "€0.30",
        "Idle (parking time)",
        "Total excl. VAT",
        "€7.00",
        "€1.33",
        "Total incl. VAT",
        "€8.33",
        "19 %",
    ):
        assert expected in text, expected
    assert render_pdf(receipt) == pdf  # the same content draws the same bytes


def test_an_invoice_and_its_credit_note(world: World) -> None:
    charge(world, "CARD-ZOE", datetime(2026, 2, 14, 12, 0, tzinfo=UTC))
    charge(world, "CARD-ZOE", datetime(2026, 2, 15, 12, 0, tzinfo=UTC))
    (invoice,) = issue_monthly_invoices(world.organisation_id, date(2026, 2, 1))
    text = text_of(render_pdf(invoice))
    for expected in (
        "Invoice INV-000001",
        "Period: 2026-02-01 to 2026-02-28",
        "2026-02-14",
        "€16.66",
    ):
        assert expected in text, expected

    note = credit_document(invoice.id or 0, "Tarif für Łódź falsch", "finance@example.com")
    text = text_of(render_pdf(note))
    for expected in (
        "Credit note CN-000001",
        "Credits: INV-000001",
        "cancels INV-000001",
        "Reason: Tarif für Łódź falsch",
        "-€16.66",
        "-€14.00",
    ):
        assert expected in text, expected


def test_the_logo_is_drawn_when_its_file_exists(world: World, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), (20, 110, 200)).save(logo)
    with db.session_scope() as s:
        profile = s.get(BillingProfile, world.organisation_id)
        assert profile is not None
        profile.logo_path = str(logo)
        s.add(profile)
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    assert len(PdfReader(io.BytesIO(render_pdf(receipt))).pages[0].images) == 1
    logo.unlink()  # gone later: the document still renders, without it
    assert len(PdfReader(io.BytesIO(render_pdf(receipt))).pages[0].images) == 0


def test_the_logo_uploaded_in_billing_settings_is_drawn(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings page stores a file name in the logo directory; the PDF finds it there."""
    monkeypatch.setattr(billing_profiles, "logo_dir", lambda: tmp_path)
    png = io.BytesIO()
    Image.new("RGB", (200, 80), (20, 110, 200)).save(png, format="PNG")
    stored = billing_profiles.store_logo(world.organisation_id, png.getvalue(), "test")
    assert stored.logo_path and not Path(stored.logo_path).is_absolute()
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    assert len(PdfReader(io.BytesIO(render_pdf(receipt))).pages[0].images) == 1


def test_money_is_written_with_the_currency_symbol() -> None:
    assert format_money(29, "EUR") == "€0.29"
    assert format_money(150, "JPY") == "¥150"
    assert format_money(-833, "EUR") == "-€8.33"
    assert format_money(1234, "KWD") == "KWD1.234"  # ISO 4217: 3 decimals, never rounded
    assert format_money(123456, "EUR", "de") == "1.234,56\xa0€"
