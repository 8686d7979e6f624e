"""In-process event bus: services publish what changed, the realtime publisher listens.

Publishing never blocks and never fails the publisher: a subscriber that falls behind loses
its oldest events (the publisher reloads state from the database anyway).
"""

from __future__ import annotations

import asyncio
import logging
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


class EventBus:
    """Fan-out to asyncio queues. `publish` may be called from any thread: services running in
    `asyncio.to_thread` publish too, and asyncio queues may only be touched on their loop."""

    def __init__(self, max_queue: int = 10_000) -> None:
        self._subscribers: list[tuple[asyncio.Queue[NetworkEvent], asyncio.AbstractEventLoop]] = []
        self._max_queue = max_queue

    def subscribe(self) -> asyncio.Queue[NetworkEvent]:
        queue: asyncio.Queue[NetworkEvent] = asyncio.Queue(maxsize=self._max_queue)
        self._subscribers.append((queue, asyncio.get_running_loop()))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[NetworkEvent]) -> None:
        self._subscribers = [(q, loop) for q, loop in self._subscribers if q is not queue]

    def publish(self, event: NetworkEvent) -> None:
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for queue, loop in list(self._subscribers):
            if loop is current:
                _put(queue, event)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_put, queue, event)


def _put(queue: asyncio.Queue[NetworkEvent], event: NetworkEvent) -> None:
    if queue.full():
        queue.get_nowait()  # drop the oldest; consumers re-read state from the DB
    queue.put_nowait(event)


_bus = EventBus()


def get_event_bus() -> EventBus:
    return _bus
