"""The gate for plain HTTP routes: the same session, permission and scope checks as events.

Every route handler is wrapped by one of these; the enumeration test finds a handler
without the marker and fails:
- `operator_route(module, action)`: the login cookie must name a live session whose role
  holds the permission; the handler gets the Principal as `request.state.principal`.
- `public_route(why)`: no login by design (a charger fetching firmware, the login form
  itself); the reason is kept for the test's listing and for reviewers.
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

Endpoint = Callable[[Request], Awaitable[Response]]
GATE_MARK = "__ccms_gate__"


async def principal_of(request: Request) -> Principal | None:
    """Who the request's login cookie names, read from the database now; None if nobody."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return await asyncio.to_thread(principal_for_session, token_hash(token)) if token else None


def operator_route(module: Module, action: Action = Action.VIEW) -> Callable[[Endpoint], Endpoint]:
    needed = permission(module, action)

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def gated(request: Request) -> Response:
            principal = await principal_of(request)
            if principal is None:
                return PlainTextResponse("Log in to CCMS first.", status_code=401)
            if needed not in principal.permissions:
                return PlainTextResponse(
                    f"Your role ({principal.role_name}) does not allow this.", status_code=403
                )
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
            return PlainTextResponse("Log in to CCMS first.", status_code=401)
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
