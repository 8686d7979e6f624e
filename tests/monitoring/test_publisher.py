"""The publisher batches bursts of events and survives a failing organisation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.monitoring.snapshot import NetworkSnapshot
from ccms_app.monitoring.state.publisher import LivePublisher
from tests.fixtures.ocpp import eventually

SNAPSHOT = NetworkSnapshot(generated_at=datetime(2025, 6, 1, tzinfo=UTC))


class Pushes:
    def __init__(self) -> None:
        self.by_organisation: list[int] = []

    async def __call__(self, organisation_id: int, snapshot: NetworkSnapshot) -> None:
        assert snapshot is SNAPSHOT
        self.by_organisation.append(organisation_id)


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


def _loader(fail_for: int | None = None) -> Callable[[int], NetworkSnapshot]:
    def load(organisation_id: int) -> NetworkSnapshot:
        if organisation_id == fail_for:
            raise RuntimeError("database unavailable")
        return SNAPSHOT

    return load


async def test_a_burst_of_events_becomes_one_push(event_bus: EventBus, pushes: Pushes) -> None:
    publisher = LivePublisher(
        event_bus, pushes, interval=0.05, loader=_loader(), organisations=lambda: {7}
    )
    async with _running(publisher):
        for n in range(50):
            event_bus.publish(NetworkEvent(kind="meter", charge_point_id=n))
        await eventually(lambda: len(pushes.by_organisation) == 1)
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=1))
        await eventually(lambda: len(pushes.by_organisation) == 2)
    assert pushes.by_organisation == [7, 7]


async def test_one_failing_organisation_does_not_stop_the_others(
    event_bus: EventBus, pushes: Pushes
) -> None:
    publisher = LivePublisher(
        event_bus, pushes, interval=0.01, loader=_loader(fail_for=1), organisations=lambda: {1, 2}
    )
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector"))
        await eventually(lambda: pushes.by_organisation == [2])
        event_bus.publish(NetworkEvent(kind="connector"))
        await eventually(lambda: pushes.by_organisation == [2, 2])


async def test_nothing_is_pushed_without_watched_organisations(
    event_bus: EventBus, pushes: Pushes
) -> None:
    publisher = LivePublisher(
        event_bus, pushes, interval=0.01, loader=_loader(), organisations=frozenset
    )
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector"))
        await publisher.publish()
    assert pushes.by_organisation == []
