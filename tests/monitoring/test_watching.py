"""Nothing is built for a view nobody watches, and a tab gets only its page: the tabs that
watch, and the publisher that re-reads only for them, only what may have changed (real
loaders, real states, a real database)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
import reflex as rx
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control.firmware.state import FirmwareState
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.monitoring import live_list, registry
from ccms_app.monitoring.home_summary import load_home_summary
from ccms_app.monitoring.home_tally import HomeTallies
from ccms_app.monitoring.state import tab_watch
from ccms_app.monitoring.state.home import HomeState, apply_summary
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.monitoring.state.publisher import (
    Batch,
    LivePublisher,
    home_feed,
    live_tabs,
)
from ccms_app.network.models import Connector
from ccms_app.network.state.map import StationMapState
from ccms_app.network.state.station import StationDetailState
from tests.fixtures.ocpp import eventually
from tests.monitoring.live_tabs import LiveTabs
from tests.monitoring.state_tree import state_in_tree
from tests.monitoring.test_snapshot import add_charge_point


@pytest.fixture(autouse=True)
def no_tabs() -> Iterator[None]:
    registry.forget_all()
    yield
    registry.forget_all()


class Counted:
    """A real loader that counts its calls."""

    def __init__(self, load: Callable[[int, Batch], Any]) -> None:
        self._load = load
        self.calls: list[int] = []

    def __call__(self, organisation_id: int, batch: Batch) -> Any:
        self.calls.append(organisation_id)
        return self._load(organisation_id, batch)


class TabRoots:
    """What the Home feed needs of the rx.App: `modify_state` opens the tab's own tree."""

    def __init__(self, tabs: LiveTabs) -> None:
        self.tabs = tabs
        self.opened: list[str] = []

    @contextlib.asynccontextmanager
    async def modify_state(self, token: Any) -> AsyncIterator[rx.State]:
        self.opened.append(token.ident)
        yield self.tabs.roots[token.ident]


class Network:
    """The publisher wired as in the app: per-tab Live Monitoring and Home states."""

    def __init__(self, bus: EventBus) -> None:
        self.tabs = LiveTabs()
        self.app = TabRoots(self.tabs)
        tallies = HomeTallies()
        feed = home_feed(cast(rx.App, self.app), tallies)
        self.home_loads = Counted(feed.load)
        self.connected: set[str] = set()
        self.publisher = LivePublisher(
            bus,
            interval=0.01,
            feeds=[dataclasses.replace(feed, load=self.home_loads)],
            refresh_tabs=live_tabs(self.tabs.states),
            before_publish=lambda: registry.forget_closed_tabs(self.connected),
        )

    async def open_live(self, tab: str, organisation_id: int, **query: object) -> LiveListState:
        self.connected.add(tab)
        return await self.tabs.open(tab, organisation_id, **query)

    def open_home(self, tab: str, organisation_id: int) -> None:
        self.connected.add(tab)
        self.tabs.roots.setdefault(tab, rx.State())
        registry.watch(tab, organisation_id, registry.HOME)

    async def home(self, tab: str) -> HomeState:
        return await self.tabs.roots[tab].get_state(HomeState)


@pytest.fixture
async def network(event_bus: EventBus, session: Session, organisation: Organisation) -> Network:
    for identity in ("CP-1", "CP-2", "CP-3"):
        add_charge_point(session, organisation, identity, statuses=(("Faulted", "GroundFailure"),))
    session.commit()
    return Network(event_bus)


@contextlib.asynccontextmanager
async def running(network: Network) -> AsyncIterator[LivePublisher]:
    task = asyncio.create_task(network.publisher.run())
    await asyncio.sleep(0)  # let it subscribe before the test publishes
    try:
        yield network.publisher
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def _batch(bus: EventBus, publisher: LivePublisher, *events: NetworkEvent) -> None:
    """One batch of events, fully handled (pushed or skipped)."""
    before = publisher.batches
    for event in events or (NetworkEvent(kind="connector", charge_point_id=1),):
        bus.publish(event)
    await eventually(lambda: publisher.batches > before)


def _status(session: Session, charge_point_id: int, status: str) -> NetworkEvent:
    """A connector of the charge point changes status in the database; its event."""
    connector = session.exec(
        select(Connector).where(Connector.charge_point_id == charge_point_id)
    ).one()
    connector.status = status
    session.add(connector)
    session.commit()
    return NetworkEvent(kind="connector", charge_point_id=charge_point_id)


async def test_only_tabs_showing_a_changed_charge_point_re_read_their_page(
    event_bus: EventBus, network: Network, organisation: Organisation, session: Session
) -> None:
    org = organisation.id
    first = await network.open_live("tab-first", org, page_size=10, page=1)
    await network.open_live("tab-cp3", org, search="CP-3")
    async with running(network) as publisher:
        await _batch(event_bus, publisher, _status(session, 1, "Available"))
        assert network.tabs.refreshed == ["tab-first"]  # CP-1 is not on tab-cp3's page
        assert first.charge_points[0].connectors[0].status == "Available"

        network.tabs.refreshed.clear()
        await _batch(event_bus, publisher, _status(session, 3, "Charging"))
        assert sorted(network.tabs.refreshed) == ["tab-cp3", "tab-first"]

        network.tabs.refreshed.clear()  # a new charge point: every list may change
        await _batch(event_bus, publisher, NetworkEvent(kind="asset", data={"change": "x"}))
        assert sorted(network.tabs.refreshed) == ["tab-cp3", "tab-first"]


async def test_a_filtered_page_follows_traffic_in_and_out_of_the_filter(
    event_bus: EventBus, network: Network, organisation: Organisation, session: Session
) -> None:
    faulted = await network.open_live("tab", organisation.id, filters={"faulted": "true"})
    assert [row.identity for row in faulted.charge_points] == ["CP-1", "CP-2", "CP-3"]
    async with running(network) as publisher:
        await _batch(event_bus, publisher, _status(session, 2, "Available"))
    assert [row.identity for row in faulted.charge_points] == ["CP-1", "CP-3"]
    assert faulted.total == 2


async def test_a_re_read_sends_only_what_changed(
    event_bus: EventBus, network: Network, organisation: Organisation, session: Session
) -> None:
    page = await network.open_live("tab", organisation.id)
    page._clean()
    await page.refresh_live()  # nothing changed in the database
    assert page.dirty_vars == set()
    _status(session, 1, "Charging")
    await page.refresh_live()
    assert page.dirty_vars == {"charge_points"}


async def test_a_sessions_re_read_that_finds_the_same_page_sends_nothing(
    network: Network, organisation: Organisation
) -> None:
    """The running sessions are re-read after every tick; the generic list (ui/list_state)
    wrote every field each time, and Reflex sent all eight to the tab, rows included."""
    await network.open_live("tab", organisation.id)
    sessions = await network.tabs.sessions("tab")
    assert sessions.loaded and not sessions.loading
    sessions._clean()
    await sessions.refresh_live()  # nothing changed in the database
    sent = {name for name in sessions.dirty_vars if not name.startswith("_")}  # backend: kept
    assert sent == set()


async def test_last_tab_leaving_stops_the_re_reads_and_rejoining_reloads(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    org = organisation.id
    await network.open_live("tab-a", org)
    await network.open_live("tab-b", org)
    async with running(network) as publisher:
        await _batch(event_bus, publisher)
        assert sorted(network.tabs.refreshed) == ["tab-a", "tab-b"]

        registry.unwatch("tab-a")  # one of two tabs leaves
        network.tabs.refreshed.clear()
        await _batch(event_bus, publisher)
        assert network.tabs.refreshed == ["tab-b"]

        registry.unwatch("tab-b")  # the last tab leaves: nothing is read any more
        network.tabs.refreshed.clear()
        for _ in range(3):
            await _batch(event_bus, publisher)
        assert network.tabs.refreshed == []
        assert network.home_loads.calls == []

        await network.open_live("tab-b", org)  # re-joining reloads
        await _batch(event_bus, publisher)
        assert network.tabs.refreshed == ["tab-b"]


async def test_a_closed_tab_stops_counting(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    async with running(network) as publisher:
        await network.open_live("tab-a", organisation.id)
        await network.open_live("tab-b", organisation.id)
        network.connected.discard("tab-a")  # its websocket closed
        await _batch(event_bus, publisher)
        assert registry.watching_tabs(organisation.id) == 1
        network.connected.discard("tab-b")
        network.tabs.refreshed.clear()
        await _batch(event_bus, publisher)
        assert network.tabs.refreshed == []
        assert registry.watched_organisations() == frozenset()


async def test_home_tabs_get_counts_without_the_whole_network(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    async with running(network) as publisher:
        network.open_home("tab-home", organisation.id)
        await _batch(event_bus, publisher)
    assert network.tabs.refreshed == []  # nobody watches Live Monitoring
    assert network.home_loads.calls == [organisation.id]
    home = await network.home("tab-home")
    assert home.counts.faulted == 3 and home.loaded
    assert home.warnings_total == 3
    assert [w.identity for w in home.warnings] == ["CP-1", "CP-2", "CP-3"]


async def test_each_home_tab_gets_the_counts_in_its_own_state_and_nothing_else(
    event_bus: EventBus, network: Network, organisation: Organisation, session: Session
) -> None:
    """One read per organisation, written into every watching tab's own HomeState; a tab
    receives Home's fields that changed and nothing else (a tab linked to a Reflex shared
    state received its router data and every dynamic route argument with every push)."""
    org = organisation.id
    network.open_home("tab-a", org)
    network.open_home("tab-b", org)
    await network.open_live("tab-live-only", org)  # Live Monitoring's list, not Home's view
    registry.unwatch("tab-live-only", registry.HOME)
    async with running(network) as publisher:
        await _batch(event_bus, publisher)
        for tab in ("tab-a", "tab-b"):
            home = await network.home(tab)
            assert home.counts.faulted == 3 and home.loaded
            home._get_root_state()._clean()
        await _batch(event_bus, publisher, _status(session, 1, "Available"))
    assert network.home_loads.calls == [org, org]  # one read per batch, not one per tab
    assert "tab-live-only" not in network.app.opened
    assert not (await network.home("tab-live-only")).loaded
    for tab in ("tab-a", "tab-b"):
        root = network.tabs.roots[tab]
        home = await root.get_state(HomeState)
        assert home.counts.faulted == 2
        delta = root.get_delta()
        assert set(delta) == {HomeState.get_full_name()}, delta.keys()
        assert "counts_rx_state_" in delta[HomeState.get_full_name()]


async def test_home_pushes_recompute_only_the_page_a_tab_follows(
    event_bus: EventBus, network: Network, organisation: Organisation, session: Session
) -> None:
    """Firmware, the station map and the station page recompute their live views on Home's
    pushes, each only in a tab that shows it. They depended on HomeState.updated_at, and
    Reflex recomputed all three, and sent them, in every tab on every push: Home's and Live
    Monitoring's tabs too (2.6 KB a push, seen in the bench's frames)."""
    org = organisation.id
    followers = (FirmwareState, StationMapState, StationDetailState)
    # The page's load may reach the server before its HomeState.join (the map loads on mount)
    registry.follow_home("tab-firmware", FirmwareState.get_full_name())
    network.open_home("tab-home", org)
    network.open_home("tab-firmware", org)
    roots = network.tabs.roots
    async with running(network) as publisher:
        await _batch(event_bus, publisher)
        for tab in ("tab-home", "tab-firmware"):
            for follower in followers:  # in the app, a tab's whole tree is loaded
                await roots[tab].get_state(follower)
            (await network.home(tab)).updated_at = ""  # the tab last saw an older push
            roots[tab]._clean()
        await _batch(event_bus, publisher, _status(session, 1, "Available"))
    assert set(roots["tab-home"].get_delta()) == {HomeState.get_full_name()}
    delta = roots["tab-firmware"].get_delta()
    assert set(delta) == {HomeState.get_full_name(), FirmwareState.get_full_name()}
    assert "live_rx_state_" in delta[FirmwareState.get_full_name()]
    # A navigation's or reconnect's unwatch keeps it (the page loads again or unmounts);
    # the page unmounting ends it, and so does the tab closing.
    firmware = FirmwareState.get_full_name()
    registry.unwatch("tab-firmware")
    assert registry.home_followers("tab-firmware") == {firmware}
    registry.unfollow_home("tab-firmware", firmware)
    assert registry.home_followers("tab-firmware") == frozenset()
    registry.follow_home("tab-firmware", firmware)
    registry.forget_closed_tabs(set())
    assert registry.home_followers("tab-firmware") == frozenset()


def test_charge_point_page_watches_end_with_the_tab() -> None:
    registry.watch_charge_point("tab-1", 7)
    registry.watch_charge_point("tab-2", 7)
    registry.watch_charge_point("tab-3", 8)
    registry.unwatch("tab-1")  # navigated away
    assert registry.watched_charge_points() == {7, 8}
    registry.forget_closed_tabs({"tab-3"})  # tab-2 closed
    assert registry.watched_charge_points() == {8}


def test_a_tab_watches_each_view_once_and_leaves_per_view() -> None:
    registry.watch("tab", 1, registry.LIVE)
    registry.watch("tab", 2, registry.LIVE)  # another organisation (a new login): replaces
    registry.watch("tab", 2, registry.HOME)
    assert registry.watched_organisations() == {2}
    assert registry.watched_organisations(registry.HOME) == {2}
    registry.unwatch("tab", registry.LIVE)
    assert (registry.watched_organisations(), registry.watching_tabs(2, registry.HOME)) == (
        frozenset(),
        1,
    )


async def test_changing_page_or_reconnecting_ends_the_tabs_watches() -> None:
    root = state_in_tree(LiveListState).parent_state
    assert root is not None
    root.rx_router_session = dataclasses.replace(root.rx_router_session, client_token="tab")
    middleware = tab_watch.TabWatchMiddleware()
    for name in ("reflex___state____on_load_internal_state.on_load_internal", "x.hydrate_and_load"):
        registry.watch("tab", 1, registry.LIVE)
        registry.watch("tab", 1, registry.HOME)
        registry.watch("other-tab", 1, registry.LIVE)
        event = SimpleNamespace(name="x.live_state.set_page")
        assert await middleware.preprocess(None, root, event) is None
        assert registry.watching_tabs(1) == 2
        assert await middleware.preprocess(None, root, SimpleNamespace(name=name)) is None
        assert registry.watching_tabs(1) == 1 and not registry.watched_organisations("home")


def test_connected_tabs_come_from_reflexs_socket_map() -> None:
    app = SimpleNamespace(event_namespace=SimpleNamespace(sid_to_token={"sid-1": "tab-1"}))
    assert tab_watch.connected_tabs(app) == {"tab-1"}  # type: ignore[arg-type]
    assert tab_watch.connected_tabs(SimpleNamespace(event_namespace=None)) == frozenset()  # type: ignore[arg-type]
    registry.watch("tab-1", 1)
    registry.watch("tab-2", 1)
    tab_watch.forget_closed_tabs(app)  # type: ignore[arg-type]
    assert registry.watching_tabs(1) == 1


class _App:
    """What install uses of rx.App (a second real App would re-register the pages)."""

    def __init__(self) -> None:
        self._middlewares: list[object] = []

    def add_middleware(self, middleware: object) -> None:
        self._middlewares.append(middleware)


def test_install_adds_the_middleware_once() -> None:
    app = _App()
    tab_watch.install(app)  # type: ignore[arg-type]
    tab_watch.install(app)  # type: ignore[arg-type]
    assert sum(isinstance(m, tab_watch.TabWatchMiddleware) for m in app._middlewares) == 1


async def test_tabs_on_the_same_page_share_one_read_per_batch(
    event_bus: EventBus,
    network: Network,
    organisation: Organisation,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for tab in ("tab-1", "tab-2", "tab-3"):
        await network.open_live(tab, organisation.id)
    await network.open_live("tab-other", organisation.id, search="CP-1")
    reads: list[str] = []
    real = live_list.load_page

    def counted(query: Any, scope: Any, now: Any = None, zone: str = "UTC") -> Any:
        reads.append(query.search)
        return real(query, scope, now, zone)

    monkeypatch.setattr(live_list, "load_page", counted)
    async with running(network) as publisher:
        await _batch(event_bus, publisher, _status(session, 1, "Charging"))
    assert sorted(reads) == ["", "CP-1"]  # one read per distinct page, not per tab
    for tab in ("tab-1", "tab-2", "tab-3"):
        page = await network.tabs.charge_points(tab)
        assert page.charge_points[0].connectors[0].status == "Charging"


async def test_tabs_are_refreshed_at_once_not_one_after_the_other(
    event_bus: EventBus,
    network: Network,
    organisation: Organisation,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two tabs with different pages: each read waits until the other has started too, which
    only happens if the publisher does not wait for one tab before starting the next."""
    await network.open_live("tab-all", organisation.id)
    await network.open_live("tab-cp1", organisation.id, search="CP-1")
    both_reading = threading.Barrier(2, timeout=5)
    real = live_list.load_page

    def meets_the_other(query: Any, scope: Any, now: Any = None, zone: str = "UTC") -> Any:
        both_reading.wait()
        return real(query, scope, now, zone)

    monkeypatch.setattr(live_list, "load_page", meets_the_other)
    async with running(network) as publisher:
        await _batch(event_bus, publisher, _status(session, 1, "Charging"))
    for tab in ("tab-all", "tab-cp1"):
        page = await network.tabs.charge_points(tab)
        assert page.charge_points[0].connectors[0].status == "Charging"


def test_home_pushes_only_the_counts_that_changed(
    network: Network, organisation: Organisation, session: Session
) -> None:
    """Each field written into a tab's Home state is sent to the tab: only what changed."""
    home = state_in_tree(HomeState)
    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    scope = frozenset({organisation.id})
    apply_summary(home, load_home_summary(scope, now=at))
    home._clean()
    apply_summary(home, load_home_summary(scope, now=at))
    assert home.dirty_vars == set()  # the same view again: nothing to send
    _status(session, 1, "Available")
    apply_summary(home, load_home_summary(scope, now=at))
    assert "connector_counts" in home.dirty_vars
    assert not home.dirty_vars & {"live_power_texts", "updated_at"}
