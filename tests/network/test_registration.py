"""Registering a charge point that connected with an unknown identity: over a real websocket,
the simulator waits as Pending, the operator assigns it to a station, and the simulator's
next boot (triggered at once) is Accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.listing import ListQuery, fetch_page
from ccms_app.network import stations
from ccms_app.network.asset_lists import UNREGISTERED_LIST
from ccms_app.network.assets import AssetError
from ccms_app.network.models import ChargePoint
from ccms_app.network.registration import register_unregistered
from ocpp_server.simulator import SimulatedChargePoint
from tests.fixtures.ocpp import eventually

BY = "ops@example.com"
STRANGER = "CP-STRANGER-7"


@pytest.fixture
def scope(organisation: Organisation) -> frozenset[int]:
    return organisation_scope(organisation.id)


@pytest.fixture
def station_id(scope, organisation: Organisation) -> int:
    return stations.create_station(scope, {"name": "Depot"}, organisation.id).id


@pytest.fixture
async def stranger(
    ocpp_url: str, command_port, organisation: Organisation
) -> AsyncIterator[SimulatedChargePoint]:
    """An unknown charge point, connected and answered Pending."""
    charger = SimulatedChargePoint(STRANGER, ocpp_url, meter_interval=60)
    await charger.connect()
    yield charger
    await charger.close()


def _unregistered(scope) -> list[str]:
    return [r["identity"] for r in fetch_page(UNREGISTERED_LIST, ListQuery(), scope).rows]


async def test_registering_a_connected_unknown_charge_point_accepts_it_at_once(
    stranger: SimulatedChargePoint, scope, station_id: int, engine: Engine
) -> None:
    assert stranger.boot_status == "Pending" and not stranger.is_accepted
    assert _unregistered(scope) == [STRANGER]
    cp_id = _charge_point_id(engine)

    result = await register_unregistered(
        scope, cp_id, station_id, BY, {"max_power_kw": "22", "phases": "3"}
    )

    assert (result.station, result.trigger_status) == ("Depot", "accepted")
    # The triggered BootNotification follows the reply; the simulator's Pending retry is a
    # minute away, so acceptance within the wait can only come from the trigger.
    await stranger.wait_accepted(timeout=10)
    assert stranger.boot_status == "Accepted"
    assert _unregistered(scope) == []
    with Session(engine) as s:
        cp = s.get(ChargePoint, cp_id)
        assert cp is not None
        assert (cp.registration_state, cp.station_id) == ("registered", station_id)
        assert (cp.max_power_w, cp.phases) == (22000, 3)
        assert cp.vendor == stranger.vendor  # kept what it reported at boot
    await eventually(lambda: stranger.boot_count == 1)


async def test_an_offline_charge_point_is_accepted_at_its_next_boot(
    ocpp_url: str, command_port, scope, station_id: int, engine: Engine
) -> None:
    charger = SimulatedChargePoint(STRANGER, ocpp_url, meter_interval=60)
    await charger.connect()
    await charger.close()
    await eventually(lambda: not _online(engine))
    result = await register_unregistered(scope, _charge_point_id(engine), station_id, BY)
    assert result.trigger_status == ""
    assert (
        result.describe()
        == f"{STRANGER} registered at Depot; it will be Accepted when it next boots"
    )
    await charger.connect()
    try:
        assert charger.boot_status == "Accepted"
    finally:
        await charger.close()


async def test_registration_errors(stranger, scope, station_id: int, engine: Engine) -> None:
    cp_id = _charge_point_id(engine)
    with pytest.raises(AssetError) as refused:
        await register_unregistered(scope, cp_id, None, BY, {"max_power_kw": "2000"})
    assert set(refused.value.errors) == {"station_id", "max_power_kw"}
    assert _unregistered(scope) == [STRANGER]  # nothing changed
    await register_unregistered(scope, cp_id, station_id, BY)
    with pytest.raises(AssetError, match="already registered"):
        await register_unregistered(scope, cp_id, station_id, BY)


def _charge_point_id(engine: Engine) -> int:
    with Session(engine) as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == STRANGER)).one()
        assert cp.id is not None
        return cp.id


def _online(engine: Engine) -> bool:
    with Session(engine) as s:
        return s.exec(select(ChargePoint.is_online).where(ChargePoint.identity == STRANGER)).one()
