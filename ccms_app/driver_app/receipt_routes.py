"""GET /app/receipts/{document_id}.pdf: one of the driver's own receipts or invoices.

Behind `driver_route` (the driver's own sign-in cookie; an operator's login is not one): 401
without it. A document that is not the driver's answers 404, the same as one that does not
exist; the PDF is a private download (no shared cache keeps it).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.core.attachments import private_attachment
from ccms_app.core.i18n import tr
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.http_gate import driver_route
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.rules.wallet import parse_id
from ccms_app.driver_app.wallet_receipts import receipt_pdf

# A plain parameter, not {document_id:int}: whatever the id, the driver gate answers first
# (paths.receipt_path builds the links).
PDF_PATH = f"{APP}/receipts/{{document_id}}.pdf"


@driver_route
async def download_receipt(request: Request) -> Response:
    document_id = parse_id(request.path_params["document_id"])
    try:
        if document_id is None:
            raise DriverAppNotFound("")
        name, data = await asyncio.to_thread(receipt_pdf, request.state.driver, document_id)
    except DriverAppNotFound:
        return PlainTextResponse(tr("No such receipt."), status_code=404)
    return private_attachment(data, "application/pdf", name)


routes = [Route(PDF_PATH, download_receipt, methods=["GET"])]
