"""Network events in, live views out: the push path to the browser.

handler -> event bus -> LivePublisher (batches for `realtime_interval`) -> for each feed (the
full Live view, Home's counts) and each organisation a tab watches: its read model from the
database (in a thread) -> push target. In the app the push targets write the shared LiveState
and HomeState with `app.modify_state`; this module is the only place that does. A view no tab
watches is not built at all (`monitoring.registry`, `state.tab_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import reflex as rx

from ccms_app.core.config import Settings
from ccms_app.core.events import EventBus, NetworkEvent, get_event_bus
from ccms_app.monitoring import registry
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.snapshot import NetworkSnapshot
from ccms_app.monitoring.state import charge_point_feed, tab_watch
from ccms_app.monitoring.state.home import TOKEN_PREFIX as HOME_TOKEN_PREFIX
from ccms_app.monitoring.state.home import (
    HomeState,
    apply_summary,
    home_token,
    load_home_for_organisation,
)
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
View = TypeVar("View")


@dataclass(frozen=True)
class Feed(Generic[View]):
    """One kind of live view: who watches it, how it is read, where it is written."""

    name: str
    organisations: Callable[[], Collection[int]]
    load: Callable[[int], View]
    push: Callable[[int, View], Awaitable[None]]


class LivePublisher:
    """Coalesces bursts of events into one push per watched view and organisation per
    interval. The first feed is the full Live view (`push`, `loader`, `organisations`);
    `also` adds others (Home). `before_publish` runs first (the app forgets closed tabs)."""

    def __init__(
        self,
        bus: EventBus,
        push: PushTarget,
        interval: float,
        loader: SnapshotLoader = load_for_organisation,
        organisations: Callable[[], Collection[int]] = registry.watched_organisations,
        also: Sequence[Feed[Any]] = (),
        before_publish: Callable[[], None] = lambda: None,
    ) -> None:
        self._bus = bus
        self._interval = interval
        self._feeds: tuple[Feed[Any], ...] = (
            Feed(registry.LIVE, organisations, loader, push),
            *also,
        )
        self._before_publish = before_publish
        self.pushes = 0
        self.batches = 0  # batches handled, pushed or not (tests wait on it)

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
        """Push a fresh view to every watching organisation; one failure skips only it."""
        try:
            self._before_publish()
        except Exception:
            log.exception("forgetting closed tabs failed")
        for feed in self._feeds:
            for organisation_id in sorted(feed.organisations()):
                try:
                    view = await asyncio.to_thread(feed.load, organisation_id)
                    await feed.push(organisation_id, view)
                    self.pushes += 1
                except Exception:
                    log.exception(
                        "live push failed",
                        extra={"organisation_id": organisation_id, "feed": feed.name},
                    )
        self.batches += 1


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


def home_feed(app: rx.App) -> Feed[HomeSummary]:
    """Home's counts, for the organisations with a Home tab open."""

    async def push(organisation_id: int, summary: HomeSummary) -> None:
        token = rx.BaseStateToken(ident=home_token(organisation_id), cls=HomeState)
        async with app.modify_state(token) as root:
            apply_summary(await root.get_state(HomeState), summary)

    return Feed(
        registry.HOME,
        lambda: registry.watched_organisations(registry.HOME),
        load_home_for_organisation,
        push,
    )


_CP_PREFIX = charge_point_feed.TOKEN_PREFIX


class _SharedTokenDeltaFilter(logging.Filter):
    """Reflex warns that the shared token itself has no browser: expected, once per push."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("Attempting to send delta")
            and any(p in message for p in (TOKEN_PREFIX, HOME_TOKEN_PREFIX, _CP_PREFIX))
        )


@contextlib.asynccontextmanager
async def live_publisher(app: Any, settings: Settings) -> AsyncIterator[LivePublisher]:
    """Lifespan part: run the publisher for the app's lifetime."""
    logging.getLogger("reflex.app").addFilter(_SharedTokenDeltaFilter())
    tab_watch.install(app)
    publisher = LivePublisher(
        get_event_bus(),
        app_push_target(app),
        settings.realtime_interval,
        also=[home_feed(app)],
        before_publish=lambda: tab_watch.forget_closed_tabs(app),
    )
    task = asyncio.create_task(publisher.run(), name="ccms-live-publisher")
    log.info("live publisher started", extra={"interval": settings.realtime_interval})
    try:
        async with charge_point_feed.charge_point_feed(app, settings.realtime_interval):
            yield publisher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
