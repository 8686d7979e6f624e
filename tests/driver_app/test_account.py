"""The account page, for real, through the tab's events and the real driver gate.

A driver blocks a lost card: the charge point's Authorize (a real OCPP websocket) answers
Blocked at once, and the local authorization list of a charge point that holds the card is
synced with the card Blocked (the same path as an operator's Block). A stock card is added
by its printed number (any spelling of case and spaces); every card that is not unassigned
stock of the driver's organisation gets the same refusal. Vehicles are added, edited and
deleted, bad input getting clear per-field errors; name and phone are edited. A reconnect
(the page's on_load again in the same tab) keeps the open forms and refreshes the rows.
"""

from __future__ import annotations

from datetime import timedelta

from ocpp.v16 import call
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app.models import DriverAccount
from ccms_app.driver_app.state.account import (
    DriverCardsState,
    DriverProfileState,
    DriverVehiclesState,
)
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.drivers.local_lists.assignments import assign_list
from ccms_app.drivers.local_lists.entries import add_id_tags
from ccms_app.drivers.local_lists.lists import create_list
from ccms_app.drivers.local_lists.sync import sync_charge_point
from ccms_app.drivers.models import Driver, IdTag, UserGroup, Vehicle
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.driver_app.support import DriverTab, driver_tab, refused, signed_in_driver
from tests.driver_app.test_history import CP, build_world, fund, seed_sessions, stock_card
from tests.fixtures.ocpp import connect_charge_point

REFUSED = (
    "This card cannot be added. Check the number printed on it; if it is right, ask the "
    "operator to add it to your account."
)
AUTHORIZE_AT = "CP-APP-DOOR"  # a second charge point, to ask Authorize from


def tag_row(number: str) -> IdTag:
    with db.read_session() as s:
        return s.exec(select(IdTag).where(IdTag.id_tag == number)).one()


async def account_tab(email: str) -> tuple[DriverTab, int]:
    driver = signed_in_driver(email)
    tab = driver_tab(driver, "/app/account")
    for state in (DriverProfileState, DriverCardsState, DriverVehiclesState):
        await tab.send(state, "load")
    return tab, driver.driver_id


async def reload(tab: DriverTab) -> None:
    """What a reconnect or a reload does: the page's on_load handlers again, same tab."""
    for state in (DriverProfileState, DriverCardsState, DriverVehiclesState):
        assert not refused(await tab.send(state, "load"))


async def add_vehicle(tab: DriverTab, make: str) -> int:
    await tab.send(DriverVehiclesState, "new")
    form = {"make": make, "model": "M", "battery_capacity_kwh": "50", "licence_plate": ""}
    await tab.send(DriverVehiclesState, "save", form_data=form)
    return (await tab.state(DriverVehiclesState)).rows[-1].id


async def authorize(ocpp_url: str, number: str) -> str:
    async with connect_charge_point(ocpp_url, AUTHORIZE_AT) as cp:
        answer = await cp.call(call.Authorize(id_tag=number))
        return str(answer.id_tag_info["status"])


async def test_blocking_a_lost_card_reaches_authorize_and_the_local_lists(
    organisation: Organisation,
    ocpp_url: str,
    command_port: OcppServer,
) -> None:
    world = build_world(organisation)
    with db.session_scope() as s:
        s.add(
            ChargePoint(
                identity=AUTHORIZE_AT,
                organisation_id=world.organisation_id,
                registration_state="registered",
            )
        )
    card = stock_card(world.organisation_id, "LOST-CARD-7")
    driver = signed_in_driver("ada@example.com")
    fund(driver)
    tab = driver_tab(driver, "/app/account")
    await tab.send(DriverCardsState, "add", form_data={"number": "lost-card-7"})
    listed = create_list(world.organisation_id, "Members")
    add_id_tags(listed.id, ["LOST-CARD-7"])
    assign_list(listed.id, [world.charge_point_id])
    charger = SimulatedChargePoint(CP, ocpp_url, meter_interval=60)
    await charger.connect()
    try:
        await sync_charge_point(world.charge_point_id, "test")
        assert charger.local_list["LOST-CARD-7"].status == "Accepted"
        assert await authorize(ocpp_url, "LOST-CARD-7") == "Accepted"

        await tab.send(DriverCardsState, "ask_block", card_id=card)
        assert (await tab.state(DriverCardsState)).confirm_id == card
        await tab.send(DriverCardsState, "block", card_id=card)
        (row,) = (await tab.state(DriverCardsState)).rows
        assert (row.label, row.blockable) == ("Blocked", False)
        assert tag_row("LOST-CARD-7").status == "blocked"
        assert await authorize(ocpp_url, "LOST-CARD-7") == "Blocked"

        await sync_charge_point(world.charge_point_id, "test")
        assert charger.local_list["LOST-CARD-7"].status == "Blocked"
    finally:
        await charger.close()


async def test_a_stock_card_is_added_by_its_printed_number(organisation: Organisation) -> None:
    org_id = int(organisation.id or 0)
    stock_card(org_id, "04A23B1C")
    tab, driver_id = await account_tab("bo@example.com")
    await tab.send(DriverCardsState, "add", form_data={"number": "  04 a2 3b 1c "})
    cards = await tab.state(DriverCardsState)
    assert [(r.id_tag, r.label, r.blockable) for r in cards.rows] == [("04A23B1C", "Active", True)]
    assert cards.number_error == "" and tag_row("04A23B1C").driver_id == driver_id
    await tab.send(DriverCardsState, "add", form_data={"number": "  "})
    assert (
        await tab.state(DriverCardsState)
    ).number_error == "Enter the number printed on the card."


async def test_every_card_that_is_not_free_stock_gets_the_same_refusal(
    organisation: Organisation,
) -> None:
    world = build_world(organisation)
    org_id = world.organisation_id
    with db.session_scope() as s:
        other = Driver(organisation_id=org_id, name="Other Driver")
        group = UserGroup(organisation_id=org_id, name="Fleet")
        sub = Organisation(name="Sub-operator", parent_id=org_id)
        s.add_all([other, group, sub])
        s.flush()
        other_id, group_id, sub_id = int(other.id or 0), int(group.id or 0), int(sub.id or 0)
    stock_card(org_id, "OTHERS-CARD", driver_id=other_id)
    stock_card(org_id, "GROUP-CARD", group_id=group_id)
    stock_card(sub_id, "SUB-STOCK")
    stock_card(org_id, "BLOCKED-STOCK", status="blocked")
    stock_card(org_id, "EXPIRED-STOCK", expiry_date=utc_now() - timedelta(days=1))
    stock_card(org_id, "USED-STOCK")
    seed_sessions(org_id, world.charge_point_id, "USED-STOCK", 1)
    tab, _driver_id = await account_tab("cy@example.com")
    numbers = ["NO-SUCH-CARD", "OTHERS-CARD", "group-card", "SUB-STOCK", "BLOCKED-STOCK"]
    numbers += ["EXPIRED-STOCK", "USED-STOCK", "X" * 30, "caf\u00e9"]
    for number in numbers:
        await tab.send(DriverCardsState, "add", form_data={"number": number})
        assert (await tab.state(DriverCardsState)).number_error == REFUSED, number
    assert (await tab.state(DriverCardsState)).rows == []
    assert tag_row("OTHERS-CARD").driver_id == other_id
    assert tag_row("GROUP-CARD").driver_id is None and tag_row("SUB-STOCK").driver_id is None


async def test_vehicles_are_added_edited_and_deleted_with_clear_errors(
    organisation: Organisation,
) -> None:
    tab, driver_id = await account_tab("dee@example.com")
    await tab.send(DriverVehiclesState, "new")
    bad = {"make": " ", "model": "ID.3", "battery_capacity_kwh": "lots", "licence_plate": "P" * 25}
    await tab.send(DriverVehiclesState, "save", form_data=bad)
    state = await tab.state(DriverVehiclesState)
    assert state.form_open and state.rows == []
    assert state.errors == {
        "make": "Make is required",
        "battery_capacity_kwh": "'lots' is not a number of kWh, e.g. 75.5",
        "licence_plate": "At most 20 characters (25 given)",
    }
    assert state.form["model"] == "ID.3"  # what was typed stays
    good = {
        "make": "VW",
        "model": "ID.3",
        "battery_capacity_kwh": "58,5",
        "licence_plate": "hh ab 12",
    }
    await tab.send(DriverVehiclesState, "save", form_data=good)
    state = await tab.state(DriverVehiclesState)
    assert not state.form_open and state.errors == {}
    (row,) = state.rows
    assert (row.make, row.battery_capacity_kwh, row.licence_plate) == ("VW", "58.5", "HH AB 12")

    await tab.send(DriverVehiclesState, "edit", vehicle_id=row.id)
    assert (await tab.state(DriverVehiclesState)).form["model"] == "ID.3"
    await tab.send(
        DriverVehiclesState,
        "save",
        form_data={**good, "model": "ID.4", "battery_capacity_kwh": "0"},
    )
    state = await tab.state(DriverVehiclesState)
    assert state.errors == {"battery_capacity_kwh": "Give a capacity above 0 and up to 2000 kWh"}
    await tab.send(DriverVehiclesState, "save", form_data={**good, "model": "ID.4"})
    assert [r.model for r in (await tab.state(DriverVehiclesState)).rows] == ["ID.4"]

    await tab.send(DriverVehiclesState, "ask_delete", vehicle_id=row.id)
    await tab.send(DriverVehiclesState, "delete", vehicle_id=row.id)
    assert (await tab.state(DriverVehiclesState)).rows == []
    with db.read_session() as s:
        assert s.exec(select(Vehicle).where(Vehicle.driver_id == driver_id)).all() == []


async def test_name_and_phone_are_edited_with_clear_errors(organisation: Organisation) -> None:
    tab, driver_id = await account_tab("eve@example.com")
    profile = await tab.state(DriverProfileState)
    assert (profile.name, profile.email, profile.verified) == (
        "Dana Driver",
        "eve@example.com",
        True,
    )
    await tab.send(DriverProfileState, "start_edit")
    await tab.send(DriverProfileState, "save", form_data={"name": "", "phone": "call me"})
    profile = await tab.state(DriverProfileState)
    assert profile.editing and profile.errors == {
        "name": "Name is required",
        "phone": "Use digits, spaces and + ( ) - . /, e.g. +31 20 123 4567",
    }
    await tab.send(DriverProfileState, "save", form_data={"name": "Eve Ng", "phone": "+49 40 123"})
    profile = await tab.state(DriverProfileState)
    assert (profile.editing, profile.name, profile.phone) == (False, "Eve Ng", "+49 40 123")
    assert (await tab.state(DriverAuthState)).driver_name == "Eve Ng"
    with db.read_session() as s:
        person = s.get(Driver, driver_id)
        assert person is not None and (person.name, person.email) == ("Eve Ng", "eve@example.com")


async def test_the_language_is_kept_for_the_account(organisation: Organisation) -> None:
    tab, _driver_id = await account_tab("fay@example.com")
    await tab.send(DriverAuthState, "choose_language", code="de")
    with db.read_session() as s:
        account = s.exec(
            select(DriverAccount).where(DriverAccount.email == "fay@example.com")
        ).one()
    assert account.language == "de"


async def test_a_reconnect_keeps_the_open_forms_and_another_driver_starts_afresh(
    organisation: Organisation,
) -> None:
    org_id = int(organisation.id or 0)
    stock_card(org_id, "KEEP-CARD-1")
    tab, driver_id = await account_tab("gil@example.com")
    await tab.send(DriverCardsState, "add", form_data={"number": "KEEP-CARD-1"})
    edited, asked = await add_vehicle(tab, "Kia"), await add_vehicle(tab, "Fiat")
    await tab.send(DriverProfileState, "start_edit")
    await tab.send(DriverProfileState, "save", form_data={"name": "", "phone": "x"})
    card = (await tab.state(DriverCardsState)).rows[0].id
    await tab.send(DriverCardsState, "ask_block", card_id=card)
    await tab.send(DriverCardsState, "add", form_data={"number": " "})
    await tab.send(DriverVehiclesState, "edit", vehicle_id=edited)
    bad = {"make": "Kia", "model": "EV6", "battery_capacity_kwh": "lots", "licence_plate": ""}
    await tab.send(DriverVehiclesState, "save", form_data=bad)
    await tab.send(DriverVehiclesState, "ask_delete", vehicle_id=asked)
    profile, cards = await tab.state(DriverProfileState), await tab.state(DriverCardsState)
    vehicles = await tab.state(DriverVehiclesState)
    typed = (profile.form_key, dict(profile.errors), vehicles.form_key, dict(vehicles.form))
    with db.session_scope() as s:  # meanwhile, on another device
        person = s.get(Driver, driver_id)
        car = s.get(Vehicle, edited)
        assert person is not None and car is not None
        person.name, car.model = "Gil Renamed", "Sportage"
        s.add_all([person, car])
    stock_card(org_id, "KEEP-CARD-2", driver_id=driver_id)

    await reload(tab)
    assert (profile.editing, profile.name) == (True, "Gil Renamed")
    assert (cards.confirm_id, cards.number_error) == (card, "Enter the number printed on the card.")
    assert [row.id_tag for row in cards.rows] == ["KEEP-CARD-1", "KEEP-CARD-2"]
    assert (vehicles.form_open, vehicles.editing_id, vehicles.confirm_id) == (True, edited, asked)
    assert (profile.form_key, profile.errors, vehicles.form_key, vehicles.form) == typed
    assert vehicles.errors == {"battery_capacity_kwh": "'lots' is not a number of kWh, e.g. 75.5"}
    assert [row.model for row in vehicles.rows] == ["Sportage", "M"]

    with db.session_scope() as s:  # the vehicle asked about is deleted elsewhere
        gone = s.get(Vehicle, asked)
        assert gone is not None
        s.delete(gone)
    await reload(tab)
    assert vehicles.confirm_id == 0 and vehicles.form_open

    other = signed_in_driver("hal@example.com")
    await reload(DriverTab(tab.root, other.session_hash).at("/app/account"))
    assert (profile.editing, profile.errors, profile.name) == (False, {}, "Dana Driver")
    assert (cards.confirm_id, cards.number_error, cards.rows) == (0, "", [])
    assert (vehicles.form_open, vehicles.editing_id, vehicles.confirm_id) == (False, 0, 0)
    assert (vehicles.form, vehicles.errors, vehicles.rows) == ({}, {}, [])
