"""Driver A can never read or act on driver B's sessions, cards, vehicles or reservations.

B's ids go into A's events through A's tab (the real driver gate first, then the handler):
each is not found, and B's rows are exactly as they were; nothing is sent to the charge
point for them. A connector of another network is not found either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from ocpp.v16 import call
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import Reservation
from ccms_app.core import db
from ccms_app.driver_app.state.account import DriverCardsState, DriverVehiclesState
from ccms_app.driver_app.state.history import DriverHistoryState, DriverSessionState
from ccms_app.driver_app.state.reservations import DriverReservationsState, DriverReserveState
from ccms_app.drivers.models import IdTag, Vehicle
from ccms_app.network.models import Connector
from ocpp_server.server import OcppServer
from tests.control.core_profile_support import CoreScriptedChargePoint
from tests.driver_app.support import driver_tab, signed_in_driver
from tests.driver_app.test_history import CP, World, build_world, fund, seed_sessions, stock_card
from tests.driver_app.test_reservations import reserve, reserve_tab
from tests.fixtures.ocpp import connect_charge_point


@pytest.fixture
async def charger(
    ocpp_url: str,
    command_port: OcppServer,
    organisation: Organisation,
) -> AsyncIterator[tuple[World, CoreScriptedChargePoint]]:
    world = build_world(organisation)
    async with connect_charge_point(ocpp_url, CP, CoreScriptedChargePoint) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        yield world, cp


def snapshot(model: type, row_id: int) -> dict[str, object]:
    with db.read_session() as s:
        row = s.get(model, row_id)
        assert row is not None
        return row.model_dump()


async def test_driver_a_cannot_reach_driver_bs_things(
    charger: tuple[World, CoreScriptedChargePoint],
) -> None:
    world, cp = charger
    ann = signed_in_driver("ann@example.com")
    ben = signed_in_driver("ben@example.com")
    fund(ben)
    bens_card = stock_card(world.organisation_id, "BEN-CARD", driver_id=ben.driver_id)
    (bens_session,) = seed_sessions(world.organisation_id, world.charge_point_id, "ben-card", 1)
    with db.session_scope() as s:
        vehicle = Vehicle(
            organisation_id=world.organisation_id, driver_id=ben.driver_id, make="Kia", model="EV6"
        )
        s.add(vehicle)
        s.flush()
        bens_vehicle = int(vehicle.id or 0)
    assert (await reserve(await reserve_tab(ben, world), "30")).outcome_ok
    with db.read_session() as s:
        (bens_reservation,) = s.exec(select(Reservation.id)).all()
    before = {
        "card": snapshot(IdTag, bens_card),
        "vehicle": snapshot(Vehicle, bens_vehicle),
        "reservation": snapshot(Reservation, int(bens_reservation or 0)),
    }
    sent = len(cp.received)

    tab = driver_tab(ann, "/app/history")
    await tab.send(DriverHistoryState, "load")
    assert (await tab.state(DriverHistoryState)).rows == []
    tab.at(f"/app/history/{bens_session}")
    await tab.send(DriverSessionState, "load")
    assert not (await tab.state(DriverSessionState)).found

    tab.at("/app/account")
    await tab.send(DriverCardsState, "load")
    assert (await tab.state(DriverCardsState)).rows == []
    update = await tab.send(DriverCardsState, "block", card_id=bens_card)
    assert "This card does not exist." in str(update)
    await tab.send(DriverCardsState, "add", form_data={"number": "BEN-CARD"})
    assert (await tab.state(DriverCardsState)).number_error.startswith("This card cannot be added")

    await tab.send(DriverVehiclesState, "load")
    assert (await tab.state(DriverVehiclesState)).rows == []
    await tab.send(DriverVehiclesState, "edit", vehicle_id=bens_vehicle)
    assert not (await tab.state(DriverVehiclesState)).form_open
    form = {"make": "Ann", "model": "Was here", "battery_capacity_kwh": "", "licence_plate": ""}
    update = await tab.send(
        DriverVehiclesState, "save_vehicle", vehicle_id=bens_vehicle, form_data=form
    )
    assert "This vehicle does not exist." in str(update)
    update = await tab.send(DriverVehiclesState, "delete", vehicle_id=bens_vehicle)
    assert "This vehicle does not exist." in str(update)

    mine = driver_tab(ann, "/app/reservations")
    await mine.send(DriverReservationsState, "load")
    assert (await mine.state(DriverReservationsState)).rows == []
    update = await mine.send(DriverReservationsState, "cancel", reservation_id=bens_reservation)
    assert "This reservation does not exist." in str(update)
    update = await mine.send(DriverReservationsState, "cancel", reservation_id="1 OR 1=1")
    assert len(cp.received) == sent  # no CancelReservation went out

    after = {
        "card": snapshot(IdTag, bens_card),
        "vehicle": snapshot(Vehicle, bens_vehicle),
        "reservation": snapshot(Reservation, int(bens_reservation or 0)),
    }
    assert after == before


async def test_a_connector_of_another_network_is_not_found(
    charger: tuple[World, CoreScriptedChargePoint],
) -> None:
    world, _cp = charger
    with db.session_scope() as s:
        elsewhere = Organisation(name="Another network")
        s.add(elsewhere)
        s.flush()
    other = build_world(elsewhere, identity="CP-ELSEWHERE")
    ann = signed_in_driver("ann@example.com")
    fund(ann)
    tab = await reserve_tab(ann, other)
    page = await tab.state(DriverReserveState)
    assert page.loaded and not page.found and page.station == ""
    done = await reserve(tab, "30")
    assert not done.outcome_ok and done.outcome == "This connector does not exist."
    for path in ("/app/reserve/0", "/app/reserve/999999", "/app/reserve/x"):
        tab.at(path)
        await tab.send(DriverReserveState, "load")
        assert not (await tab.state(DriverReserveState)).found
    with db.read_session() as s:
        assert s.exec(select(Reservation)).all() == []
        assert s.get(Connector, world.connector_pks[1]) is not None
