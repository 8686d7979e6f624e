"""The driver's receipts and invoices: the billing documents whose buyer is this driver
(`BillingDocument.driver_id`), newest first, and each one's PDF. A document of anyone else
is not found, exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from ccms_app.core.db import read_session
from ccms_app.core.display import format_time
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.rules.paths import receipt_path
from ccms_app.finance.documents.listing import KIND_LABELS
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.models import BillingDocument
from ccms_app.finance.wallets.holders import organisation_zone

SHOWN = 50


@dataclass(frozen=True)
class ReceiptRow:
    id: int
    number: str
    kind: str  # "receipt", "invoice", "credit note" in the reader's language
    issued: str
    total: str  # incl. VAT
    url: str  # the PDF, for this driver only


def receipts(driver: DriverPrincipal) -> list[ReceiptRow]:
    with read_session() as db:
        found = db.exec(
            select(BillingDocument)
            .where(col(BillingDocument.driver_id) == driver.driver_id)
            .order_by(col(BillingDocument.issued_at).desc(), col(BillingDocument.id).desc())
            .limit(SHOWN)
        ).all()
        zone = organisation_zone(db, driver.organisation_id)
    now = utc_now()
    return [
        ReceiptRow(
            id=int(document.id or 0),
            number=document.number,
            kind=tr(KIND_LABELS[document.kind]) if document.kind in KIND_LABELS else document.kind,
            issued=format_time(document.issued_at, zone, now),
            total=format_money(document.total_incl_minor, document.currency),
            url=receipt_path(int(document.id or 0)),
        )
        for document in found
    ]


def receipt_pdf(driver: DriverPrincipal, document_id: int) -> tuple[str, bytes]:
    """(file name, PDF) of the driver's own document; DriverAppNotFound otherwise."""
    with read_session() as db:
        document = db.get(BillingDocument, document_id)
    if document is None or document.driver_id != driver.driver_id:
        raise DriverAppNotFound(tr("No such receipt."))
    return f"{document.number}.pdf", render_pdf(document)
