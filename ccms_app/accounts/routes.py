"""POST /auth/login and GET /auth/logout: the only places the session cookie is set.

The login form posts here (a plain form: the token goes straight into an HttpOnly cookie and
never passes through Reflex's state). Errors go back to /login as a code, never as text from
the request. Back-off and bounded hashing: `login_guard`.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ccms_app.accounts import audit, auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.http_gate import client_address, public_route
from ccms_app.accounts.login_guard import LoginBusy, LoginThrottled, login_guard
from ccms_app.accounts.rules.redirects import LOGIN_ROUTE, safe_next
from ccms_app.core.config import get_settings
from ccms_app.network.security_events import SecurityEventKind, ThrottledRecorder

log = logging.getLogger(__name__)

_security_log = ThrottledRecorder()
MAX_FORM_BYTES = 8 * 1024


@public_route("the login form: checks the credentials itself, with back-off")
async def login(request: Request) -> Response:
    address = client_address(request)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return _back_to_login("failed", "")
    async with request.form(max_files=0, max_fields=10) as form:
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        next_path = safe_next(str(form.get("next", "")))
    if not email or not password:
        return _back_to_login("missing", next_path)
    try:
        login_guard.check(email, address)
        async with await login_guard.hashing_slot():
            account = await asyncio.to_thread(auth.check_credentials, email, password)
    except LoginThrottled as exc:
        await asyncio.to_thread(
            _security_log.record,
            email[:200],
            address,
            SecurityEventKind.LOGIN_THROTTLED,
            f"login refused unchecked: wait {exc.wait_seconds:.0f} s",
        )
        return _back_to_login("throttled", next_path, wait=round(exc.wait_seconds))
    except LoginBusy:
        return _back_to_login("busy", next_path)
    except auth.AuthenticationError:
        login_guard.failed(email, address)
        await asyncio.to_thread(_record_failure, email, address)
        return _back_to_login("failed", next_path)
    login_guard.succeeded(email)
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
        secure=_is_https(request),
        path="/",
    )
    return response


@public_route("log out: ends the session the cookie names, if any")
async def logout(request: Request) -> Response:
    await asyncio.to_thread(auth.end_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(LOGIN_ROUTE, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


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


def _back_to_login(error: str, next_path: str, wait: int | None = None) -> Response:
    query = {"error": error}
    if next_path and next_path != "/":
        query["next"] = next_path
    if wait is not None:
        query["wait"] = str(wait)
    return RedirectResponse(f"{LOGIN_ROUTE}?{urlencode(query)}", status_code=303)


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["GET", "POST"]),
]
