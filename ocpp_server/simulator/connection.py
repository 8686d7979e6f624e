"""The charge point's link to the CSMS: websocket, boot, heartbeat, reconnect with backoff.

Boot follows OCPP 1.6: Pending/Rejected replies are retried at the interval the CSMS gave;
once Accepted the owner's `on_accepted` runs (statuses, queued stops) and heartbeats start.
A connection lost after a successful boot is re-opened with exponential backoff unless the
owner closed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import websockets
from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Subprotocol

from ocpp_server.simulator.link import CommandHandler, OcppLink
from ocpp_server.simulator.tasks import BackgroundTasks

log = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
DEFAULT_RETRY_INTERVAL = 10.0  # when a Pending/Rejected boot reply gives no usable interval
CALL_ERRORS = (TimeoutError, OCPPError)
CONNECT_ERRORS = (OSError, WebSocketException, ConnectionError, *CALL_ERRORS)


class NotConnectedError(ConnectionError):
    """There is no open OCPP connection to the CSMS right now."""


class CsmsConnection:
    """One charge point's OCPP-J session with the CSMS, across reconnects."""

    def __init__(
        self,
        identity: str,
        url: str,
        handler: CommandHandler,
        boot_request: call.BootNotification,
        on_accepted: Callable[[], Awaitable[None]],
        *,
        rng: random.Random,
        auto_reconnect: bool = True,
        response_timeout: float = 30.0,
        max_backoff: float = 60.0,
        validate_schemas: bool = True,
    ) -> None:
        self.identity = identity
        self.url = url.rstrip("/")
        self.auto_reconnect = auto_reconnect
        self.response_timeout = response_timeout
        self.max_backoff = max_backoff
        self.validate_schemas = validate_schemas
        self.heartbeat_interval: int | None = None
        self._handler = handler
        self._boot_request = boot_request
        self._on_accepted = on_accepted
        self._rng = rng
        self._ws: ClientConnection | None = None
        self._link: OcppLink | None = None
        self._lost = asyncio.Event()
        self._recv_task: asyncio.Task[None] | None = None
        self._accepted = asyncio.Event()
        self._boot_status: str | None = None
        self._boot_count = 0
        self._keepalive_task: asyncio.Task[None] | None = None
        self._established = False
        self._closing = False
        self._reconnecting = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks = BackgroundTasks(identity)  # reconnect loops
        self._per_link = BackgroundTasks(identity)  # boot retry / heartbeat of this socket

    @property
    def boot_request(self) -> call.BootNotification:
        """What every BootNotification of this charger says."""
        return self._boot_request

    def update_boot_request(self, **changes: Any) -> None:
        """Change what the next BootNotification says (a new firmware version, ...)."""
        self._boot_request = dataclasses.replace(self._boot_request, **changes)

    @property
    def boot_status(self) -> str | None:
        return self._boot_status

    @property
    def boot_count(self) -> int:
        return self._boot_count

    @property
    def is_connected(self) -> bool:
        return self._link is not None

    @property
    def is_accepted(self) -> bool:
        return self._accepted.is_set()

    async def wait_accepted(self, timeout: float | None = None) -> None:
        async with asyncio.timeout(timeout):
            await self._accepted.wait()

    # ---- open and close ------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the websocket and boot; returns after the first BootNotification reply."""
        self._closing = False
        await self._connect_once()

    async def connect_with_retry(self, initial_delay: float = 0.0) -> None:
        """Connect, retrying with exponential backoff (and jitter) until it works or close()."""
        self._reconnecting = True
        try:
            delay = 1.0
            await asyncio.sleep(initial_delay)
            while not self._closing:
                try:
                    await self._connect_once()
                    return
                except CONNECT_ERRORS as exc:
                    log.info(
                        "charge point connect failed, retrying",
                        extra={"identity": self.identity, "error": repr(exc), "retry_in_s": delay},
                    )
                await asyncio.sleep(delay * self._rng.uniform(0.8, 1.2))
                delay = min(delay * 2, self.max_backoff)
        finally:
            self._reconnecting = False

    async def close(self) -> None:
        """Disconnect for good (no reconnect)."""
        self._closing = True
        await self._tasks.cancel()
        await self._quiesce()
        await self.disconnect()

    async def reboot(self, delay: float) -> None:
        """Drop the connection, wait, connect and boot again (Reset)."""
        await self._quiesce()
        await self.disconnect()
        await asyncio.sleep(delay)
        await self.connect_with_retry()

    async def disconnect(self) -> None:
        """Close the current socket on purpose (no automatic reconnect)."""
        ws, recv = self._ws, self._recv_task
        self._ws = self._link = None
        self._recv_task = None
        self._lost.set()
        self._forget_link()
        await self._per_link.cancel()
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if recv is not None:
            recv.cancel()
            await asyncio.gather(recv, return_exceptions=True)

    async def _quiesce(self) -> None:
        """Let CALLs in flight get their replies before the socket closes, as a charger that
        reboots would (a CSMS may otherwise lose the reply it is still sending)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.response_timeout):
                await self._idle.wait()

    async def _connect_once(self) -> None:
        """One attempt; a failed attempt leaves no half-open connection behind."""
        self._established = False
        try:
            await self._open()
            await self.boot()
        except BaseException:
            await self.disconnect()
            raise
        self._established = True

    async def _open(self) -> None:
        ws = await websockets.connect(
            f"{self.url}/{self.identity}",
            subprotocols=[Subprotocol(SUBPROTOCOL)],
            open_timeout=10,
            close_timeout=2,
        )
        if ws.subprotocol != SUBPROTOCOL:
            await ws.close()
            raise NotConnectedError(f"CSMS did not accept subprotocol {SUBPROTOCOL}")
        link = OcppLink(self.identity, ws, self._handler, self.response_timeout)
        self._ws, self._link, self._lost = ws, link, asyncio.Event()
        self._recv_task = asyncio.create_task(self._receive(link, self._lost))

    async def _receive(self, link: OcppLink, lost: asyncio.Event) -> None:
        try:
            await link.start()
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("charge point receive loop failed", extra={"identity": self.identity})
        finally:
            lost.set()
            if link is self._link:
                self._on_link_lost()

    def _on_link_lost(self) -> None:
        was_established = self._established
        self._ws = self._link = None
        self._recv_task = None
        self._forget_link()
        self._per_link.cancel_nowait()
        log.warning("charge point lost its connection", extra={"identity": self.identity})
        if was_established and self.auto_reconnect and not (self._closing or self._reconnecting):
            self._tasks.spawn(self.connect_with_retry(initial_delay=1.0))

    def _forget_link(self) -> None:
        self._accepted.clear()
        self._boot_status = None
        self._established = False

    # ---- calls ---------------------------------------------------------------------------

    async def call(self, request: Any) -> Any:
        """Send a CALL and return the typed reply; fail fast if the connection drops meanwhile."""
        link, lost = self._link, self._lost
        if link is None:
            raise NotConnectedError(self.identity)
        skip = not self.validate_schemas
        call_task = asyncio.ensure_future(
            link.call(request, suppress=False, skip_schema_validation=skip)
        )
        lost_task = asyncio.ensure_future(lost.wait())
        self._in_flight += 1
        self._idle.clear()
        try:
            done, _ = await asyncio.wait(
                {call_task, lost_task}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost_task.cancel()
            if not call_task.done():
                call_task.cancel()
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
        if call_task not in done:
            raise NotConnectedError(self.identity)
        try:
            return call_task.result()
        except ConnectionClosed as exc:
            raise NotConnectedError(self.identity) from exc

    async def try_call(self, request: Any) -> Any | None:
        """A CALL whose failure is logged, not raised (status, meter values, heartbeats)."""
        try:
            return await self.call(request)
        except NotConnectedError:
            return None
        except CALL_ERRORS as exc:
            log.warning(
                "charge point call failed",
                extra={
                    "identity": self.identity,
                    "action": type(request).__name__,
                    "error": repr(exc),
                },
            )
            return None

    # ---- boot and heartbeat --------------------------------------------------------------

    async def boot(self) -> None:
        """Send BootNotification; on Accepted run on_accepted and start heartbeats."""
        reply = await self.call(self._boot_request)
        self._boot_status = str(reply.status)
        log.info(
            "charge point boot answered",
            extra={"identity": self.identity, "status": reply.status, "interval": reply.interval},
        )
        if reply.status == "Accepted":
            self.heartbeat_interval = int(reply.interval)
            self._accepted.set()
            await self._on_accepted()
            self._boot_count += 1  # counted once the statuses are out, so waiting on it is enough
            self.restart_heartbeat()
        else:
            self._accepted.clear()
            retry = reply.interval if reply.interval > 0 else DEFAULT_RETRY_INTERVAL
            self._set_keepalive(self._boot_retry(float(retry)))

    async def try_boot(self) -> None:
        """A BootNotification on request (TriggerMessage)."""
        with contextlib.suppress(NotConnectedError, *CALL_ERRORS):
            await self.boot()

    def _set_keepalive(self, coro: Coroutine[Any, Any, None]) -> None:
        """Boot retries before acceptance, heartbeats after: one such task per socket."""
        old = self._keepalive_task
        if old is not None and old is not asyncio.current_task():
            old.cancel()
        self._keepalive_task = self._per_link.spawn(coro)

    async def _boot_retry(self, interval: float) -> None:
        while not self.is_accepted:
            await asyncio.sleep(interval)
            try:
                await self.boot()
                return
            except NotConnectedError:
                return
            except CALL_ERRORS as exc:
                log.warning(
                    "charge point boot failed",
                    extra={"identity": self.identity, "error": repr(exc)},
                )

    def restart_heartbeat(self) -> None:
        """(Re)start heartbeats at the current interval."""
        if self.is_accepted:
            self._set_keepalive(self._heartbeat_loop())

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(max(1.0, float(self.heartbeat_interval or 60)))
            await self.try_call(call.Heartbeat())

    async def send_heartbeat(self) -> None:
        await self.try_call(call.Heartbeat())
