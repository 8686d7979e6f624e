"""The routes that make the driver app installable: manifest, icons, service worker.

Public by nature (a browser fetches them before anyone signs in). The manifest and icons
carry the network operator's brand (name, primary colour); the icon is drawn with Pillow
(a bolt on the brand colour) and kept per size and colour.
"""

from __future__ import annotations

import asyncio
import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.branding.brands import root_brand
from ccms_app.core.i18n import negotiate
from ccms_app.driver_app.rules.install import ICON_SIZES, manifest

DEFAULT_COLOUR = "#0d9488"  # the theme's teal, when the brand sets no primary colour
_WORKER = Path(__file__).with_name("static") / "sw.js"
_BOLT = [(0.56, 0.12), (0.28, 0.56), (0.48, 0.56), (0.40, 0.88), (0.72, 0.42), (0.52, 0.42)]


@public_route("the web app manifest: browsers read it to install the driver app")
async def manifest_route(request: Request) -> Response:
    brand = await asyncio.to_thread(root_brand)
    language = negotiate(request.headers.get("accept-language", ""))
    body = manifest(brand.product_name, brand.primary_colour or DEFAULT_COLOUR, language)
    return JSONResponse(
        body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"}
    )


@public_route("the driver app's service worker: caches the app's shell")
async def worker_route(request: Request) -> Response:
    return Response(
        _WORKER.read_bytes(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/app", "Cache-Control": "no-cache"},
    )


@public_route("the driver app's icon, for the home screen")
async def icon_route(request: Request) -> Response:
    size = int(request.path_params["size"])
    if size not in ICON_SIZES:
        return Response(status_code=404)
    brand = await asyncio.to_thread(root_brand)
    png = icon_png(size, brand.primary_colour or DEFAULT_COLOUR)
    return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})


@cache
def icon_png(size: int, colour: str) -> bytes:
    """A square icon (maskable: the bolt stays inside the safe middle 80 %)."""
    image = Image.new("RGB", (size, size), colour)
    ImageDraw.Draw(image).polygon([(x * size, y * size) for x, y in _BOLT], fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


routes = [
    Route("/app/manifest.webmanifest", manifest_route, methods=["GET"]),
    Route("/app/sw.js", worker_route, methods=["GET"]),
    Route("/app/icon-{size:int}.png", icon_route, methods=["GET"]),
]
