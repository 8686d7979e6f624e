"""The gate for plain HTTP routes: the same session, permission and scope checks as events.

Every route handler is wrapped by one of these; the enumeration test finds a handler
without the marker and fails:
- `operator_route(module, action)`: the login cookie must name a live session whose role
  holds the permission; the handler gets the Principal as `request.state.principal`.
- `public_route(why)`: no login by design (a charger fetching firmware, the login form
  itself); the reason is kept for the test's listing and for reviewers.

A refusal is worded in the reader's language: the account's, else the browser's
(Accept-Language).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ccms_app.accounts.auth import SESSION_COOKIE, token_hash
from ccms_app.accounts.principals import Principal, principal_for_session
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.i18n import is_language, negotiate, reading_as, tr

Endpoint = Callable[[Request], Awaitable[Response]]
GATE_MARK = "__ccms_gate__"


async def principal_of(request: Request) -> Principal | None:
    """Who the request's login cookie names, read from the database now; None if nobody."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return await asyncio.to_thread(principal_for_session, token_hash(token)) if token else None


def reader_of(request: Request, principal: Principal | None) -> str:
    """The language to answer in: the account's choice, else the browser's."""
    if principal is not None and principal.language and is_language(principal.language):
        return principal.language
    return negotiate(request.headers.get("accept-language", ""))


def _not_signed_in(request: Request) -> Response:
    with reading_as(reader_of(request, None)):
        return PlainTextResponse(tr("Log in to CCMS first."), status_code=401)


def _not_allowed(request: Request, principal: Principal) -> Response:
    with reading_as(reader_of(request, principal), principal.organisation_id):
        role = tr(principal.role_name)  # a built-in role's name is a message id
        text = tr("Your role ({role}) does not allow this.", role=role)
    return PlainTextResponse(text, status_code=403)


def operator_route(module: Module, action: Action = Action.VIEW) -> Callable[[Endpoint], Endpoint]:
    needed = permission(module, action)

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def gated(request: Request) -> Response:
            principal = await principal_of(request)
            if principal is None:
                return _not_signed_in(request)
            if needed not in principal.permissions:
                return _not_allowed(request, principal)
            request.state.principal = principal
            return await endpoint(request)

        setattr(gated, GATE_MARK, needed)
        return gated

    return wrap


SIGNED_IN_MARK = "signed_in"


def signed_in_route(endpoint: Endpoint) -> Endpoint:
    """Any live login; the handler decides the rest from `request.state.principal` (an export
    ticket says which permission and which session it was issued to)."""

    @functools.wraps(endpoint)
    async def gated(request: Request) -> Response:
        principal = await principal_of(request)
        if principal is None:
            return _not_signed_in(request)
        request.state.principal = principal
        return await endpoint(request)

    setattr(gated, GATE_MARK, SIGNED_IN_MARK)
    return gated


def public_route(why: str) -> Callable[[Endpoint], Endpoint]:
    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, GATE_MARK, f"public: {why}")
        return endpoint

    return mark


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
