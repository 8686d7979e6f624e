"""Network events in, live snapshots out: the push path to the browser.

handler -> event bus -> LivePublisher (batches for `realtime_interval`) -> snapshot from the
database (in a thread) -> push target. In the app the push target writes the shared LiveState
with `app.modify_state`; this module is the only place that does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import reflex as rx

from ccms_app.core.config import Settings
from ccms_app.core.events import EventBus, NetworkEvent, get_event_bus
from ccms_app.monitoring.registry import watched_organisations
from ccms_app.monitoring.snapshot import NetworkSnapshot
from ccms_app.monitoring.state import charge_point_feed
from ccms_app.monitoring.state.live import (
    TOKEN_PREFIX,
    LiveState,
    apply_snapshot,
    load_for_organisation,
    network_token,
)

log = logging.getLogger(__name__)

PushTarget = Callable[[int, NetworkSnapshot], Awaitable[None]]
SnapshotLoader = Callable[[int], NetworkSnapshot]


class LivePublisher:
    """Coalesces bursts of events into one snapshot push per organisation per interval."""

    def __init__(
        self,
        bus: EventBus,
        push: PushTarget,
        interval: float,
        loader: SnapshotLoader = load_for_organisation,
        organisations: Callable[[], Collection[int]] = watched_organisations,
    ) -> None:
        self._bus = bus
        self._push = push
        self._interval = interval
        self._loader = loader
        self._organisations = organisations
        self.pushes = 0

    async def run(self) -> None:
        """Until cancelled: wait for an event, let the batch fill, push fresh snapshots."""
        queue = self._bus.subscribe()
        try:
            while True:
                await queue.get()
                await asyncio.sleep(self._interval)
                _drain(queue)
                await self.publish()
        finally:
            self._bus.unsubscribe(queue)

    async def publish(self) -> None:
        """Push a fresh snapshot to every watched organisation; one failure skips only it."""
        for organisation_id in sorted(self._organisations()):
            try:
                snapshot = await asyncio.to_thread(self._loader, organisation_id)
                await self._push(organisation_id, snapshot)
                self.pushes += 1
            except Exception:
                log.exception("live push failed", extra={"organisation_id": organisation_id})


def _drain(queue: asyncio.Queue[NetworkEvent]) -> int:
    drained = 0
    while not queue.empty():
        queue.get_nowait()
        drained += 1
    return drained


def app_push_target(app: rx.App) -> PushTarget:
    """Write the snapshot into the organisation's shared LiveState; Reflex updates the tabs."""

    async def push(organisation_id: int, snapshot: NetworkSnapshot) -> None:
        token = rx.BaseStateToken(ident=network_token(organisation_id), cls=LiveState)
        async with app.modify_state(token) as root:
            apply_snapshot(await root.get_state(LiveState), snapshot)

    return push


class _SharedTokenDeltaFilter(logging.Filter):
    """Reflex warns that the shared token itself has no browser: expected, once per push."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("Attempting to send delta")
            and (TOKEN_PREFIX in message or charge_point_feed.TOKEN_PREFIX in message)
        )


@contextlib.asynccontextmanager
async def live_publisher(app: Any, settings: Settings) -> AsyncIterator[LivePublisher]:
    """Lifespan part: run the publisher for the app's lifetime."""
    logging.getLogger("reflex.app").addFilter(_SharedTokenDeltaFilter())
    publisher = LivePublisher(get_event_bus(), app_push_target(app), settings.realtime_interval)
    task = asyncio.create_task(publisher.run(), name="ccms-live-publisher")
    log.info("live publisher started", extra={"interval": settings.realtime_interval})
    try:
        async with charge_point_feed.charge_point_feed(app, settings.realtime_interval):
            yield publisher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
