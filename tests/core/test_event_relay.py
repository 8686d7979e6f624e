"""Network events between processes over a real Redis (scale-out mode).

Two event buses, each with its own relay, stand for two processes (an OCPP gateway and a
web process): what one publishes reaches the other's view subscribers once (not its
workers), never comes back to its own twice, and is not sent on again by the process that
received it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from ccms_app.core.event_relay import EventRelay, decode, encode
from ccms_app.core.events import EventBus, NetworkEvent
from tests.fixtures.ocpp import eventually
from tests.fixtures.redis import RedisServer


class Process:
    def __init__(self, redis_url: str) -> None:
        self.bus = EventBus()
        self.relay = EventRelay(self.bus, redis_url)
        self.heard = self.bus.subscribe(remote=True)  # a live view: the whole network
        self.worker = self.bus.subscribe()  # acts on events: this process's own only

    def events(self) -> list[NetworkEvent]:
        drained = []
        while not self.heard.empty():
            drained.append(self.heard.get_nowait())
        return drained


@pytest.fixture
async def two_processes(redis_server: RedisServer) -> AsyncIterator[tuple[Process, Process]]:
    gateway, web = Process(redis_server.url), Process(redis_server.url)
    for process in (gateway, web):
        process.relay.start()
    for process in (gateway, web):
        await asyncio.wait_for(process.relay.subscribed.wait(), timeout=10)
    yield gateway, web
    for process in (gateway, web):
        await process.relay.stop()


async def test_an_event_on_one_process_reaches_the_other_once(
    two_processes: tuple[Process, Process],
) -> None:
    gateway, web = two_processes
    gateway.bus.publish(
        NetworkEvent("connector", 7, "CP-7", {"status": "Faulted", "connector_id": 1})
    )
    await eventually(lambda: web.relay.received == 1)
    [arrived] = web.events()
    assert arrived == NetworkEvent("connector", 7, "CP-7", {"status": "Faulted", "connector_id": 1})
    await asyncio.sleep(0.2)  # time for an echo, if there were one
    assert [e.kind for e in gateway.events()] == ["connector"]  # its own, delivered once
    assert gateway.relay.received == 0
    assert web.relay.sent == 0  # what it received is not sent on again
    # A worker (payments, alarms, webhooks) of the web process does not act on the
    # gateway's event: the gateway's own worker does, once in the deployment.
    assert web.worker.empty() and gateway.worker.qsize() == 1


async def test_a_thread_may_publish_and_both_ways_work(
    two_processes: tuple[Process, Process],
) -> None:
    gateway, web = two_processes
    await asyncio.to_thread(gateway.bus.publish, NetworkEvent("session", 3))  # the writer
    web.bus.publish(NetworkEvent("command", 4, "CP-4"))  # an operator's command, from the web
    await eventually(lambda: web.relay.received == 1 and gateway.relay.received == 1)
    assert [e.kind for e in web.events()] == ["command", "session"]
    assert sorted(e.kind for e in gateway.events()) == ["command", "session"]


async def test_the_relay_finds_redis_again_after_a_restart(
    two_processes: tuple[Process, Process], redis_server: RedisServer
) -> None:
    gateway, web = two_processes
    redis_server.stop()
    redis_server.start()
    await eventually(lambda: web.relay.subscribed.is_set(), timeout=15)
    await eventually(lambda: gateway.relay.subscribed.is_set(), timeout=15)

    async def arrives() -> bool:
        gateway.bus.publish(NetworkEvent("charge_point", 9))
        await asyncio.sleep(0.1)
        return any(e.charge_point_id == 9 for e in web.events())

    await eventually(arrives, timeout=15)


def test_datetimes_arrive_as_iso_text_and_strangers_are_refused() -> None:
    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    origin, event = decode(encode(NetworkEvent("meter", 1, "CP-1", {"at": at}), "me"))
    assert origin == "me" and event.data == {"at": "2026-12-06T12:00:00+00:00"}
    for stranger in (b"[1, 2]", b'{"kind": 5}', b"not json"):
        with pytest.raises(ValueError):
            decode(stranger)
