"""Reserving in the driver app, for real: CCMS's OCPP server with an ocpp-library client
charge point that answers ReserveNow / CancelReservation (as the test scripts it), the tab's
events through the real driver gate, the real tariff engine and ledger.

The fee is shown before anything is sent (the tariff's RESERVATION and RESERVATION_EXPIRES
elements); the reservation goes to the charge point with the driver's app id tag and its
answer is worded; the list shows it and cancels it; an unused one that expires is billed
from the wallet once (not for card payers); a used one is priced with its session. A
reconnect keeps the chosen hold, a reservation in flight and its outcome.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from ocpp.v16 import call
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import Reservation
from ccms_app.charging.reservations import expire_reservations
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app.state.reservations import DriverReservationsState, DriverReserveState
from ccms_app.finance.live_costs import refresh_running_costs
from ccms_app.finance.models import SessionCost
from ccms_app.finance.payments.models import PaymentAccount
from ccms_app.finance.payments.reservation_fees import reference
from ccms_app.finance.wallets.ledger import already_posted, balance
from ccms_app.network.models import Station
from ccms_app.ui import reopen
from ocpp_server.server import OcppServer
from tests.control.core_profile_support import CoreScriptedChargePoint
from tests.driver_app.support import DriverTab, SignedInDriver, driver_tab, signed_in_driver
from tests.driver_app.test_history import CP, World, build_world, fund, iso
from tests.fixtures.ocpp import connect_charge_point


@pytest.fixture
def world(organisation: Organisation) -> World:
    return build_world(organisation)


@pytest.fixture
async def charger(
    ocpp_url: str, command_port: OcppServer, world: World
) -> AsyncIterator[CoreScriptedChargePoint]:
    async with connect_charge_point(ocpp_url, CP, CoreScriptedChargePoint) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        yield cp


def wallet_of(driver: SignedInDriver) -> int:
    with db.read_session() as s:
        return balance(s, "driver", driver.driver_id, "EUR").total_minor


async def reserve_tab(driver: SignedInDriver, world: World, connector: int = 1) -> DriverTab:
    tab = driver_tab(driver, f"/app/reserve/{world.connector_pks[connector]}")
    await tab.send(DriverReserveState, "load")
    return tab


async def reserve(tab: DriverTab, minutes: str = "30") -> DriverReserveState:
    await tab.send(DriverReserveState, "choose", minutes=minutes)
    await tab.send(DriverReserveState, "mark_busy")
    await tab.send(DriverReserveState, "reserve")
    return await tab.state(DriverReserveState)


def reservations_of(driver: SignedInDriver) -> list[Reservation]:
    with db.read_session() as s:
        return list(
            s.exec(select(Reservation).where(Reservation.id_tag == driver.app_id_tag)).all()
        )


async def test_the_fee_is_shown_before_reserving_then_the_charger_holds_the_connector(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    ada = signed_in_driver("ada@example.com")
    fund(ada)
    tab = await reserve_tab(ada, world)
    page = await tab.state(DriverReserveState)
    assert page.found and page.can_reserve and page.refusal == ""
    assert (page.station, page.identity, page.connector_id) == ("Harbour Garage", CP, "1")
    assert [(c.minutes, c.label) for c in page.choices] == [
        ("15", "15 min"),
        ("30", "30 min"),
        ("60", "60 min"),
    ]
    assert page.chosen == "30" and page.tariff == "Standard"
    fee = page.chosen_fee
    assert fee.while_reserved == (
        "Up to €0.71 for the time it is held, added to your charging session."
    )
    assert fee.if_unused == (
        "If you do not start charging in time: €1.90, taken from your wallet when the "
        "reservation ends."
    )
    await tab.send(DriverReserveState, "choose", minutes="45")  # not offered: ignored
    assert (await tab.state(DriverReserveState)).chosen == "30"
    assert reservations_of(ada) == []  # nothing sent yet

    done = await reserve(tab, "15")
    assert done.outcome_ok and not done.busy
    assert done.outcome.startswith("Reserved: the connector is held for you until ")
    ((action, payload),) = charger.received
    assert action == "ReserveNow"
    assert (payload["connector_id"], payload["id_tag"]) == (1, ada.app_id_tag)
    (row,) = reservations_of(ada)
    assert row.status == "accepted" and row.requested_by == "driver app: ada@example.com"
    assert timedelta(minutes=14) < row.expiry_date - utc_now() <= timedelta(minutes=15)

    # one open reservation at a time: refused before anything is sent
    again = await reserve(await reserve_tab(ada, world, connector=2), "30")
    assert not again.outcome_ok and again.outcome == (
        "You have a reservation already: use or cancel it first."
    )
    assert len(charger.received) == 1

    mine = driver_tab(ada, "/app/reservations")
    await mine.send(DriverReservationsState, "load")
    (shown,) = (await mine.state(DriverReservationsState)).rows
    assert (shown.id, shown.status_label, shown.cancellable) == (row.id, "Reserved", True)
    await mine.send(DriverReservationsState, "cancel", reservation_id=row.id)
    assert charger.received[-1] == ("CancelReservation", {"reservation_id": row.id})
    (shown,) = (await mine.state(DriverReservationsState)).rows
    assert (shown.status_label, shown.cancellable) == ("Cancelled", False)
    assert reservations_of(ada)[0].status == "cancelled"


async def test_the_chargers_refusals_are_worded(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    bo = signed_in_driver("bo@example.com")
    fund(bo)
    charger.answers["ReserveNow"] = "Occupied"
    occupied = await reserve(await reserve_tab(bo, world))
    assert not occupied.outcome_ok and occupied.outcome_tone == "amber"
    assert occupied.outcome == "The connector is in use right now: nothing was reserved."
    charger.answers["ReserveNow"] = "Rejected"
    rejected = await reserve(await reserve_tab(bo, world))
    assert rejected.outcome == "The charger refused the reservation: nothing was reserved."
    assert [r.status for r in reservations_of(bo)] == ["occupied", "rejected"]

    mine = driver_tab(bo, "/app/reservations")
    await mine.send(DriverReservationsState, "load")
    rows = (await mine.state(DriverReservationsState)).rows
    assert [r.status_label for r in rows] == ["Not reserved: refused", "Not reserved: in use"]
    assert not any(r.cancellable for r in rows)


async def test_offline_charger_and_unconfirmed_address_are_refused_before_sending(
    world: World, command_port: OcppServer
) -> None:
    cy = signed_in_driver("cy@example.com")
    fund(cy)
    offline = await reserve(await reserve_tab(cy, world))  # never connected: offline
    assert not offline.can_reserve
    assert offline.outcome == "This charger is offline. Try again later or use another charger."
    unverified = signed_in_driver("dee@example.com", verified=False)
    page = await reserve(await reserve_tab(unverified, world))
    assert page.outcome.startswith("Confirm your e-mail address first")
    assert reservations_of(cy) == reservations_of(unverified) == []


async def test_a_wallet_too_low_is_told_with_the_way_to_top_up(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    eve = signed_in_driver("eve@example.com")  # an empty wallet: below the 5.00 minimum
    page = await (await reserve_tab(eve, world)).state(DriverReserveState)
    assert not page.can_reserve and page.refusal.startswith("Top up your wallet")
    assert page.action_path == "/app/wallet"


async def test_an_unused_reservation_is_billed_from_the_wallet_once(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    fay = signed_in_driver("fay@example.com")
    fund(fay)
    done = await reserve(await reserve_tab(fay, world), "15")
    assert done.outcome_ok
    (row,) = reservations_of(fay)
    before = wallet_of(fay)
    assert expire_reservations(row.expiry_date + timedelta(seconds=1)) == 1
    assert wallet_of(fay) == before - 155  # 15 min x 1.20/h + 1.00 flat, + 19 % VAT
    assert expire_reservations(row.expiry_date + timedelta(minutes=5)) == 0
    with db.read_session() as s:
        assert already_posted(s, reference(int(row.id or 0)))
    assert wallet_of(fay) == before - 155

    mine = driver_tab(fay, "/app/reservations")
    await mine.send(DriverReservationsState, "load")
    (shown,) = (await mine.state(DriverReservationsState)).rows
    assert (shown.status_label, shown.fee) == ("Expired unused", "Fee charged: €1.55")


async def test_a_card_payer_is_not_billed_for_an_unused_reservation(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    gus = signed_in_driver("gus@example.com")
    fund(gus)
    tab = await reserve_tab(gus, world)
    with db.session_scope() as s:
        account = s.exec(
            select(PaymentAccount).where(PaymentAccount.holder_id == gus.driver_id)
        ).one()
        account.method = "invoice"
        s.add(account)
    await tab.send(DriverReserveState, "load")
    fee = (await tab.state(DriverReserveState)).chosen_fee
    assert fee.if_unused == "If you do not start charging in time: nothing is charged."
    done = await reserve(tab, "15")
    assert done.outcome_ok
    (row,) = reservations_of(gus)
    expire_reservations(row.expiry_date + timedelta(seconds=1))
    with db.read_session() as s:
        assert not already_posted(s, reference(int(row.id or 0)))


async def test_a_used_reservation_is_priced_with_its_session(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    hal = signed_in_driver("hal@example.com")
    fund(hal)
    assert (await reserve(await reserve_tab(hal, world), "30")).outcome_ok
    (row,) = reservations_of(hal)
    now = utc_now()
    started = await charger.call(
        call.StartTransaction(
            connector_id=1,
            id_tag=hal.app_id_tag,
            meter_start=0,
            timestamp=iso(now),
            reservation_id=row.id,
        )
    )
    assert started.id_tag_info["status"] == "Accepted"
    refresh_running_costs(now + timedelta(minutes=1))
    with db.read_session() as s:
        used = s.get(Reservation, row.id)
        cost = s.get(SessionCost, started.transaction_id)
    assert used is not None and used.status == "used"
    assert cost is not None and '"fee": "reservation"' in cost.breakdown
    assert wallet_of(hal) == 5_000  # nothing billed for the reservation on its own


async def test_a_reconnect_keeps_the_hold_and_the_outcome_and_another_connector_starts_afresh(
    world: World, charger: CoreScriptedChargePoint
) -> None:
    gus = signed_in_driver("gus@example.com")
    fund(gus)
    tab = await reserve_tab(gus, world)
    await tab.send(DriverReserveState, "choose", minutes="60")
    await tab.send(DriverReserveState, "mark_busy")  # the button's first half
    with db.session_scope() as s:  # meanwhile
        station = s.get(Station, world.station_id)
        assert station is not None
        station.name = "Harbour Garage East"
        s.add(station)

    await tab.send(DriverReserveState, "load")  # a reconnect before the second half
    page = await tab.state(DriverReserveState)
    assert (page.chosen, page.busy, page.station) == ("60", True, "Harbour Garage East")
    await tab.send(DriverReserveState, "reserve")
    assert page.outcome_ok and not page.busy
    outcome = page.outcome
    await tab.send(DriverReserveState, "load")
    assert (page.chosen, page.outcome, page.outcome_ok) == ("60", outcome, True)
    (row,) = reservations_of(gus)
    assert timedelta(minutes=59) < row.expiry_date - utc_now() <= timedelta(minutes=60)

    await tab.at(f"/app/reserve/{world.connector_pks[2]}").send(DriverReserveState, "load")
    assert (page.chosen, page.outcome, page.outcome_ok, page.busy) == ("30", "", False, False)


async def test_a_reservation_in_flight_when_the_server_restarted_does_not_stay_busy(
    world: World, charger: CoreScriptedChargePoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tab's state outlives the server (Reflex keeps it on disk), the reservation it had
    in flight does not: the button must not stay spinning and refuse every tap."""
    gus = signed_in_driver("gus@example.com")
    fund(gus)
    tab = await reserve_tab(gus, world)
    await tab.send(DriverReserveState, "choose", minutes="60")
    await tab.send(DriverReserveState, "mark_busy")  # the button's first half, then a restart
    monkeypatch.setattr(reopen, "_PROCESS", "the-restarted-server")

    await tab.send(DriverReserveState, "load")
    page = await tab.state(DriverReserveState)
    assert not page.busy
    await tab.send(DriverReserveState, "mark_busy")
    await tab.send(DriverReserveState, "reserve")
    assert page.outcome_ok and not page.busy
