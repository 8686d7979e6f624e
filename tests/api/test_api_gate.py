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
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation, Role
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS, format_permissions
from ccms_app.api.app import build_rest_api
from ccms_app.api.deps import GATE_MARK
from ccms_app.api.routes import ROUTERS
from ccms_app.core import db
from tests.api.rest import Keys, bearer, serving


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
pytestmark = pytest.mark.runs_long  # some 300 routes: scheduled early


def test_every_route_declares_its_gate() -> None:
    ungated = [label(r) for r in ROUTES if len(set(_gates(r.dependant))) != 1]
    assert not ungated, (
        "These REST routes have no API key gate (or more than one): add a parameter "
        "Annotated[ApiCaller, gate(Module, Action)]:\n  " + "\n  ".join(ungated)
    )
    assert len(ROUTES) >= 7  # the checks below have something to check


def _url(route: APIRoute) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", "987654", route.path)


@pytest.fixture(scope="module")
def gate_engine(module_database_url: str) -> Iterator[Engine]:
    """One database for every route: the checks only read, or write nothing another reads."""
    engine = db.make_engine(module_database_url)
    db.set_engine(engine)
    yield engine
    db.set_engine(None)
    engine.dispose()


class GateKeys:
    """Keys of the test operator, made once per permission and reused by every route that
    needs it: a revoked one, one lacking a permission, one holding only it."""

    def __init__(self, organisation_id: int) -> None:
        self._keys = Keys(organisation_id)
        self.revoked = self._keys.revoked()
        self._made: dict[tuple[str, bool], str] = {}

    def lacking(self, permission: str) -> str:
        return self._with(permission, only=False)

    def only(self, permission: str) -> str:
        return self._with(permission, only=True)

    def _with(self, permission: str, only: bool) -> str:
        if (permission, only) not in self._made:
            held = {permission} if only else set(ALL_PERMISSIONS) - {permission}
            name = f"{'Only' if only else 'All but'} {permission}"
            with db.session_scope() as session:
                session.add(
                    Role(
                        name=name,
                        organisation_id=self._keys.organisation_id,
                        permissions=format_permissions(held),
                    )
                )
            self._made[permission, only] = self._keys.make(name)
        return self._made[permission, only]


@pytest.fixture(scope="module")
def gate_keys(gate_engine: Engine) -> GateKeys:
    with db.session_scope() as session:
        operator = Organisation(name="Gate Test Operator")
        session.add(operator)
        session.flush()
        operator_id = operator.id or 0
    return GateKeys(operator_id)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gate_rest(gate_engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """One server for the module's some 300 routes (a server per route took minutes)."""
    async with serving() as url, httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=10) as http:
        yield http


async def _call(rest: httpx.AsyncClient, route: APIRoute, key: str | None) -> httpx.Response:
    method = sorted(route.methods)[0]
    headers = bearer(key) if key else {}
    body: Any = {} if method in {"POST", "PUT", "PATCH"} else None
    return await rest.request(method, _url(route), json=body, headers=headers)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("route", ROUTES, ids=label)
async def test_the_gate_refuses_and_lets_through(
    route: APIRoute, gate_rest: httpx.AsyncClient, gate_keys: GateKeys
) -> None:
    (needed,) = set(_gates(route.dependant))
    assert (await _call(gate_rest, route, None)).status_code == 401
    assert (await _call(gate_rest, route, gate_keys.revoked)).status_code == 401
    refused = await _call(gate_rest, route, gate_keys.lacking(needed))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    passed = await _call(gate_rest, route, gate_keys.only(needed))
    assert passed.status_code not in (401, 403), passed.text
