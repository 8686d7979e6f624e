"""The driver app's side of the HTTP gate: `driver_route` admits a signed-in driver only.

It reads the driver's own cookie (never the operator's), checks the session in the database
on every request and hands the handler the `DriverPrincipal` as `request.state.driver`.
The route enumeration test (tests/accounts/test_http_gate.py) knows the mark.
"""

from __future__ import annotations

import asyncio
import functools

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ccms_app.accounts.auth import token_hash
from ccms_app.accounts.http_gate import GATE_MARK, Endpoint
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.core.i18n import negotiate, reading_as, tr
from ccms_app.driver_app.driver_accounts import DriverPrincipal, principal_for_session

DRIVER_MARK = "driver"


async def driver_of(request: Request) -> DriverPrincipal | None:
    token = request.cookies.get(DRIVER_SESSION_COOKIE, "")
    return await asyncio.to_thread(principal_for_session, token_hash(token)) if token else None


def reader_of(request: Request, driver: DriverPrincipal | None) -> str:
    if driver is not None and driver.language:
        return driver.language
    return negotiate(request.headers.get("accept-language", ""))


def driver_route(endpoint: Endpoint) -> Endpoint:
    @functools.wraps(endpoint)
    async def gated(request: Request) -> Response:
        driver = await driver_of(request)
        if driver is None:
            with reading_as(reader_of(request, None)):
                return PlainTextResponse(tr("Sign in to the app first."), status_code=401)
        request.state.driver = driver
        with reading_as(reader_of(request, driver), driver.organisation_id):
            return await endpoint(request)

    setattr(gated, GATE_MARK, DRIVER_MARK)
    return gated
