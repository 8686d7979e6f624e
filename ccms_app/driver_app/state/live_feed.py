"""Live pushes to driver app tabs: availability on the station pages, the running session.

A tab's page says what it shows (`watch(state, charge_point_ids)` from its handler: the
charge points of the stations listed, or the one its session runs on). The feed listens to
the event bus, coalesces bursts (a batch at most every `realtime_interval`), and for each
tab whose charge points the batch touched re-reads the page in the tab's own state
(`refresh_live()` of the watching state class) with `app.modify_state`: pages never
poll. Before a push the tab's driver sign-in is checked again (a signed-out tab gets
nothing newer); closed tabs are forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any, Protocol

import reflex as rx
from reflex.state import BaseState

from ccms_app.core.config import Settings
from ccms_app.core.events import EventBatches, EventBus, NetworkEvent, get_event_bus
from ccms_app.core.i18n import reading_as
from ccms_app.driver_app import driver_accounts
from ccms_app.monitoring.state.tab_watch import connected_tabs

log = logging.getLogger(__name__)

# What changes what a driver sees: availability, sessions and their live cost, reservations.
KINDS = frozenset(
    {"charge_point", "connector", "session", "meter", "session_cost", "reservation", "command"}
)


class LiveDriverState(Protocol):
    async def refresh_live(self) -> None: ...


@dataclass(frozen=True)
class Watch:
    state_cls: type[BaseState]
    charge_point_ids: frozenset[int]
    session_hash: str
    language: str


_watches: dict[tuple[str, str], Watch] = {}


def _key(tab: str, state_cls: type[BaseState]) -> tuple[str, str]:
    return tab, state_cls.get_full_name()


def watch(
    state: BaseState, charge_point_ids: Collection[int], session_hash: str, language: str
) -> None:
    """The tab of `state` shows these charge points (replacing what it showed before)."""
    tab = state.router.session.client_token
    if tab:
        _watches[_key(tab, type(state))] = Watch(
            type(state), frozenset(charge_point_ids), session_hash, language
        )


def unwatch(state: BaseState) -> None:
    _watches.pop(_key(state.router.session.client_token, type(state)), None)


def watched() -> dict[tuple[str, str], Watch]:
    return dict(_watches)


def forget_all() -> None:
    _watches.clear()


def touched(events: Collection[NetworkEvent]) -> frozenset[int]:
    return frozenset(
        e.charge_point_id for e in events if e.kind in KINDS and e.charge_point_id is not None
    )


class DriverLiveFeed:
    def __init__(self, app: Any, bus: EventBus, interval: float) -> None:
        self._app = app
        self._bus = bus
        self._interval = interval
        self.pushes = 0

    async def run(self) -> None:
        queue = self._bus.subscribe(remote=True)  # the live view of the whole network
        batches = EventBatches(queue, self._interval)
        try:
            while True:
                events = await batches.next()
                if _watches:
                    await self.publish(events)
        finally:
            self._bus.unsubscribe(queue)

    async def publish(self, events: Collection[NetworkEvent]) -> None:
        changed = touched(events)
        if not changed:
            return
        open_tabs = connected_tabs(self._app)
        for (tab, name), seen in list(_watches.items()):
            if tab not in open_tabs:
                _watches.pop((tab, name), None)
                continue
            if seen.charge_point_ids.isdisjoint(changed):
                continue
            driver = await asyncio.to_thread(
                driver_accounts.principal_for_session, seen.session_hash
            )
            if driver is None:  # signed out elsewhere: nothing newer reaches this tab
                _watches.pop((tab, name), None)
                continue
            try:
                token = rx.BaseStateToken(ident=tab, cls=seen.state_cls)
                with reading_as(seen.language, driver.organisation_id):
                    async with self._app.modify_state(token) as root:
                        state = await root.get_state(seen.state_cls)
                        await state.refresh_live()
                self.pushes += 1
            except Exception:
                log.exception("driver app push failed", extra={"tab": tab[:8], "state": name})


@contextlib.asynccontextmanager
async def driver_live_feed(app: Any, settings: Settings) -> AsyncIterator[DriverLiveFeed]:
    """Lifespan part: run the feed for the app's lifetime."""
    feed = DriverLiveFeed(app, get_event_bus(), settings.realtime_interval)
    task = asyncio.create_task(feed.run(), name="ccms-driver-app-feed")
    try:
        yield feed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
