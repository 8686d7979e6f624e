"""The in-process event bus."""

import asyncio

from ccms_app.core.events import EventBatches, EventBus, NetworkEvent


async def test_publish_from_a_worker_thread_reaches_the_loops_subscriber() -> None:
    bus = EventBus()
    queue = bus.subscribe()
    await asyncio.to_thread(bus.publish, NetworkEvent(kind="session", charge_point_id=1))
    event = await asyncio.wait_for(queue.get(), timeout=2)
    assert (event.kind, event.charge_point_id) == ("session", 1)


async def test_a_full_queue_drops_the_oldest_event() -> None:
    bus = EventBus(max_queue=2)
    queue = bus.subscribe()
    for n in range(3):
        bus.publish(NetworkEvent(kind="meter", data={"n": n}))
    assert [queue.get_nowait().data["n"] for _ in range(2)] == [1, 2]
    bus.unsubscribe(queue)
    bus.publish(NetworkEvent(kind="meter"))
    assert queue.empty()


def _queue_of(*events: NetworkEvent) -> asyncio.Queue[NetworkEvent]:
    queue: asyncio.Queue[NetworkEvent] = asyncio.Queue()
    for event in events:
        queue.put_nowait(event)
    return queue


async def test_the_first_event_after_a_quiet_spell_is_not_held_for_the_interval() -> None:
    """A status change on a quiet network goes out at once (after the short settle), with
    everything its commit published, though the interval is a minute long."""
    queue = _queue_of(NetworkEvent("connector", 1), NetworkEvent("session", 1))
    batch = await asyncio.wait_for(EventBatches(queue, interval=60).next(), timeout=5)
    assert [event.kind for event in batch] == ["connector", "session"]


async def test_under_traffic_a_batch_waits_for_the_interval_and_takes_all_queued() -> None:
    queue = _queue_of(NetworkEvent("meter", 1))
    batches = EventBatches(queue, interval=0.5)
    assert len(await batches.next()) == 1
    for charge_point_id in (2, 3, 4):
        queue.put_nowait(NetworkEvent("meter", charge_point_id))
    second = asyncio.create_task(batches.next())
    await asyncio.sleep(0.1)
    assert not second.done()  # the interval since the first batch has not passed
    queue.put_nowait(NetworkEvent("meter", 5))
    batch = await asyncio.wait_for(second, timeout=5)
    assert [event.charge_point_id for event in batch] == [2, 3, 4, 5]


async def test_events_a_feed_never_shows_open_no_batch() -> None:
    queue = _queue_of(NetworkEvent("command", 1), NetworkEvent("connector", 2))
    batches = EventBatches(queue, interval=60, relevant=lambda e: e.kind != "command")
    batch = await asyncio.wait_for(batches.next(), timeout=5)
    assert [event.kind for event in batch] == ["connector"]
    queue.put_nowait(NetworkEvent("command", 3))
    waiting = asyncio.create_task(batches.next())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()
