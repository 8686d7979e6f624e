"""E-mail a billing document's PDF to its buyer (core.mail, CCMS_SMTP_*).

The outcome is kept on the document: `emailed_at` once the SMTP server took the message,
else `email_error` says why; the billing job tries unsent documents again later, so a
server that is down loses nothing. With e-mail off (no CCMS_SMTP_HOST) nothing is tried and
nothing recorded: the documents go out once it is configured.

The message and its PDF are in the issuing organisation's document language
(billing_profiles.document_language, set on System -> Settings).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ccms_app.branding.brands import sender_name
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, gettext, reader_language, reading_as, tr
from ccms_app.core.mail import (
    Attachment,
    MailError,
    MailOffError,
    MailServerUnreachableError,
    OutgoingMail,
    send_mail,
)
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.billing_profiles import document_language
from ccms_app.finance.documents.content import load
from ccms_app.finance.documents.pdf import local_date, render_pdf, title
from ccms_app.finance.models import BillingDocument, DocumentKind

log = logging.getLogger(__name__)

NO_ADDRESS = "the buyer has no e-mail address"
# The sentence naming the attached document, per kind (catalog message ids).
ATTACHED: dict[str, str] = {
    DocumentKind.RECEIPT: N_(
        "please find attached receipt {number} of {date}, total {total} (VAT included)."
    ),
    DocumentKind.INVOICE: N_(
        "please find attached invoice {number} of {date}, total {total} (VAT included)."
    ),
    DocumentKind.CREDIT_NOTE: N_(
        "please find attached credit note {number} of {date}, total {total} (VAT included)."
    ),
}
ATTACHED_DOCUMENT = N_(
    "please find attached document {number} of {date}, total {total} (VAT included)."
)


class SendOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    NO_ADDRESS = "no_address"
    OFF = "off"
    FAILED = "failed"
    UNREACHABLE = "unreachable"  # the server is not there: later sends would fail too
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Sent:
    outcome: SendOutcome
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (SendOutcome.SENT, SendOutcome.ALREADY_SENT)


def send_document(document_id: int, settings: Settings | None = None) -> Sent:
    """E-mail document `document_id` to its buyer once; never raises a mail failure."""
    settings = settings or get_settings()
    with read_session() as session:
        document = session.get(BillingDocument, document_id)
    if document is None:
        return Sent(SendOutcome.NOT_FOUND)
    if document.emailed_at is not None:
        return Sent(SendOutcome.ALREADY_SENT)
    if not document.buyer_email:
        _record(document_id, None, NO_ADDRESS)
        return Sent(SendOutcome.NO_ADDRESS, NO_ADDRESS)
    try:
        send_mail(document_mail(document), settings)
    except MailOffError:
        return Sent(SendOutcome.OFF)
    except MailError as exc:
        _record(document_id, None, str(exc))
        log.warning("billing document not e-mailed", extra={"number": document.number})
        unreachable = isinstance(exc, MailServerUnreachableError)
        return Sent(SendOutcome.UNREACHABLE if unreachable else SendOutcome.FAILED, str(exc))
    _record(document_id, utc_now(), "")
    log.info("billing document e-mailed", extra={"number": document.number})
    return Sent(SendOutcome.SENT)


def document_mail(document: BillingDocument) -> OutgoingMail:
    """The message: a short text naming the document and its total, the PDF attached; in the
    issuing organisation's document language."""
    organisation_id = document.organisation_id
    with reading_as(document_language(organisation_id), organisation_id):
        return _document_mail(document)


def _document_mail(document: BillingDocument) -> OutgoingMail:
    content = load(document.content)
    seller = content["seller"]
    total = format_money(document.total_incl_minor, document.currency)
    attached = gettext(
        reader_language(),
        ATTACHED.get(document.kind, ATTACHED_DOCUMENT),
        number=document.number,
        date=local_date(content["issued_local"]),
        total=total,
    )
    hello = tr("Hello {name},", name=document.buyer_name)
    body = f"{hello}\n\n{attached}\n\n{seller['name']}\n{seller.get('address', '')}\n"
    subject = tr(
        "{title} {number} from {seller}",
        title=title(document.kind),
        number=document.number,
        seller=seller["name"],
    )
    return OutgoingMail(
        to=document.buyer_email,
        subject=subject,
        body=body,
        sender=seller.get("email", ""),
        sender_name=sender_name(document.organisation_id),
        attachments=(
            Attachment(f"{document.number}.pdf", render_pdf(document), "application", "pdf"),
        ),
    )


def _record(document_id: int, emailed_at: datetime | None, error: str) -> None:
    with session_scope() as session:
        document = session.get(BillingDocument, document_id)
        if document is None:
            return
        document.emailed_at = emailed_at
        document.email_error = error[:300]
        session.add(document)
