"""In-process event bus: services publish what changed, the realtime publisher listens.

Publishing never blocks and never fails the publisher: a subscriber that falls behind loses
its oldest events (the publisher reloads state from the database anyway).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkEvent:
    """Something changed in the charging network.

    kind: charge_point | connector | session | meter | command | warning
    """

    kind: str
    charge_point_id: int | None = None
    identity: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # When it happened in this process (time.monotonic(); a remote event: when it arrived):
    # how long the live pages took to show it is measured from here (core.push_stats).
    at: float = field(default_factory=time.monotonic, compare=False, repr=False)


class EventBus:
    """Fan-out to asyncio queues. `publish` may be called from any thread: services running in
    `asyncio.to_thread` publish too, and asyncio queues may only be touched on their loop."""

    def __init__(self, max_queue: int = 10_000) -> None:
        self._subscribers: list[_Subscriber] = []
        self._max_queue = max_queue

    def subscribe(self, remote: bool = False) -> asyncio.Queue[NetworkEvent]:
        """A queue of this process's events; with `remote`, other processes' events too.

        Only views take other processes' events (live pages show the whole network). A
        worker that acts on events (payments, alarms, webhooks, load balancing) takes its
        own process's only: each process acts for the chargers it holds, so every event is
        acted on once in the deployment, not once per process."""
        queue: asyncio.Queue[NetworkEvent] = asyncio.Queue(maxsize=self._max_queue)
        self._subscribers.append(_Subscriber(queue, asyncio.get_running_loop(), remote))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[NetworkEvent]) -> None:
        self._subscribers = [s for s in self._subscribers if s.queue is not queue]

    def publish(self, event: NetworkEvent) -> None:
        self._deliver(event, remote=False)

    def receive_remote(self, event: NetworkEvent) -> None:
        """An event another process published: to the subscribers that take those."""
        self._deliver(event, remote=True)

    def _deliver(self, event: NetworkEvent, remote: bool) -> None:
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for subscriber in list(self._subscribers):
            if remote and not subscriber.remote:
                continue
            queue, loop = subscriber.queue, subscriber.loop
            if loop is current:
                _put(queue, event)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_put, queue, event)


@dataclass(frozen=True)
class _Subscriber:
    queue: asyncio.Queue[NetworkEvent]
    loop: asyncio.AbstractEventLoop
    remote: bool  # takes other processes' events too


def _put(queue: asyncio.Queue[NetworkEvent], event: NetworkEvent) -> None:
    if queue.full():
        queue.get_nowait()  # drop the oldest; consumers re-read state from the DB
    queue.put_nowait(event)


# Events published by one commit of the writer arrive within microseconds of each other:
# the first event of a quiet spell waits this long so its commit's others join its batch.
SETTLE_S = 0.01


class EventBatches:
    """A subscriber's events as batches, at most one batch per `interval` (start to start).

    Leading edge: the first event after a quiet spell goes out after `settle` only, so a
    status change on a quiet network reaches the pages at once; under traffic a batch
    starts `interval` after the one before, and everything queued meanwhile joins it. (A
    trailing wait of `interval` after every first event put a fixed `interval` on every
    update, on top of the work.) `relevant(event)` drops events a feed never shows before
    they can open a batch."""

    def __init__(
        self,
        queue: asyncio.Queue[NetworkEvent],
        interval: float,
        relevant: Callable[[NetworkEvent], bool] = lambda event: True,
        settle: float = SETTLE_S,
    ) -> None:
        self._queue = queue
        self._interval = interval
        self._relevant = relevant
        self._settle = min(settle, interval)
        self._last_start = float("-inf")

    async def next(self) -> list[NetworkEvent]:
        """The next batch: waits for a relevant event, then for the batch to fill."""
        first = await self._queue.get()
        while not self._relevant(first):
            first = await self._queue.get()
        loop = asyncio.get_running_loop()
        since_last = loop.time() - self._last_start
        await asyncio.sleep(max(self._settle, self._interval - since_last))
        self._last_start = loop.time()
        events = [first]
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if self._relevant(event):
                events.append(event)
        return events


_bus = EventBus()


def get_event_bus() -> EventBus:
    return _bus
