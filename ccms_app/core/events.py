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
    def __init__(self, max_queue: int = 10_000) -> None:
        self._subscribers: list[asyncio.Queue[NetworkEvent]] = []
        self._max_queue = max_queue

    def subscribe(self) -> asyncio.Queue[NetworkEvent]:
        queue: asyncio.Queue[NetworkEvent] = asyncio.Queue(maxsize=self._max_queue)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[NetworkEvent]) -> None:
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def publish(self, event: NetworkEvent) -> None:
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()  # drop the oldest; consumers re-read state from the DB
            queue.put_nowait(event)


_bus = EventBus()


def get_event_bus() -> EventBus:
    return _bus
