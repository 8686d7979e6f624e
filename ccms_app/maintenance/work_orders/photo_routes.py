"""GET /work-order-photos/{photo_id}: a work order photo for the operator's browser (the
technician's page shows them as images).

Behind the HTTP gate (a live login whose role holds maintenance:view) and scoped: a photo of
an organisation outside the operator's is answered 404, like one that does not exist. Not
under /maintenance/: in the single-port app the pages' static files answer first there.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import operator_route
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.attachments import private_attachment
from ccms_app.maintenance.work_orders.photos import photo_download_name, photo_file

PHOTO_PATH = "/work-order-photos/{photo_id}"


@operator_route(Module.MAINTENANCE, Action.VIEW)
async def download_photo(request: Request) -> Response:
    principal = request.state.principal
    raw_id = str(request.path_params["photo_id"])
    found = None
    if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19:
        scope = await asyncio.to_thread(organisation_scope, principal.organisation_id)
        found = await asyncio.to_thread(photo_file, int(raw_id), scope)
    if found is None:
        return PlainTextResponse("no such photo", status_code=404)
    view, data = found
    return private_attachment(data, view.content_type, photo_download_name(view))


routes = [Route(PHOTO_PATH, download_photo, methods=["GET"])]
