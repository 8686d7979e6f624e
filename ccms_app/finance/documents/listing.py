"""Issued documents as a list (DOCUMENT_LIST, one `ListSpec` for the Finance -> Documents
page, its CSV export and GET /api/v1/billing-documents), how a row is shown, and the scoped
actions the page and the REST API share: a session's receipt, "send again", the invoices of
a month.

The document use cases (receipts, invoices, mailing) take no caller scope; everything here
checks the scope first, so a document, session or organisation outside the operator's
network is simply not found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import listing
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.core.mail import mail_enabled
from ccms_app.core.money import format_minor, format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.billing_profiles import ProfileNotFound, get_profile
from ccms_app.finance.documents.errors import DocumentError, DocumentNotFoundError
from ccms_app.finance.documents.invoices import issue_monthly_invoices
from ccms_app.finance.documents.mailing import Sent, send_document
from ccms_app.finance.documents.reading import find_document
from ccms_app.finance.documents.receipts import current_receipt, issue_receipt
from ccms_app.finance.documents.routes import pdf_url
from ccms_app.finance.models import BillingDocument, BillingProfile, DocumentKind
from ccms_app.finance.rules.documents import local_text, previous_month

KIND_LABELS: dict[str, str] = {
    DocumentKind.RECEIPT: N_("receipt"),
    DocumentKind.INVOICE: N_("invoice"),
    DocumentKind.CREDIT_NOTE: N_("credit note"),
}
SENT, FAILED, NOT_SENT = "sent", "failed", "not_sent"
EMAIL_LABELS: dict[str, str] = {SENT: N_("sent"), FAILED: N_("failed"), NOT_SENT: N_("not sent")}
MONTH_FORMAT = "YYYY-MM"


class DocumentInputError(DocumentError):
    """Input the operator must correct; `errors` names the field (the API's 422 entries)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = {field: message}


class SendRefusedError(DocumentError):
    """The document cannot be e-mailed now (no address, e-mail off): nothing was tried."""


# --- the list --------------------------------------------------------------------------

_CREDIT = aliased(BillingDocument)


def _credited_by() -> Any:
    """The number of the credit note cancelling this document, if one does."""
    return (
        select(col(_CREDIT.number))
        .where(col(_CREDIT.credits_document_id) == col(BillingDocument.id))
        .limit(1)
        .scalar_subquery()
    )


def _of_organisation(column: Any) -> Any:
    return (
        select(column)
        .where(col(Organisation.id) == col(BillingDocument.organisation_id))
        .scalar_subquery()
    )


def _seller_zone() -> Any:
    """The issuing organisation's billing zone (what an invoice's month was read in)."""
    zone = (
        select(col(BillingProfile.time_zone))
        .where(col(BillingProfile.organisation_id) == col(BillingDocument.organisation_id))
        .scalar_subquery()
    )
    return func.coalesce(zone, literal("UTC"))


def _email_state() -> Any:
    return case(
        (col(BillingDocument.emailed_at).is_not(None), literal(SENT)),
        (col(BillingDocument.email_error) != "", literal(FAILED)),
        else_=literal(NOT_SENT),
    )


def _kind_filter(value: Any) -> ColumnElement[bool]:
    if value not in KIND_LABELS:
        raise ListQueryError(
            tr(
                "Unknown document kind {value}: choose one of {choices}",
                value=repr(value),
                choices=", ".join(KIND_LABELS),
            )
        )
    return col(BillingDocument.kind) == value


def _email_filter(value: Any) -> ColumnElement[bool]:
    if value not in EMAIL_LABELS:
        choices = ", ".join(EMAIL_LABELS)
        raise ListQueryError(
            tr(
                "Unknown e-mail state {value}: choose one of {choices}",
                value=repr(value),
                choices=choices,
            )
        )
    expression: ColumnElement[bool] = _email_state() == value
    return expression


DOCUMENT_LIST = ListSpec(
    name="billing documents",
    base=lambda: select(BillingDocument),
    columns=(
        ListColumn("id", "Document", BillingDocument.id),
        ListColumn("number", "Number", BillingDocument.number, searchable=True),
        ListColumn("kind", "Kind", BillingDocument.kind, filterable=True, filter=_kind_filter),
        ListColumn("issued_at", "Issued (UTC)", BillingDocument.issued_at),
        ListColumn(
            "organisation_id",
            "Issuing organisation id",
            BillingDocument.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn(
            "organisation",
            "Issuing organisation",
            _of_organisation(col(Organisation.name)),
            sortable=False,
        ),
        ListColumn("buyer_name", "Buyer", BillingDocument.buyer_name, searchable=True),
        ListColumn(
            "buyer_email",
            "Buyer e-mail",
            BillingDocument.buyer_email,
            searchable=True,
            sortable=False,
        ),
        ListColumn("session_id", "Charging session", BillingDocument.session_id, sortable=False),
        ListColumn("driver_id", "Driver id", BillingDocument.driver_id, sortable=False),
        ListColumn("user_group_id", "Group id", BillingDocument.user_group_id, sortable=False),
        ListColumn(
            "period_start", "Period start (UTC)", BillingDocument.period_start, sortable=False
        ),
        ListColumn(
            "period_end", "Period end (UTC, exclusive)", BillingDocument.period_end, sortable=False
        ),
        ListColumn("time_zone", "Seller time zone", _seller_zone(), sortable=False),
        ListColumn("currency", "Currency", BillingDocument.currency, sortable=False),
        ListColumn(
            "total_excl_minor",
            "Total excl. VAT (minor units)",
            BillingDocument.total_excl_minor,
            sortable=False,
        ),
        ListColumn("vat_minor", "VAT (minor units)", BillingDocument.vat_minor, sortable=False),
        ListColumn(
            "total_incl_minor", "Total incl. VAT (minor units)", BillingDocument.total_incl_minor
        ),
        ListColumn(
            "credits_document_id",
            "Credits document",
            BillingDocument.credits_document_id,
            sortable=False,
        ),
        ListColumn("credited_by", "Credited by", _credited_by(), sortable=False),
        ListColumn(
            "email_state",
            "E-mail",
            _email_state(),
            filterable=True,
            sortable=False,
            filter=_email_filter,
        ),
        ListColumn("emailed_at", "E-mailed at (UTC)", BillingDocument.emailed_at, sortable=False),
        ListColumn("email_error", "E-mail error", BillingDocument.email_error, sortable=False),
    ),
    organisation_column=BillingDocument.organisation_id,
    id_column=BillingDocument.id,
    default_sort="issued_at",
)


@dataclass(frozen=True)
class Issued:
    """Issued at or after `since`, before `until` (UTC; None leaves that end open)."""

    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        issued = col(BillingDocument.issued_at)
        found = [] if self.since is None else [issued >= self.since]
        return found if self.until is None else [*found, issued < self.until]


def narrowed(spec: ListSpec, within: Issued) -> ListSpec:
    conditions = within.conditions()
    if not conditions:
        return spec
    base = spec.base
    return dataclasses.replace(spec, base=lambda: base().where(*conditions))


def fetch_documents(query: ListQuery, scope: Collection[int], within: Issued) -> ListPage:
    """One page of the operator's documents issued within the range."""
    return listing.fetch_page(narrowed(DOCUMENT_LIST, within), query, scope)


# --- a row as the page and the CSV show it ---------------------------------------------


def _money(minor: Any, currency: Any) -> str:
    return "" if minor is None or not currency else format_money(int(minor), str(currency))


def _period_text(row: Mapping[str, Any]) -> str:
    start, end = row.get("period_start"), row.get("period_end")
    if start is None or end is None:
        return ""
    zone = str(row.get("time_zone") or "UTC")
    last = end - timedelta(microseconds=1)
    return tr(
        "{first} to {last}",
        first=local_text(start, zone, False),
        last=local_text(last, zone, False),
    )


def _email_text(row: Mapping[str, Any], zone: str) -> str:
    """The e-mail column in the reader's language (the error as the mail server gave it)."""
    if row.get("emailed_at") is not None:
        return tr("sent {time}", time=local_text(row["emailed_at"], zone))
    if row.get("email_error"):
        return tr("failed: {error}", error=row["email_error"])
    return tr(EMAIL_LABELS[NOT_SENT])


def shown_document(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """One document as the page shows it: the issue time in the operator's `zone`, the total
    with its currency symbol, the e-mail outcome in words, its PDF link, what it may do."""
    kind = str(row.get("kind") or "")
    credited = str(row.get("credited_by") or "")
    creditable = kind != DocumentKind.CREDIT_NOTE and not credited
    currency = str(row.get("currency") or "")
    total = row.get("total_incl_minor")
    return {
        "id": str(row.get("id") or ""),
        "number": str(row.get("number") or ""),
        "kind": KIND_LABELS.get(kind, kind),
        "kind_key": kind,
        "issued_at": local_text(row.get("issued_at"), zone),
        "organisation": str(row.get("organisation") or ""),
        "buyer_name": str(row.get("buyer_name") or ""),
        "buyer_email": str(row.get("buyer_email") or ""),
        "period": _period_text(row),
        "total_incl_minor": _money(total, currency),
        "total_value": ""
        if total is None or not currency
        else format_minor(int(total), currency, False),
        "currency": currency,
        "email": _email_text(row, zone),
        "email_state": str(row.get("email_state") or NOT_SENT),
        "credited_by": credited,
        "creditable": "yes" if creditable else "",
        "sendable": "yes" if row.get("buyer_email") else "",
        "pdf_url": pdf_url(int(row.get("id") or 0)),
    }


EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Number"),
    ("kind", "Kind"),
    ("issued_at", "Issued"),
    ("organisation", "Issuing organisation"),
    ("buyer_name", "Buyer"),
    ("buyer_email", "Buyer e-mail"),
    ("period", "Period"),
    ("total_value", "Total incl. VAT"),
    ("currency", "Currency"),
    ("email", "E-mail"),
    ("credited_by", "Credited by"),
)


def _shown_rows(rows: Iterator[dict[str, Any]], zone: str) -> Iterator[dict[str, str]]:
    for row in rows:
        yield shown_document(row, zone)


def export_documents_csv(
    query: ListQuery, scope: Collection[int], within: Issued, zone: str
) -> str:
    """Every document the page's filters match (all pages, list order) as the page shows it."""
    rows = listing.iter_rows(narrowed(DOCUMENT_LIST, within), query, scope)
    return listing.to_csv(EXPORT_COLUMNS, _shown_rows(rows, zone))


def organisation_choices(scope: Collection[int]) -> list[tuple[str, str]]:
    """(id, name) of the organisations in scope, for the filter and the invoice run."""
    with read_session() as session:
        rows = session.execute(
            select(col(Organisation.id), col(Organisation.name))
            .where(col(Organisation.id).in_(list(scope)))
            .order_by(col(Organisation.parent_id).is_not(None), col(Organisation.name))
        ).all()
    return [(str(i), str(name)) for i, name in rows]


def operator_zone(organisation_id: int) -> str:
    """The operator's billing time zone: what the page's days and times mean."""
    try:
        return get_profile(organisation_id).time_zone or "UTC"
    except ProfileNotFound:
        return "UTC"


# --- scoped actions ----------------------------------------------------------------------


def _session_organisation(session_id: int) -> int | None:
    with read_session() as session:
        charging = session.get(ChargingSession, session_id)
        return None if charging is None else charging.organisation_id


def receipt_for_session(session_id: int, scope: Collection[int]) -> tuple[BillingDocument, bool]:
    """The session's receipt and whether it was issued just now (False: it had one)."""
    if _session_organisation(session_id) not in scope:
        raise DocumentNotFoundError(
            tr("charging session {session_id} does not exist", session_id=session_id)
        )
    with read_session() as session:
        existing = current_receipt(session, session_id)
    if existing is not None:
        return existing, False
    return issue_receipt(session_id), True


def session_receipt(session_id: int, scope: Collection[int]) -> BillingDocument | None:
    """The session's current receipt, if it has one (the history page's button)."""
    if _session_organisation(session_id) not in scope:
        return None
    with read_session() as session:
        return current_receipt(session, session_id)


def send_again(
    document_id: int, scope: Collection[int], settings: Settings | None = None
) -> tuple[BillingDocument, Sent]:
    """E-mail the document to its buyer now, even if it went out before; the outcome is
    recorded on the document (mailing.send_document). Refused, with nothing changed, when
    the buyer has no address or e-mail is off."""
    settings = settings or get_settings()
    document = find_document(document_id, scope)
    if document is None:
        raise DocumentNotFoundError(
            tr("billing document {document_id} does not exist", document_id=document_id)
        )
    if not document.buyer_email:
        raise SendRefusedError(
            tr("{number}: the buyer has no e-mail address", number=document.number)
        )
    if not mail_enabled(settings):
        raise SendRefusedError(tr("E-mail is off: set CCMS_SMTP_HOST to send documents"))
    with session_scope() as session:
        row = session.get(BillingDocument, document_id)
        if row is not None:  # sent before: send_document sends once, so forget that send
            row.emailed_at = None
            session.add(row)
    sent = send_document(document_id, settings)
    return find_document(document_id, scope) or document, sent


def parse_month(text: str) -> date:
    """ "2026-02" -> 2026-02-01; a DocumentInputError on "month" otherwise."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise DocumentInputError(
            "month", tr("give a month as {month_format}, e.g. 2026-02", month_format=MONTH_FORMAT)
        ) from None


def issue_invoices(
    organisation_id: int, month_text: str, scope: Collection[int], now: datetime | None = None
) -> list[BillingDocument]:
    """The organisation's invoices of a month that is over (in its billing zone): only new
    ones; a month invoiced before issues only what was not invoiced then."""
    if organisation_id not in scope:
        raise DocumentInputError("organisation_id", tr("no such organisation in your network"))
    month = parse_month(month_text)
    latest = previous_month(now or utc_now(), operator_zone(organisation_id))
    if month > latest:
        raise DocumentInputError(
            "month",
            tr(
                "{month:%Y-%m} is not over yet: invoice {latest:%Y-%m} or earlier",
                month=month,
                latest=latest,
            ),
        )
    return issue_monthly_invoices(organisation_id, month, now)


def last_month(organisation_id: int, now: datetime | None = None) -> str:
    """The month the invoice run offers first: the last one over, "2026-02"."""
    return f"{previous_month(now or utc_now(), operator_zone(organisation_id)):%Y-%m}"
