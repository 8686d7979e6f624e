"""Network events between processes over Redis (scale-out mode, `CCMS_REDIS_URL`).

Every process publishes on its in-process `EventBus`; with a Redis URL set, the relay also
sends each event to one Redis pub/sub channel, and delivers the events other processes sent
there to this process's view subscribers (`EventBus.receive_remote`: the live pages, not the
workers that act on events, and never sent on again). So a status change on an OCPP gateway
reaches the live pages of every web process, while its payments, alarms and webhooks are
handled once, by the gateway. Without Redis nothing leaves the process.

Redis pub/sub delivers at most once and keeps nothing for a process that is away: that is
all the bus promises in one process too (a subscriber that falls behind loses its oldest
events, and every live view re-reads the database). Events are JSON; values JSON has no type
for arrive as text: a datetime in ISO 8601 (orjson), a Decimal as `str` gives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from redis import asyncio as aioredis

from ccms_app.core.events import EventBus, NetworkEvent

log = logging.getLogger(__name__)

CHANNEL = "ccms:network-events"
RECONNECT_S = 1.0


def encode(event: NetworkEvent, origin: str) -> bytes:
    return orjson.dumps(
        {
            "origin": origin,
            "kind": event.kind,
            "charge_point_id": event.charge_point_id,
            "identity": event.identity,
            "data": event.data,
        },
        default=str,
    )


def decode(message: bytes) -> tuple[str, NetworkEvent]:
    """(origin, event) of a message on the channel; ValueError for anything else."""
    body: Any = orjson.loads(message)
    if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
        raise ValueError("not a network event")
    charge_point_id = body.get("charge_point_id")
    data = body.get("data")
    event = NetworkEvent(
        kind=body["kind"],
        charge_point_id=charge_point_id if isinstance(charge_point_id, int) else None,
        identity=str(body.get("identity") or ""),
        data=data if isinstance(data, dict) else {},
    )
    return str(body.get("origin", "")), event


class EventRelay:
    """This process's end of the Redis channel (see module doc)."""

    def __init__(self, bus: EventBus, redis_url: str, channel: str = CHANNEL) -> None:
        self._bus = bus
        self._redis_url = redis_url
        self._channel = channel
        self.origin = uuid.uuid4().hex  # our own messages come back: this tells them apart
        self._outbox: asyncio.Queue[NetworkEvent] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.subscribed = asyncio.Event()  # set once this process hears the channel
        self.sent = 0
        self.received = 0

    def start(self) -> None:
        # A subscriber of this process's events only: what came from Redis is not sent back.
        self._outbox = self._bus.subscribe()
        self._tasks = [
            asyncio.create_task(self._send_loop(self._outbox), name="ccms-event-relay-out"),
            asyncio.create_task(self._receive_loop(), name="ccms-event-relay-in"),
        ]

    async def stop(self) -> None:
        if self._outbox is not None:
            self._bus.unsubscribe(self._outbox)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _send_loop(self, outbox: asyncio.Queue[NetworkEvent]) -> None:
        while True:
            try:
                client = aioredis.from_url(self._redis_url)
                try:
                    while True:
                        event = await outbox.get()
                        await client.publish(self._channel, encode(event, self.origin))
                        self.sent += 1
                finally:
                    await client.aclose()
            except (OSError, aioredis.RedisError):
                log.warning("event relay: cannot send to Redis, retrying", exc_info=True)
                await asyncio.sleep(RECONNECT_S)

    async def _receive_loop(self) -> None:
        while True:
            try:
                async for message in self._messages():
                    self._deliver(message)
            except (OSError, aioredis.RedisError):
                self.subscribed.clear()
                log.warning("event relay: lost Redis, resubscribing", exc_info=True)
                await asyncio.sleep(RECONNECT_S)

    async def _messages(self) -> AsyncIterator[bytes]:
        client = aioredis.from_url(self._redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            self.subscribed.set()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield message["data"]
        finally:
            await pubsub.aclose()
            await client.aclose()

    def _deliver(self, message: bytes) -> None:
        try:
            origin, event = decode(message)
        except ValueError:
            log.warning("event relay: dropped a message that is not a network event")
            return
        if origin == self.origin:
            return  # ours, already delivered here when it was published
        self.received += 1
        self._bus.receive_remote(event)


@contextlib.asynccontextmanager
async def event_relay(bus: EventBus, redis_url: str) -> AsyncIterator[EventRelay | None]:
    """Lifespan part: relay the bus over Redis while the app runs (no URL: no relay)."""
    if not redis_url:
        yield None
        return
    relay = EventRelay(bus, redis_url)
    relay.start()
    log.info("event relay started", extra={"channel": CHANNEL})
    try:
        yield relay
    finally:
        await relay.stop()
