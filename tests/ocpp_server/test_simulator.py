"""The charge point simulator against the real OCPP server and ChargerEventService (real DB)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector
from ocpp_server.server import OcppServer
from ocpp_server.simulator import EvProfile, SimulatedChargePoint, run_fleet
from ocpp_server.simulator.fleet import FAULT_SECONDS, SESSION_SECONDS, FleetBehaviour
from tests.fixtures.ocpp import eventually

CP = "CP-SIM-1"
TAG = "SIM-TAG-1"
OTHER_TAG = "SIM-TAG-2"
FLEET_TAGS = [f"DEMO-TAG-{n:03d}" for n in range(1, 5)]
CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)
SMALL_CAR = EvProfile(capacity_wh=1_000, start_soc=30.0, max_power_w=22_000)  # SoC moves fast


@pytest.fixture
def registered(engine: Engine, organisation: Organisation) -> None:
    with Session(engine) as s:
        for identity in (CP, "CP-0001", "CP-0002"):
            s.add(
                ChargePoint(
                    identity=identity,
                    organisation_id=organisation.id,
                    registration_state="registered",
                )
            )
        for tag in (TAG, OTHER_TAG, *FLEET_TAGS):
            s.add(IdTag(id_tag=tag, organisation_id=organisation.id))
        s.commit()


@pytest.fixture
async def charger(ocpp_url: str, registered: None) -> AsyncIterator[SimulatedChargePoint]:
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=0.1, reboot_delay=0.05)
    await cp.connect()
    yield cp
    await cp.close()


def rows(engine: Engine, model: Any, *where: Any) -> list[Any]:
    with Session(engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def connector_statuses(engine: Engine, identity: str = CP) -> dict[int, tuple[str, str]]:
    with Session(engine) as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == identity)).one()
        connectors = s.exec(select(Connector).where(Connector.charge_point_id == cp.id)).all()
        return {0: (cp.status, cp.error_code)} | {
            c.connector_id: (c.status, c.error_code) for c in connectors
        }


def session_row(engine: Engine, transaction_id: int) -> ChargingSession:
    (row,) = rows(engine, ChargingSession, ChargingSession.id == transaction_id)
    return row


async def test_registered_charge_point_boots_and_reports_its_connectors(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    assert charger.boot_status == "Accepted"
    assert charger.boot_count == 1
    assert charger.heartbeat_interval and charger.heartbeat_interval > 0
    available = ("Available", "NoError")
    assert connector_statuses(engine) == {0: available, 1: available, 2: available}
    (cp,) = rows(engine, ChargePoint, ChargePoint.identity == CP)
    assert (cp.vendor, cp.model, cp.is_online) == ("CCMS-Sim", "SimCharger-22", True)


async def test_unknown_charge_point_waits_pending_until_registered(
    ocpp_url: str, ocpp_server: OcppServer, engine: Engine, organisation: Organisation
) -> None:
    cp = SimulatedChargePoint("CP-NEW-9", ocpp_url)
    await cp.connect()
    try:
        assert cp.boot_status == "Pending"
        assert not cp.is_accepted
        assert await cp.plug_in_and_charge(1, TAG) is None
        (row,) = rows(engine, ChargePoint, ChargePoint.identity == "CP-NEW-9")
        assert row.registration_state == "unregistered"

        with Session(engine) as s:
            row.registration_state = "registered"
            s.add(row)
            s.commit()
        trigger = call.TriggerMessage(requested_message="BootNotification")
        assert (await ocpp_server.send("CP-NEW-9", trigger)).status == "Accepted"
        await eventually(lambda: cp.boot_count == 1)
        assert cp.boot_status == "Accepted"
        await eventually(
            lambda: connector_statuses(engine, "CP-NEW-9").get(2) == ("Available", "NoError")
        )
    finally:
        await cp.close()


async def test_a_whole_session_lands_in_the_database(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    register_before = charger.meter_registers_wh[1]
    tx = await charger.plug_in_and_charge(1, TAG, ev=SMALL_CAR)
    assert tx is not None
    assert charger.active_transactions == {1: tx}
    assert connector_statuses(engine)[1] == ("Charging", "NoError")
    await eventually(lambda: charger.meter_registers_wh[1] - register_before >= 3)
    await eventually(lambda: len(rows(engine, MeterSample, MeterSample.session_id == tx)) >= 27)
    await charger.stop_charging(1)

    assert charger.active_transactions == {}
    assert connector_statuses(engine)[1] == ("Available", "NoError")
    row = session_row(engine, tx)
    meter_stop = charger.meter_registers_wh[1]
    assert (row.status, row.id_tag, row.stop_reason) == ("completed", TAG, "Local")
    assert (row.meter_start_wh, row.meter_stop_wh) == (register_before, meter_stop)
    assert row.energy_wh == meter_stop - register_before > 0
    samples = rows(engine, MeterSample, MeterSample.session_id == tx)
    seen = {(s.measurand, s.phase, s.unit) for s in samples}
    assert {
        ("Energy.Active.Import.Register", None, "Wh"),
        ("Power.Active.Import", None, "W"),
        ("Current.Import", "L1", "A"),
        ("Current.Import", "L3", "A"),
        ("Voltage", "L2-N", "V"),
        ("SoC", None, "Percent"),
    } <= seen
    assert {s.value for s in samples if s.measurand == "Power.Active.Import"} >= {22_000.0}
    socs = [s.value for s in samples if s.measurand == "SoC"]
    assert socs[0] >= SMALL_CAR.start_soc and max(socs) > SMALL_CAR.start_soc


async def test_a_full_car_suspends_the_session(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    tiny = EvProfile(capacity_wh=20, start_soc=99.9, max_power_w=22_000)
    tx = await charger.plug_in_and_charge(2, TAG, ev=tiny)
    await eventually(lambda: connector_statuses(engine)[2][0] == "SuspendedEV")
    assert charger.is_full(2)
    assert charger.state_of_charge == {2: 100.0}
    assert tx is not None
    power = [v for v in charger.last_meter_values[2] if v["measurand"] == "Power.Active.Import"]
    assert power[0]["value"] == "0.0"


async def test_an_unknown_id_tag_starts_nothing(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    assert await charger.plug_in_and_charge(1, "NOBODY") is None
    assert charger.active_transactions == {}
    assert connector_statuses(engine)[1] == ("Available", "NoError")
    assert rows(engine, ChargingSession) == []


async def test_a_card_charging_elsewhere_is_refused(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    assert await charger.plug_in_and_charge(1, TAG, ev=CAR) is not None
    assert await charger.plug_in_and_charge(2, TAG, ev=CAR) is None
    assert set(charger.active_transactions) == {1}
    assert connector_statuses(engine)[2] == ("Available", "NoError")


async def test_a_fault_stops_the_session_and_shows_on_the_connector(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    await charger.inject_fault(1, "GroundFailure", "GF-42")
    assert connector_statuses(engine)[1] == ("Faulted", "GroundFailure")
    (connector,) = rows(engine, Connector, Connector.connector_id == 1)
    assert connector.vendor_error_code == "GF-42"
    assert (session_row(engine, tx).status, session_row(engine, tx).stop_reason) == (
        "completed",
        "Other",
    )
    assert await charger.plug_in_and_charge(1, TAG) is None  # a faulted connector takes none
    await charger.clear_fault(1)
    assert connector_statuses(engine)[1] == ("Available", "NoError")


async def test_a_charger_fault_stops_every_session(
    charger: SimulatedChargePoint, engine: Engine
) -> None:
    first = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    second = await charger.plug_in_and_charge(2, OTHER_TAG, ev=CAR)
    await charger.inject_fault(0, "InternalError")
    assert connector_statuses(engine)[0] == ("Faulted", "InternalError")
    for tx in (first, second):
        assert tx is not None
        assert session_row(engine, tx).stop_reason == "Other"
    assert charger.free_connectors() == []
    await charger.clear_fault(0)
    assert connector_statuses(engine)[0] == ("Available", "NoError")
    assert charger.free_connectors() == [1, 2]


async def test_remote_start_and_stop(
    charger: SimulatedChargePoint, ocpp_server: OcppServer, engine: Engine
) -> None:
    reply = await ocpp_server.send(CP, call.RemoteStartTransaction(id_tag=TAG, connector_id=2))
    assert reply.status == "Accepted"
    await eventually(lambda: 2 in charger.active_transactions)
    tx = charger.active_transactions[2]
    assert session_row(engine, tx).status == "active"
    await eventually(lambda: connector_statuses(engine)[2][0] == "Charging")

    busy = await ocpp_server.send(CP, call.RemoteStartTransaction(id_tag=TAG, connector_id=2))
    assert busy.status == "Rejected"
    unknown = await ocpp_server.send(CP, call.RemoteStopTransaction(transaction_id=tx + 1000))
    assert unknown.status == "Rejected"

    reply = await ocpp_server.send(CP, call.RemoteStopTransaction(transaction_id=tx))
    assert reply.status == "Accepted"
    await eventually(lambda: session_row(engine, tx).status == "completed")
    assert session_row(engine, tx).stop_reason == "Remote"
    await eventually(lambda: connector_statuses(engine)[2][0] == "Available")


async def test_remote_start_without_connector_picks_a_free_one(
    charger: SimulatedChargePoint, ocpp_server: OcppServer
) -> None:
    await charger.plug_in_and_charge(1, TAG, ev=CAR)
    reply = await ocpp_server.send(CP, call.RemoteStartTransaction(id_tag=OTHER_TAG))
    assert reply.status == "Accepted"
    await eventually(lambda: set(charger.active_transactions) == {1, 2})
    full = await ocpp_server.send(CP, call.RemoteStartTransaction(id_tag="ANY"))
    assert full.status == "Rejected"


async def test_unlock_connector_ends_the_session(
    charger: SimulatedChargePoint, ocpp_server: OcppServer, engine: Engine
) -> None:
    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    reply = await ocpp_server.send(CP, call.UnlockConnector(connector_id=1))
    assert reply.status == "Unlocked"
    await eventually(lambda: session_row(engine, tx).status == "completed")
    assert session_row(engine, tx).stop_reason == "UnlockCommand"


async def test_change_availability(
    charger: SimulatedChargePoint, ocpp_server: OcppServer, engine: Engine
) -> None:
    reply = await ocpp_server.send(CP, call.ChangeAvailability(connector_id=0, type="Inoperative"))
    assert reply.status == "Accepted"
    await eventually(lambda: {s for s, _ in connector_statuses(engine).values()} == {"Unavailable"})
    assert await charger.plug_in_and_charge(1, TAG) is None

    reply = await ocpp_server.send(CP, call.ChangeAvailability(connector_id=0, type="Operative"))
    assert reply.status == "Accepted"
    await eventually(lambda: {s for s, _ in connector_statuses(engine).values()} == {"Available"})

    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    reply = await ocpp_server.send(CP, call.ChangeAvailability(connector_id=1, type="Inoperative"))
    assert reply.status == "Scheduled"  # applied when the session ends
    assert connector_statuses(engine)[1][0] == "Charging"
    await charger.stop_charging(1)
    assert connector_statuses(engine)[1][0] == "Unavailable"

    unknown = await ocpp_server.send(CP, call.ChangeAvailability(connector_id=7, type="Operative"))
    assert unknown.status == "Rejected"


async def test_reset_stops_sessions_and_reboots(
    charger: SimulatedChargePoint, ocpp_server: OcppServer, engine: Engine
) -> None:
    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    reply = await ocpp_server.send(CP, call.Reset(type="Soft"))
    assert reply.status == "Accepted"
    await eventually(lambda: charger.boot_count == 2)
    assert charger.boot_status == "Accepted"
    assert charger.active_transactions == {}
    row = session_row(engine, tx)
    assert (row.status, row.stop_reason) == ("completed", "SoftReset")
    await eventually(lambda: ocpp_server.is_connected(CP))
    assert connector_statuses(engine)[1] == ("Available", "NoError")

    reply = await ocpp_server.send(CP, call.Reset(type="Hard"))
    assert reply.status == "Accepted"
    await eventually(lambda: charger.boot_count == 3)


async def test_configuration_and_trigger(
    charger: SimulatedChargePoint, ocpp_server: OcppServer
) -> None:
    config = await ocpp_server.send(CP, call.GetConfiguration(key=["NumberOfConnectors", "X"]))
    assert config.configuration_key == [
        {"key": "NumberOfConnectors", "readonly": True, "value": "2"}
    ]
    assert config.unknown_key == ["X"]
    changed = await ocpp_server.send(
        CP, call.ChangeConfiguration(key="HeartbeatInterval", value="42")
    )
    assert changed.status == "Accepted"
    assert charger.heartbeat_interval == 42
    readonly = await ocpp_server.send(
        CP, call.ChangeConfiguration(key="NumberOfConnectors", value="3")
    )
    assert readonly.status == "Rejected"
    trigger = await ocpp_server.send(CP, call.TriggerMessage(requested_message="Heartbeat"))
    assert trigger.status == "Accepted"
    other = await ocpp_server.send(
        CP, call.TriggerMessage(requested_message="MeterValues", connector_id=9)
    )
    assert other.status == "Rejected"  # no connector 9


async def test_charge_point_reconnects_when_the_csms_comes_back(
    charger: SimulatedChargePoint,
    ocpp_server: OcppServer,
    charger_events: ChargerEventService,
    engine: Engine,
) -> None:
    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    port = ocpp_server.port
    await ocpp_server.stop()
    await eventually(lambda: not charger.is_connected)
    await charger.stop_charging(1)  # offline: the StopTransaction waits for the connection
    assert session_row(engine, tx).status == "active"

    again = OcppServer(charger_events, port=port, response_timeout=5)
    await again.start()
    try:
        await eventually(lambda: charger.boot_count == 2, timeout=10)
        await eventually(lambda: session_row(engine, tx).status == "completed")
        assert session_row(engine, tx).stop_reason == "Local"
    finally:
        await charger.close()
        await again.stop()


async def test_fleet_charges_and_stops_cleanly(
    ocpp_url: str, registered: None, engine: Engine
) -> None:
    stop = asyncio.Event()
    fleet = asyncio.create_task(
        run_fleet(
            ocpp_url,
            chargers=2,
            connectors=2,
            id_tags=FLEET_TAGS,
            meter_interval=0.1,
            session_probability=1.0,
            fault_probability=0.0,
            tick=0.05,
            stop_event=stop,
            seed=7,
        )
    )
    try:
        active = ChargingSession.status == "active"
        await eventually(lambda: len(rows(engine, ChargingSession, active)) == 4, timeout=10)
    finally:
        stop.set()
        await fleet
    sessions = rows(engine, ChargingSession)
    assert {(s.status, s.stop_reason) for s in sessions} == {("completed", "Local")}
    assert sorted(s.id_tag for s in sessions) == FLEET_TAGS  # one card, one session
    for identity in ("CP-0001", "CP-0002"):
        assert connector_statuses(engine, identity) == {
            0: ("Available", "NoError"),
            1: ("Available", "NoError"),
            2: ("Available", "NoError"),
        }


# --- fleet behaviour, without a network -------------------------------------------------


class StubChargePoint:
    """Just enough of SimulatedChargePoint for FleetBehaviour; records what it is asked."""

    def __init__(self, identity: str, connectors: int = 2) -> None:
        self.identity = identity
        self.is_accepted = True
        self.connector_ids = list(range(1, connectors + 1))
        self.connector_statuses = {0: "Available"} | dict.fromkeys(self.connector_ids, "Available")
        self.active_id_tags: dict[int, str] = {}
        self.full: set[int] = set()
        self.actions: list[tuple[str, int, str]] = []

    @property
    def active_transactions(self) -> dict[int, int]:
        return {cid: 100 + cid for cid in self.active_id_tags}

    def free_connectors(self) -> list[int]:
        return [
            cid
            for cid in self.connector_ids
            if self.connector_statuses[cid] == "Available" and cid not in self.active_id_tags
        ]

    def is_full(self, connector_id: int) -> bool:
        return connector_id in self.full

    async def plug_in_and_charge(self, connector_id: int, id_tag: str) -> int | None:
        self.actions.append(("start", connector_id, id_tag))
        self.active_id_tags[connector_id] = id_tag
        self.connector_statuses[connector_id] = "Charging"
        return 100 + connector_id

    async def stop_charging(self, connector_id: int, reason: str = "Local") -> None:
        self.actions.append(("stop", connector_id, reason))
        del self.active_id_tags[connector_id]
        self.connector_statuses[connector_id] = "Available"

    async def inject_fault(self, connector_id: int, error_code: str, vendor: str = "") -> None:
        self.actions.append(("fault", connector_id, error_code))
        self.connector_statuses[connector_id] = "Faulted"

    async def clear_fault(self, connector_id: int) -> None:
        self.actions.append(("clear", connector_id, ""))
        self.connector_statuses[connector_id] = "Available"


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def behaviour(
    cps: list[StubChargePoint], tags: list[str], session: float = 1.0, fault: float = 0.0
) -> FleetBehaviour:
    return FleetBehaviour(cps, random.Random(3), tags, session, fault)  # type: ignore[arg-type]


async def test_behaviour_never_gives_one_card_two_sessions() -> None:
    cps = [StubChargePoint("A"), StubChargePoint("B")]
    fleet = behaviour(cps, ["T1", "T2", "T3"])
    fleet.tick(now=0.0)
    await settle()
    fleet.tick(now=1.0)
    await settle()
    tags = [tag for cp in cps for tag in cp.active_id_tags.values()]
    assert sorted(tags) == ["T1", "T2", "T3"]  # the fourth connector waits for a free card


async def test_behaviour_stops_sessions_when_due_or_full() -> None:
    cp = StubChargePoint("A")
    fleet = behaviour([cp], ["T1", "T2"])
    fleet.tick(now=0.0)
    await settle()
    assert set(cp.active_id_tags) == {1, 2}
    fleet.session_probability = 0.0
    fleet.tick(now=SESSION_SECONDS[0] - 1)
    await settle()
    assert set(cp.active_id_tags) == {1, 2}  # too early, not full
    cp.full = {1}
    for n in range(20):  # a full car is collected within a few ticks
        fleet.tick(now=SESSION_SECONDS[0] - 1 + n * 1e-3)
        await settle()
    assert set(cp.active_id_tags) == {2}
    fleet.tick(now=SESSION_SECONDS[1] + 1)
    await settle()
    assert cp.active_id_tags == {}
    assert [a[0] for a in cp.actions] == ["start", "start", "stop", "stop"]


async def test_behaviour_faults_and_recovers() -> None:
    cp = StubChargePoint("A", connectors=1)
    fleet = behaviour([cp], ["T1"], session=0.0, fault=1.0)
    fleet.tick(now=0.0)
    await settle()
    assert cp.connector_statuses[1] == "Faulted"
    fleet.fault_probability = 0.0
    fleet.tick(now=FAULT_SECONDS[0] - 1)
    await settle()
    assert cp.connector_statuses[1] == "Faulted"
    fleet.tick(now=FAULT_SECONDS[1] + 1)
    await settle()
    assert cp.connector_statuses[1] == "Available"
    assert [a[0] for a in cp.actions] == ["fault", "clear"]
