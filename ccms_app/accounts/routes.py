"""POST /auth/login and GET /auth/logout: the only places the session cookie is set.

The login form posts here (a plain form: the token goes straight into an HttpOnly cookie and
never passes through Reflex's state). Errors go back to /login as a code, never as text from
the request. What an attempt may cost (back-off, bounded hashing): `login_guard`. A refused
attempt costs no thread and no database write (one security event a minute per address)
and is answered a second late, which slows a flood down at no cost to the server. The body
is read up to `MAX_FORM_BYTES` whatever the request says its length is, so a large or
endless body costs no more than a small one.
"""

from __future__ import annotations

import asyncio
import math
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ccms_app.accounts import audit, auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.http_gate import client_address, public_route
from ccms_app.accounts.login_guard import (
    MAX_EMAIL_CHARS,
    LoginBusy,
    LoginThrottled,
    login_guard,
)
from ccms_app.accounts.rules.passwords import MAX_PASSWORD_LENGTH
from ccms_app.accounts.rules.redirects import LOGIN_ROUTE, safe_next
from ccms_app.core.config import get_settings
from ccms_app.network.security_events import SecurityEventKind, ThrottledRecorder

MAX_FORM_BYTES = 8 * 1024
MAX_FORM_FIELDS = 10
REPORT_WINDOW_SECONDS = 60.0  # at most one throttled-login security event per address
_MAX_REPORTED_ADDRESSES = 10_000
# A login refused unchecked (throttled, busy) is answered this late: a client that waits for
# its answers (a browser, most flood tools) then sends a few attempts a second, not
# hundreds. Held answers cost a timer each; past MAX_HELD they are answered at once.
REFUSAL_DELAY_SECONDS = 1.0
MAX_HELD = 1024


class FormTooLargeError(Exception):
    pass


class _RefusalReports:
    """Counts refused (throttled) logins per address on the event loop, so that a refusal
    costs neither a thread nor a database write: one in a window is reported, with the
    number refused since the last report."""

    def __init__(self, window: float = REPORT_WINDOW_SECONDS) -> None:
        self._window = window
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def due(self, address: str) -> int | None:
        """The refusals not reported yet when this one is to be reported, else None."""
        now = time.monotonic()
        last = self._last.get(address)
        if last is not None and now - last < self._window:
            self._since[address] = self._since.get(address, 0) + 1
            return None
        if len(self._last) >= _MAX_REPORTED_ADDRESSES:
            self._last.clear()  # bounded memory under a flood of addresses
            self._since.clear()
        self._last[address] = now
        return self._since.pop(address, 0)


class _Tarpit:
    """Holds refused answers for REFUSAL_DELAY_SECONDS, at most MAX_HELD at a time."""

    def __init__(self) -> None:
        self.held = 0

    async def hold(self) -> None:
        if self.held >= MAX_HELD:
            return
        self.held += 1
        try:
            await asyncio.sleep(REFUSAL_DELAY_SECONDS)
        finally:
            self.held -= 1


_security_log = ThrottledRecorder()
_refusals = _RefusalReports()
_tarpit = _Tarpit()


@public_route("the login form: checks the credentials itself, with back-off")
async def login(request: Request) -> Response:
    address = client_address(request)
    try:
        form = await read_form(request)
    except (FormTooLargeError, ValueError):
        return _back_to_login("failed", "")
    email = form.get("email", "").strip()[:MAX_EMAIL_CHARS]
    password = form.get("password", "")
    next_path = safe_next(form.get("next") or next_in_referer(request))
    if not email or not password:
        return _back_to_login("missing", next_path)
    if len(password) > MAX_PASSWORD_LENGTH:  # no account has one: never worth hashing
        password = ""
    try:
        checked = await _check(email, password, address)
    except LoginThrottled as exc:
        wait = max(1, math.ceil(exc.wait_seconds))
        unreported = _refusals.due(address)
        if unreported is not None:
            more = f" (+{unreported} refused before from this address)" if unreported else ""
            await asyncio.to_thread(
                _security_log.record,
                email[:200],
                address,
                SecurityEventKind.LOGIN_THROTTLED,
                f"login refused unchecked: wait {wait} s{more}",
            )
        await _tarpit.hold()
        return _back_to_login("throttled", next_path, wait=wait)
    except LoginBusy:
        await _tarpit.hold()
        return _back_to_login("busy", next_path)
    except auth.AuthenticationError:
        await asyncio.to_thread(_record_failure, email, address)
        return _back_to_login("failed", next_path)
    login_guard.succeeded(email)
    await asyncio.to_thread(auth.store_upgraded_hash, checked)
    account = checked.account
    token = await asyncio.to_thread(auth.open_session, account, address)
    await asyncio.to_thread(
        audit.record,
        audit.Actor(account.id, account.organisation_id, account.email, address),
        "login",
        object_type="account",
        object_id=account.id or "",
    )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=get_settings().session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )
    return response


async def _check(email: str, password: str, address: str) -> auth.VerifiedLogin:
    """Admitted by the guard: read the account, then Argon2 on the hashing threads."""
    with login_guard.attempt(email, address):
        account = await asyncio.to_thread(auth.find_login_account, email)
        try:
            if not password:
                raise auth.AuthenticationError()
            return await login_guard.hash(auth.verify_login, account, password)
        except auth.AuthenticationError:
            login_guard.failed(email, address)
            raise


@public_route("log out: ends the session the cookie names, if any")
async def logout(request: Request) -> Response:
    await asyncio.to_thread(auth.end_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(LOGIN_ROUTE, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="strict"
    )
    return response


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (urlencoded, as the login page posts it; the last value of a
    repeated name), from at most MAX_FORM_BYTES of body (the driver app's forms too)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLargeError
    text = body.decode("utf-8", errors="replace")
    return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))


def _record_failure(email: str, address: str) -> None:
    _security_log.record(
        email[:200], address, SecurityEventKind.LOGIN_FAILED, "wrong email or password"
    )
    audit.record(
        audit.Actor(None, None, email[:320], address),
        "login_failed",
        object_type="account",
        outcome="refused",
    )


def next_in_referer(request: Request) -> str:
    """The `next` of the sign-in page the form was posted from: a form sent before the page
    had filled its hidden field (a password manager submits at once; the page's state may
    still be on its way) still lands where it was going. Used by both sign-in forms."""
    query = urlsplit(request.headers.get("referer", "")).query
    return dict(parse_qsl(query)).get("next", "")


def _back_to_login(error: str, next_path: str, wait: int | None = None) -> Response:
    query = {"error": error}
    if next_path and next_path != "/":
        query["next"] = next_path
    if wait is not None:
        query["wait"] = str(wait)
    return RedirectResponse(f"{LOGIN_ROUTE}?{urlencode(query)}", status_code=303)


async def hold_refusal() -> None:
    """Answer a refused (throttled, busy) attempt a second late, as the login does."""
    await _tarpit.hold()


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["GET", "POST"]),
]
