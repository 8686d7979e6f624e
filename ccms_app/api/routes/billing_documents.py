"""Billing documents (Finance): receipts, invoices and credit notes.

- `GET /billing-documents`: the Finance -> Documents list through the same spec
  (`finance.documents.listing.DOCUMENT_LIST`): search number / buyer, filters kind,
  organisation_id, email_state (sent | failed | not_sent), an issue-time range
  (`issued_at_from` inclusive, `issued_at_to` exclusive), sort, pages or cursor; amounts in
  integer minor units of `currency`, times UTC. `/export?format=csv|jsonl` streams them all.
- `GET /billing-documents/{id}`: one document with its frozen content (seller, buyer, lines,
  VAT per rate, totals; decimals as text); `/pdf` its PDF (finance:export).
- `POST /billing-documents/{id}/credit-note {reason}`: credit it in full -> 201 the note.
- `POST /billing-documents/{id}/send`: e-mail it to its buyer now (again, if it went out
  before) -> the document with the outcome; 409 without an address or with e-mail off.
- `POST /billing-documents/invoices {organisation_id, month}`: the month's invoices of one
  organisation (a month that is over) -> the invoices issued now (none when done before).
- `POST /charging-sessions/{id}/receipt`: the session's receipt -> 201 issued now, or 200
  with the receipt it has; 409 while its cost is not final.
Every check and message is the use case's (`finance.documents`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field, create_model
from sqlalchemy.sql.elements import ColumnElement

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import TimeRange
from ccms_app.core import listing as core_listing
from ccms_app.finance.documents import listing
from ccms_app.finance.documents.content import load
from ccms_app.finance.documents.credit_notes import MAX_REASON, credit_document
from ccms_app.finance.documents.errors import (
    AlreadyCreditedError,
    DocumentError,
    DocumentNotFoundError,
    NotBillableError,
)
from ccms_app.finance.documents.listing import (
    DOCUMENT_LIST,
    DocumentInputError,
    SendRefusedError,
)
from ccms_app.finance.documents.pdf import render_pdf
from ccms_app.finance.documents.reading import find_document
from ccms_app.finance.models import BillingDocument

problems.register(
    {
        DocumentError: 409,
        DocumentInputError: 422,
        DocumentNotFoundError: 404,
        NotBillableError: 409,
        AlreadyCreditedError: 409,
        SendRefusedError: 409,
    }
)

PREFIX = "/billing-documents"
RESOURCE = ListResource(
    DOCUMENT_LIST, Module.FINANCE, "BillingDocument", "billing_documents", with_get=False
)
ISSUED = TimeRange(DOCUMENT_LIST.column("issued_at"))
# One router, full paths: the receipt route lives under /charging-sessions.
api = router("", "Billing documents")


def _conditions(params: BaseModel, _caller: ApiCaller) -> list[ColumnElement[bool]]:
    """The issue-time range; every filter value checked first (a wrong kind is a 400
    here, not an error in the middle of a streamed export)."""
    values = params.model_dump()
    for column in DOCUMENT_LIST.columns:
        if column.filterable and values.get(column.key) is not None:
            column.selects(values[column.key])
    return ISSUED.conditions(params)


BillingDocumentItem = add_list_routes(
    api, RESOURCE, extra=ISSUED.fields(), narrow=_conditions, prefix=PREFIX
)
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Exporter = Annotated[ApiCaller, gate(Module.FINANCE, Action.EXPORT)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}


class PartyOut(BaseModel):
    name: str
    email: str = ""
    address: str = ""
    vat_id: str = ""
    reference: str = Field("", description="The buyer's card or account")


class LineOut(BaseModel):
    day: str = Field("", description="Local date (invoices: the session's)")
    description: str
    quantity: str | None = Field(None, description="Decimal as text")
    unit: str = ""
    unit_price: str | None = Field(None, description="Excl. VAT, decimal as text")
    vat: str | None = Field(None, description="Percent; null: no VAT applies")
    amount_minor: int = Field(description="Excl. VAT, minor units")


class VatOut(BaseModel):
    rate: str | None = Field(None, description="Percent; null: no VAT applies")
    base_minor: int
    vat_minor: int


class TotalsOut(BaseModel):
    excl_minor: int
    vat_minor: int
    incl_minor: int


class CreditsOut(BaseModel):
    number: str
    issued_local: str


BillingDocumentDetail = create_model(
    "BillingDocumentDetail",
    __base__=BillingDocumentItem,
    issued_local=(str, Field(description="The issue date in the seller's zone")),
    seller=(PartyOut, ...),
    buyer=(PartyOut, ...),
    session=(dict[str, str] | None, Field(None, description="Receipts: the session's facts")),
    period=(dict[str, str] | None, Field(None, description="Invoices: local dates, inclusive")),
    lines=(list[LineOut], ...),
    vat=(list[VatOut], Field(description="VAT per rate")),
    totals=(TotalsOut, ...),
    credits=(CreditsOut | None, Field(None, description="Credit notes: what they cancel")),
    reason=(str, Field("", description="Credit notes: why")),
    notes=(list[str], Field(default_factory=list)),
    pdf=(str, Field(description="Where its PDF is (this API)")),
)
SentDocument = create_model(
    "SentDocument",
    __base__=BillingDocumentDetail,
    email_outcome=(str, Field(description="sent | failed | unreachable")),
    email_detail=(str, Field("", description="Why it failed, when it did")),
)


class IssuedInvoices(BaseModel):
    issued: int = Field(description="How many invoices were issued now")
    items: list[BillingDocumentDetail]  # type: ignore[valid-type]


class CreditNoteIn(StrictModel):
    reason: str = Field(
        min_length=1, max_length=MAX_REASON, description="Printed on the credit note"
    )


class InvoiceRunIn(StrictModel):
    organisation_id: int = Field(ge=1, le=MAX_INT, description="The issuing organisation")
    month: str = Field(
        pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; a month that is over in its zone"
    )


# --- reading -----------------------------------------------------------------------------


def _party(data: dict[str, Any]) -> PartyOut:
    return PartyOut(**{key: str(data.get(key) or "") for key in PartyOut.model_fields})


def _content_fields(document: BillingDocument) -> dict[str, Any]:
    content = load(document.content)
    return {
        "issued_local": content["issued_local"],
        "seller": _party(content["seller"]),
        "buyer": _party(content["buyer"]),
        "session": content.get("session"),
        "period": content.get("period"),
        "lines": [LineOut(**line) for line in content["lines"]],
        "vat": [VatOut(**row) for row in content["vat"]],
        "totals": TotalsOut(**content["totals"]),
        "credits": content.get("credits"),
        "reason": content.get("reason", ""),
        "notes": list(content.get("notes") or []),
        "pdf": f"/api/v1{PREFIX}/{document.id}/pdf",
    }


def detail_of(document_id: int, scope: frozenset[int]) -> dict[str, Any]:
    """The list's row of the document and its frozen content; 404 outside the scope."""
    document = find_document(document_id, scope)
    row = core_listing.fetch_one(DOCUMENT_LIST, document_id, scope)
    if document is None or row is None:
        raise DocumentNotFoundError(f"No billing document {document_id} in this key's scope.")
    return {**row, **_content_fields(document)}


@api.get(
    PREFIX + "/{id}",
    response_model=BillingDocumentDetail,
    summary="One billing document with its lines, VAT and totals",
    operation_id="get_billing_document",
    responses=NOT_IN_SCOPE,
)
async def get_billing_document(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(detail_of, id, caller.scope)


def _pdf_of(document_id: int, scope: frozenset[int]) -> tuple[str, bytes]:
    document = find_document(document_id, scope)
    if document is None:
        raise DocumentNotFoundError(f"No billing document {document_id} in this key's scope.")
    return f"{document.number}.pdf", render_pdf(document)


@api.get(
    PREFIX + "/{id}/pdf",
    response_class=Response,
    summary="The document's PDF (A4)",
    operation_id="get_billing_document_pdf",
    responses={200: {"content": {"application/pdf": {}}}, **NOT_IN_SCOPE},
)
async def get_billing_document_pdf(id: Id, caller: Exporter) -> Response:
    name, data = await asyncio.to_thread(_pdf_of, id, caller.scope)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- changes -----------------------------------------------------------------------------


def _credit(document_id: int, reason: str, actor: str, scope: frozenset[int]) -> dict[str, Any]:
    try:
        note = credit_document(document_id, reason, actor, scope=scope)
    except DocumentError as exc:
        if type(exc) is DocumentError and not reason.strip():  # the use case's "say why"
            raise DocumentInputError("reason", str(exc)) from exc
        raise
    return detail_of(note.id or 0, scope)


@api.post(
    PREFIX + "/{id}/credit-note",
    status_code=201,
    response_model=BillingDocumentDetail,
    summary="Credit a receipt or invoice in full",
    operation_id="credit_billing_document",
    responses=NOT_IN_SCOPE,
)
async def credit_billing_document(
    id: Id, body: CreditNoteIn, caller: Editor, response: Response
) -> Any:
    actor = caller.principal.email or f"api key {caller.api_key_id}"
    note = await asyncio.to_thread(_credit, id, body.reason, actor, caller.scope)
    response.headers["Location"] = f"/api/v1{PREFIX}/{note['id']}"
    return note


def _send(document_id: int, scope: frozenset[int]) -> dict[str, Any]:
    document, sent = listing.send_again(document_id, scope)
    return {
        **detail_of(document.id or 0, scope),
        "email_outcome": str(sent.outcome),
        "email_detail": sent.error,
    }


@api.post(
    PREFIX + "/{id}/send",
    response_model=SentDocument,
    summary="E-mail the document to its buyer now",
    operation_id="send_billing_document",
    responses=NOT_IN_SCOPE,
)
async def send_billing_document(id: Id, caller: Editor) -> Any:
    return await asyncio.to_thread(_send, id, caller.scope)


def _invoices(organisation_id: int, month: str, scope: frozenset[int]) -> dict[str, Any]:
    issued = listing.issue_invoices(organisation_id, month, scope)
    items = [detail_of(invoice.id or 0, scope) for invoice in issued]
    return {"issued": len(items), "items": items}


@api.post(
    PREFIX + "/invoices",
    response_model=IssuedInvoices,
    summary="Issue one organisation's invoices of a month",
    operation_id="issue_billing_invoices",
)
async def issue_billing_invoices(body: InvoiceRunIn, caller: Editor) -> Any:
    return await asyncio.to_thread(_invoices, body.organisation_id, body.month, caller.scope)


def _receipt(session_id: int, scope: frozenset[int]) -> tuple[dict[str, Any], bool]:
    receipt, created = listing.receipt_for_session(session_id, scope)
    return detail_of(receipt.id or 0, scope), created


@api.post(
    "/charging-sessions/{id}/receipt",
    status_code=201,
    response_model=BillingDocumentDetail,
    summary="Issue a charging session's receipt (or answer the one it has)",
    operation_id="issue_session_receipt",
    responses={
        200: {"model": BillingDocumentDetail, "description": "The receipt it already has"},
        **NOT_IN_SCOPE,
    },
)
async def issue_session_receipt(id: Id, caller: Editor, response: Response) -> Any:
    receipt, created = await asyncio.to_thread(_receipt, id, caller.scope)
    response.headers["Location"] = f"/api/v1{PREFIX}/{receipt['id']}"
    if not created:
        response.status_code = 200
    return receipt
