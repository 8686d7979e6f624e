"""Charging from the driver app, for real: a signed-up driver's tab (through the real event
gate), the real OCPP server and ChargerEventService, and an ocpp-library charge point that
does what a charger does: it accepts RemoteStartTransaction and then sends StartTransaction
with the id tag it was given, reports MeterValues, and answers RemoteStopTransaction with a
StopTransaction. Prices: 0.30 EUR/kWh + 19 % VAT as the network default; the wallet minimum
5.00 EUR.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.routing import after
from ocpp.v16 import call
from ocpp.v16.enums import Action
from reflex.event import EventSpec
from sqlmodel import select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, Reservation
from ccms_app.control.models import ChargePointCommand
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent
from ccms_app.core.i18n import reading_as
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.driver_app import charging
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules import charging as rules
from ccms_app.driver_app.state import live_feed
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.charging import (
    CHARGING_PATH,
    ChargingState,
    ConnectorStartState,
    connector_from_path,
)
from ccms_app.drivers.models import IdTag
from ccms_app.finance.live_costs import refresh_running_costs
from ccms_app.finance.models import AssignmentTarget, BillingProfile, SessionCost
from ccms_app.finance.payments.models import PaymentSettings
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.network.models import ChargePoint, Connector, Station
from ocpp_server.server import OcppServer
from tests.driver_app.support import (
    DriverTab,
    SignedInDriver,
    driver_tab,
    refused,
    signed_in_driver,
)
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point, eventually

CP = "CP-APP-1"
OTHER_CP = "CP-ELSEWHERE"
ENERGY = {
    "currency": "EUR",
    "elements": [
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}],
        }
    ],
}
REMOTE_START, REMOTE_STOP = "RemoteStartTransaction", "RemoteStopTransaction"


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


class AppChargePoint(ScriptedChargePoint):
    """Starts a transaction after accepting RemoteStartTransaction (with the tag it got),
    stops it after accepting RemoteStopTransaction, as a charger with a car plugged in."""

    def __init__(self, identity: str, connection: Any, **kwargs: Any) -> None:
        super().__init__(identity, connection, **kwargs)
        self.meter_wh = 1_000
        self.started_at = utc_now() - timedelta(minutes=20)
        self.transactions: dict[int, int] = {}  # connector -> transaction id

    async def status(self, connector_id: int, status: str) -> None:
        await self.call(
            call.StatusNotification(connector_id=connector_id, error_code="NoError", status=status)
        )

    @after(Action.remote_start_transaction)
    async def start_after_remote_start(self, id_tag: str, connector_id: int = 1, **_: Any) -> None:
        if self.answers.get(REMOTE_START, "Accepted") != "Accepted":
            return
        reply = await self.call(
            call.StartTransaction(
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start=self.meter_wh,
                timestamp=iso(self.started_at),
            )
        )
        self.transactions[connector_id] = reply.transaction_id
        await self.status(connector_id, "Charging")

    @after(Action.remote_stop_transaction)
    async def stop_after_remote_stop(self, transaction_id: int, **_: Any) -> None:
        if self.answers.get(REMOTE_STOP, "Accepted") != "Accepted":
            return
        await self.call(
            call.StopTransaction(
                transaction_id=transaction_id,
                meter_stop=self.meter_wh,
                timestamp=iso(utc_now()),
                reason="Remote",
            )
        )
        connector = next(c for c, tx in self.transactions.items() if tx == transaction_id)
        await self.status(connector, "Finishing")

    async def meter(self, connector_id: int, wh: int, power_w: int, soc: int) -> None:
        self.meter_wh = wh
        sampled = [
            {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"},
            {"value": str(soc), "measurand": "SoC", "unit": "Percent"},
        ]
        await self.call(
            call.MeterValues(
                connector_id=connector_id,
                transaction_id=self.transactions[connector_id],
                meter_value=[{"timestamp": iso(utc_now()), "sampled_value": sampled}],
            )
        )


@dataclass(frozen=True)
class Network:
    organisation_id: int
    charge_point_id: int
    other_charge_point_id: int


@pytest.fixture
def network(engine: Any, organisation: Organisation) -> Network:
    """The operator drivers sign up with (EUR, wallet minimum 5.00), a station in Berlin with
    CP (two Type2 connectors, 22 kW) and an unrelated operator's charge point."""
    org_id = stored_id(organisation.id)
    with db.session_scope() as s:
        s.add(BillingProfile(organisation_id=org_id, currency="EUR", time_zone="Europe/Berlin"))
        s.add(PaymentSettings(organisation_id=org_id, wallet_minimum_minor=500))
        station = Station(
            name="Harbour Street",
            address="Harbour Street 1",
            organisation_id=org_id,
            timezone="Europe/Berlin",
        )
        other = Organisation(name="Unrelated Operator")
        s.add_all([station, other])
        s.flush()
        cp = ChargePoint(
            identity=CP,
            organisation_id=org_id,
            station_id=station.id,
            registration_state="registered",
            max_power_w=22_000,
        )
        stranger = ChargePoint(
            identity=OTHER_CP,
            organisation_id=stored_id(other.id),
            registration_state="registered",
        )
        s.add_all([cp, stranger])
        s.flush()
        for number in (1, 2):
            s.add(
                Connector(
                    organisation_id=org_id,
                    charge_point_id=stored_id(cp.id),
                    connector_id=number,
                    connector_type="Type2",
                )
            )
        s.add(
            Connector(
                organisation_id=stored_id(other.id),
                charge_point_id=stored_id(stranger.id),
                connector_id=1,
            )
        )
        ids = Network(org_id, stored_id(cp.id), stored_id(stranger.id))
    scope = frozenset({org_id})
    tariff = create_tariff(
        scope, org_id, "Energy", ENERGY, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, org_id, "test")
    return ids


@pytest.fixture(autouse=True)
def _no_watches() -> Iterator[None]:
    live_feed.forget_all()
    yield
    live_feed.forget_all()


@contextlib.asynccontextmanager
async def charger(ocpp_url: str, identity: str = CP) -> AsyncIterator[AppChargePoint]:
    async with connect_charge_point(ocpp_url, identity, AppChargePoint) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        for number in (1, 2):
            await cp.status(number, "Available")
        yield cp


def top_up(driver: SignedInDriver, minor: int) -> None:
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
            reference=f"top_up:{driver.driver_id}:{minor}",
        )


def wallet_driver(email: str, verified: bool = True) -> SignedInDriver:
    driver = signed_in_driver(email, verified=verified)
    top_up(driver, 2_000)
    return driver


async def qr_page(driver: SignedInDriver, connector: int = 1, identity: str = CP) -> DriverTab:
    tab = driver_tab(driver, f"/app/c/{identity}/{connector}")
    assert await tab.send(ConnectorStartState, "load") is None
    return tab


def commands(action: str) -> list[ChargePointCommand]:
    with db.read_session() as s:
        return list(s.exec(select(ChargePointCommand).where(ChargePointCommand.action == action)))


def session_of(tx: int) -> ChargingSession:
    with db.read_session() as s:
        found = s.get(ChargingSession, tx)
    assert found is not None
    return found


class FakeApp:
    """What the live feed needs of the rx.App: the open tabs, and modify_state for one."""

    def __init__(self, tab: DriverTab) -> None:
        self.tab = tab
        self.event_namespace = type(
            "NS", (), {"sid_to_token": {"sid": tab.root.router.session.client_token}}
        )()

    @contextlib.asynccontextmanager
    async def modify_state(self, token: Any) -> AsyncIterator[Any]:
        yield self.tab.root


# --- the whole way ----------------------------------------------------------------------------


async def test_start_watch_live_values_stop_and_final_cost(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    driver = wallet_driver("ada@example.com")
    async with charger(ocpp_url) as cp:
        tab = await qr_page(driver)
        offer = await tab.state(ConnectorStartState)
        assert (offer.station_name, offer.identity, offer.connector_id) == ("Harbour Street", CP, 1)
        assert (offer.state_label, offer.connector_type, offer.power) == ("Free", "Type2", "22 kW")
        assert offer.can_start and offer.refusal == ""
        assert "€0.357" in offer.price and "kWh" in offer.price  # VAT included
        watch = live_feed.watched()[
            ("driver-tab-" + driver.session_hash[:8], ConnectorStartState.get_full_name())
        ]
        assert watch.charge_point_ids == {network.charge_point_id}

        # Start: the gate, then RemoteStartTransaction with the app tag; on to /app/charging.
        result = await tab.send(ConnectorStartState, "start")
        assert isinstance(result, EventSpec) and "/app/charging" in str(result.args)
        assert cp.received == [(REMOTE_START, {"id_tag": driver.app_id_tag, "connector_id": 1})]
        [command] = commands(REMOTE_START)
        assert (command.status, command.requested_by) == ("accepted", "driver app: ada@example.com")
        sessions = await tab.state(ChargingState)
        assert sessions.waiting and "Harbour Street" in sessions.waiting_place

        await eventually(lambda: 1 in cp.transactions)
        tx = cp.transactions[1]
        assert session_of(tx).id_tag == driver.app_id_tag and session_of(tx).status == "active"
        tab.at("/app/charging")
        assert await tab.send(ChargingState, "load") is None
        sessions = await tab.state(ChargingState)
        assert not sessions.waiting  # the session arrived
        [row] = sessions.sessions
        assert (row.id, row.station_name, row.energy, row.cost) == (
            tx,
            "Harbour Street",
            "0.00 kWh",
            "—",
        )
        assert "connector 1" in row.place

        # Meter values and the live cost job, then the feed's push re-reads the tab.
        await cp.meter(1, 6_000, 11_000, 42)  # 5 kWh since the start
        await eventually(lambda: session_of(tx).energy_wh == 5_000)
        refresh_running_costs()  # 5 kWh x 0.30 = 1.50 + 19 % = 1.785 -> €1.79
        feed = live_feed.DriverLiveFeed(FakeApp(tab), None, 0)  # type: ignore[arg-type]
        await feed.publish([_meter_event(network.charge_point_id)])
        assert feed.pushes == 1
        [row] = (await tab.state(ChargingState)).sessions
        assert (row.energy, row.power, row.soc, row.cost) == (
            "5.00 kWh",
            "11.0 kW",
            "42 %",
            "€1.79",
        )
        assert row.duration in ("20 min", "21 min")
        assert row.started_at.endswith(("CET", "CEST"))  # the station's zone

        # Stop: confirmed, RemoteStopTransaction, the charger's StopTransaction.
        await cp.meter(1, 7_000, 11_000, 45)
        assert await tab.send(ChargingState, "ask_stop", session_id=tx) is None
        assert (await tab.state(ChargingState)).stop_id == tx
        await tab.send(ChargingState, "mark_stopping")
        await tab.send(ChargingState, "stop")
        assert (REMOTE_STOP, {"transaction_id": tx}) in cp.received
        assert (await tab.state(ChargingState)).stopping is False
        await eventually(lambda: session_of(tx).status == "completed")

    await (await tab.state(ChargingState)).refresh_live()  # the feed's push after the stop
    pushed = await tab.state(ChargingState)
    assert pushed.sessions == [] and pushed.has_last and pushed.notice == ""
    assert await tab.send(ChargingState, "load") is None
    state = await tab.state(ChargingState)
    assert state.sessions == [] and state.has_last
    assert (state.last.id, state.last.energy, state.last.cost) == (tx, "6.00 kWh", "€2.14")
    assert state.last.cost_final
    with db.read_session() as s:
        cost = s.get(SessionCost, tx)
    assert cost is not None and cost.total_incl_minor == 214  # 6 kWh: 1.80 + 0.342 VAT


def _meter_event(charge_point_id: int) -> NetworkEvent:
    return NetworkEvent(kind="meter", charge_point_id=charge_point_id, identity=CP, data={})


# --- refusals: nothing reaches the charger ---------------------------------------------------


async def test_an_unverified_driver_sees_why_and_cannot_start(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    driver = wallet_driver("una@example.com", verified=False)
    async with charger(ocpp_url) as cp:
        tab = await qr_page(driver)
        offer = await tab.state(ConnectorStartState)
        assert not offer.can_start and offer.refusal_code == "unverified"
        assert "una@example.com" in offer.refusal
        await tab.send(ConnectorStartState, "start")
        with pytest.raises(DriverAppError) as refusal:
            await charging.start_charging(await _principal(tab), network.charge_point_id, 1)
        assert refusal.value.code == "unverified"
        assert cp.received == [] and commands(REMOTE_START) == []


async def test_a_wallet_below_the_minimum_is_told_to_top_up(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    driver = signed_in_driver("wim@example.com")
    top_up(driver, 300)
    async with charger(ocpp_url) as cp:
        tab = await qr_page(driver)
        offer = await tab.state(ConnectorStartState)
        assert not offer.can_start and offer.refusal_code == "wallet_low"
        assert "Top up your wallet (at least €5.00)" in offer.refusal and "€3.00" in offer.refusal
        assert (offer.action_path, offer.action_label) == ("/app/wallet", "Top up your wallet")
        await tab.send(ConnectorStartState, "start")
        assert "Top up your wallet" in (await tab.state(ConnectorStartState)).error
        with pytest.raises(DriverAppError) as refusal:
            await charging.start_charging(await _principal(tab), network.charge_point_id, 1)
        assert refusal.value.code == "wallet_low"
        assert cp.received == []
        top_up(driver, 200)  # 5.00 now: the offer says go
        assert await tab.send(ConnectorStartState, "load") is None
        assert (await tab.state(ConnectorStartState)).can_start


async def test_an_offline_charger_cannot_be_started(
    network: Network, command_port: OcppServer
) -> None:
    driver = wallet_driver("otto@example.com")
    tab = await qr_page(driver)
    offer = await tab.state(ConnectorStartState)
    assert (offer.state_label, offer.refusal_code) == ("Offline", "offline")
    with pytest.raises(DriverAppError):
        await charging.start_charging(await _principal(tab), network.charge_point_id, 1)
    assert commands(REMOTE_START) == []


async def test_a_busy_connector_cannot_be_started_and_the_other_one_can(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    driver = wallet_driver("bea@example.com")
    with db.session_scope() as s:
        s.add(IdTag(organisation_id=network.organisation_id, id_tag="SOMEONE-ELSE"))
    async with charger(ocpp_url) as cp:
        await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="SOMEONE-ELSE", meter_start=0, timestamp=iso(utc_now())
            )
        )
        await cp.status(1, "Charging")
        tab = await qr_page(driver, connector=1)
        offer = await tab.state(ConnectorStartState)
        assert (offer.state_label, offer.refusal_code, offer.can_start) == ("In use", "busy", False)
        with pytest.raises(DriverAppError) as refusal:
            await charging.start_charging(await _principal(tab), network.charge_point_id, 1)
        assert refusal.value.code == "busy"
        assert cp.received == []
        other = await qr_page(driver, connector=2)
        assert (await other.state(ConnectorStartState)).can_start


async def test_stopping_another_drivers_session_is_not_found_and_sends_nothing(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    ada = wallet_driver("ada2@example.com")
    eve = wallet_driver("eve@example.com")
    async with charger(ocpp_url) as cp:
        tab = await qr_page(ada)
        await tab.send(ConnectorStartState, "start")
        await eventually(lambda: 1 in cp.transactions)
        tx = cp.transactions[1]
        eves_tab = driver_tab(eve, "/app/charging")
        assert await eves_tab.send(ChargingState, "load") is None
        assert (await eves_tab.state(ChargingState)).sessions == []
        # a forged ask_stop for a session not on the page opens nothing ...
        await eves_tab.send(ChargingState, "ask_stop", session_id=tx)
        assert (await eves_tab.state(ChargingState)).stop_id == 0
        # ... and the use case itself says not found
        with pytest.raises(DriverAppNotFound):
            await charging.stop_charging(await _principal(eves_tab), tx)
        with pytest.raises(DriverAppNotFound):
            charging.session_view(await _principal(eves_tab), tx)
        assert [a for a, _ in cp.received] == [REMOTE_START]
        assert commands(REMOTE_STOP) == []
        assert charging.session_view(await _principal(tab), tx).running  # Ada's own: found


async def test_a_charge_point_of_another_organisation_is_not_found(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    driver = wallet_driver("nia@example.com")
    async with charger(ocpp_url, OTHER_CP) as cp:
        tab = await qr_page(driver, identity=OTHER_CP)
        state = await tab.state(ConnectorStartState)
        assert state.not_found and not state.can_start
        await tab.send(ConnectorStartState, "start")
        with pytest.raises(DriverAppNotFound):
            await charging.start_charging(await _principal(tab), network.other_charge_point_id, 1)
        with pytest.raises(DriverAppNotFound):
            charging.connector_offer(await _principal(tab), "NO-SUCH-CP", 1)
        with pytest.raises(DriverAppNotFound):
            charging.connector_offer(await _principal(tab), CP, 9)  # no such connector
        assert cp.received == [] and commands(REMOTE_START) == []


async def test_the_drivers_cards_count_whatever_their_case_and_a_reservation_is_theirs(
    network: Network, command_port: OcppServer, ocpp_url: str
) -> None:
    """A session started with one of the driver's RFID cards is theirs too, whatever case the
    charger sends the tag in (OCPP id tags are case-insensitive); a connector reserved with
    their app tag is "Reserved for you" and can be started."""
    driver = wallet_driver("cara@example.com")
    with db.session_scope() as s:
        s.add(
            IdTag(
                organisation_id=network.organisation_id,
                id_tag="CARA-CARD",
                driver_id=driver.driver_id,
            )
        )
        s.add(
            Reservation(
                organisation_id=network.organisation_id,
                charge_point_id=network.charge_point_id,
                connector_id=2,
                id_tag=driver.app_id_tag,
                expiry_date=utc_now() + timedelta(minutes=30),
                status="accepted",
            )
        )
    async with charger(ocpp_url) as cp:
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="cara-card", meter_start=0, timestamp=iso(utc_now())
            )
        )
        await cp.status(1, "Charging")
        await cp.status(2, "Reserved")
        tab = driver_tab(driver, "/app/charging")
        assert await tab.send(ChargingState, "load") is None
        [row] = (await tab.state(ChargingState)).sessions
        assert row.id == started.transaction_id
        here = await qr_page(driver, connector=1)
        assert (await here.state(ConnectorStartState)).refusal_code == "yours"
        reserved = await qr_page(driver, connector=2)
        offer = await reserved.state(ConnectorStartState)
        assert (offer.state_label, offer.can_start) == ("Reserved for you", True)
        other = await qr_page(wallet_driver("dan@example.com"), connector=2)
        assert (await other.state(ConnectorStartState)).refusal_code == "busy"


async def test_a_tab_without_a_driver_is_sent_to_sign_in(network: Network) -> None:
    tab = driver_tab(None, "/app/c/CP-APP-1/1")
    for state_cls, handler in ((ConnectorStartState, "start"), (ChargingState, "stop")):
        update = await tab.send(state_cls, handler)
        assert refused(update)
        assert any(str(e.payload.get("path", "")).startswith("/app/login") for e in update.events)


async def _principal(tab: DriverTab) -> DriverPrincipal:
    """The driver the gate confirmed for the tab's last event."""
    return (await tab.state(DriverAuthState))._principal()


def running_session(driver: SignedInDriver, network: Network, connector: int) -> int:
    """A session of the driver's app id tag that is running now (written straight)."""
    with db.session_scope() as s:
        row = ChargingSession(
            organisation_id=network.organisation_id,
            charge_point_id=network.charge_point_id,
            connector_id=connector,
            id_tag=driver.app_id_tag,
            status="active",
            start_time=utc_now() - timedelta(minutes=20),
            meter_start_wh=0,
            energy_wh=1_000,
        )
        s.add(row)
        s.flush()
        return stored_id(row.id)


def change_session(tx: int, **values: Any) -> None:
    with db.session_scope() as s:
        row = s.get(ChargingSession, tx)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)


async def test_a_reconnect_keeps_the_stop_question_while_its_session_runs(
    network: Network,
) -> None:
    ann = signed_in_driver("ann@example.com")
    first, second = running_session(ann, network, 1), running_session(ann, network, 2)
    tab = driver_tab(ann, CHARGING_PATH)
    await tab.send(ChargingState, "load")
    await tab.send(ChargingState, "ask_stop", session_id=first)
    change_session(first, energy_wh=7_000)  # meanwhile, the charger reports

    assert not refused(await tab.send(ChargingState, "load"))  # a reconnect
    page = await tab.state(ChargingState)
    assert page.stop_id == first
    assert {row.id: row.energy for row in page.sessions}[first] == "7.00 kWh"

    change_session(first, status="completed", stop_time=utc_now())  # it ended meanwhile
    await tab.send(ChargingState, "load")
    assert page.stop_id == 0 and [row.id for row in page.sessions] == [second]

    await tab.send(ChargingState, "ask_stop", session_id=second)
    bea = signed_in_driver("bea@example.com")
    await DriverTab(tab.root, bea.session_hash).at(CHARGING_PATH).send(ChargingState, "load")
    assert (page.stop_id, page.sessions) == (0, [])


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        (rules.ConnectorFacts(False, True, "Available", "Available"), rules.OFFLINE),
        (rules.ConnectorFacts(True, False, "Available", "Available"), rules.FAULTED),
        (rules.ConnectorFacts(True, True, "Faulted", "Available"), rules.FAULTED),
        (rules.ConnectorFacts(True, True, "Available", "Unavailable"), rules.FAULTED),
        (rules.ConnectorFacts(True, True, "Available", "Available"), rules.FREE),
        (rules.ConnectorFacts(True, True, "Available", "Preparing"), rules.FREE),
        (rules.ConnectorFacts(True, True, "Available", "Charging"), rules.BUSY),
        (rules.ConnectorFacts(True, True, "Available", "Finishing"), rules.BUSY),
        (rules.ConnectorFacts(True, True, "Available", "Reserved"), rules.BUSY),
        (
            rules.ConnectorFacts(True, True, "Available", "Reserved", reserved_for_driver=True),
            rules.RESERVED_FOR_YOU,
        ),
        (
            rules.ConnectorFacts(True, True, "Available", "Charging", driver_session_here=True),
            rules.YOURS,
        ),
        (rules.ConnectorFacts(True, True, "Unknown", "Unknown"), rules.UNKNOWN),
    ],
)
def test_connector_states(facts: rules.ConnectorFacts, state: str) -> None:
    assert rules.connector_state(facts) == state


def test_the_first_reason_wins_and_says_what_to_do() -> None:
    wallet = rules.Payer("wallet", "wallet balance 0 is below the minimum 500", "€0.00", "€5.00")
    ok = rules.Payer("wallet", None)

    def why(**kw: Any) -> str:
        args: dict[str, Any] = {
            "verified": True,
            "email": "a@b.c",
            "has_app_tag": True,
            "state": rules.FREE,
            "payer": ok,
        }
        refusal = rules.start_refusal(**(args | kw))
        return refusal.code if refusal else ""

    assert why() == ""
    assert why(verified=False, state=rules.OFFLINE, payer=wallet) == "unverified"
    assert why(state=rules.OFFLINE, payer=wallet) == "offline"
    assert why(payer=wallet) == "wallet_low"
    assert why(payer=rules.Payer("card", "no saved card")) == "no_card"
    assert why(payer=rules.Payer("card", "card payments are not configured")) == "cards_off"
    assert why(running_elsewhere="Depot (connector 2)") == "charging_elsewhere"
    assert why(tag_status="Blocked") == "tag_refused"
    assert why(state=rules.RESERVED_FOR_YOU) == "" and why(state=rules.UNKNOWN) == ""
    assert why(state=rules.YOURS) == "yours"


def test_outcomes_and_durations_are_worded() -> None:
    assert rules.start_outcome("accepted").ok
    assert not rules.start_outcome("rejected").ok
    assert "offline" in rules.start_outcome("offline").message
    assert "did not answer" in rules.stop_outcome("timed_out").message
    assert rules.duration_text(3_900) == "1 h 05 min"
    assert rules.duration_text(600) == "10 min"
    assert rules.duration_text(20) == "< 1 min"
    with reading_as("de"):
        assert rules.start_outcome("accepted").message  # worded in any language


def test_the_qr_path_names_charge_point_and_connector() -> None:
    assert connector_from_path("/app/c/CP%201/2") == ("CP 1", 2)
    assert connector_from_path("/app/c/CP-1/x") == ("CP-1", 0)
    assert connector_from_path("/app/c/") == ("", 0)
