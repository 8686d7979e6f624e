"""Protocol-level fixtures: the real OcppServer with an in-memory sink (no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpp_server.server import OcppServer
from tests.ocpp_server.fakes import RecordingSink


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def fake_server(sink: RecordingSink) -> AsyncIterator[OcppServer]:
    server = OcppServer(sink, response_timeout=5, close_timeout=1)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def fake_url(fake_server: OcppServer) -> str:
    return f"ws://127.0.0.1:{fake_server.port}/ocpp"
