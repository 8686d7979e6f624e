"""The publisher batches bursts of events and survives a failing organisation or tab."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Collection
from datetime import UTC, datetime

import pytest

from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.state.publisher import Batch, Feed, LivePublisher, batch_of
from tests.fixtures.ocpp import eventually

SUMMARY = HomeSummary(generated_at=datetime(2025, 6, 1, tzinfo=UTC))


class Pushes:
    def __init__(self) -> None:
        self.by_organisation: list[int] = []
        self.batches: list[Batch] = []

    async def __call__(self, organisation_id: int, summary: HomeSummary) -> None:
        assert summary is SUMMARY
        self.by_organisation.append(organisation_id)

    async def refresh_tabs(self, batch: Batch) -> int:
        self.batches.append(batch)
        return 1


@pytest.fixture
def pushes() -> Pushes:
    return Pushes()


@contextlib.asynccontextmanager
async def _running(publisher: LivePublisher) -> AsyncIterator[LivePublisher]:
    task = asyncio.create_task(publisher.run())
    await asyncio.sleep(0)  # let it subscribe before the test publishes
    try:
        yield publisher
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def _publisher(
    bus: EventBus,
    pushes: Pushes,
    organisations: Callable[[], Collection[int]],
    fail_for: int | None = None,
    interval: float = 0.01,
) -> LivePublisher:
    def load(organisation_id: int, batch: Batch) -> HomeSummary:
        if organisation_id == fail_for:
            raise RuntimeError("database unavailable")
        return SUMMARY

    feed = Feed("home", organisations, load, pushes)
    return LivePublisher(bus, interval, feeds=[feed], refresh_tabs=pushes.refresh_tabs)


async def test_a_burst_of_events_becomes_one_push(event_bus: EventBus, pushes: Pushes) -> None:
    publisher = _publisher(event_bus, pushes, lambda: {7}, interval=0.05)
    async with _running(publisher):
        for n in range(50):
            event_bus.publish(NetworkEvent(kind="meter", charge_point_id=n))
        await eventually(lambda: len(pushes.by_organisation) == 1)
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=1))
        await eventually(lambda: len(pushes.by_organisation) == 2)
    assert pushes.by_organisation == [7, 7]
    first, second = pushes.batches
    assert first == Batch(frozenset(range(50)), everything=False, kinds=frozenset({"meter"}))
    assert second.changed == {1} and not second.sessions_changed
    assert publisher.tab_refreshes == 2


def test_a_batch_says_what_changed() -> None:
    batch = batch_of(
        [
            NetworkEvent(kind="connector", charge_point_id=3),
            NetworkEvent(kind="session", charge_point_id=4),
        ]
    )
    assert batch.changed == {3, 4} and batch.sessions_changed and not batch.everything
    assert batch_of([NetworkEvent(kind="asset", data={"change": "station"})]).everything
    assert batch_of([NetworkEvent(kind="warning", data={"data_issues_resolved": 3})]).everything
    campaign = batch_of([NetworkEvent(kind="firmware", data={"campaign_id": 1})])
    assert not campaign.everything and not campaign.lists_may_change  # its own page
    edited = batch_of([NetworkEvent(kind="charge_point", charge_point_id=5, data={"change": "x"})])
    assert edited.lists_may_change and not edited.everything  # lists may gain or lose rows
    assert edited.changed == {5}  # Home re-reads just that charge point


async def test_one_failing_organisation_does_not_stop_the_others(
    event_bus: EventBus, pushes: Pushes
) -> None:
    publisher = _publisher(event_bus, pushes, lambda: {1, 2}, fail_for=1)
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector"))
        await eventually(lambda: pushes.by_organisation == [2])
        event_bus.publish(NetworkEvent(kind="connector"))
        await eventually(lambda: pushes.by_organisation == [2, 2])
    assert len(pushes.batches) == 2  # the tabs were refreshed all the same


async def test_nothing_is_pushed_without_watched_organisations(
    event_bus: EventBus, pushes: Pushes
) -> None:
    publisher = _publisher(event_bus, pushes, frozenset)
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector"))
        await publisher.publish()
    assert pushes.by_organisation == []


async def test_the_tabs_do_not_wait_for_a_slow_feed(event_bus: EventBus, pushes: Pushes) -> None:
    """Under traffic Home's re-read took up to a second: a Live Monitoring tab's rows go out
    meanwhile, not after it."""
    reading = threading.Event()
    release = threading.Event()

    def slow_load(organisation_id: int, batch: Batch) -> HomeSummary:
        reading.set()
        release.wait(5.0)
        return SUMMARY

    feed = Feed("home", lambda: {7}, slow_load, pushes)
    publisher = LivePublisher(event_bus, 0.01, feeds=[feed], refresh_tabs=pushes.refresh_tabs)
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=1))
        await eventually(lambda: len(pushes.batches) == 1)
        assert reading.is_set() and pushes.by_organisation == []  # Home still reading
        release.set()
        await eventually(lambda: pushes.by_organisation == [7])
    assert publisher.batches == 1


async def test_a_feed_with_every_pushes_once_per_period_with_every_change(
    event_bus: EventBus, pushes: Pushes
) -> None:
    """Home's counts change with every batch under traffic, and each push goes to every
    linked tab: they go at most once a period, the batches in between merged (none lost)."""
    loaded: list[Batch] = []

    def load(organisation_id: int, batch: Batch) -> HomeSummary:
        loaded.append(batch)
        return SUMMARY

    feed = Feed("home", lambda: {7}, load, pushes, every=2.0)
    publisher = LivePublisher(event_bus, 0.01, feeds=[feed], refresh_tabs=pushes.refresh_tabs)
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=1))
        await eventually(lambda: len(loaded) == 1)  # after a quiet spell: at once
        assert pushes.by_organisation == [7]
        for charge_point_id in (2, 3, 4):  # three batches within the period
            event_bus.publish(NetworkEvent(kind="meter", charge_point_id=charge_point_id))
            await eventually(lambda n=charge_point_id: len(pushes.batches) == n)
        assert len(loaded) == 1  # the tabs had every batch; the feed waits for its period
        await eventually(lambda: len(loaded) == 2, timeout=5.0)
        assert loaded[1].changed == {2, 3, 4}
        assert loaded[1].kinds == {"meter"}
        await asyncio.sleep(0.3)
        assert len(loaded) == 2 and pushes.by_organisation == [7, 7]  # nothing more held


async def test_the_tabs_follow_meter_values_once_per_period(
    event_bus: EventBus, pushes: Pushes
) -> None:
    """Meter values arrive in every batch under traffic; the tabs (their sessions lists, the
    rows of charge points only meter values reached) show them at most once a period (the
    held ones once it has passed, none lost), while a session that starts or a status that
    changes goes at once."""
    publisher = LivePublisher(event_bus, 0.01, refresh_tabs=pushes.refresh_tabs, ticks_every=1.0)

    def meter(charge_point_id: int) -> NetworkEvent:
        return NetworkEvent(kind="session", charge_point_id=charge_point_id, data={"meter": True})

    async with _running(publisher):
        event_bus.publish(meter(1))
        await eventually(lambda: len(pushes.batches) == 1)
        assert pushes.batches[0].kinds == {"meter"}  # after a quiet spell: at once
        event_bus.publish(meter(2))
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=2))
        await eventually(lambda: len(pushes.batches) == 2)
        held = pushes.batches[1]
        assert held.kinds == {"connector"} and held.changed == {2}  # the status: at once
        assert not held.sessions_changed
        event_bus.publish(NetworkEvent(kind="session", charge_point_id=3, data={"started": True}))
        await eventually(lambda: len(pushes.batches) == 3)
        assert pushes.batches[2].sessions_changed  # a start shows the held meter values too
        event_bus.publish(meter(4))
        await eventually(lambda: len(pushes.batches) == 4)
        assert not pushes.batches[3].sessions_changed
        assert pushes.batches[3].changed == frozenset()  # its row waits too
        await eventually(lambda: len(pushes.batches) == 5, timeout=5.0)
        assert pushes.batches[4].sessions_changed and pushes.batches[4].changed == {4}
        await asyncio.sleep(1.3)
        assert len(pushes.batches) == 5  # nothing more held


def test_a_batch_remembers_when_its_oldest_event_other_than_metering_happened() -> None:
    status = NetworkEvent(kind="connector", charge_point_id=1, at=10.0)
    meter = NetworkEvent(kind="session", charge_point_id=2, data={"meter": True}, at=5.0)
    assert batch_of([meter, status]).oldest == 10.0  # meter values are paced: not counted
    assert batch_of([meter]).oldest is None
    command = NetworkEvent(kind="command", charge_point_id=1, at=1.0)  # not on the live pages
    assert batch_of([command, status]).oldest == 10.0
    later = batch_of([NetworkEvent(kind="session", charge_point_id=3, at=12.0)])
    assert batch_of([status]).merged(later).oldest == 10.0
    assert batch_of([meter]).merged(later).oldest == 12.0
    assert batch_of([meter, status]).ticks().oldest is None
    assert batch_of([meter, status]).without_ticks().oldest == 10.0


def test_batches_merge_what_each_changed() -> None:
    first = Batch(frozenset({1}), kinds=frozenset({"meter"}))
    later = Batch(frozenset({2}), everything=True, kinds=frozenset({"asset"}), edited=True)
    assert first.merged(later) == Batch(
        frozenset({1, 2}), everything=True, kinds=frozenset({"meter", "asset"}), edited=True
    )


def test_a_batch_knows_which_charge_points_only_meter_values_reached() -> None:
    """Home re-reads only the sessions of those (monitoring.home_tally); a status, a stop or a
    data issue of the same charge point in the same batch, or in a batch merged with it,
    makes it a whole re-read again."""
    meter = [
        NetworkEvent(kind="session", charge_point_id=cp, data={"meter": True}) for cp in (1, 2, 3)
    ]
    batch = batch_of(
        [
            *meter,
            NetworkEvent(kind="connector", charge_point_id=2),
            NetworkEvent(kind="session_cost", charge_point_id=4),
            NetworkEvent(kind="session", charge_point_id=5, data={"stopped": True}),
            NetworkEvent(kind="meter_reading", charge_point_id=6),
        ]
    )
    assert batch.changed == {1, 2, 3, 4, 5, 6}
    assert batch.metered == {1, 3, 4, 6}
    later = batch_of(
        [
            NetworkEvent(kind="warning", charge_point_id=3),
            NetworkEvent(kind="session", charge_point_id=5, data={"meter": True}),
            NetworkEvent(kind="session", charge_point_id=7, data={"meter": True}),
        ]
    )
    merged = batch.merged(later)
    assert merged.changed == {1, 2, 3, 4, 5, 6, 7}
    assert merged.metered == {1, 4, 6, 7}
    assert later.merged(batch).metered == merged.metered
    assert Batch(frozenset({8})).metered == frozenset()  # unknown: read whole
    assert batch.kinds == {"meter", "connector", "session_cost", "session", "meter_reading"}
