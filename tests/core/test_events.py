"""The in-process event bus."""

import asyncio

from ccms_app.core.events import EventBus, NetworkEvent


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
