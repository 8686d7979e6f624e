"""GET /exports/{ticket}: a list's CSV export, as a plain HTTP download (core/export_tickets)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import signed_in_route
from ccms_app.core import export_tickets


@signed_in_route
async def download_export(request: Request) -> Response:
    """Only the login session the ticket was issued to, while its role still allows it."""
    principal = request.state.principal
    ticket = export_tickets.take(request.path_params["ticket"])
    if ticket is None or ticket.session_hash != principal.session_hash:
        return PlainTextResponse("This download link has expired. Export again.", status_code=404)
    if ticket.permission not in principal.permissions:
        return PlainTextResponse("Your role does not allow this export.", status_code=403)
    text = await asyncio.to_thread(ticket.produce)
    return Response(
        text,
        media_type=ticket.media_type,
        headers={"Content-Disposition": f'attachment; filename="{ticket.filename}"'},
    )


routes = [Route("/exports/{ticket}", download_export, methods=["GET"])]
