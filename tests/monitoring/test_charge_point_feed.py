"""A command's lifecycle reaches the charge point page's live state, pushed, step by step.

Real OCPP server and websocket client -> commands.send_command -> event bus ->
ChargePointFeed -> push target -> ChargePointLiveState, the state the page renders.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.control import commands
from ccms_app.core.events import EventBus, NetworkEvent, get_event_bus
from ccms_app.monitoring.charge_point_view import load_sections
from ccms_app.monitoring.state.charge_point_feed import (
    ChargePointFeed,
    ChargePointLiveState,
    Sections,
    apply_sections,
)
from ccms_app.network.models import ChargePoint, Connector
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import NEVER, connect_charge_point, eventually
from tests.monitoring.state_tree import state_in_tree
from tests.monitoring.test_snapshot import NOW, add_session

CP = "CP-FEED-1"


class RecordingTarget:
    """Push target that writes into a ChargePointLiveState, as the app's target does."""

    def __init__(self) -> None:
        self.state = state_in_tree(ChargePointLiveState)
        self.pushes: list[tuple[int, set[str]]] = []

    async def __call__(self, charge_point_id: int, sections: Sections) -> None:
        apply_sections(self.state, charge_point_id, sections)
        self.pushes.append((charge_point_id, set(sections)))

    def statuses(self) -> list[str]:
        return [row.status for row in self.state.command_history]


@pytest.fixture
def charge_point_id(session: Session, organisation: Organisation) -> int:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.commit()
    return cp.id


@contextlib.asynccontextmanager
async def _running(feed: ChargePointFeed) -> AsyncIterator[ChargePointFeed]:
    task = asyncio.create_task(feed.run())
    await asyncio.sleep(0)  # let it subscribe before anything is published
    try:
        yield feed
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_history_follows_the_command_lifecycle(
    command_port: OcppServer, ocpp_url: str, charge_point_id: int
) -> None:
    target = RecordingTarget()
    feed = ChargePointFeed(
        get_event_bus(), target, interval=0.01, charge_points=lambda: {charge_point_id}
    )
    async with _running(feed), connect_charge_point(ocpp_url, CP) as charger:
        charger.answers["Reset"] = NEVER
        waiting = asyncio.create_task(
            commands.send_command(charge_point_id, "Reset", {"type": "Hard"}, "ops", timeout=2)
        )
        await eventually(lambda: target.statuses() == ["sent"])  # the charger has not answered
        assert target.state.command_history[0].summary == "type=Hard"
        assert (await waiting).status == "timed_out"
        await eventually(lambda: target.statuses() == ["timed_out"])

        charger.answers["Reset"] = "Accepted"
        view = await commands.send_command(charge_point_id, "Reset", {"type": "Soft"}, "ops")
        assert view.status == "accepted"
        await eventually(lambda: target.statuses() == ["accepted", "timed_out"])
    newest = target.state.command_history[0]
    assert (newest.action, newest.summary, newest.by) == ("Reset", "type=Soft", "ops")
    assert target.state.charge_point_id == charge_point_id
    assert all(kinds == {"command_history"} for _, kinds in target.pushes)


async def test_only_watched_charge_points_and_touched_sections_are_pushed(
    event_bus: EventBus, charge_point_id: int
) -> None:
    target = RecordingTarget()
    feed = ChargePointFeed(event_bus, target, interval=0.01, charge_points=lambda: {7, 8})
    await feed.publish(
        [
            NetworkEvent(kind="reservation", charge_point_id=7),
            NetworkEvent(kind="configuration", charge_point_id=7),
            NetworkEvent(kind="command", charge_point_id=8),
            NetworkEvent(kind="command", charge_point_id=9),  # no tab shows it
            NetworkEvent(kind="meter", charge_point_id=8),  # not a section of the page
        ]
    )
    assert target.pushes == [(7, {"reservations", "configuration"}), (8, {"command_history"})]


async def test_one_failing_charge_point_does_not_stop_the_others(event_bus: EventBus) -> None:
    target = RecordingTarget()

    def loader(charge_point_id: int, kinds: set[str]) -> Sections:
        if charge_point_id == 1:
            raise RuntimeError("database unavailable")
        return {"command_history": []}

    feed = ChargePointFeed(event_bus, target, 0.01, loader=loader, charge_points=lambda: {1, 2})
    async with _running(feed):
        event_bus.publish(NetworkEvent(kind="command", charge_point_id=1))
        event_bus.publish(NetworkEvent(kind="command", charge_point_id=2))
        await eventually(lambda: [cp for cp, _ in target.pushes] == [2])


def test_sections_load_from_the_database(charge_point_id: int) -> None:
    sections = load_sections(charge_point_id, {"command", "configuration", "reservation"})
    assert sections == {"command_history": [], "configuration": [], "reservations": []}


def test_status_and_running_sessions_are_live_sections(
    session: Session, organisation: Organisation, charge_point_id: int
) -> None:
    """The page's status card and running sessions come from the charge point's own feed,
    never from a list of the whole network."""
    cp = session.get(ChargePoint, charge_point_id)
    assert cp is not None
    add_connector_and_session(session, cp)
    sections = load_sections(charge_point_id, {"connector"})
    assert set(sections) == {"status"}
    (row,) = sections["status"]
    assert row.identity == CP and [c.label for c in row.connectors] == ["1: Charging"]
    (running,) = load_sections(charge_point_id, {"session"})["running_sessions"]
    assert (running.connector_id, running.id_tag, running.energy) == (1, "CARD-1", "7.40 kWh")


def add_connector_and_session(session: Session, cp: ChargePoint) -> None:
    session.add(
        Connector(
            organisation_id=cp.organisation_id,
            charge_point_id=cp.id,
            connector_id=1,
            status="Charging",
        )
    )
    session.flush()
    add_session(session, cp, 1, start=NOW - timedelta(hours=1), energy_wh=7400, power_w=7000.0)
    session.commit()


def test_the_pages_clock_reads_the_stations_zone() -> None:
    """The page's "updated" time is on the station's clock, like every other time on it: the
    zone the page's join read from the station, its abbreviation shown."""
    state = state_in_tree(ChargePointLiveState)
    state._zone = "Asia/Tokyo"  # as join sets it
    apply_sections(state, 1, {})
    assert state.updated_at.endswith("JST")
