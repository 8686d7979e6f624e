"""Nothing is built for a view nobody watches: the tabs that watch an organisation, and the
publisher that reads only for them (real loaders, real shared states, a real database)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.monitoring import registry
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.snapshot import NetworkSnapshot
from ccms_app.monitoring.state import tab_watch
from ccms_app.monitoring.state.home import HomeState, apply_summary, load_home_for_organisation
from ccms_app.monitoring.state.live import LiveState, apply_snapshot, load_for_organisation
from ccms_app.monitoring.state.publisher import Feed, LivePublisher
from tests.fixtures.ocpp import eventually
from tests.monitoring.state_tree import state_in_tree
from tests.monitoring.test_snapshot import add_charge_point


@pytest.fixture(autouse=True)
def no_tabs() -> Iterator[None]:
    registry.forget_all()
    yield
    registry.forget_all()


class Counted:
    """A real loader that counts its calls."""

    def __init__(self, load: Callable[[int], Any]) -> None:
        self._load = load
        self.calls: list[int] = []

    def __call__(self, organisation_id: int) -> Any:
        self.calls.append(organisation_id)
        return self._load(organisation_id)


class Network:
    """The publisher wired as in the app, writing into real LiveState and HomeState."""

    def __init__(self, bus: EventBus) -> None:
        self.live = state_in_tree(LiveState)
        self.home = state_in_tree(HomeState)
        self.live_loads = Counted(load_for_organisation)
        self.home_loads = Counted(load_home_for_organisation)
        self.connected: set[str] = set()
        self.publisher = LivePublisher(
            bus,
            self._push_live,
            interval=0.01,
            loader=self.live_loads,
            also=[
                Feed(
                    registry.HOME,
                    lambda: registry.watched_organisations(registry.HOME),
                    self.home_loads,
                    self._push_home,
                )
            ],
            before_publish=lambda: registry.forget_closed_tabs(self.connected),
        )

    async def _push_live(self, organisation_id: int, snapshot: NetworkSnapshot) -> None:
        apply_snapshot(self.live, snapshot)

    async def _push_home(self, organisation_id: int, summary: HomeSummary) -> None:
        apply_summary(self.home, summary)

    def open_tab(self, tab: str, organisation_id: int, view: str = registry.LIVE) -> None:
        self.connected.add(tab)
        registry.watch(tab, organisation_id, view)


@pytest.fixture
async def network(event_bus: EventBus, session: Session, organisation: Organisation) -> Network:
    add_charge_point(session, organisation, "CP-1", statuses=(("Faulted", "GroundFailure"),))
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


async def _batch(bus: EventBus, publisher: LivePublisher) -> None:
    """One batch of events, fully handled (pushed or skipped)."""
    before = publisher.batches
    bus.publish(NetworkEvent(kind="connector", charge_point_id=1))
    await eventually(lambda: publisher.batches > before)


async def test_last_tab_leaving_stops_the_loads_and_rejoining_reloads(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    org = organisation.id
    async with running(network) as publisher:
        network.open_tab("tab-a", org)
        network.open_tab("tab-b", org)
        await _batch(event_bus, publisher)
        assert network.live_loads.calls == [org]  # one load per organisation, not per tab

        registry.unwatch("tab-a")  # one of two tabs leaves: still watched
        await _batch(event_bus, publisher)
        assert network.live_loads.calls == [org, org]

        registry.unwatch("tab-b")  # the last tab leaves: nothing is loaded any more
        for _ in range(3):
            await _batch(event_bus, publisher)
        assert network.live_loads.calls == [org, org]
        assert network.home_loads.calls == []

        network.open_tab("tab-b", org)  # re-joining reloads
        await _batch(event_bus, publisher)
        assert network.live_loads.calls == [org, org, org]
    assert [row.identity for row in network.live.charge_points] == ["CP-1"]


async def test_a_closed_tab_stops_counting(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    async with running(network) as publisher:
        network.open_tab("tab-a", organisation.id)
        network.open_tab("tab-b", organisation.id)
        network.connected.discard("tab-a")  # its websocket closed
        await _batch(event_bus, publisher)
        assert registry.watching_tabs(organisation.id) == 1
        network.connected.discard("tab-b")
        await _batch(event_bus, publisher)
        assert network.live_loads.calls == [organisation.id]
        assert registry.watched_organisations() == frozenset()


async def test_home_tabs_get_counts_without_the_whole_network(
    event_bus: EventBus, network: Network, organisation: Organisation
) -> None:
    async with running(network) as publisher:
        network.open_tab("tab-home", organisation.id, registry.HOME)
        await _batch(event_bus, publisher)
    assert network.live_loads.calls == []  # nobody watches Live Monitoring
    assert network.home_loads.calls == [organisation.id]
    assert network.home.counts.faulted == 1 and network.home.loaded
    assert network.home.warnings_total == 1
    assert [w.identity for w in network.home.warnings] == ["CP-1"]


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
    root = state_in_tree(LiveState).parent_state
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
