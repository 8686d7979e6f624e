"""The HTTP app the product mounts, and a network runtime like `ccms run` starts, for tests.

- `network`: ObservedChargerEvents (frames shown to the metrics) and a real OcppServer on a
  free port, published as the process's running network (what /healthz and /metrics read).
- `client` / `client_from(address)`: httpx against build_api(), as a given remote address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.api import build_api
from ccms_app.core.events import EventBus
from ccms_app.runtime import NetworkRuntime, ObservedChargerEvents, network_published
from ocpp_server.server import OcppServer


@pytest.fixture
async def network(engine: Engine, event_bus: EventBus) -> AsyncIterator[NetworkRuntime]:
    events = ObservedChargerEvents(event_bus)
    await events.start()
    server = OcppServer(events, response_timeout=5)
    await server.start()
    try:
        with network_published(NetworkRuntime(events=events, server=server)) as runtime:
            yield runtime
    finally:
        await server.stop()
        await events.stop()


def client_from(address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_api(), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://ccms.test")


@pytest.fixture
async def client(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from("127.0.0.1") as http:
        yield http
