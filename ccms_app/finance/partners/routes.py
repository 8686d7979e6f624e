"""Settlement and reimbursement reports as files for the operator's (or partner's) browser:

- GET /settlement-reports/{partner_id}/{yyyy-mm}.pdf | .csv: a partner's month;
- GET /reimbursement-reports/{yyyy-mm}/{driver_id}.pdf | .csv: an employee's month.

Behind the HTTP gate (a live login whose role holds finance:export) and scoped: a partner or
employee outside the caller's organisation scope is answered 404, like one that does not
exist. A partner's own login (a sub-operator) gets its own settlement, the same file the
operator gets. The words are in the reader's language (the account's choice, else the
browser's Accept-Language); the CSV's column names and record kinds stay as they are.
Not under /finance/: in the single-port app the pages' static files answer first for paths
under a page's route (see finance/documents/routes.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import operator_route
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.attachments import private_attachment
from ccms_app.core.i18n import is_language, negotiate, reading_as
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.partners import reimbursement_files, settlement_files
from ccms_app.finance.partners.reimbursements import reimbursement_report
from ccms_app.finance.partners.settlements import settlement_report
from ccms_app.finance.rules.settlement import parse_month

# Plain parameters, not {id:int}: whatever the path, the gate answers first (401/403).
SETTLEMENT_PATH = "/settlement-reports/{partner_id}/{month}"
REIMBURSEMENT_PATH = "/reimbursement-reports/{month}/{driver_id}"
MEDIA = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def settlement_url(partner_id: int | str, month: str, extension: str) -> str:
    return f"/settlement-reports/{partner_id}/{month}.{extension}"


def reimbursement_url(driver_id: int | str, month: str, extension: str) -> str:
    return f"/reimbursement-reports/{month}/{driver_id}.{extension}"


def _id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _settlement_file(
    partner_id: int, month: str, organisation_id: int, extension: str
) -> tuple[str, bytes]:
    report = settlement_report(partner_id, month, organisation_scope(organisation_id))
    if extension == "pdf":
        return settlement_files.file_name(report, "pdf"), settlement_files.settlement_pdf(report)
    text = settlement_files.settlement_csv(report)
    return settlement_files.file_name(report, "csv"), text.encode("utf-8")


def _reimbursement_file(
    driver_id: int, month: str, organisation_id: int, extension: str
) -> tuple[str, bytes]:
    report = reimbursement_report(driver_id, month, organisation_scope(organisation_id))
    if extension == "pdf":
        pdf = reimbursement_files.reimbursement_pdf(report)
        return reimbursement_files.file_name(report, "pdf"), pdf
    text = reimbursement_files.reimbursement_csv(report)
    return reimbursement_files.file_name(report, "csv"), text.encode("utf-8")


def _language(request: Request) -> str:
    """The reader's language: the account's choice, else what the browser asks for."""
    chosen = str(getattr(request.state.principal, "language", "") or "")
    if is_language(chosen):
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


async def _serve(
    request: Request,
    extension: str,
    raw_id: str,
    make: Callable[[int, str, int, str], tuple[str, bytes]],
) -> Response:
    principal = request.state.principal
    month = str(request.path_params["month"])
    row_id = _id(raw_id)
    if row_id is None or parse_month(month) is None:
        return PlainTextResponse("no such report", status_code=404)
    try:
        with reading_as(_language(request), principal.organisation_id):
            name, data = await asyncio.to_thread(
                make, row_id, month, principal.organisation_id, extension
            )
    except (FinanceNotFound, FinanceError):
        return PlainTextResponse("no such report", status_code=404)
    return private_attachment(data, MEDIA[extension], name)


@operator_route(Module.FINANCE, Action.EXPORT)
async def settlement_pdf(request: Request) -> Response:
    return await _serve(request, "pdf", str(request.path_params["partner_id"]), _settlement_file)


@operator_route(Module.FINANCE, Action.EXPORT)
async def settlement_csv(request: Request) -> Response:
    return await _serve(request, "csv", str(request.path_params["partner_id"]), _settlement_file)


@operator_route(Module.FINANCE, Action.EXPORT)
async def reimbursement_pdf(request: Request) -> Response:
    raw = str(request.path_params["driver_id"])
    return await _serve(request, "pdf", raw, _reimbursement_file)


@operator_route(Module.FINANCE, Action.EXPORT)
async def reimbursement_csv(request: Request) -> Response:
    raw = str(request.path_params["driver_id"])
    return await _serve(request, "csv", raw, _reimbursement_file)


routes = [
    Route(SETTLEMENT_PATH + ".pdf", settlement_pdf, methods=["GET"]),
    Route(SETTLEMENT_PATH + ".csv", settlement_csv, methods=["GET"]),
    Route(REIMBURSEMENT_PATH + ".pdf", reimbursement_pdf, methods=["GET"]),
    Route(REIMBURSEMENT_PATH + ".csv", reimbursement_csv, methods=["GET"]),
]
