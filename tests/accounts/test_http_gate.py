"""Every plain HTTP route of the app passes the gate: marked, and enforced over real HTTP.

Each route of `ccms_app.api.build_api()` (what the product mounts) must carry the gate's
mark: `operator_route(module, action)` or `public_route(why)`. A route added later without
one fails `test_every_route_is_marked`, naming it. Each operator route is then called over
HTTP (httpx against the ASGI app) anonymously, with an expired session and with a role
lacking its permission: 401, 401, 403; a role holding just that permission gets past the
gate (the handler answers, here 404 for a file that does not exist).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from starlette.routing import Mount, Route

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.http_gate import GATE_MARK
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.api import build_api
from ccms_app.api.app import PREFIX as REST_PREFIX
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.http_gate import DRIVER_MARK


def routes() -> list[Route]:
    """The plain routes; the REST API's mount has its own gate test (tests/api/test_api_gate)."""
    found = build_api().routes
    rest_api = [r for r in found if isinstance(r, Mount) and r.path == REST_PREFIX]
    others = [r for r in found if not isinstance(r, Route) and r not in rest_api]
    assert not others, f"mounts or websockets need their own gate check: {others}"
    return [r for r in found if isinstance(r, Route)]


def mark(route: Route) -> str:
    return str(getattr(route.endpoint, GATE_MARK, ""))


def method(route: Route) -> str:
    return sorted((route.methods or {"GET"}) - {"HEAD"})[0]


def url(route: Route) -> str:
    """The route's path with each parameter filled (nothing by those names exists)."""
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: f"no-such-{m.group(1)}", route.path)


ROUTES = routes()
OPERATOR_ROUTES = [r for r in ROUTES if mark(r) in ALL_PERMISSIONS]
DRIVER_ROUTES = [r for r in ROUTES if mark(r) == DRIVER_MARK]


def test_every_route_is_marked() -> None:
    unmarked = [f"{method(r)} {r.path} ({r.endpoint.__qualname__})" for r in ROUTES if not mark(r)]
    assert not unmarked, (
        "These HTTP routes bypass the gate: wrap them in operator_route(module, action) or "
        "public_route(why):\n  " + "\n  ".join(unmarked)
    )


def test_the_routes_are_what_the_app_serves() -> None:
    marks = {f"{method(r)} {r.path}": mark(r) for r in ROUTES}
    assert marks["GET /diagnostics/{identity}/{filename}"] == "firmware:view"
    assert marks["GET /firmware/{filename}"].startswith("public: charge points")
    assert marks["GET /billing-documents/{document_id}.pdf"] == "finance:export"
    assert marks["POST /diagnostics/{identity}/{filename}"].startswith("public: charge points")
    assert marks["POST /auth/login"].startswith("public: ")
    assert marks["POST /app/auth/login"].startswith("public: ")
    assert marks["GET /app/manifest.webmanifest"].startswith("public: ")
    assert OPERATOR_ROUTES  # the checks below have something to check


def _login(s, organisation_id: int, email: str, permissions: set[str], expires_in: timedelta):
    role = Role(name=f"Role of {email}", permissions=",".join(sorted(permissions)))
    s.add(role)
    s.flush()
    account = OperatorAccount(
        organisation_id=organisation_id, email=email, password_hash="unused", role_id=role.id
    )
    s.add(account)
    s.flush()
    token = secrets.token_urlsafe(32)
    s.add(
        LoginSession(
            account_id=account.id,
            token_hash=auth.token_hash(token),
            expires_at=utc_now() + expires_in,
        )
    )
    return token


@pytest.fixture
async def client(engine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


@pytest.mark.parametrize("route", OPERATOR_ROUTES, ids=lambda r: f"{method(r)} {r.path}")
async def test_an_operator_route_refuses_whoever_may_not(
    route: Route, client: httpx.AsyncClient, organisation: Organisation
) -> None:
    needed, hour = mark(route), timedelta(hours=1)
    with db.session_scope() as s:
        org = int(organisation.id or 0)
        expired = _login(s, org, "expired@example.com", set(ALL_PERMISSIONS), -hour)
        lacking = _login(s, org, "lacking@example.com", set(ALL_PERMISSIONS) - {needed}, hour)
        holding = _login(s, org, "holding@example.com", {needed}, hour)

    async def call(token: str | None) -> httpx.Response:
        cookies = {SESSION_COOKIE: token} if token else {}
        client.cookies.clear()
        return await client.request(method(route), url(route), cookies=cookies)

    assert (await call(None)).status_code == 401
    assert (await call(expired)).status_code == 401
    assert (await call("made-up-token")).status_code == 401
    refused = await call(lacking)
    assert refused.status_code == 403
    assert "does not allow" in refused.text
    admitted = await call(holding)
    assert admitted.status_code not in (401, 403), admitted.text


@pytest.mark.parametrize("route", DRIVER_ROUTES, ids=lambda r: f"{method(r)} {r.path}")
async def test_a_driver_route_admits_drivers_only(
    route: Route, client: httpx.AsyncClient, organisation: Organisation
) -> None:
    """Anonymous, an operator's login (in either cookie) and a made-up token: 401; a live
    driver sign-in passes the gate (whatever the handler then finds)."""
    with db.session_scope() as s:
        operator = _login(
            s,
            int(organisation.id or 0),
            "ops@example.com",
            set(ALL_PERMISSIONS),
            timedelta(hours=1),
        )
    driver = driver_accounts.sign_up(
        driver_accounts.SignUp("Route Driver", "route-driver@example.com", "lantern orbit tulip x")
    )
    driver_token = driver_accounts.open_session(driver.account_id)

    async def call(cookies: dict[str, str]) -> httpx.Response:
        client.cookies.clear()
        return await client.request(method(route), url(route), cookies=cookies)

    assert (await call({})).status_code == 401
    assert (await call({SESSION_COOKIE: operator})).status_code == 401
    assert (await call({DRIVER_SESSION_COOKIE: operator})).status_code == 401
    assert (await call({DRIVER_SESSION_COOKIE: "made-up-token"})).status_code == 401
    assert (await call({DRIVER_SESSION_COOKIE: driver_token})).status_code != 401
