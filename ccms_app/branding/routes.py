"""The brand's images over HTTP: GET /brand/{organisation_id}/logo, .../favicon, /brand/favicon.

Public by design: the login page shows the logo before anyone has logged in, and a browser
fetches the favicon without cookies. A logo is what an organisation shows to everyone who
opens its pages, so serving it to anyone reveals nothing. Only images checked on upload are
served (PNG, JPEG, WebP, ICO: never SVG), with `X-Content-Type-Options: nosniff`. A URL with
the brand's current `?v=<version>` never changes its answer, so it is cached for a year;
without it (or with an old version) the browser asks again.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.branding import brands
from ccms_app.branding.rules.uploads import CONTENT_TYPES, ImageKind
from ccms_app.core.config import PROJECT_ROOT

DEFAULT_FAVICON = PROJECT_ROOT / "assets" / "favicon.svg"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=60"  # unversioned: a changed brand shows within a minute
WHY = "the login page shows the brand before anyone logs in; only checked images are served"
MAX_ID_DIGITS = 18


def _organisation_id(request: Request) -> int | None:
    raw = str(request.path_params.get("organisation_id", ""))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS else None


def _image_response(image: brands.StoredImage, asked_version: str) -> Response:
    if image.content_type not in CONTENT_TYPES:  # never serve what the upload check refuses
        return PlainTextResponse("no such image", status_code=404)
    current = asked_version == str(image.version)
    return Response(
        image.data,
        media_type=image.content_type,
        headers={
            "Cache-Control": IMMUTABLE if current else REVALIDATE,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


async def _serve(request: Request, kind: ImageKind) -> Response:
    organisation_id = _organisation_id(request)
    image = None
    if organisation_id is not None:
        image = await asyncio.to_thread(brands.stored_image, organisation_id, kind)
    if image is None:
        return PlainTextResponse("no such image", status_code=404)
    return _image_response(image, str(request.query_params.get("v", "")))


@public_route(WHY)
async def logo(request: Request) -> Response:
    return await _serve(request, ImageKind.LOGO)


@public_route(WHY)
async def favicon(request: Request) -> Response:
    return await _serve(request, ImageKind.FAVICON)


@public_route("browsers fetch the favicon without a login")
async def root_favicon(request: Request) -> Response:
    """The network operator's favicon, else the default one."""
    image = await asyncio.to_thread(brands.root_favicon)
    if image is not None:
        return _image_response(image, "")
    return FileResponse(
        DEFAULT_FAVICON,
        media_type="image/svg+xml",
        headers={"Cache-Control": REVALIDATE, "X-Content-Type-Options": "nosniff"},
    )


routes = [
    Route("/brand/favicon", root_favicon, methods=["GET"]),
    Route("/brand/{organisation_id}/logo", logo, methods=["GET"]),
    Route("/brand/{organisation_id}/favicon", favicon, methods=["GET"]),
]
