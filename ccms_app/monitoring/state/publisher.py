"""Network events in, live views out: the push path to the browser.

handler -> event bus -> LivePublisher (a batch at most every `realtime_interval`) -> per batch,
the feeds and the tabs at the same time:
- each per-organisation feed (Home's counts and first warnings, the same for every tab of the
  organisation) is brought up to date (in a thread) for the organisations a tab watches and
  written into each watching tab's own state; Home's re-reads only the charge points the
  batch changed (`monitoring.home_tally`);
- each Live Monitoring tab whose pages the batch may alter (`registry.page_may_change`)
  re-reads its own page, 25-200 rows, never the network.
In the app the targets write Reflex states with `app.modify_state`; this module is the only
place that does. A view no tab watches is not built at all (`monitoring.registry`,
`state.tab_watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import reflex as rx

from ccms_app.core import push_stats
from ccms_app.core.config import Settings
from ccms_app.core.events import EventBatches, EventBus, NetworkEvent, get_event_bus
from ccms_app.maintenance.notifications import bell_watch
from ccms_app.maintenance.notifications.bell import load_bell_for_watchers
from ccms_app.maintenance.notifications.rules.bell_view import BellView
from ccms_app.maintenance.notifications.state import AlarmToastState, install_bell_rejoin
from ccms_app.monitoring import registry
from ccms_app.monitoring.batch_memo import shared_reads
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.home_tally import HomeTallies
from ccms_app.monitoring.state import charge_point_feed, tab_watch
from ccms_app.monitoring.state.home import HomeState, home_fields, push_to_followers, write_home
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.monitoring.state.sessions import ActiveSessionListState

log = logging.getLogger(__name__)

View = TypeVar("View")


@dataclass(frozen=True)
class Feed(Generic[View]):
    """One kind of per-organisation live view: who watches it, how it is read after a batch
    of events (`load(organisation_id, batch)`), where it is written; `wanted(batch)` says
    whether a batch can change it at all (the alarm bell: only batches with alarms)."""

    name: str
    organisations: Callable[[], Collection[int]]
    load: Callable[[int, Batch], View]
    push: Callable[[int, View], Awaitable[None]]
    wanted: Callable[[Batch], bool] = lambda batch: True
    # At most one push per `every` seconds (0: after every batch). The batches in between
    # are merged and pushed together once it has passed; a batch after a quiet spell still
    # goes at once.
    every: float = 0.0


@dataclass(frozen=True)
class Batch:
    """What one batch of events changed: these charge points; `everything` when a change of
    the network is not tied to one charge point (a station's zone, data issues resolved in
    bulk: re-read it all); `edited` when an operator added, edited or removed charge points
    (lists may gain or lose rows); `metered`: those of the changed charge points that only
    meter values reached (their sessions' energy and power moved, nothing else)."""

    changed: frozenset[int] = frozenset()
    everything: bool = False
    kinds: frozenset[str] = frozenset()
    edited: bool = False
    metered: frozenset[int] = frozenset()
    # When its oldest event other than metering happened (NetworkEvent.at): a tab sent the
    # batch records how long after that (core.push_stats). None: metering only.
    oldest: float | None = field(default=None, compare=False)

    def merged(self, later: Batch) -> Batch:
        """What this batch and `later` changed together."""
        restated = (self.changed - self.metered) | (later.changed - later.metered)
        return Batch(
            self.changed | later.changed,
            self.everything or later.everything,
            self.kinds | later.kinds,
            self.edited or later.edited,
            (self.metered | later.metered) - restated,
            _earliest(self.oldest, later.oldest),
        )

    @property
    def sessions_changed(self) -> bool:
        return self.everything or not self.kinds.isdisjoint(SESSION_KINDS)

    @property
    def has_ticks(self) -> bool:
        """Meter values or running costs in it: what the tabs may show a moment later."""
        return bool(self.metered) or not self.kinds.isdisjoint(SESSION_TICKS)

    @property
    def starts_or_ends(self) -> bool:
        """A session started or ended (or anything may have): the sessions lists at once."""
        return self.everything or "session" in self.kinds

    def ticks(self) -> Batch:
        """Its meter values and costs: the charge points only they reached, their kinds."""
        return Batch(self.metered, kinds=self.kinds & SESSION_TICKS, metered=self.metered)

    def without_ticks(self) -> Batch:
        """The rest: statuses, connections, sessions started or ended, edits."""
        return Batch(
            self.changed - self.metered,
            self.everything,
            self.kinds - SESSION_TICKS,
            self.edited,
            oldest=self.oldest,
        )

    @property
    def lists_may_change(self) -> bool:
        return self.everything or self.edited

    @property
    def maintenance_only(self) -> bool:
        """Only alarms and work orders: nothing Home or the live lists show changed."""
        return not self.everything and bool(self.kinds) and self.kinds <= MAINTENANCE_KINDS


SESSION_KINDS = frozenset({"session", "meter", "session_cost"})
# A running session's meter values ("session" events of meter values are "meter" in a batch's
# kinds) and its cost so far: the tabs show them at most once per `ticks_every`.
SESSION_TICKS = frozenset({"meter", "session_cost"})
# Event kinds that change what Home and the live lists show (commands, configuration,
# firmware, reservations and local lists have pages of their own).
NETWORK_KINDS = frozenset({"charge_point", "connector", "session", "meter", "warning", "asset"})
# Alarms and work orders change no charge point's row in Home or the live lists (the status
# behind an alarm has its own event): they feed the alarm bell only.
MAINTENANCE_KINDS = frozenset({"alarm", "work_order"})
# Besides the "session" events of meter values (data "meter"): kinds that move only metering.
METERING_KINDS = frozenset({"meter_reading", "session_cost"})


def batch_of(events: Sequence[NetworkEvent]) -> Batch:
    everything = any(e.charge_point_id is None and e.kind in NETWORK_KINDS for e in events)
    changed = frozenset(
        e.charge_point_id
        for e in events
        if e.charge_point_id is not None and e.kind not in MAINTENANCE_KINDS
    )
    edited = any("change" in e.data for e in events)
    shown_at_once = [e for e in events if not _metering(e)]
    restated = {e.charge_point_id for e in shown_at_once}
    kinds = frozenset("meter" if _meter_values(e) else e.kind for e in events)
    oldest = min((e.at for e in shown_at_once if e.kind in NETWORK_KINDS), default=None)
    return Batch(changed, everything, kinds, edited, changed - restated, oldest)


def _earliest(first: float | None, second: float | None) -> float | None:
    return min((at for at in (first, second) if at is not None), default=None)


def _meter_values(event: NetworkEvent) -> bool:
    return event.kind == "session" and bool(event.data.get("meter"))


def _metering(event: NetworkEvent) -> bool:
    """Meter values of a session (its energy and power), a site meter's reading or a running
    session's cost: none changes a charge point's status, connectors or warnings."""
    return _meter_values(event) or event.kind in METERING_KINDS


TabRefresh = Callable[[Batch], Awaitable[int]]


def _now() -> float:
    return time.monotonic()


async def _no_tabs(batch: Batch) -> int:
    return 0


class LivePublisher:
    """Coalesces bursts of events into one push per watched view per interval: each feed
    once per watching organisation, and `refresh_tabs` for the per-tab Live Monitoring pages.
    `before_publish` runs first (the app forgets closed tabs).

    The tabs follow meter values and running costs at most once per `ticks_every` seconds
    (their sessions lists, and the rows of charge points only meter values reached): under
    traffic every batch holds some, and each re-read, formatted and sent to every tab, costs
    as much as one for a status. Statuses, connections and sessions that start or end go
    with every batch; the meter values held go with the next of those, or once the period
    has passed."""

    def __init__(
        self,
        bus: EventBus,
        interval: float,
        feeds: Sequence[Feed[Any]] = (),
        refresh_tabs: TabRefresh = _no_tabs,
        before_publish: Callable[[], None] = lambda: None,
        ticks_every: float = 0.0,
    ) -> None:
        self._bus = bus
        self._interval = interval
        self._feeds = tuple(feeds)
        self._refresh_tabs = refresh_tabs
        self._before_publish = before_publish
        self.pushes = 0
        self.tab_refreshes = 0
        self.batches = 0  # batches handled, pushed or not (tests wait on it)
        # feeds with `every`: the batches merged while one waits, when it last pushed, and
        # the task that pushes them once `every` has passed
        self._held: dict[str, Batch] = {}
        self._pushed_at: dict[str, float] = {}
        self._later: dict[str, asyncio.Task[None]] = {}
        # the tabs' meter values: the same, for `ticks_every`
        self._ticks_every = ticks_every
        self._ticks_shown_at = float("-inf")
        self._held_ticks: Batch | None = None
        self._ticks_later: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Until cancelled: push fresh views after each batch of events (`EventBatches`)."""
        queue = self._bus.subscribe(remote=True)  # the live view of the whole network
        batches = EventBatches(queue, self._interval)
        try:
            while True:
                await self.publish(batch_of(await batches.next()))
        finally:
            self._bus.unsubscribe(queue)
            for task in [*self._later.values(), self._ticks_later]:
                if task is not None:
                    task.cancel()

    async def publish(self, batch: Batch | None = None) -> None:
        """Push fresh views to every watcher; one failure skips only that view.

        The per-organisation feeds and the Live Monitoring tabs go at the same time: under
        traffic Home's re-read of a batch's charge points took 0.2-1 s, and a tab's rows
        waited for it before (the ten-tab figure of bench/live_view_browser.py)."""
        batch = batch or Batch(everything=True)
        started = time.perf_counter()
        try:
            self._before_publish()
        except Exception:
            log.exception("forgetting closed tabs failed")
        await asyncio.gather(self._push_feeds(batch), self._push_tabs(batch))
        self.batches += 1
        push_stats.record(time.perf_counter() - started)

    async def _push_feeds(self, batch: Batch) -> None:
        for feed in self._feeds:
            if not feed.wanted(batch):
                continue
            if feed.every <= 0:
                await self._push_feed(feed, batch)
                continue
            held = self._held.get(feed.name)
            self._held[feed.name] = batch if held is None else held.merged(batch)
            if feed.name in self._later:  # a push is due already: it takes this batch too
                continue
            wait = self._pushed_at.get(feed.name, float("-inf")) + feed.every - _now()
            if wait <= 0:
                await self._push_held(feed)
            else:
                task = asyncio.create_task(self._push_later(feed, wait), name=f"feed-{feed.name}")
                self._later[feed.name] = task

    async def _push_held(self, feed: Feed[Any]) -> None:
        self._pushed_at[feed.name] = _now()
        await self._push_feed(feed, self._held.pop(feed.name))

    async def _push_later(self, feed: Feed[Any], wait: float) -> None:
        """Push the merged batches once `every` has passed; again while more arrive."""
        try:
            while feed.name in self._held:
                await asyncio.sleep(wait)
                await self._push_held(feed)
                wait = feed.every
        finally:
            self._later.pop(feed.name, None)

    async def _push_feed(self, feed: Feed[Any], batch: Batch) -> None:
        for organisation_id in sorted(feed.organisations()):
            try:
                view = await asyncio.to_thread(feed.load, organisation_id, batch)
                await feed.push(organisation_id, view)
                self.pushes += 1
            except Exception:
                log.exception(
                    "live push failed",
                    extra={"organisation_id": organisation_id, "feed": feed.name},
                )

    async def _push_tabs(self, batch: Batch) -> None:
        if batch.maintenance_only:
            return
        await self._refresh(self._paced(batch))

    async def _refresh(self, batch: Batch) -> None:
        try:
            self.tab_refreshes += await self._refresh_tabs(batch)
        except Exception:
            log.exception("live list refresh failed")

    def _paced(self, batch: Batch) -> Batch:
        """The batch as the tabs get it now: meter values and costs within `ticks_every` of
        the last shown are held (and go with the next batch that shows them)."""
        if self._ticks_every <= 0 or not batch.has_ticks:
            return batch
        held = self._held_ticks
        if batch.starts_or_ends or self._ticks_shown_at + self._ticks_every <= _now():
            self._held_ticks, self._ticks_shown_at = None, _now()
            return batch if held is None else held.merged(batch)
        self._held_ticks = batch.ticks() if held is None else held.merged(batch.ticks())
        if self._ticks_later is None:
            self._ticks_later = asyncio.create_task(self._show_ticks_later(), name="tab-ticks")
        return batch.without_ticks()

    async def _show_ticks_later(self) -> None:
        """Show the held meter values once the period has passed (unless a batch took them)."""
        try:
            while self._held_ticks is not None:
                await asyncio.sleep(max(0.0, self._ticks_shown_at + self._ticks_every - _now()))
                held, self._held_ticks = self._held_ticks, None
                if held is not None:
                    self._ticks_shown_at = _now()
                    await self._refresh(held)
        finally:
            self._ticks_later = None


# A tab's client token -> its root state, held exclusively while the context is open.
TabStates = Callable[[str], contextlib.AbstractAsyncContextManager[Any]]


def app_tab_states(app: rx.App) -> TabStates:
    """In the app: Reflex's state of the tab; on leaving, Reflex sends the tab what changed."""
    return lambda tab: app.modify_state(rx.BaseStateToken(ident=tab, cls=LiveListState))


def live_tabs(tab_states: TabStates) -> TabRefresh:
    """Re-read the pages of every Live Monitoring tab the batch may alter, in the tab's own
    state (so the tab receives the rows of its page that changed, nothing else)."""

    async def refresh(batch: Batch) -> int:
        with shared_reads():  # tabs with the same page and scope share one read
            return await _refresh_tabs(batch)

    async def _refresh_tabs(batch: Batch) -> int:
        """Every tab at once: while one waits for its read (or for another tab's identical
        read), the others compute and send their deltas; one after the other, ten tabs
        took ten times one tab's waits."""
        tabs = [
            (tab, charge_points)
            for tab in registry.live_tabs()
            if (
                charge_points := registry.page_may_change(
                    tab, batch.changed, batch.lists_may_change
                )
            )
            or batch.sessions_changed
        ]
        await asyncio.gather(*(_refresh_tab(tab, cps, batch) for tab, cps in tabs))
        return len(tabs)

    async def _refresh_tab(tab: str, charge_points: bool, batch: Batch) -> None:
        try:
            async with tab_states(tab) as root:
                if charge_points:
                    await (await root.get_state(LiveListState)).refresh_live()
                if batch.sessions_changed:
                    await (await root.get_state(ActiveSessionListState)).refresh_live()
        except Exception:
            log.exception("live list push failed", extra={"tab": tab[:8]})
            return
        if batch.oldest is not None:  # the tab was sent what changed (on leaving the state)
            push_stats.record_lag(time.monotonic() - batch.oldest)

    return refresh


def home_feed(
    app: rx.App, tallies: HomeTallies | None = None, every: float = 0.0
) -> Feed[HomeSummary]:
    """Home's counts, for the organisations with a Home tab open (or Live Monitoring, which
    shows them too), at most once per `every` seconds: under traffic they change with every
    batch, and each push goes to every watching tab of the organisation, all at once."""

    async def push(organisation_id: int, summary: HomeSummary) -> None:
        fields = home_fields(summary)  # once, for every tab
        tabs = registry.watching(organisation_id, registry.HOME)
        await asyncio.gather(*(_write_home(tab, fields) for tab in tabs))

    async def _write_home(tab: str, fields: dict[str, Any]) -> None:
        try:
            token = rx.BaseStateToken(ident=tab, cls=HomeState)
            async with app.modify_state(token) as root:
                write_home(await root.get_state(HomeState), fields)
                await push_to_followers(tab, root)
        except Exception:
            log.exception("home push failed", extra={"tab": tab[:8]})

    tallies = tallies or HomeTallies()
    return Feed(
        registry.HOME,
        home_watchers(tallies),
        home_load(tallies),
        push,
        lambda batch: not batch.maintenance_only,
        every,
    )


def home_watchers(tallies: HomeTallies) -> Callable[[], Collection[int]]:
    """The organisations with a Home tab open; the tallies of the others are dropped."""
    return lambda: tallies.keep_only(registry.watched_organisations(registry.HOME))


def home_load(tallies: HomeTallies) -> Callable[[int, Batch], HomeSummary]:
    """Home's summary after a batch: only the charge points it changed are read again, and
    of those only meter values reached, only their sessions."""
    return lambda organisation_id, batch: tallies.summary(
        organisation_id, batch.changed, batch.everything, batch.metered
    )


BELL = "alarm_bell"


def alarm_bell_feed(app: rx.App) -> Feed[BellView]:
    """The alarm bell of every organisation a tab's shell watches, after batches with alarms:
    one read per organisation and batch, however many alarms it holds, written into each
    watching tab's own state (no shared state: see AlarmToastState)."""

    async def push(organisation_id: int, view: BellView) -> None:
        for tab in bell_watch.tabs_of(organisation_id):
            try:
                token = rx.BaseStateToken(ident=tab, cls=AlarmToastState)
                async with app.modify_state(token) as root:
                    (await root.get_state(AlarmToastState)).show(view)
            except Exception:
                log.exception("alarm bell push failed", extra={"tab": tab[:8]})

    return Feed(
        BELL, bell_watchers(lambda: tab_watch.connected_tabs(app)), bell_load, push, bell_wanted
    )


def bell_watchers(connected: Callable[[], Collection[str]]) -> Callable[[], Collection[int]]:
    """The organisations with a tab showing the bell (tabs long disconnected forgotten)."""

    def organisations() -> Collection[int]:
        bell_watch.keep_connected(connected())
        return bell_watch.watched_organisations()

    return organisations


def bell_load(organisation_id: int, batch: Batch) -> BellView:
    return load_bell_for_watchers(organisation_id)


def bell_wanted(batch: Batch) -> bool:
    return "alarm" in batch.kinds or batch.everything


_CP_PREFIX = charge_point_feed.TOKEN_PREFIX


class _SharedTokenDeltaFilter(logging.Filter):
    """Reflex warns that the shared token itself has no browser: expected, once per push."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Attempting to send delta") and _CP_PREFIX in message)


@contextlib.asynccontextmanager
async def live_publisher(app: Any, settings: Settings) -> AsyncIterator[LivePublisher]:
    """Lifespan part: run the publisher for the app's lifetime."""
    logging.getLogger("reflex.app").addFilter(_SharedTokenDeltaFilter())
    tab_watch.install(app)
    install_bell_rejoin(app)  # several web workers: a reconnect may land on another one
    publisher = LivePublisher(
        get_event_bus(),
        settings.realtime_interval,
        feeds=[home_feed(app, every=settings.counters_interval), alarm_bell_feed(app)],
        refresh_tabs=live_tabs(app_tab_states(app)),
        before_publish=lambda: tab_watch.forget_closed_tabs(app),
        ticks_every=settings.counters_interval,
    )
    task = asyncio.create_task(publisher.run(), name="ccms-live-publisher")
    sessions = asyncio.create_task(
        tab_watch.end_watches_of_ended_sessions(), name="ccms-watch-sessions"
    )
    log.info("live publisher started", extra={"interval": settings.realtime_interval})
    try:
        async with charge_point_feed.charge_point_feed(app, settings.realtime_interval):
            yield publisher
    finally:
        for running in (task, sessions):
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
