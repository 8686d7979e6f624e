"""The real OCPP server + the real ChargerEventService + a real migrated SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.exceptions import GenericError
from ocpp.v16 import call
from sqlmodel import Session, func, select
from websockets.asyncio.client import ClientConnection

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.control.models import OcppMessage
from ccms_app.core import db
from ccms_app.core.config import get_settings
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector, StatusEvent
from ocpp_server.ports import ChargerOfflineError, CommandCallError, CommandTimeoutError
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import NEVER, connect_charge_point, eventually, open_websocket

T0 = "2025-03-01T10:00:00Z"


def register(session: Session, organisation: Organisation, identity: str) -> None:
    session.add(
        ChargePoint(
            identity=identity, organisation_id=organisation.id, registration_state="registered"
        )
    )
    session.commit()


def add_tag(
    session: Session,
    organisation: Organisation,
    id_tag: str,
    status: str = "active",
    expiry: datetime | None = None,
) -> None:
    session.add(
        IdTag(id_tag=id_tag, organisation_id=organisation.id, status=status, expiry_date=expiry)
    )
    session.commit()


def charge_point(identity: str) -> ChargePoint | None:
    with db.read_session() as s:
        return s.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()


def count(model: Any) -> int:
    with db.read_session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def snapshot() -> dict[str, Any]:
    """Everything business data a bad frame must not touch."""
    with db.read_session() as s:
        rows = {
            model.__name__: sorted(
                json.dumps(r.model_dump(), default=str, sort_keys=True)
                for r in s.exec(select(model))
            )
            for model in (ChargingSession, MeterSample, StatusEvent, Connector, IdTag)
        }
        cps = s.exec(select(ChargePoint)).all()
        rows["ChargePoint"] = sorted(
            json.dumps(cp.model_dump(exclude={"last_seen_at"}), default=str, sort_keys=True)
            for cp in cps
        )
        return rows


async def flushed(service: ChargerEventService) -> None:
    """Wait until every message-log row queued so far is committed."""
    await service.writer.run(lambda session: None)


async def exchange(websocket: ClientConnection, frame: Any) -> list[Any]:
    await websocket.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(await websocket.recv())


# --- boot ------------------------------------------------------------------------------


async def test_boot_of_registered_charge_point_is_accepted(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        reply = await cp.call(
            call.BootNotification(
                charge_point_vendor="Acme",
                charge_point_model="Volt 22",
                firmware_version="1.2.3",
            )
        )
    assert reply.status == "Accepted"
    assert reply.interval == get_settings().heartbeat_interval
    row = charge_point("CP-1")
    assert row is not None
    assert (row.vendor, row.model, row.firmware_version) == ("Acme", "Volt 22", "1.2.3")
    assert row.registration_state == "registered"
    assert row.last_boot_at is not None


async def test_boot_of_unknown_charge_point_is_pending_and_recorded(
    ocpp_url: str, organisation: Organisation
) -> None:
    async with connect_charge_point(ocpp_url, "CP-NEW") as cp:
        reply = await cp.call(
            call.BootNotification(charge_point_vendor="Acme", charge_point_model="Volt 22")
        )
        assert reply.status == "Pending"
        row = charge_point("CP-NEW")
        assert row is not None
        assert row.registration_state == "unregistered"
        assert row.is_online


# --- authorize -------------------------------------------------------------------------


async def test_authorize_answers_from_the_id_tag_table(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    now = datetime.now(UTC)
    add_tag(session, organisation, "GOOD", expiry=now + timedelta(days=30))
    add_tag(session, organisation, "BLOCKED", status="blocked")
    add_tag(session, organisation, "OLD", expiry=now - timedelta(days=1))
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        answers = {
            tag: (await cp.call(call.Authorize(id_tag=tag))).id_tag_info
            for tag in ("GOOD", "BLOCKED", "OLD", "NOBODY")
        }
    assert {tag: info["status"] for tag, info in answers.items()} == {
        "GOOD": "Accepted",
        "BLOCKED": "Blocked",
        "OLD": "Expired",
        "NOBODY": "Invalid",
    }
    assert answers["GOOD"]["expiry_date"].endswith("Z")


# --- transactions ----------------------------------------------------------------------


def meter_group(timestamp: str, energy: str, unit: str = "Wh") -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "sampled_value": [
            {"value": energy, "measurand": "Energy.Active.Import.Register", "unit": unit},
            {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
            {"value": "16", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
            {"value": "230", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
            {"value": "55", "measurand": "SoC", "unit": "Percent", "location": "EV"},
        ],
    }


async def run_transaction(cp: Any) -> int:
    await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="V"))
    await cp.call(call.StatusNotification(connector_id=0, error_code="NoError", status="Available"))
    await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Preparing"))
    assert (await cp.call(call.Authorize(id_tag="GOOD"))).id_tag_info["status"] == "Accepted"
    started = await cp.call(
        call.StartTransaction(connector_id=1, id_tag="GOOD", meter_start=1000, timestamp=T0)
    )
    assert started.id_tag_info["status"] == "Accepted"
    transaction_id = int(started.transaction_id)
    await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Charging"))
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[meter_group("2025-03-01T10:15:00Z", "2.5", unit="kWh")],
        )
    )
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[meter_group("2025-03-01T10:30:00Z", "4000")],
        )
    )
    return transaction_id


def stop_request(transaction_id: int) -> call.StopTransaction:
    return call.StopTransaction(
        meter_stop=5000,
        timestamp="2025-03-01T10:40:00Z",
        transaction_id=transaction_id,
        id_tag="GOOD",
        reason="EVDisconnected",
        transaction_data=[meter_group("2025-03-01T10:40:00Z", "5000")],
    )


async def test_whole_transaction_with_meter_values(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    add_tag(session, organisation, "GOOD")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        transaction_id = await run_transaction(cp)
        with db.read_session() as s:
            running = s.get(ChargingSession, transaction_id)
            assert running is not None
            assert running.status == "active"
            assert running.energy_wh == 3000  # 4000 Wh register - 1000 Wh at start
            assert (running.power_w, running.current_a, running.voltage_v) == (7200, 16, 230)
            assert running.soc_percent == 55
        stopped = await cp.call(stop_request(transaction_id))
    assert stopped.id_tag_info["status"] == "Accepted"
    with db.read_session() as s:
        done = s.get(ChargingSession, transaction_id)
        assert done is not None
        assert (done.status, done.meter_start_wh, done.meter_stop_wh) == ("completed", 1000, 5000)
        assert done.energy_wh == 4000
        assert done.stop_reason == "EVDisconnected"
        samples = s.exec(select(MeterSample).where(MeterSample.session_id == transaction_id)).all()
        assert len(samples) == 15  # 5 sampled values x (2 MeterValues + transactionData)
        energy = sorted(
            sample.value
            for sample in samples
            if sample.measurand == "Energy.Active.Import.Register"
        )
        assert energy == [2500, 4000, 5000]  # the kWh reading is stored in Wh
        assert {sample.unit for sample in samples if sample.measurand.startswith("Energy")} == {
            "Wh"
        }
        connector = s.exec(select(Connector).where(Connector.connector_id == 1)).one()
        assert connector.status == "Charging"
        assert len(s.exec(select(StatusEvent)).all()) == 3


async def test_repeated_stop_transaction_changes_nothing(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    add_tag(session, organisation, "GOOD")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        transaction_id = await run_transaction(cp)
        first = await cp.call(stop_request(transaction_id))
        before = snapshot()
        again = await cp.call(stop_request(transaction_id))
        assert again == first
        assert snapshot() == before


# --- bad frames ------------------------------------------------------------------------


async def test_bad_frames_get_callerrors_and_change_no_data(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    add_tag(session, organisation, "GOOD")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        await run_transaction(cp)
    before = snapshot()
    bad_frames: list[tuple[Any, list[Any]]] = [
        ("{not json", [4, "-1", "FormationViolation"]),
        ([2, "b2", "Teleport", {}], [4, "b2", "NotImplemented"]),
        (
            [2, "b3", "StartTransaction", {"connectorId": 1, "idTag": "GOOD"}],
            [4, "b3", "OccurenceConstraintViolation"],
        ),
        (
            [2, "b4", "StatusNotification", {"connectorId": 1, "errorCode": "X", "status": "On"}],
            [4, "b4", "PropertyConstraintViolation"],
        ),
        (
            [
                2,
                "b5",
                "MeterValues",
                {
                    "connectorId": "1",
                    "meterValue": [{"timestamp": T0, "sampledValue": [{"value": "9"}]}],
                },
            ],
            [4, "b5", "TypeConstraintViolation"],
        ),
    ]
    async with open_websocket(ocpp_url, "CP-1") as websocket:
        for frame, expected in bad_frames:
            assert (await exchange(websocket, frame))[:3] == expected
        reply = await exchange(websocket, [2, "ok", "Heartbeat", {}])
        assert reply[:2] == [3, "ok"]  # still usable afterwards
        assert snapshot() == before


# --- connection state ------------------------------------------------------------------


async def test_disconnect_and_reconnect_flip_the_online_flag(
    ocpp_server: OcppServer, ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")

    def online() -> bool:
        row = charge_point("CP-1")
        return row is not None and row.is_online

    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        await cp.call(call.Heartbeat())
        assert online()
    await eventually(lambda: not online())
    assert not ocpp_server.is_connected("CP-1")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        await eventually(online)
        assert ocpp_server.is_connected("CP-1")


async def test_reconnect_while_old_connection_open_stays_online(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    async with open_websocket(ocpp_url, "CP-1") as old:
        await exchange(old, [2, "h1", "Heartbeat", {}])
        async with open_websocket(ocpp_url, "CP-1") as new:
            await old.wait_closed()
            await exchange(new, [2, "h2", "Heartbeat", {}])
            row = charge_point("CP-1")
            assert row is not None and row.is_online


# --- message log -----------------------------------------------------------------------


async def test_every_message_is_in_the_message_log(
    ocpp_server: OcppServer,
    ocpp_url: str,
    charger_events: ChargerEventService,
    session: Session,
    organisation: Organisation,
) -> None:
    register(session, organisation, "CP-1")
    add_tag(session, organisation, "GOOD")
    sent: list[str] = []
    received: list[str] = []
    async with open_websocket(ocpp_url, "CP-1") as websocket:
        for frame in (
            json.dumps(
                [2, "m1", "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}]
            ),
            json.dumps([2, "m2", "Authorize", {"idTag": "GOOD"}]),
            "oops",
            json.dumps([2, "m3", "Teleport", {}]),
        ):
            sent.append(frame)
            await websocket.send(frame)
            received.append(await websocket.recv())
    async with connect_charge_point(ocpp_url, "CP-1"):
        reply = await ocpp_server.send("CP-1", call.Reset(type="Soft"))
        assert reply.status == "Accepted"
    await flushed(charger_events)
    with db.read_session() as s:
        rows = s.exec(select(OcppMessage).order_by(OcppMessage.id)).all()
    assert all(row.charge_point_identity == "CP-1" for row in rows)
    logged_in = [row.payload for row in rows if row.direction == "in"]
    logged_out = [row.payload for row in rows if row.direction == "out"]
    assert logged_in[:4] == sent
    assert logged_out[:4] == received
    reset_rows = [(row.direction, row.message_type) for row in rows if row.action == "Reset"]
    assert reset_rows == [("out", 2), ("in", 3)]
    errors = [(row.message_id, row.error_code) for row in rows if row.message_type == 4]
    assert errors == [("-1", "FormationViolation"), ("m3", "NotImplemented")]
    assert count(OcppMessage) == 10


# --- CSMS commands ---------------------------------------------------------------------


async def test_commands_and_their_outcomes(
    ocpp_server: OcppServer, ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation, "CP-1")
    async with connect_charge_point(ocpp_url, "CP-1") as cp:
        start = call.RemoteStartTransaction(id_tag="GOOD", connector_id=1)
        assert (await ocpp_server.send("CP-1", start)).status == "Accepted"
        cp.answers["RemoteStopTransaction"] = "Rejected"
        stop = call.RemoteStopTransaction(transaction_id=1)
        assert (await ocpp_server.send("CP-1", stop)).status == "Rejected"
        cp.answers["Reset"] = NEVER
        with pytest.raises(CommandTimeoutError):
            await ocpp_server.send("CP-1", call.Reset(type="Hard"), timeout=0.2)
        cp.answers["ChangeAvailability"] = GenericError(description="busy")
        availability = call.ChangeAvailability(connector_id=1, type="Operative")
        with pytest.raises(CommandCallError) as failed:
            await ocpp_server.send("CP-1", availability)
        assert (failed.value.code, failed.value.description) == ("GenericError", "busy")
        unlock = await ocpp_server.send("CP-1", call.UnlockConnector(connector_id=1))
        assert unlock.status == "Unlocked"
    with pytest.raises(ChargerOfflineError):
        await ocpp_server.send("CP-2", call.Reset(type="Soft"))
