"""An OCPP StatusNotification from a real charge point reaches Live Monitoring's states.

Real websocket client -> real OCPP server -> real ChargerEventService (database + event bus)
-> LivePublisher -> the tab's own LiveListState (its page) and the organisation's HomeState
(counts, warnings): the states the Live Monitoring page renders.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus

from ccms_app.accounts.models import Organisation
from ccms_app.core import push_stats
from ccms_app.core.events import EventBus
from ccms_app.monitoring import registry
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.home_tally import HomeTallies
from ccms_app.monitoring.state.home import HomeState, apply_summary
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.monitoring.state.publisher import Feed, LivePublisher, home_load, live_tabs
from ccms_app.network.provisioning import register_charge_point
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.monitoring.live_tabs import LiveTabs
from tests.monitoring.state_tree import state_in_tree

IDENTITY = "CP-LIVE-1"


@dataclass
class Live:
    tabs: LiveTabs
    home: HomeState
    publisher: LivePublisher


@pytest.fixture
async def live(event_bus: EventBus, organisation: Organisation) -> AsyncIterator[Live]:
    registry.forget_all()
    tabs, home = LiveTabs(), state_in_tree(HomeState)

    async def push_home(organisation_id: int, summary: HomeSummary) -> None:
        apply_summary(home, summary)

    load = home_load(HomeTallies())  # Home as in the app: the tally follows the events
    feed = Feed(registry.HOME, lambda: {organisation.id}, load, push_home)
    publisher = LivePublisher(event_bus, 0.05, feeds=[feed], refresh_tabs=live_tabs(tabs.states))
    task = asyncio.create_task(publisher.run())
    yield Live(tabs, home, publisher)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    registry.forget_all()


def _connector_status(page: LiveListState, connector_id: int) -> str | None:
    for row in page.charge_points:
        for cell in row.connectors:
            if row.identity == IDENTITY and cell.connector_id == connector_id:
                return cell.status
    return None


async def _boot_available(cp: Any, page: LiveListState) -> None:
    """The charge point boots (accepted) and its connector 1 shows Available on the page."""
    boot = await cp.call(call.BootNotification(charge_point_model="Live", charge_point_vendor="T"))
    assert boot.status == "Accepted"
    await cp.call(
        call.StatusNotification(
            connector_id=1,
            error_code=ChargePointErrorCode.no_error,
            status=ChargePointStatus.available,
        )
    )
    await eventually(lambda: _connector_status(page, 1) == "Available")


async def test_each_update_sent_to_a_tab_records_how_long_after_the_charger_event(
    ocpp_url: str, organisation: Organisation, live: Live
) -> None:
    """/metrics' ccms_live_push_lag_seconds: a status counts from the event being written to
    the tab being sent it (here a few ms); an update of meter values alone counts nothing
    (the tabs show those paced, on purpose)."""
    register_charge_point(IDENTITY, "Depot West", organisation.id)
    page = await live.tabs.open("tab", organisation.id)
    before, _ = push_stats.lag_totals()
    async with connect_charge_point(ocpp_url, IDENTITY) as cp:
        await _boot_available(cp, page)
    counts, seconds = push_stats.lag_totals()
    recorded = sum(counts) - sum(before)
    assert recorded >= 1
    within_5_s = push_stats.LAG_BUCKETS.index(5.0) + 1
    assert sum(counts[:within_5_s]) > sum(before[:within_5_s])
    assert seconds > 0


async def test_faulted_status_notification_reaches_the_live_page(
    ocpp_url: str, organisation: Organisation, live: Live
) -> None:
    register_charge_point(IDENTITY, "Depot West", organisation.id)
    page = await live.tabs.open("tab", organisation.id)
    async with connect_charge_point(ocpp_url, IDENTITY) as cp:
        await _boot_available(cp, page)

        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code=ChargePointErrorCode.ground_failure,
                status=ChargePointStatus.faulted,
                vendor_error_code="GF-12",
            )
        )
        await eventually(lambda: _connector_status(page, 1) == "Faulted")

        (row,) = page.charge_points
        assert row.online and row.registration == "registered" and row.faulted
        assert row.station == "Depot West"
        assert row.connectors[0].label == "1: Faulted (GroundFailure)"
        await eventually(lambda: live.home.counts.faulted == 1)
        faults = [w for w in live.home.warnings if w.kind == "fault"]
        assert len(faults) == 1 and "GroundFailure (GF-12)" in faults[0].message
        assert live.home.counts.online == 1
        assert [(c.status, c.count) for c in live.home.connector_counts] == [("Faulted", 1)]

    # Disconnecting is an event too: the charge point turns offline on the page.
    await eventually(lambda: not page.charge_points[0].online)
    await eventually(lambda: any(w.kind == "offline" for w in live.home.warnings))
