"""Every REST route passes the API key gate: declared, and enforced over real HTTP.

Each route of the REST API must depend on `api.deps.gate(module, action)`; a route added
without it fails `test_every_route_declares_its_gate`, naming it. Every route is then
called over HTTP without a key, with a revoked key, and with a key whose role holds every
permission but the route's: 401, 401, 403. A key whose role holds only that permission gets
past the gate (the route answers something else: 404 for ids that do not exist, 422 for an
empty body, ...).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ccms_app.accounts.models import Organisation, Role
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS, format_permissions
from ccms_app.api.app import build_rest_api
from ccms_app.api.deps import GATE_MARK
from ccms_app.api.routes import ROUTERS
from ccms_app.core import db
from tests.api.rest import Keys, bearer, keys, rest, served

__all__ = ["keys", "rest", "served"]


def _gates(dependant: Dependant) -> list[str]:
    found = [getattr(dependant.call, GATE_MARK, None)]
    for sub in dependant.dependencies:
        found += _gates(sub)
    return [g for g in found if g]


def api_routes() -> list[APIRoute]:
    """Every route of every router the REST API includes (and it includes nothing else)."""
    app = build_rest_api()
    included = [getattr(r, "original_router", None) for r in app.routes]
    assert [r for r in included if r is not None] == ROUTERS
    assert not [r for r in app.routes if isinstance(r, APIRoute)]  # none outside a router
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def label(route: APIRoute) -> str:
    return f"{sorted(route.methods)[0]} {route.path}"


ROUTES = api_routes()
pytestmark = pytest.mark.runs_long  # some 300 routes, a server each: ~2 min, scheduled early


def test_every_route_declares_its_gate() -> None:
    ungated = [label(r) for r in ROUTES if len(set(_gates(r.dependant))) != 1]
    assert not ungated, (
        "These REST routes have no API key gate (or more than one): add a parameter "
        "Annotated[ApiCaller, gate(Module, Action)]:\n  " + "\n  ".join(ungated)
    )
    assert len(ROUTES) >= 7  # the checks below have something to check


def _url(route: APIRoute) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", "987654", route.path)


def _key_with(keys: Keys, organisation_id: int, permissions: set[str]) -> str:
    with db.session_scope() as session:
        role = Role(
            name=f"Only {len(permissions)} {sorted(permissions)[:1]}",
            organisation_id=organisation_id,
            permissions=format_permissions(permissions),
        )
        session.add(role)
        session.flush()
        name = role.name
    return keys.make(name, organisation_id)


async def _call(rest: httpx.AsyncClient, route: APIRoute, key: str | None) -> httpx.Response:
    method = sorted(route.methods)[0]
    headers = bearer(key) if key else {}
    body: Any = {} if method in {"POST", "PUT", "PATCH"} else None
    return await rest.request(method, _url(route), json=body, headers=headers)


@pytest.mark.parametrize("route", ROUTES, ids=label)
async def test_the_gate_refuses_and_lets_through(
    route: APIRoute, rest: httpx.AsyncClient, keys: Keys, organisation: Organisation
) -> None:
    (needed,) = set(_gates(route.dependant))
    assert (await _call(rest, route, None)).status_code == 401
    assert (await _call(rest, route, keys.revoked())).status_code == 401
    lacking = _key_with(keys, keys.organisation_id, set(ALL_PERMISSIONS) - {needed})
    refused = await _call(rest, route, lacking)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    only = _key_with(keys, keys.organisation_id, {needed})
    passed = await _call(rest, route, only)
    assert passed.status_code not in (401, 403), passed.text
