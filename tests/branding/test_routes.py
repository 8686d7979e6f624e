"""GET /brand/{organisation_id}/logo, .../favicon and /brand/favicon over HTTP (httpx on the
ASGI app): public, images only, cached for a year only under the current version."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from ccms_app.accounts.http_gate import GATE_MARK
from ccms_app.api import build_api
from ccms_app.branding import brands, routes
from ccms_app.branding.models import Brand
from ccms_app.branding.rules.uploads import ImageKind
from ccms_app.core import db
from tests.branding.support import Network, caller, network, png


@pytest.fixture
def net(engine) -> Network:
    return network()


@pytest.fixture
async def client(engine) -> AsyncIterator[httpx.AsyncClient]:
    """The brand's routes as the product mounts them (build_api), or on their own while
    they are not mounted yet (see test_the_routes_are_mounted_and_declared_public)."""
    mounted = _brand_paths(build_api().routes)
    app = build_api() if mounted else Starlette(routes=routes.routes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


def _brand_paths(found: list) -> set[str]:
    return {r.path for r in found if isinstance(r, Route) and r.path.startswith("/brand/")}


def test_the_routes_are_mounted_and_declared_public() -> None:
    """The HTTP gate's enumeration (tests/accounts/test_http_gate.py) covers them once they
    are in build_api(); each carries the public mark with its reason."""
    for route in routes.routes:
        assert str(getattr(route.endpoint, GATE_MARK, "")).startswith("public: "), route.path
    assert _brand_paths(build_api().routes) == {r.path for r in routes.routes}, (
        "mount ccms_app.branding.routes in ccms_app/api/__init__.py (build_api)"
    )


async def test_a_logo_is_served_to_anyone_with_safe_headers(
    net: Network, client: httpx.AsyncClient
) -> None:
    data = png()
    brands.store_image(caller(net.root), ImageKind.LOGO, data)
    reply = await client.get(f"/brand/{net.root}/logo?v=1")
    assert reply.status_code == 200
    assert reply.content == data
    assert reply.headers["content-type"] == "image/png"
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in reply.headers


async def test_an_old_or_missing_version_is_not_cached_for_long(
    net: Network, client: httpx.AsyncClient
) -> None:
    brands.store_image(caller(net.root), ImageKind.LOGO, png())
    brands.store_image(caller(net.root), ImageKind.LOGO, png(colour=(200, 0, 0)))  # version 2
    for url in (f"/brand/{net.root}/logo?v=1", f"/brand/{net.root}/logo"):
        reply = await client.get(url)
        assert reply.status_code == 200
        assert reply.headers["cache-control"] == "public, max-age=60"


async def test_no_image_no_organisation_or_nonsense_is_404(
    net: Network, client: httpx.AsyncClient
) -> None:
    for url in (
        f"/brand/{net.sub}/logo",  # no own logo (the root's has its own URL)
        "/brand/999999/logo",
        "/brand/abc/logo",
        "/brand/-1/favicon",
        f"/brand/{'9' * 40}/logo",
    ):
        assert (await client.get(url)).status_code == 404, url


async def test_only_checked_image_types_are_served(net: Network, client: httpx.AsyncClient) -> None:
    """A row written around the upload check (an old import, a hand edit) is never served
    as something a browser would run."""
    with db.session_scope() as s:
        s.add(Brand(organisation_id=net.root, logo=b"<svg/>", logo_type="image/svg+xml"))
    assert (await client.get(f"/brand/{net.root}/logo")).status_code == 404


async def test_favicons(net: Network, client: httpx.AsyncClient) -> None:
    default = await client.get("/brand/favicon")
    assert default.status_code == 200
    assert default.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in default.content
    icon = png(64, 64)
    brands.store_image(caller(net.root), ImageKind.FAVICON, icon)
    root = await client.get("/brand/favicon")
    assert root.content == icon and root.headers["content-type"] == "image/png"
    assert root.headers["x-content-type-options"] == "nosniff"
    own = await client.get(f"/brand/{net.root}/favicon?v=1")
    assert own.content == icon and "immutable" in own.headers["cache-control"]
