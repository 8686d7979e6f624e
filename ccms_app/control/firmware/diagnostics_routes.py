"""Diagnostics over HTTP: charge points upload (after GetDiagnostics), operators download.

Uploads: PUT or POST /diagnostics/{identity}/{filename} with the raw file as body, or a
multipart/form-data POST to that URL or to /diagnostics/{identity}/ (the file name then comes
from the form part). Larger than CCMS_DIAGNOSTICS_MAX_MB: 413, whatever the Content-Length says.
Downloads: GET /diagnostics/{identity}/{filename} with the operator's login cookie (the
HTTP gate checks the session and firmware:view; the file must be in the operator's scope).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

from ccms_app.accounts import organisations
from ccms_app.accounts.http_gate import operator_route, public_route
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.control.firmware import diagnostics, errors, storage
from ccms_app.core.config import get_settings


class _BodyTooLargeError(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    """The request body as the app reads it, cut off once it passes `limit` bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLargeError
        return message

    return wrapped


async def _upload_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(storage.CHUNK):
        yield chunk


def _too_large() -> Response:
    limit = get_settings().diagnostics_max_mb
    return PlainTextResponse(f"diagnostics upload is over {limit} MB", status_code=413)


@public_route("charge points upload diagnostics after GetDiagnostics; they have no login")
async def upload_diagnostics(request: Request) -> Response:
    limit = get_settings().diagnostics_max_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _too_large()
    request = Request(request.scope, _limited(request.receive, limit))
    identity = request.path_params["identity"]
    name = request.path_params.get("filename", "")
    remote = request.client.host if request.client else ""
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async with request.form(max_files=1, max_fields=20) as form:
                upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
                if upload is None:
                    return PlainTextResponse("no file in the form", status_code=400)
                chunks = _upload_chunks(upload)
                name = name or upload.filename or ""
                view = await diagnostics.save_diagnostics(identity, name, chunks, remote)
        else:
            if not name:
                return PlainTextResponse("put the file name in the URL", status_code=400)
            view = await diagnostics.save_diagnostics(identity, name, request.stream(), remote)
    except (_BodyTooLargeError, errors.DiagnosticsTooLargeError):
        return _too_large()
    except errors.UnknownChargePointError:
        return PlainTextResponse("unknown charge point", status_code=404)
    except errors.FirmwareError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    return JSONResponse(
        {"file_name": view.file_name, "size": view.size, "sha256": view.sha256}, status_code=201
    )


@operator_route(Module.FIRMWARE, Action.VIEW)
async def download_diagnostics(request: Request) -> Response:
    """For the operator's browser, scoped to the operator's organisations."""
    principal = request.state.principal
    scope = await asyncio.to_thread(organisations.organisation_scope, principal.organisation_id)
    path = await asyncio.to_thread(
        diagnostics.diagnostics_file,
        request.path_params["identity"],
        request.path_params["filename"],
        scope,
    )
    if path is None:
        return PlainTextResponse("no such diagnostics file", status_code=404)
    return FileResponse(path, media_type="application/octet-stream", filename=path.name)


routes = [
    Route("/diagnostics/{identity}/{filename}", upload_diagnostics, methods=["PUT", "POST"]),
    Route("/diagnostics/{identity}/{filename}", download_diagnostics, methods=["GET", "HEAD"]),
    Route("/diagnostics/{identity}/", upload_diagnostics, methods=["POST"]),
    Route("/diagnostics/{identity}", upload_diagnostics, methods=["POST"]),
]
