"""The driver app's charging history, for real: a driver adds a stock card, charges with it
on a charge point over a real OCPP websocket (the ocpp library's client -> CCMS's server ->
the real event service -> SQLite), the stop prices the session (a tariff with an energy
price) and settles it from the wallet, a receipt is issued; then the history tab, through
the real event gate, lists it with its cost, how it was paid and the receipt link, the
detail shows the breakdown lines, a running session says "cost so far", one held for
review says so, and "Show more" pages through many sessions without repeats (a reconnect
keeps them shown).

`World`, `build_world`, `fund`, `stock_card` and `charge` are shared with the
reservation, account and isolation tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ocpp.v16 import call

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app.state.account import DriverCardsState
from ccms_app.driver_app.state.history import DriverHistoryState, DriverSessionState
from ccms_app.drivers.models import IdTag
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.live_costs import refresh_running_costs
from ccms_app.finance.models import AssignmentTarget, CostState, SessionCost
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.network.models import ChargePoint, Connector, Station
from tests.driver_app.support import DriverTab, SignedInDriver, driver_tab, signed_in_driver
from tests.fixtures.ocpp import connect_charge_point

CP = "CP-APP-1"
ZONE = "Europe/Berlin"
# Energy 0.30 EUR/kWh; holding a connector 1.20 EUR/h (billed with the session that uses the
# reservation); a reservation that expires unused also costs 1.00 EUR flat. VAT 19 %.
TARIFF: dict[str, Any] = {
    "currency": "EUR",
    "elements": [
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "reservation",
            "price_components": [{"type": "TIME", "price": "1.20", "vat": "19", "step_size": 60}],
            "restrictions": {"reservation": "RESERVATION"},
        },
        {
            "fee": "reservation",
            "price_components": [{"type": "FLAT", "price": "1.00", "vat": "19", "step_size": 1}],
            "restrictions": {"reservation": "RESERVATION_EXPIRES"},
        },
    ],
}


@dataclass(frozen=True)
class World:
    organisation_id: int
    station_id: int
    charge_point_id: int
    connector_pks: dict[int, int]  # OCPP connector id -> connector row id
    tariff_id: int


def build_world(organisation: Organisation, identity: str = CP) -> World:
    """A Berlin station with one charge point (connectors 1 and 2) and the tariff above as
    the network default."""
    org_id = int(organisation.id or 0)
    with db.session_scope() as s:
        station = Station(
            name="Harbour Garage", organisation_id=org_id, timezone=ZONE, address="Kai 1"
        )
        s.add(station)
        s.flush()
        cp = ChargePoint(
            identity=identity,
            organisation_id=org_id,
            station_id=station.id,
            registration_state="registered",
            max_power_w=22_000,
        )
        s.add(cp)
        s.flush()
        rows = {
            n: Connector(
                organisation_id=org_id,
                charge_point_id=int(cp.id or 0),
                connector_id=n,
                connector_type="Type2",
                max_power_w=22_000,
                status="Available",
            )
            for n in (1, 2)
        }
        s.add_all(rows.values())
        s.flush()
        world = (
            int(station.id or 0),
            int(cp.id or 0),
            {n: int(c.id or 0) for n, c in rows.items()},
        )
    scope = frozenset({org_id})
    tariff = create_tariff(
        scope, org_id, "Standard", TARIFF, valid_from=utc_now() - timedelta(days=2)
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, org_id, "test")
    return World(org_id, world[0], world[1], world[2], tariff.id)


def fund(driver: SignedInDriver, minor: int = 5_000) -> None:
    """Top the driver's wallet up (the network wants 5.00 EUR before charging)."""
    with db.session_scope() as s:
        credit_wallet(
            s,
            organisation_id=driver.organisation_id,
            holder_kind="driver",
            holder_id=driver.driver_id,
            currency="EUR",
            paid_minor=minor,
            bonus_minor=0,
            kind=LedgerKind.TOP_UP,
            reference=f"test-top-up:{driver.driver_id}:{minor}",
        )


def stock_card(organisation_id: int, number: str, **values: Any) -> int:
    """A card in the operator's stock (nobody's unless `values` say otherwise)."""
    with db.session_scope() as s:
        tag = IdTag(organisation_id=organisation_id, id_tag=number, **values)
        s.add(tag)
        s.flush()
        return int(tag.id or 0)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


async def charge(
    ocpp_url: str,
    id_tag: str,
    *,
    connector: int = 1,
    start: datetime | None = None,
    wh: int = 11_000,
    stop: bool = True,
    identity: str = CP,
    reservation_id: int | None = None,
) -> int:
    """A session on the charge point over a real websocket: start, meter values, stop."""
    began = start or utc_now() - timedelta(hours=1)
    async with connect_charge_point(ocpp_url, identity) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        extra = {"reservation_id": reservation_id} if reservation_id is not None else {}
        started = await cp.call(
            call.StartTransaction(
                connector_id=connector,
                id_tag=id_tag,
                meter_start=1_000,
                timestamp=iso(began),
                **extra,
            )
        )
        assert started.id_tag_info["status"] == "Accepted", started.id_tag_info
        tx = int(started.transaction_id)
        sampled = [
            {"value": str(1_000 + wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
        ]
        await cp.call(
            call.MeterValues(
                connector_id=connector,
                transaction_id=tx,
                meter_value=[
                    {"timestamp": iso(began + timedelta(minutes=30)), "sampled_value": sampled}
                ],
            )
        )
        if stop:
            await cp.call(
                call.StopTransaction(
                    meter_stop=1_000 + wh,
                    timestamp=iso(began + timedelta(minutes=60)),
                    transaction_id=tx,
                    id_tag=id_tag,
                )
            )
        return tx


def seed_sessions(organisation_id: int, charge_point_id: int, id_tag: str, count: int) -> list[int]:
    """Finished sessions written straight to the database (for paging), one an hour back."""
    base = utc_now() - timedelta(days=3)
    with db.session_scope() as s:
        rows = [
            ChargingSession(
                organisation_id=organisation_id,
                charge_point_id=charge_point_id,
                connector_id=2,
                id_tag=id_tag,
                status="completed",
                start_time=base - timedelta(hours=n),
                stop_time=base - timedelta(hours=n) + timedelta(minutes=30),
                meter_start_wh=0,
                meter_stop_wh=1_000,
                energy_wh=1_000,
            )
            for n in range(count)
        ]
        s.add_all(rows)
        s.flush()
        return [int(r.id or 0) for r in rows]


async def test_history_lists_a_priced_card_session_with_payment_and_receipt(
    organisation: Organisation, ocpp_url: str
) -> None:
    world = build_world(organisation)
    ada = signed_in_driver("ada@example.com", name="Ada Driver")
    fund(ada)
    stock_card(world.organisation_id, "04A23B1C")
    tab = driver_tab(ada, "/app/account")
    await tab.send(DriverCardsState, "add", form_data={"number": "04 a2 3b 1c"})
    assert [row.id_tag for row in (await tab.state(DriverCardsState)).rows] == ["04A23B1C"]

    card_tx = await charge(ocpp_url, "04a23b1c", start=utc_now() - timedelta(hours=3))
    running_tx = await charge(ocpp_url, ada.app_id_tag, connector=2, stop=False)
    refresh_running_costs()
    receipt = issue_receipt(card_tx)
    with db.read_session() as s:
        cost = s.get(SessionCost, card_tx)
        assert cost is not None and cost.state == CostState.FINAL
        assert cost.total_incl_minor == 393  # 11 kWh x 0.30 + 19 % VAT

    tab.at("/app/history")
    await tab.send(DriverHistoryState, "load")
    history = await tab.state(DriverHistoryState)
    assert [row.session_id for row in history.rows] == [running_tx, card_tx]
    running, priced = history.rows
    assert (priced.station, priced.connector, priced.amount) == ("Harbour Garage", "1", "€3.93")
    assert priced.cost_note == "" and priced.paid == "Paid from your wallet"
    assert priced.energy == "11.00 kWh" and priced.duration == "1 h 00 min"
    assert priced.receipt_url == f"/app/receipts/{receipt.id}.pdf"
    assert priced.started.endswith("CET") or priced.started.endswith("CEST")
    assert running.running and running.cost_note == "Cost so far" and running.amount
    assert running.receipt_url == "" and not history.more

    tab.at(f"/app/history/{card_tx}")
    await tab.send(DriverSessionState, "load")
    detail = await tab.state(DriverSessionState)
    assert detail.found and detail.tariff == "Standard"
    assert detail.total_incl == "€3.93" and detail.vat == "€0.63"
    assert [(line.dimension, line.fee, line.quantity) for line in detail.lines] == [
        ("Energy", "energy", "11 kWh")
    ]
    assert detail.row.receipt_url == priced.receipt_url


async def test_cost_states_are_said_honestly(organisation: Organisation) -> None:
    world = build_world(organisation)
    bo = signed_in_driver("bo@example.com")
    review, unpriced, fresh = seed_sessions(
        world.organisation_id, world.charge_point_id, bo.app_id_tag, 3
    )
    with db.session_scope() as s:
        s.add(
            SessionCost(
                session_id=review,
                organisation_id=world.organisation_id,
                state=CostState.REVIEW,
                currency="EUR",
                total_incl_minor=1_234,
                note="meter stop missing",
            )
        )
        s.add(
            SessionCost(
                session_id=unpriced, organisation_id=world.organisation_id, state=CostState.UNPRICED
            )
        )
    tab = driver_tab(bo, "/app/history")
    await tab.send(DriverHistoryState, "load")
    rows = {row.session_id: row for row in (await tab.state(DriverHistoryState)).rows}
    assert (rows[review].amount, rows[review].cost_note) == (
        "€12.34",
        "Held for review: the amount may still change",
    )
    assert (rows[unpriced].amount, rows[unpriced].cost_note) == ("", "Not billed")
    assert (rows[fresh].amount, rows[fresh].cost_note) == ("", "Being priced")
    assert rows[review].cost_tone == "amber"


async def test_show_more_pages_without_repeats_newest_first(organisation: Organisation) -> None:
    world = build_world(organisation)
    cy = signed_in_driver("cy@example.com")
    ids = seed_sessions(world.organisation_id, world.charge_point_id, cy.app_id_tag.lower(), 45)
    tab = driver_tab(cy, "/app/history")
    await tab.send(DriverHistoryState, "load")
    state = await tab.state(DriverHistoryState)
    assert len(state.rows) == 20 and state.more
    await tab.send(DriverHistoryState, "show_more")
    await tab.send(DriverHistoryState, "show_more")
    state = await tab.state(DriverHistoryState)
    assert [row.session_id for row in state.rows] == ids  # newest first, each once
    assert not state.more
    await tab.send(DriverHistoryState, "show_more")  # nothing more: nothing changes
    assert len((await tab.state(DriverHistoryState)).rows) == 45


async def test_a_reconnect_keeps_the_pages_shown_and_refreshes_them(
    organisation: Organisation,
) -> None:
    world = build_world(organisation)
    flo = signed_in_driver("flo@example.com")
    ids = seed_sessions(world.organisation_id, world.charge_point_id, flo.app_id_tag, 45)
    tab = driver_tab(flo, "/app/history")
    await tab.send(DriverHistoryState, "load")
    await tab.send(DriverHistoryState, "show_more")
    with db.session_scope() as s:  # meanwhile: a session on the second page is re-priced
        row = s.get(ChargingSession, ids[30])
        assert row is not None
        row.energy_wh = 4_000
        s.add(row)

    await tab.send(DriverHistoryState, "load")  # a reconnect
    state = await tab.state(DriverHistoryState)
    assert [row.session_id for row in state.rows] == ids[:40] and state.more
    assert state.rows[30].energy == "4.00 kWh"
    await tab.send(DriverHistoryState, "show_more")
    assert [row.session_id for row in state.rows] == ids and not state.more

    gus = signed_in_driver("gus@example.com")
    seed_sessions(world.organisation_id, world.charge_point_id, gus.app_id_tag, 25)
    await DriverTab(tab.root, gus.session_hash).at("/app/history").send(DriverHistoryState, "load")
    assert len(state.rows) == 20 and state.more


async def test_a_session_not_the_drivers_is_not_found(organisation: Organisation) -> None:
    world = build_world(organisation)
    dee = signed_in_driver("dee@example.com")
    eve = signed_in_driver("eve@example.com")
    (theirs,) = seed_sessions(world.organisation_id, world.charge_point_id, eve.app_id_tag, 1)
    tab = driver_tab(dee, f"/app/history/{theirs}")
    await tab.send(DriverSessionState, "load")
    shown = await tab.state(DriverSessionState)
    assert shown.loaded and not shown.found and shown.lines == []
    for path in ("/app/history/999999", "/app/history/abc", "/app/history/"):
        tab.at(path)
        await tab.send(DriverSessionState, "load")
        assert not (await tab.state(DriverSessionState)).found
    await tab.at("/app/history").send(DriverHistoryState, "load")
    assert (await tab.state(DriverHistoryState)).rows == []
