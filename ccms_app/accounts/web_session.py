"""The login cookie on the wire, and what of it Reflex may see.

The browser holds the session token in an HttpOnly, SameSite=Strict cookie (Secure over
HTTPS) that page scripts cannot read. Reflex copies a socket's request headers into every
tab's state, and writes states to disk (.states/*.pkl): so before a request reaches Reflex's
socket or upload endpoints, `RawTokenScrubber` replaces the token with its SHA-256 under
another cookie name. What Reflex keeps is the hash the database already has, which opens
nothing: a cookie is hashed before it is looked up, and the derived cookie is never taken
from a browser.

Cookies are read the way Starlette reads them for the HTTP routes (`cookie_parser`: lenient,
the last of a repeated name wins), never with `http.cookies.SimpleCookie`, which gives up on
the whole header at the first value it dislikes (a JSON cookie another app on the same host
set) and would log the tab out while the HTTP routes still saw the login.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import cookie_parser

from ccms_app.accounts.auth import SESSION_COOKIE, token_hash

SESSION_REF_COOKIE = "ccms_session_ref"  # the token's hash, set only by the scrubber
# The driver app's sign-in (driver_app): its own cookie, scrubbed the same way.
DRIVER_SESSION_COOKIE = "ccms_driver_session"
DRIVER_REF_COOKIE = "ccms_driver_ref"
_SCRUBBED = {SESSION_COOKIE: SESSION_REF_COOKIE, DRIVER_SESSION_COOKIE: DRIVER_REF_COOKIE}
REFLEX_PREFIXES = ("/_event", "/_upload")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def parse_cookies(header: str) -> dict[str, str]:
    """The cookies of a Cookie header, as Starlette's `request.cookies` has them."""
    return cookie_parser(header)


def session_hash_from_cookie_header(header: str) -> str:
    """What the scrubber left for Reflex: the session's hash, or ""."""
    return parse_cookies(header).get(SESSION_REF_COOKIE, "")


def driver_session_hash_from_cookie_header(header: str) -> str:
    """What the scrubber left for Reflex of a driver's sign-in: its hash, or ""."""
    return parse_cookies(header).get(DRIVER_REF_COOKIE, "")


def scrubbed_cookie_header(header: str) -> str:
    """`header` with the raw tokens (operator and driver) replaced by their hashes, and any
    forged hash dropped; every other cookie is kept as the browser sent it."""
    cookies = parse_cookies(header)
    dropped = {*_SCRUBBED, *_SCRUBBED.values()}
    kept = [
        chunk.strip()
        for chunk in header.split(";")
        if chunk.strip() and _cookie_name(chunk) not in dropped
    ]
    for raw, ref in _SCRUBBED.items():
        if token := cookies.get(raw, ""):
            kept.append(f"{ref}={token_hash(token)}")
    return "; ".join(kept)


def _cookie_name(chunk: str) -> str:
    return chunk.split("=", 1)[0].strip() if "=" in chunk else ""


class RawTokenScrubber:
    """ASGI middleware: Reflex's socket and upload requests never carry the raw token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") in ("http", "websocket") and str(scope.get("path", "")).startswith(
            REFLEX_PREFIXES
        ):
            scope = dict(scope)
            scope["headers"] = _scrub_headers(scope.get("headers", []))
        await self.app(scope, receive, send)


def _scrub_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    kept = [(name, value) for name, value in headers if name.lower() != b"cookie"]
    joined = "; ".join(
        value.decode("latin-1") for name, value in headers if name.lower() == b"cookie"
    )
    cleaned = scrubbed_cookie_header(joined) if joined else ""
    if cleaned:
        kept.append((b"cookie", cleaned.encode("latin-1")))
    return kept
