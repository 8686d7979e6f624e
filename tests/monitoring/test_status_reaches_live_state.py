"""An OCPP StatusNotification from a real charge point reaches the Live Monitoring state.

Real websocket client -> real OCPP server -> real ChargerEventService (database + event bus)
-> LivePublisher -> push target -> LiveState, the state the Live Monitoring page renders.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus

from ccms_app.accounts.models import Organisation
from ccms_app.core.events import EventBus
from ccms_app.monitoring.snapshot import NetworkSnapshot
from ccms_app.monitoring.state.live import LiveState, apply_snapshot
from ccms_app.monitoring.state.publisher import LivePublisher
from ccms_app.network.provisioning import register_charge_point
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.monitoring.state_tree import state_in_tree

IDENTITY = "CP-LIVE-1"


class RecordingTarget:
    """Push target that writes into a LiveState instance, as the app's target does."""

    def __init__(self) -> None:
        self.state = state_in_tree(LiveState)
        self.pushes: list[int] = []

    async def __call__(self, organisation_id: int, snapshot: NetworkSnapshot) -> None:
        apply_snapshot(self.state, snapshot)
        self.pushes.append(organisation_id)

    def connector_status(self, identity: str, connector_id: int) -> str | None:
        for row in self.state.charge_points:
            if row.identity == identity:
                for cell in row.connectors:
                    if cell.connector_id == connector_id:
                        return cell.status
        return None


@pytest.fixture
async def live(event_bus: EventBus, organisation: Organisation) -> AsyncIterator[RecordingTarget]:
    target = RecordingTarget()
    publisher = LivePublisher(
        event_bus, target, interval=0.05, organisations=lambda: {organisation.id}
    )
    task = asyncio.create_task(publisher.run())
    yield target
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_faulted_status_notification_reaches_live_state(
    ocpp_url: str, organisation: Organisation, live: RecordingTarget
) -> None:
    register_charge_point(IDENTITY, "Depot West", organisation.id)
    async with connect_charge_point(ocpp_url, IDENTITY) as cp:
        boot = await cp.call(
            call.BootNotification(charge_point_model="Live", charge_point_vendor="Test")
        )
        assert boot.status == "Accepted"
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code=ChargePointErrorCode.no_error,
                status=ChargePointStatus.available,
            )
        )
        await eventually(lambda: live.connector_status(IDENTITY, 1) == "Available")

        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code=ChargePointErrorCode.ground_failure,
                status=ChargePointStatus.faulted,
                vendor_error_code="GF-12",
            )
        )
        await eventually(lambda: live.connector_status(IDENTITY, 1) == "Faulted")

        state = live.state
        (row,) = [r for r in state.charge_points if r.identity == IDENTITY]
        assert row.online and row.registration == "registered" and row.faulted
        assert row.station == "Depot West"
        assert row.connectors[0].label == "1: Faulted (GroundFailure)"
        faults = [w for w in state.warnings if w.kind == "fault" and w.identity == IDENTITY]
        assert len(faults) == 1 and "GroundFailure (GF-12)" in faults[0].message
        assert state.counts.faulted == 1 and state.counts.online == 1
        assert [(c.status, c.count) for c in state.connector_counts] == [("Faulted", 1)]
        assert set(live.pushes) == {organisation.id}

    # Disconnecting is an event too: the charge point turns offline in the live state.
    await eventually(lambda: not live.state.charge_points[0].online)
    assert any(w.kind == "offline" for w in live.state.warnings)
