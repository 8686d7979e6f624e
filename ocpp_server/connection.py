"""One charge point's connection, CSMS side: CCMS's own OCPP-J RPC connection
(ocpp_server.rpc.connection.RpcConnection) with the OCPP 1.6 routing table
(ocpp_server.v16.routes) and the charge point's lifecycle towards the sink.

No part of the ocpp library's ChargePoint class is used: the library's dataclasses, enums and
JSON schemas are, through ocpp_server.v16. What the RPC layer guarantees (1.6 CALLERROR
spellings, NotImplemented vs NotSupported, FormationViolation for lone surrogates, the reply
cache for a resent CALL, one future per CALL of ours, no frame ending the connection) is listed
in ocpp_server.rpc.connection.

Lifecycle: `announce` reports the charge point connected before any frame is read;
`report_disconnected` reports it gone exactly once, and only after `announce`; `retire`
does that at once when the same identity connected again, closing the old socket in the
background.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from websockets.asyncio.server import ServerConnection

from ocpp_server.ports import (
    ChargerEventSink,
    ChargerOfflineError,
    CommandCallError,
    ConnectionInfo,
)
from ocpp_server.rpc.connection import RpcConnection
from ocpp_server.rpc.protocol import ProtocolVersion, Routes
from ocpp_server.v16.routes import routes_for
from ocpp_server.v16.version import V16

log = logging.getLogger(__name__)


class ChargePointConnection(RpcConnection):
    """The CSMS end of one charge point's websocket.

    `routes` is the version's routing table bound to `sink`; the server builds it once and
    shares it between its connections (one table per connection was ~2 KB each).
    """

    __slots__ = ("_announced", "_lifecycle", "_reported", "_retired", "_sink")

    def __init__(
        self,
        identity: str,
        websocket: ServerConnection,
        sink: ChargerEventSink,
        response_timeout: float = 30,
        remote_address: str = "",
        version: ProtocolVersion = V16,
        routes: Routes | None = None,
    ) -> None:
        super().__init__(
            identity,
            websocket,
            version,
            routes if routes is not None else routes_for(sink),
            sink,
            response_timeout=response_timeout,
            remote_address=remote_address,
        )
        self._sink = sink
        self._lifecycle = asyncio.Lock()
        self._announced = False
        self._reported = False
        self._retired = False

    @property
    def info(self) -> ConnectionInfo:
        request = self._ws.request
        return ConnectionInfo(
            identity=self.id,
            remote_address=self.remote_address,
            subprotocol=self._ws.subprotocol or "",
            extra={"path": request.path if request else ""},
        )

    @property
    def announced(self) -> bool:
        return self._announced

    @property
    def is_open(self) -> bool:
        return not self._closed and not self._retired

    async def close(self, code: int, reason: str) -> None:
        await self._ws.close(code, reason)

    async def announce(self) -> bool:
        """Tell the sink the charge point is connected; False if it was replaced meanwhile."""
        async with self._lifecycle:
            if self._retired:
                return False
            self._announced = True
            await self._sink.connected(self.info)
            return True

    async def report_disconnected(self, reason: str) -> None:
        """Tell the sink the charge point is gone: exactly once, and only after `announce`."""
        self._retired = True
        async with self._lifecycle:
            if not self._announced or self._reported:
                return
            self._reported = True
            try:
                await self._sink.disconnected(self.id, reason)
            except Exception:
                log.error(
                    "sink failed to record a disconnect",
                    exc_info=True,
                    extra={"identity": self.id, "reason": reason},
                )

    async def retire(self, reason: str) -> asyncio.Task[None]:
        """Report this connection gone now and close its websocket in the background.

        Used when the same identity connects again: the old socket is often half-dead (that is
        why the charger reconnected), and its closing handshake must not delay the new one.
        """
        self._retired = True
        closing = asyncio.create_task(self._ws.close(1000, reason[:120]))
        await self.report_disconnected(reason)
        return closing

    async def send_command(self, request: Any, timeout: float | None = None) -> Any:
        """Send a v16 `call.*` request and return the `call_result.*` reply (see CommandPort).

        Raises ChargerOfflineError, CommandTimeoutError, CommandCallError, or ValueError when
        the request itself breaks the schema (a programming error: nothing is sent).
        """
        if not self.is_open:
            raise ChargerOfflineError(self.id)
        action, payload = self._version.request_to_call(request)
        reply = await self.call(action, payload, timeout)
        try:
            return self._version.typed_result(action, reply)
        except TypeError as exc:
            raise CommandCallError(
                "FormationViolation", f"invalid reply from charge point: {exc}"
            ) from None
