"""The driver app's sign-in routes: the only places the driver cookie is set or cleared.

Plain HTML forms post here (the token goes straight into an HttpOnly cookie, never through
Reflex's state), like the operators' login (`accounts.routes`, whose form reading, back-off
and bounded hashing they share). Errors go back to the form's page as a code. The cookie is
`ccms_driver_session` (path /, HttpOnly, SameSite=Lax so a link from the verification mail
arrives signed in, Secure over HTTPS); the database keeps only its hash.

- POST /app/auth/signup: name, email, password -> account + verification mail, signed in.
- POST /app/auth/login, GET|POST /app/auth/logout.
- GET /app/auth/verify?token=: confirms the address (a link in the mail).
- POST /app/auth/forgot: mails a reset link (the answer is the same for unknown addresses).
- POST /app/auth/reset: token + new password.
"""

from __future__ import annotations

import asyncio
import math
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ccms_app.accounts import auth
from ccms_app.accounts.http_gate import client_address, public_route
from ccms_app.accounts.login_guard import MAX_EMAIL_CHARS, LoginBusy, LoginThrottled, login_guard
from ccms_app.accounts.routes import (
    FormTooLargeError,
    hold_refusal,
    is_https,
    next_in_referer,
    read_form,
)
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.core.config import get_settings
from ccms_app.core.i18n import is_language, negotiate, reading_as
from ccms_app.driver_app import driver_accounts, mails
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.http_gate import driver_of
from ccms_app.driver_app.models import TokenPurpose
from ccms_app.driver_app.rules.paths import APP, FORGOT, RESET, SIGN_IN, SIGN_UP, safe_app_next


def _to(path: str, **query: str) -> RedirectResponse:
    kept = {k: v for k, v in query.items() if v}
    return RedirectResponse(f"{path}?{urlencode(kept)}" if kept else path, status_code=303)


def _signed_in(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        DRIVER_SESSION_COOKIE,
        token,
        max_age=get_settings().driver_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


def base_url(request: Request) -> str:
    """Where links in e-mails point: CCMS_PUBLIC_URL, else the address the driver used."""
    public = get_settings().public_url
    return (public or str(request.base_url)).rstrip("/")


async def _form(request: Request) -> dict[str, str] | None:
    try:
        return await read_form(request)
    except (FormTooLargeError, ValueError):
        return None


def _language(request: Request, form: dict[str, str]) -> str:
    chosen = form.get("language", "")
    return chosen if is_language(chosen) else negotiate(request.headers.get("accept-language", ""))


@public_route("driver sign-in form: checks the credentials itself, with back-off")
async def sign_in(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _to(SIGN_IN, error="failed")
    email = form.get("email", "").strip()[:MAX_EMAIL_CHARS]
    password = form.get("password", "")
    target = safe_app_next(form.get("next") or next_in_referer(request))
    if not email or not password:
        return _to(SIGN_IN, error="missing", next=_next(target))
    address = client_address(request)
    try:
        with login_guard.attempt(email, address):
            account = await asyncio.to_thread(driver_accounts.find_account, email)
            try:
                account = await login_guard.hash(driver_accounts.check_password, account, password)
            except auth.AuthenticationError:
                login_guard.failed(email, address)
                raise
    except LoginThrottled as exc:
        await hold_refusal()
        wait = str(max(1, math.ceil(exc.wait_seconds)))
        return _to(SIGN_IN, error="throttled", wait=wait, next=_next(target))
    except LoginBusy:
        await hold_refusal()
        return _to(SIGN_IN, error="busy", next=_next(target))
    except auth.AuthenticationError:
        return _to(SIGN_IN, error="failed", next=_next(target))
    login_guard.succeeded(email)
    token = await asyncio.to_thread(
        driver_accounts.open_session, int(account.id or 0), client_address(request)
    )
    return _signed_in(request, token, target)


def _next(target: str) -> str:
    return "" if target == APP else target


@public_route("driver sign-up form: anyone may open a driver account")
async def sign_up(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _to(SIGN_UP, error="failed")
    language = _language(request, form)
    data = driver_accounts.SignUp(
        name=form.get("name", ""),
        email=form.get("email", "")[:MAX_EMAIL_CHARS],
        password=form.get("password", ""),
        language=language,
    )
    try:
        with reading_as(language):
            link = await asyncio.to_thread(driver_accounts.sign_up, data)
    except DriverAppError as exc:
        code = {"password": "weak"}.get(exc.code, exc.code or "failed")
        return _to(SIGN_UP, error=code, name=data.name[:200], email=data.email)
    await asyncio.to_thread(mails.send_link, link, TokenPurpose.VERIFY_EMAIL, base_url(request))
    token = await asyncio.to_thread(
        driver_accounts.open_session, link.account_id, client_address(request)
    )
    return _signed_in(request, token, f"{APP}?welcome=1")


@public_route("driver sign-out: ends the session the driver cookie names, if any")
async def sign_out(request: Request) -> Response:
    token = request.cookies.get(DRIVER_SESSION_COOKIE, "")
    if token:
        await asyncio.to_thread(driver_accounts.end_session, auth.token_hash(token))
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(
        DRIVER_SESSION_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax"
    )
    return response


@public_route("the link in the verification e-mail: the token is the proof")
async def verify(request: Request) -> Response:
    token = request.query_params.get("token", "")[:100]
    try:
        await asyncio.to_thread(driver_accounts.verify_email, token)
    except DriverAppError:
        return _to(APP, verified="0")
    return _to(APP, verified="1")


@public_route("forgotten password form: mails a link, says the same for unknown addresses")
async def forgot(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _to(FORGOT, error="failed")
    email = form.get("email", "").strip()[:MAX_EMAIL_CHARS]
    address = client_address(request)
    try:
        login_guard.check(email, address)  # a flood of reset mails is throttled like logins
    except LoginThrottled:
        await hold_refusal()
        return _to(FORGOT, sent="1")
    link = await asyncio.to_thread(driver_accounts.password_reset_link, email)
    if link is not None:
        await asyncio.to_thread(
            mails.send_link, link, TokenPurpose.RESET_PASSWORD, base_url(request)
        )
    login_guard.failed(email, address)  # counts as an attempt: at most a few mails a minute
    return _to(FORGOT, sent="1")


@public_route("password reset form: the token from the e-mail is the proof")
async def reset(request: Request) -> Response:
    form = await _form(request)
    token = (form or {}).get("token", "")[:100]
    if form is None or not token:
        return _to(RESET, error="link")
    try:
        with reading_as(_language(request, form)):
            await asyncio.to_thread(driver_accounts.reset_password, token, form.get("password", ""))
    except DriverAppError as exc:
        return _to(RESET, token=token, error="weak" if exc.fields else "link")
    return _to(SIGN_IN, reset="1")


routes = [
    Route("/app/auth/login", sign_in, methods=["POST"]),
    Route("/app/auth/signup", sign_up, methods=["POST"]),
    Route("/app/auth/logout", sign_out, methods=["GET", "POST"]),
    Route("/app/auth/verify", verify, methods=["GET"]),
    Route("/app/auth/forgot", forgot, methods=["POST"]),
    Route("/app/auth/reset", reset, methods=["POST"]),
]

__all__ = ["driver_of", "routes"]
