"""Configuration keys end to end: service -> real OCPP server -> websocket -> simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.control.configuration import (
    ReadOnlyKeyError,
    change_configuration,
    fetch_configuration,
    list_configuration,
    reboot_required,
    unknown_keys,
)
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.events import get_event_bus
from ccms_app.core.types import utc_now
from ocpp_server.simulator import SimulatedChargePoint
from tests.control.core_profile_support import CP, register, rows

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


def stored(cp_id: int) -> dict[str, tuple[str | None, bool]]:
    return {e.key: (e.value, e.readonly) for e in list_configuration(cp_id)}


async def test_full_fetch_stores_every_key_with_its_readonly_flag(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    with Session(engine) as s:  # a key the charger no longer has
        s.add(ChargePointConfiguration(charge_point_id=cp_id, key="RetiredKey", value="1"))
        s.commit()
    queue = get_event_bus().subscribe()
    try:
        view = await fetch_configuration(cp_id, BY)
    finally:
        get_event_bus().unsubscribe(queue)
    assert (view.status, view.action) == ("accepted", "GetConfiguration")
    config = stored(cp_id)
    assert config["NumberOfConnectors"] == ("2", True)
    assert config["HeartbeatInterval"] == (str(charger.heartbeat_interval), False)
    assert config["SupportedFeatureProfiles"][0].startswith("Core,")
    assert "RetiredKey" not in config  # a full fetch replaces the stored set
    keys = [e.key for e in list_configuration(cp_id)]
    assert keys == sorted(keys, key=str.lower) and len(keys) > 20
    assert unknown_keys(view) == []
    kinds = [e.kind for e in (queue.get_nowait() for _ in range(queue.qsize()))]
    assert "configuration" in kinds


async def test_partial_fetch_updates_asked_keys_and_drops_unknown_ones(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    with Session(engine) as s:
        s.add(ChargePointConfiguration(charge_point_id=cp_id, key="NoSuchKey", value="x"))
        s.add(ChargePointConfiguration(charge_point_id=cp_id, key="Untouched", value="y"))
        s.commit()
    view = await fetch_configuration(cp_id, BY, keys=["MeterValueSampleInterval", "NoSuchKey"])
    assert view.status == "accepted"
    assert unknown_keys(view) == ["NoSuchKey"]
    assert stored(cp_id) == {"MeterValueSampleInterval": ("60", False), "Untouched": ("y", False)}


async def test_change_configuration_outcomes(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    await fetch_configuration(cp_id, BY)

    view = await change_configuration(cp_id, "HeartbeatInterval", "42", BY)
    assert (view.status, view.error, reboot_required(view)) == ("accepted", "", False)
    assert charger.heartbeat_interval == 42
    assert stored(cp_id)["HeartbeatInterval"] == ("42", False)

    view = await change_configuration(cp_id, "ConnectorPhaseRotation", "0.RST,1.STR,2.RST", BY)
    assert view.status == "accepted" and reboot_required(view)
    assert stored(cp_id)["ConnectorPhaseRotation"] == ("0.RST,1.STR,2.RST", False)

    view = await change_configuration(cp_id, "HeartbeatInterval", "often", BY)
    assert (view.status, view.error) == ("rejected", "charge point answered Rejected")
    assert stored(cp_id)["HeartbeatInterval"] == ("42", False)

    view = await change_configuration(cp_id, "VendorTurbo", "on", BY)
    assert (view.status, view.error) == ("rejected", "charge point answered NotSupported")
    assert "VendorTurbo" not in stored(cp_id)


async def test_read_only_key_and_bad_input_are_refused_before_sending(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    await fetch_configuration(cp_id, BY, keys=["NumberOfConnectors"])
    sent_before = len(rows(engine, ChargePointCommand))
    with pytest.raises(ReadOnlyKeyError, match="NumberOfConnectors is read-only"):
        await change_configuration(cp_id, "NumberOfConnectors", "4", BY)
    with pytest.raises(CommandInputError, match="key must be at most 50"):
        await change_configuration(cp_id, "K" * 51, "1", BY)
    with pytest.raises(CommandInputError, match="longer than 50"):
        await fetch_configuration(cp_id, BY, keys=["K" * 51])
    assert len(rows(engine, ChargePointCommand)) == sent_before
    assert stored(cp_id)["NumberOfConnectors"] == ("2", True)


async def test_offline_charge_point_keeps_the_stored_configuration(
    cp_id: int, command_port, engine: Engine
) -> None:
    with Session(engine) as s:
        s.add(ChargePointConfiguration(charge_point_id=cp_id, key="HeartbeatInterval", value="9"))
        s.commit()
    view = await fetch_configuration(cp_id, BY)
    assert view.status == "offline"
    view = await change_configuration(cp_id, "HeartbeatInterval", "10", BY)
    assert view.status == "offline"
    assert stored(cp_id) == {"HeartbeatInterval": ("9", False)}
