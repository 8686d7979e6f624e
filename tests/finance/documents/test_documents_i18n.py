"""Receipts and the e-mails to drivers in the issuing organisation's document language (its
billing profile's `language`): the PDF's fixed words from that language's catalog, money and
dates as it writes them; English unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ccms_app.core.i18n import catalog, reading_as
from ccms_app.core.money import format_money
from ccms_app.finance import billing_profiles
from ccms_app.finance.documents.content import load
from ccms_app.finance.documents.mailing import document_mail
from ccms_app.finance.documents.pdf import CJK_FONT_FILES, render_pdf
from ccms_app.finance.documents.receipts import issue_receipt
from tests.finance.documents.support import DRIVER, SELLER, World, charge
from tests.finance.documents.test_pdf import text_of

STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
LABELS = (
    "Billed to",
    "Charging session",
    "Charge point",
    "Unit price",
    "Total excl. VAT",
    "Total incl. VAT",
    "VAT rate",
)


def _in_language(world: World, language: str) -> None:
    billing_profiles.save_profile(world.organisation_id, {"language": language}, "test")


def test_a_receipt_pdf_in_german(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    english = text_of(render_pdf(receipt))
    for label in (*LABELS, "Receipt R-000001", "Page 1/1", "€8.33", "Idle (parking time)"):
        assert label in english, label

    _in_language(world, "de")
    de = catalog("de")
    text = text_of(render_pdf(receipt))
    for label in LABELS:
        assert de[label] in text, label
        assert label not in text, label
    assert f"{de['Receipt']} R-000001" in text
    assert de["Page {page}/{pages}"].format(page=1, pages=1) in text
    where = de["{charge_point}, connector {connector}"].format(charge_point="CP-1", connector=1)
    assert where in text
    assert "10.02.2026 10:00 CET" in text  # the frozen date in German order, the time kept
    with reading_as("de"):
        total = format_money(833, "EUR")
    assert total == "8,33\xa0€" and total in text  # money as Babel writes EUR in German
    assert de["{fee} ({dimension})"].format(fee="Idle", dimension=de["parking time"]) in text
    assert de["Energy"] in text


def test_the_e_mail_to_the_driver_in_german(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    english = document_mail(receipt)
    assert english.subject == f"Receipt R-000001 from {SELLER}"
    assert english.body.startswith(f"Hello {DRIVER},\n\nplease find attached receipt R-000001 of ")

    _in_language(world, "de")
    de = catalog("de")
    mail = document_mail(receipt)
    assert mail.subject == de["{title} {number} from {seller}"].format(
        title=de["Receipt"], number="R-000001", seller=SELLER
    )
    issued = date.fromisoformat(load(receipt.content)["issued_local"]).strftime("%d.%m.%Y")
    attached = de[
        "please find attached receipt {number} of {date}, total {total} (VAT included)."
    ].format(number="R-000001", date=issued, total="8,33\xa0€")
    assert mail.body.startswith(f"{de['Hello {name},'].format(name=DRIVER)}\n\n{attached}\n")


@pytest.mark.skipif(
    not any(path.is_file() for path in CJK_FONT_FILES), reason="no CJK font installed"
)
def test_a_receipt_pdf_in_chinese(world: World) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", STOP))
    _in_language(world, "zh_Hans")
    zh = catalog("zh_Hans")
    text = text_of(render_pdf(receipt))
    for label in ("Billed to", "Total incl. VAT", "Unit price", "VAT rate"):
        assert zh[label] in text, label
    assert f"{zh['Receipt']} R-000001" in text
    with reading_as("zh_Hans"):
        for minor in (833, 700, 133):  # also after a line in the fallback font
            assert format_money(minor, "EUR") in text, minor
