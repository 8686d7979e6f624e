"""The live publisher and the alarm bell: a burst of alarms is one push per organisation
(so one delta per tab), only for organisations whose tabs show the bell, and alarm events
cost Home and the live lists nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.maintenance.notifications import bell_watch
from ccms_app.maintenance.notifications.rules.bell_view import BellView
from ccms_app.monitoring.state.publisher import (
    BELL,
    Batch,
    Feed,
    LivePublisher,
    batch_of,
    bell_load,
    bell_wanted,
    bell_watchers,
)
from tests.fixtures.ocpp import eventually
from tests.maintenance.notifications.support import World


@pytest.fixture(autouse=True)
def no_bell_tabs() -> Iterator[None]:
    bell_watch.forget_all()
    yield
    bell_watch.forget_all()


class Recorder:
    def __init__(self) -> None:
        self.bell: list[tuple[int, BellView]] = []
        self.home_loads = 0
        self.tab_batches: list[Batch] = []

    async def push_bell(self, organisation_id: int, view: BellView) -> None:
        self.bell.append((organisation_id, view))

    def load_home(self, organisation_id: int, batch: Batch) -> str:
        self.home_loads += 1
        return "home"

    async def push_home(self, organisation_id: int, view: str) -> None:
        return None

    async def refresh_tabs(self, batch: Batch) -> int:
        self.tab_batches.append(batch)
        return 1


def _publisher(bus: EventBus, recorder: Recorder, connected: set[str], org: int) -> LivePublisher:
    home = Feed(
        "home",
        lambda: {org},
        recorder.load_home,
        recorder.push_home,
        lambda batch: not batch.maintenance_only,
    )
    bell = Feed(BELL, bell_watchers(lambda: connected), bell_load, recorder.push_bell, bell_wanted)
    return LivePublisher(bus, 0.05, feeds=[home, bell], refresh_tabs=recorder.refresh_tabs)


@contextlib.asynccontextmanager
async def _running(publisher: LivePublisher) -> AsyncIterator[LivePublisher]:
    task = asyncio.create_task(publisher.run())
    await asyncio.sleep(0)
    try:
        yield publisher
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def _alarm_event(alarm_id: int, charge_point_id: int, org: int) -> NetworkEvent:
    return NetworkEvent(
        kind="alarm",
        charge_point_id=charge_point_id,
        identity=f"CP-{charge_point_id}",
        data={
            "alarm_id": alarm_id,
            "organisation_id": org,
            "connector_id": 1,
            "cause": "connector_faulted",
            "severity": "major",
            "status": "open",
            "raised": True,
        },
    )


async def test_500_alarms_in_a_second_are_one_push(
    event_bus: EventBus, organisation: Organisation
) -> None:
    world = World(int(organisation.id or 0))
    identities = [f"CP-{n:03d}" for n in range(500)]
    cp_ids = world.charge_points_at(None, identities)
    alarm_ids = world.raise_alarms(identities, None)
    org = world.organisation_id
    connected = {"tab-a", "tab-b", "tab-c"}
    bell_watch.watch("tab-a", org, "")
    bell_watch.watch("tab-b", org, "")
    bell_watch.watch("tab-c", org, "")  # a third tab of the same organisation
    recorder = Recorder()
    publisher = _publisher(event_bus, recorder, connected, org)
    async with _running(publisher):
        for alarm_id, cp_id in zip(alarm_ids, cp_ids, strict=True):
            event_bus.publish(_alarm_event(alarm_id, cp_id, org))
        await eventually(lambda: publisher.batches >= 1)
        await asyncio.sleep(0.2)  # anything more would have come by now
    ((pushed_org, view),) = recorder.bell
    assert pushed_org == org
    assert sum(a.major for a in view.audiences) == 500
    assert len(view.newest) == 20 and view.newest[0].id == max(alarm_ids)
    # Home and the live lists were not re-read for alarms.
    assert recorder.home_loads == 0 and recorder.tab_batches == []


async def test_no_bell_without_alarms_or_without_watching_tabs(
    event_bus: EventBus, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    recorder = Recorder()
    publisher = _publisher(event_bus, recorder, set(), org)
    async with _running(publisher):
        event_bus.publish(NetworkEvent(kind="connector", charge_point_id=1, data={"status": "x"}))
        await eventually(lambda: publisher.batches == 1)
        event_bus.publish(_alarm_event(1, 1, org))  # nobody shows the bell
        await eventually(lambda: publisher.batches == 2)
    assert recorder.bell == []
    assert recorder.home_loads == 1 and len(recorder.tab_batches) == 1


def test_alarm_events_change_no_charge_point_row() -> None:
    batch = batch_of(
        [
            _alarm_event(1, 5, 1),
            NetworkEvent(kind="work_order", charge_point_id=6, data={"created": True}),
        ]
    )
    assert batch.changed == frozenset() and batch.maintenance_only
    assert bell_wanted(batch)
    mixed = batch_of([_alarm_event(1, 5, 1), NetworkEvent(kind="connector", charge_point_id=5)])
    assert mixed.changed == {5} and not mixed.maintenance_only
    assert not bell_wanted(batch_of([NetworkEvent(kind="meter", charge_point_id=5)]))


def test_a_tab_briefly_disconnected_keeps_its_bell() -> None:
    bell_watch.watch("tab", 1, "")
    bell_watch.keep_connected(set(), now=100.0)
    bell_watch.keep_connected(set(), now=100.0 + bell_watch.DISCONNECT_GRACE_S - 1)
    assert bell_watch.watched_organisations() == {1}
    bell_watch.keep_connected({"tab"}, now=500.0)  # back: the clock starts again
    bell_watch.keep_connected(set(), now=600.0)
    assert bell_watch.watched_organisations() == {1}
    bell_watch.keep_connected(set(), now=600.0 + bell_watch.DISCONNECT_GRACE_S)
    assert bell_watch.watched_organisations() == frozenset()
