"""GET /billing-documents/{id}.pdf: an issued document's PDF for the operator's browser.

Behind the HTTP gate (a live login whose role holds finance:export) and scoped: a document
of an organisation outside the operator's (and its sub-operators') is answered 404, the same
as one that does not exist. Not under /finance/: in the single-port app the pages' static
files answer first for paths under a page's route, so the PDF would be the 404 page.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import operator_route
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.attachments import private_attachment
from ccms_app.finance.documents.reading import document_pdf

# A plain parameter, not {document_id:int}: whatever the id, the gate answers first (401/403),
# so nobody learns which paths exist without a login.
PDF_PATH = "/billing-documents/{document_id}.pdf"


def pdf_url(document_id: int) -> str:
    """Where the web UI links a document's PDF."""
    return f"/billing-documents/{document_id}.pdf"


@operator_route(Module.FINANCE, Action.EXPORT)
async def download_document(request: Request) -> Response:
    principal = request.state.principal
    raw_id = str(request.path_params["document_id"])
    found = None
    if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19:
        found = await asyncio.to_thread(document_pdf, int(raw_id), principal.organisation_id)
    if found is None:
        return PlainTextResponse("no such billing document", status_code=404)
    name, data = found
    return private_attachment(data, "application/pdf", name)


routes = [Route(PDF_PATH, download_document, methods=["GET"])]
