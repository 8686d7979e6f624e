"""The compiled frontend's hashed files are cached by browsers for good.

The build names every script and stylesheet after its content (`/assets/<name>-<hash>.js`):
a new build gives new names, so a name's content never changes. Starlette's static files
send an ETag but no Cache-Control, so a browser revalidated each of a page's ~77 files on
every new tab and reload, and each answer (a 304) was a request through the app's event
loop, the one that also serves the chargers (issue 8: nine tabs opened at once took 8-20 s).
With `immutable` a browser loads them once. The pages themselves (`/assets` is the Assets
page, `/assets/index.html`) carry no hash and keep revalidating.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = b"public, max-age=31536000, immutable"
# Vite's content hash: 8 url-safe base64 characters before the extension.
HASHED_ASSET = re.compile(
    r"^/assets/[^/]+-[A-Za-z0-9_-]{8}\.(?:js|mjs|css|woff2?|ttf|svg|png|map)$"
)


def is_hashed_asset(path: str) -> bool:
    return HASHED_ASSET.match(path) is not None


class HashedAssetCache:
    """ASGI middleware: `Cache-Control: immutable` on the build's content-named files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not is_hashed_asset(str(scope.get("path", "")))
        ):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") in (200, 304):
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control"
                ]
                message = {**message, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, send_cached)
