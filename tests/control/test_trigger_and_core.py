"""Remote Trigger and the rest of Core (ClearCache, DataTransfer both ways), end to end over
real websockets against the simulator, the real OCPP server and the real database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.control import commands
from ccms_app.control.rules.commands import TRIGGERABLE_MESSAGES
from ccms_app.core.types import utc_now
from ocpp_server.simulator import SimulatedChargePoint
from tests.control.core_profile_support import (
    CP,
    CoreScriptedChargePoint,
    incoming,
    register,
)
from tests.fixtures.ocpp import connect_charge_point, eventually

BY = "ops@example.com"


@pytest.fixture
def cp_id(engine: Engine, organisation: Organisation) -> int:
    return register(engine, organisation, utc_now() - timedelta(days=1))


@pytest.fixture
async def charger(ocpp_url: str, cp_id: int, command_port) -> AsyncIterator[SimulatedChargePoint]:
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=60)
    await cp.connect()
    yield cp
    await cp.close()


@pytest.mark.parametrize("message", TRIGGERABLE_MESSAGES)
async def test_each_triggered_message_reaches_the_server(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine, message: str
) -> None:
    await eventually(lambda: len(incoming(engine, "StatusNotification")) == 3)  # boot is done
    before = len(incoming(engine, message))
    view = await commands.send_command(cp_id, "TriggerMessage", {"requested_message": message}, BY)
    assert (view.status, view.error) == ("accepted", "")
    await eventually(lambda: len(incoming(engine, message)) > before)
    if message in ("DiagnosticsStatusNotification", "FirmwareStatusNotification"):
        assert json.loads(incoming(engine, message)[-1].payload)[3] == {"status": "Idle"}


async def test_trigger_for_one_connector(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    await eventually(lambda: len(incoming(engine, "StatusNotification")) == 3)
    params = {"requested_message": "MeterValues", "connector_id": 2}
    assert (await commands.send_command(cp_id, "TriggerMessage", params, BY)).status == "accepted"
    await eventually(lambda: len(incoming(engine, "MeterValues")) == 1)
    payload = json.loads(incoming(engine, "MeterValues")[0].payload)[3]
    assert payload["connectorId"] == 2
    assert payload["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"

    params = {"requested_message": "StatusNotification", "connector_id": 9}
    view = await commands.send_command(cp_id, "TriggerMessage", params, BY)
    assert (view.status, view.error) == ("rejected", "charge point answered Rejected")


async def test_clear_cache(
    charger: SimulatedChargePoint, cp_id: int, ocpp_url: str, engine: Engine
) -> None:
    view = await commands.send_command(cp_id, "ClearCache", {}, BY)
    assert (view.status, json.loads(view.response)) == ("accepted", {"status": "Accepted"})
    assert charger.cache_clears == 1
    await charger.close()
    async with connect_charge_point(ocpp_url, CP, CoreScriptedChargePoint) as scripted:
        scripted.answers["ClearCache"] = "Rejected"
        view = await commands.send_command(cp_id, "ClearCache", {}, BY)
        assert (view.status, view.error) == ("rejected", "charge point answered Rejected")


async def test_data_transfer_from_the_csms(charger: SimulatedChargePoint, cp_id: int) -> None:
    params = {"vendor_id": "CCMS-Sim", "message_id": "Echo", "data": '{"n": 1}'}
    view = await commands.send_command(cp_id, "DataTransfer", params, BY)
    assert view.status == "accepted"
    assert json.loads(view.response) == {"status": "Accepted", "data": '{"n": 1}'}
    assert json.loads(view.request) == {
        "vendor_id": "CCMS-Sim",
        "message_id": "Echo",
        "data": '{"n": 1}',
    }
    view = await commands.send_command(cp_id, "DataTransfer", {"vendor_id": "Acme"}, BY)
    assert (view.status, view.error) == ("rejected", "charge point answered UnknownVendorId")


async def test_data_transfer_from_the_charge_point(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    reply = await charger.send_data_transfer("Acme", "Ping", "hello")
    assert reply.status == "UnknownVendorId"  # CCMS handles no vendor extensions yet
    await eventually(lambda: len(incoming(engine, "DataTransfer")) == 1)
    frame = json.loads(incoming(engine, "DataTransfer")[0].payload)
    assert frame[3] == {"vendorId": "Acme", "messageId": "Ping", "data": "hello"}
