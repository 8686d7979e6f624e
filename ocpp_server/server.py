"""The OCPP 1.6J websocket server: accepts charge points, routes CSMS commands to them.

Liveness: websockets sends a ping every `ping_interval` seconds and fails the connection when
no pong comes within `ping_timeout`; after failing it websockets waits up to `close_timeout`
for the TCP connection to end before aborting it, and only then does `recv()` return. So a
charge point that stopped answering is reported to `sink.disconnected` (shown offline) at most
ping_interval + ping_timeout + close_timeout seconds after its last pong (70 s by default;
a charge point that closes its socket or whose TCP connection resets is reported at once).
"""

from __future__ import annotations

import asyncio
import logging
from ssl import SSLContext
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from ocpp_server.connection import ChargePointConnection
from ocpp_server.handshake import (
    SUBPROTOCOL,
    authenticate,
    check_request,
    identity_from_path,
    refusal_response,
)
from ocpp_server.identity import identity_problem
from ocpp_server.ports import ChargerAuthenticator, ChargerEventSink, ChargerOfflineError
from ocpp_server.v16.routes import routes_for

log = logging.getLogger(__name__)

REPLACED = "replaced by a new connection"
# Stands in for every open connection's handshake headers (see _forget_handshake_headers);
# nothing writes to it.
_NO_HEADERS = Headers()


def _forget_handshake_headers(websocket: ServerConnection) -> None:
    """Let go of the opening handshake's headers once the websocket is open.

    websockets keeps the request and the response for the connection's life: ~40 small
    objects, ~4 KB per connection (40 MB at 10,000 charge points), and nothing reads them after
    the handshake (identity, path, remote address and subprotocol are taken before or kept
    elsewhere). The request itself must stay: websockets treats a connection without one as
    still in its opening handshake.
    """
    if websocket.request is not None:
        websocket.request.headers = _NO_HEADERS
    websocket.response = None


def _log_connection(message: str, connection: ChargePointConnection, **fields: Any) -> None:
    """One INFO line per connect / disconnect. Logged from a plain function, not from the
    connection's coroutine: logging's caller lookup would otherwise give that long-lived
    coroutine a frame object (~250 bytes held per open connection)."""
    log.info(message, extra=connection.log_extra(**fields))


def _remote(websocket: ServerConnection) -> str:
    address = websocket.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address or "")


class OcppServer:
    """Websocket server for OCPP 1.6J charge points; implements ports.CommandPort.

    `authenticator` (optional) decides each connection before the websocket opens (Security
    Profile 1); without one every charge point may connect. `ssl` serves wss:// (Profile 2).
    """

    def __init__(
        self,
        sink: ChargerEventSink,
        host: str = "127.0.0.1",
        port: int = 0,
        ping_interval: float = 30,
        ping_timeout: float = 30,
        response_timeout: float = 30,
        close_timeout: float = 10,
        authenticator: ChargerAuthenticator | None = None,
        ssl: SSLContext | None = None,
    ) -> None:
        self._sink = sink
        self._authenticator = authenticator
        self._ssl = ssl
        self._host = host
        self._requested_port = port
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._response_timeout = response_timeout
        self._close_timeout = close_timeout
        self._server: Server | None = None
        self._connections: dict[str, ChargePointConnection] = {}
        self._routes = routes_for(sink)  # shared by every connection
        self._closing: set[asyncio.Task[None]] = set()

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self._host,
            self._requested_port,
            subprotocols=[Subprotocol(SUBPROTOCOL)],
            process_request=self._process_request,
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
            close_timeout=self._close_timeout,
            ssl=self._ssl,
        )
        log.info(
            "OCPP server listening",
            extra={"host": self._host, "port": self.port, "tls": self._ssl is not None},
        )

    async def stop(self) -> None:
        """Close every connection (each one reported to sink.disconnected) and stop listening."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        await server.wait_closed()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        log.info("OCPP server stopped")

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("OCPP server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    # --- CommandPort ------------------------------------------------------------------

    def is_connected(self, identity: str) -> bool:
        connection = self._connections.get(identity)
        return connection is not None and connection.is_open

    def connected_identities(self) -> set[str]:
        return {identity for identity, conn in self._connections.items() if conn.is_open}

    async def reachable(self, identity: str) -> bool:
        return self.is_connected(identity)  # one process: it holds every charger it reaches

    async def send(self, identity: str, request: Any, timeout: float | None = None) -> Any:
        """Send a v16 `call.*` request to a connected charge point; return its `call_result.*`.

        Raises ChargerOfflineError, CommandTimeoutError or CommandCallError.
        """
        connection = self._connections.get(identity)
        if connection is None or not connection.is_open:
            raise ChargerOfflineError(identity)
        return await connection.send_command(request, timeout or self._response_timeout)

    async def call(
        self, identity: str, action: str, payload: dict[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL as its action and payload (a request relayed from another process
        holds no `call.*` dataclass); return the CALLRESULT payload. Raises as `send`, and
        ValueError when the payload breaks the schema (nothing is sent)."""
        connection = self._connections.get(identity)
        if connection is None or not connection.is_open:
            raise ChargerOfflineError(identity)
        return await connection.call(action, payload, timeout or self._response_timeout)

    # --- handshake --------------------------------------------------------------------

    async def _process_request(
        self, websocket: ServerConnection, request: Request
    ) -> Response | None:
        """Refuse with an HTTP error before the websocket opens (see ocpp_server.handshake).
        The application decides with the knowledge whether the identity is connected now (a
        second connection may be an impostor), and hears of identities refused here."""
        identity = identity_from_path(request.path)
        refusal = check_request(request)
        if self._authenticator is not None:
            if refusal is None:
                connected = self.is_connected(identity)
                refusal = await authenticate(
                    request, _remote(websocket), self._authenticator, connected
                )
            elif identity and identity_problem(identity) is not None:
                await self._report_refused(identity, _remote(websocket), refusal.reason)
        if refusal is None:
            return None
        log.warning(
            "connection refused",
            extra={
                "identity": identity_from_path(request.path),
                "remote": _remote(websocket),
                "path": request.path,
                "status": int(refusal.status),
                "reason": refusal.reason,
            },
        )
        return refusal_response(websocket, refusal)

    async def _report_refused(self, identity: str, remote: str, reason: str) -> None:
        assert self._authenticator is not None
        try:
            await self._authenticator.refused(identity, remote, reason)
        except Exception:
            log.exception("refused connection not recorded", extra={"identity": identity[:64]})

    # --- one connection ---------------------------------------------------------------

    async def _handle(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None  # process_request ran
        identity = identity_from_path(websocket.request.path)
        connection = ChargePointConnection(
            identity,
            websocket,
            self._sink,
            response_timeout=self._response_timeout,
            remote_address=_remote(websocket),
            routes=self._routes,
        )
        _forget_handshake_headers(websocket)
        reason = "connection closed"
        try:
            await self._take_over(identity, connection)
            if not await self._announce(connection):
                return
            _log_connection("charge point connected", connection)
            reason = await connection.run()
        finally:
            if self._connections.get(identity) is connection:
                del self._connections[identity]
            if connection.announced:
                _log_connection("charge point disconnected", connection, reason=reason)
            await connection.report_disconnected(reason)

    async def _take_over(self, identity: str, connection: ChargePointConnection) -> None:
        """Make `connection` the one for `identity`; an older one is reported gone first."""
        previous = self._connections.get(identity)
        self._connections[identity] = connection
        if previous is None:
            return
        log.warning(
            "charge point connected again; closing the older connection",
            extra={
                "identity": identity,
                "remote": connection.remote_address,
                "previous_remote": previous.remote_address,
            },
        )
        closing = await previous.retire(REPLACED)
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    async def _announce(self, connection: ChargePointConnection) -> bool:
        """sink.connected before any frame is read; False if the connection must not go on."""
        if self._connections.get(connection.id) is not connection:
            return False  # replaced again while the older connection was being retired
        try:
            return await connection.announce()
        except Exception:
            log.error(
                "sink failed to record a connect", exc_info=True, extra=connection.log_extra()
            )
            await connection.close(1011, "central system error")
            return False
