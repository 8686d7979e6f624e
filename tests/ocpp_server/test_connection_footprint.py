"""What one open charge point connection keeps (10,000 are held at once: issue 8's < 20 KB
each): the routing table is shared, the handshake's headers are let go once the websocket is
open, connections have no per-instance __dict__, and a command still works afterwards."""

from __future__ import annotations

import asyncio
import json

from ocpp.v16 import call, call_result

from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import eventually, open_websocket
from tests.ocpp_server.fakes import RecordingSink


async def test_open_connections_share_routes_and_drop_handshake_headers(
    sink: RecordingSink,
) -> None:
    server = OcppServer(sink)
    await server.start()
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    try:
        async with open_websocket(url, "CP-1") as one, open_websocket(url, "CP-2") as two:
            await eventually(lambda: server.connected_identities() == {"CP-1", "CP-2"})
            first, second = server._connections["CP-1"], server._connections["CP-2"]
            assert first._routes is second._routes
            assert not hasattr(first, "__dict__")
            for connection in (first, second):
                websocket = connection._ws
                assert websocket.request is not None and not websocket.request.headers
                assert websocket.response is None
            assert first.info.extra == {"path": "/ocpp/CP-1"}
            assert first.info.subprotocol == "ocpp1.6"
            await one.send(json.dumps([2, "hb", "Heartbeat", {}]))
            assert json.loads(await one.recv())[0] == 3
            command = asyncio.create_task(server.send("CP-2", call.ClearCache(), timeout=5))
            request = json.loads(await asyncio.wait_for(two.recv(), 5))
            assert request[2] == "ClearCache"
            await two.send(json.dumps([3, request[1], {"status": "Accepted"}]))
            assert await command == call_result.ClearCache(status="Accepted")
    finally:
        await server.stop()
