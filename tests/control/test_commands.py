"""Operator commands end to end: service -> real OCPP server -> real websocket -> charge point."""

from __future__ import annotations

import pytest
from ocpp.exceptions import InternalError
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control import commands
from ccms_app.control.models import ChargePointCommand
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.events import get_event_bus
from ccms_app.network.models import ChargePoint
from tests.fixtures.ocpp import NEVER, connect_charge_point

CP = "CP-CMD-1"


@pytest.fixture
def charge_point_id(session: Session, organisation: Organisation) -> int:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.commit()
    return cp.id


async def test_every_command_and_its_outcome(
    command_port, ocpp_url, charge_point_id, session
) -> None:
    bus_queue = get_event_bus().subscribe()
    try:
        async with connect_charge_point(ocpp_url, CP) as charger:
            charger.answers["Reset"] = "Rejected"
            charger.answers["UnlockConnector"] = InternalError(description="motor stuck")
            charger.answers["ChangeAvailability"] = NEVER
            cases = [
                ("RemoteStartTransaction", {"id_tag": "TAG1", "connector_id": 1}, "accepted", None),
                ("RemoteStopTransaction", {"transaction_id": 5}, "accepted", None),
                ("Reset", {"type": "Hard"}, "rejected", None),
                ("UnlockConnector", {"connector_id": 1}, "failed", None),
                (
                    "ChangeAvailability",
                    {"connector_id": 0, "type": "Inoperative"},
                    "timed_out",
                    0.3,
                ),
            ]
            for action, params, expected, timeout in cases:
                view = await commands.send_command(
                    charge_point_id, action, params, "ops@example.com", timeout=timeout
                )
                assert (action, view.status) == (action, expected)
            assert [a for a, _ in charger.received] == [c[0] for c in cases]
            assert charger.received[0][1] == {"id_tag": "TAG1", "connector_id": 1}
    finally:
        get_event_bus().unsubscribe(bus_queue)

    session.rollback()
    rows = session.exec(select(ChargePointCommand).order_by(ChargePointCommand.id)).all()
    assert [r.status for r in rows] == ["accepted", "accepted", "rejected", "failed", "timed_out"]
    assert "InternalError" in rows[3].error and "motor stuck" in rows[3].error
    assert rows[2].error == "charge point answered Rejected"
    assert rows[0].requested_by == "ops@example.com"
    statuses = [
        e.data["status"] for e in (bus_queue.get_nowait() for _ in range(bus_queue.qsize()))
    ]
    assert statuses[:3] == ["requested", "sent", "accepted"]  # the UI sees each step

    recent = commands.recent_commands(charge_point_id, limit=2)
    assert [v.action for v in recent] == ["ChangeAvailability", "UnlockConnector"]


async def test_command_to_offline_charge_point(command_port, charge_point_id) -> None:
    view = await commands.send_command(charge_point_id, "Reset", {"type": "Soft"}, "ops")
    assert view.status == "offline"
    assert "not connected" in view.error


async def test_bad_input_is_refused_before_anything_is_recorded(
    command_port, charge_point_id, session
) -> None:
    with pytest.raises(CommandInputError, match="type must be one of Soft, Hard"):
        await commands.send_command(charge_point_id, "Reset", {"type": "Reboot"}, "ops")
    with pytest.raises(commands.UnknownChargePointError):
        await commands.send_command(999, "Reset", {"type": "Soft"}, "ops")
    assert session.exec(select(ChargePointCommand)).all() == []
