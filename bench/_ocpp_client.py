"""A lean OCPP-J 1.6 charger connection for the load generator: websockets' Sans-I/O protocol
on a plain asyncio.Protocol, raw JSON frames, no `ocpp` library.

Why not websockets' asyncio client: the generator must out-run the server it measures on one
core, and the Sans-I/O protocol (framing and masking in websockets' C speedups) with one future
per CALL costs a fraction of a task-per-connection client.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

try:  # orjson when installed: the client must not be the bottleneck
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    loads: Callable[[Any], Any] = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _encoder = json.JSONEncoder(separators=(",", ":"))

    def dumps(value: Any) -> bytes:
        return _encoder.encode(value).encode()

    loads = json.loads

SUBPROTOCOL = Subprotocol("ocpp1.6")
CALL, CALLRESULT, CALLERROR = 2, 3, 4


class CallError(Exception):
    """The server answered a CALL with a CALLERROR."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


class ConnectionGone(Exception):
    """The websocket closed while a CALL was waiting for its answer."""


class ChargerConnection(asyncio.Protocol):
    """One charger's websocket: `call()` sends a CALL and returns the CALLRESULT payload."""

    def __init__(self, url: str) -> None:
        self._ws = ClientProtocol(parse_uri(url), subprotocols=[SUBPROTOCOL])
        self._request = self._ws.connect()
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._transport: asyncio.Transport | None = None
        self.server_calls = 0  # CALLs the server sent us (answered with an empty CALLRESULT)
        self.protocol_errors = 0  # frames we could not make sense of

    # --- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._ws.send_request(self._request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        self._ws.receive_data(data)
        for event in self._ws.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self._on_text(event.data)
            elif isinstance(event, Response) and not self.opened.done():
                if self._ws.handshake_exc is not None:
                    self.opened.set_exception(self._ws.handshake_exc)
                else:
                    self.opened.set_result(None)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionGone(str(exc or "closed before the handshake")))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionGone("websocket closed"))
        self._pending.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    # --- OCPP-J ----------------------------------------------------------------------------

    def call(self, action: str, payload: dict[str, Any]) -> asyncio.Future[Any]:
        """Send a CALL; the future resolves to the CALLRESULT payload (CallError on CALLERROR)."""
        unique_id = str(next(self._ids))
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending[unique_id] = future
        self._ws.send_text(dumps([CALL, unique_id, action, payload]))
        self._flush()
        return future

    def _on_text(self, data: bytes | bytearray | memoryview) -> None:
        try:
            message = loads(data)
            kind = message[0]
        except (ValueError, IndexError, TypeError):
            self.protocol_errors += 1
            return
        if kind == CALL:  # a command from the CSMS: accept it so it does not time out
            self.server_calls += 1
            self._ws.send_text(dumps([CALLRESULT, message[1], {"status": "Accepted"}]))
            return
        future = self._pending.pop(message[1], None)
        if future is None or future.done():
            self.protocol_errors += 1
        elif kind == CALLRESULT:
            future.set_result(message[2])
        elif kind == CALLERROR:
            future.set_exception(CallError(str(message[2]), str(message[3])))
        else:
            self.protocol_errors += 1

    def _flush(self) -> None:
        transport = self._transport
        if transport is None:
            return
        for chunk in self._ws.data_to_send():
            if chunk:
                transport.write(chunk)
            elif transport.can_write_eof():
                transport.write_eof()

    async def close(self, timeout: float = 2.0) -> None:
        """Close the websocket cleanly (close frame), then the TCP connection."""
        if self._transport is None or self.closed.done():
            return
        try:
            self._ws.send_close(1000)
            self._flush()
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        except (TimeoutError, Exception):
            pass
        finally:
            self._transport.close()


async def open_charger(
    host: str, port: int, identity: str, timeout: float = 30.0
) -> ChargerConnection:
    """Open ws://host:port/ocpp/<identity> offering ocpp1.6 and wait for the handshake."""
    loop = asyncio.get_running_loop()
    url = f"ws://{host}:{port}/ocpp/{identity}"
    _, connection = await asyncio.wait_for(
        loop.create_connection(lambda: ChargerConnection(url), host, port), timeout
    )
    try:
        await asyncio.wait_for(connection.opened, timeout)
    except BaseException:
        if connection._transport is not None:
            connection._transport.close()
        raise
    return connection
