"""GET /qr-labels/charge-points/{id}.pdf and /qr-labels/stations/{id}.pdf: the QR labels of
a charge point's or a station's connectors, for the operator's browser to print.

Behind the HTTP gate (a live login whose role holds assets:view: whoever sees the assets may
print their labels) and scoped to the operator's organisation and its sub-operators: another
network's charge point is answered 404, like one that does not exist. A driver app sign-in is
not an operator login: it is refused like nobody. The PDF opens in the browser (inline) to be
printed; its words are in the reader's language (the account's, else the browser's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import operator_route, reader_of
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import reading_as, tr
from ccms_app.network.assets import AssetNotFound
from ccms_app.network.qr_labels import (
    LabelsError,
    LabelSheet,
    charge_point_sheet,
    render_sheet,
    station_sheet,
)
from ccms_app.network.rules.qr_labels import PREFIX

# Plain parameters, not {id:int}: whatever the path, the gate answers first (401/403).
CHARGE_POINT_PATH = PREFIX + "/charge-points/{charge_point_id}.pdf"
STATION_PATH = PREFIX + "/stations/{station_id}.pdf"


def _id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _pdf(
    sheet_of: Callable[[Collection[int], int], LabelSheet], row_id: int, org: int
) -> tuple[str, bytes]:
    sheet = sheet_of(organisation_scope(org), row_id)
    return sheet.name, render_sheet(sheet)


async def _serve(
    request: Request, raw_id: str, sheet_of: Callable[[Collection[int], int], LabelSheet]
) -> Response:
    principal = request.state.principal
    row_id = _id(raw_id)
    with reading_as(reader_of(request, principal), principal.organisation_id):
        if row_id is None:
            return PlainTextResponse(tr("No such labels."), status_code=404)
        try:
            name, data = await asyncio.to_thread(_pdf, sheet_of, row_id, principal.organisation_id)
        except AssetNotFound:
            return PlainTextResponse(tr("No such labels."), status_code=404)
        except LabelsError as exc:
            return PlainTextResponse(str(exc), status_code=409)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@operator_route(Module.ASSETS, Action.VIEW)
async def charge_point_labels(request: Request) -> Response:
    return await _serve(request, str(request.path_params["charge_point_id"]), charge_point_sheet)


@operator_route(Module.ASSETS, Action.VIEW)
async def station_labels(request: Request) -> Response:
    return await _serve(request, str(request.path_params["station_id"]), station_sheet)


routes = [
    Route(CHARGE_POINT_PATH, charge_point_labels, methods=["GET"]),
    Route(STATION_PATH, station_labels, methods=["GET"]),
]
