"""OCPP-J protocol behaviour of the real server over real websockets (in-memory sink)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from ocpp.v16 import call
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus

from ocpp_server.charger_events import ChargerBooted, MeterSampled
from ocpp_server.ports import IdTagInfo
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import connect_charge_point, eventually, open_websocket
from tests.ocpp_server.fakes import RecordingSink

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "Volt 22"}


async def exchange(websocket: ClientConnection, frame: Any) -> list[Any]:
    """Send one frame (a str as-is, anything else as JSON) and return the decoded answer."""
    await websocket.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(await websocket.recv())


async def disconnects(sink: RecordingSink, count: int = 1) -> None:
    """Wait until the server has reported `count` disconnects (it does so after the close)."""
    await eventually(lambda: sink.names().count("disconnected") >= count)


async def assert_usable(websocket: ClientConnection) -> None:
    reply = await exchange(websocket, [2, "alive", "Heartbeat", {}])
    assert reply == [3, "alive", {"currentTime": "2025-01-02T03:04:05.678Z"}]


# --- handshake -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "identity"),
    [("/ocpp/CP-001", "CP-001"), ("/CP-001", "CP-001"), ("/ocpp/DE%2AA:1/", "DE*A:1")],
)
async def test_identity_is_last_path_segment(
    fake_server: OcppServer, sink: RecordingSink, path: str, identity: str
) -> None:
    url = f"ws://127.0.0.1:{fake_server.port}"
    async with open_websocket(url, path.lstrip("/")) as websocket:
        assert websocket.subprotocol == "ocpp1.6"
        await assert_usable(websocket)
        assert fake_server.is_connected(identity)
    await disconnects(sink)
    assert sink.names() == ["connected", "heartbeat", "disconnected"]
    assert {who for _, who, _ in sink.calls} == {identity}


@pytest.mark.parametrize("segment", ["CP%20A%2F1", "CP-001%20", "CP%00", ".."])
async def test_an_identity_no_charger_may_have_is_refused_at_the_handshake(
    fake_server: OcppServer, sink: RecordingSink, segment: str
) -> None:
    """Issue 9: spaces, a NUL, a "/" smuggled in as %2F, a path segment: 400 with the reason,
    and nothing reaches the application."""
    url = f"ws://127.0.0.1:{fake_server.port}"
    with pytest.raises(InvalidStatus) as refused:
        async with open_websocket(url, f"ocpp/{segment}"):
            pass
    assert refused.value.response.status_code in (400, 404)
    assert sink.names() == []


@pytest.mark.parametrize("offered", [[], ["ocpp2.0.1"]])
async def test_connection_without_ocpp16_subprotocol_is_refused(
    fake_url: str, sink: RecordingSink, offered: list[str]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with open_websocket(fake_url, "CP-1", subprotocols=offered):
            pass
    assert refused.value.response.status_code == 400
    assert b"ocpp1.6" in refused.value.response.body
    assert sink.calls == []


async def test_connection_without_identity_is_refused(
    fake_server: OcppServer, sink: RecordingSink
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with open_websocket(f"ws://127.0.0.1:{fake_server.port}", ""):
            pass
    assert refused.value.response.status_code == 404
    assert sink.calls == []


# --- charge point -> CSMS --------------------------------------------------------------


async def test_every_cp_initiated_action_reaches_the_sink_typed(
    fake_url: str, sink: RecordingSink
) -> None:
    meter_value = [
        {
            "timestamp": "2025-01-02T03:04:05Z",
            "sampled_value": [{"value": "12.5", "measurand": "Energy.Active.Import.Register"}],
        }
    ]
    async with connect_charge_point(fake_url, "CP-1") as cp:
        boot = await cp.call(
            call.BootNotification(charge_point_model="Volt 22", charge_point_vendor="Acme")
        )
        assert (boot.status, boot.interval) == ("Accepted", 300)
        assert boot.current_time.endswith("Z")
        heartbeat = await cp.call(call.Heartbeat())
        assert heartbeat.current_time == "2025-01-02T03:04:05.678Z"
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        authorized = await cp.call(call.Authorize(id_tag="TAG-1"))
        assert authorized.id_tag_info == {"status": "Accepted"}
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="TAG-1", meter_start=100, timestamp="2025-01-02T03:00:00Z"
            )
        )
        assert started.transaction_id == 1
        await cp.call(call.MeterValues(connector_id=1, transaction_id=1, meter_value=meter_value))
        stopped = await cp.call(
            call.StopTransaction(meter_stop=900, timestamp="2025-01-02T04:00:00Z", transaction_id=1)
        )
        assert stopped.id_tag_info == {"status": "Accepted"}
        transfer = await cp.call(call.DataTransfer(vendor_id="acme", data="x"))
        assert transfer.status == "UnknownVendorId"
        await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"))
        await cp.call(call.FirmwareStatusNotification(status="Installed"))
    await disconnects(sink)
    (boot_request,) = sink.requests("boot_notification")
    assert boot_request == ChargerBooted(model="Volt 22", vendor="Acme")
    (meter_request,) = sink.requests("meter_values")
    assert meter_request == MeterSampled(connector_id=1, meter_values=meter_value, transaction_id=1)
    assert sink.names("CP-1") == [
        "connected",
        "boot_notification",
        "heartbeat",
        "status_notification",
        "authorize",
        "start_transaction",
        "meter_values",
        "stop_transaction",
        "data_transfer",
        "diagnostics_status_notification",
        "firmware_status_notification",
        "disconnected",
    ]


async def test_id_tag_info_expiry_is_sent_as_utc(fake_url: str, sink: RecordingSink) -> None:
    plus_two = timezone(timedelta(hours=2))
    sink.id_tag_info = IdTagInfo(
        status="Blocked", expiry_date=datetime(2030, 1, 1, 2, 0, tzinfo=plus_two), parent_id_tag="P"
    )
    async with connect_charge_point(fake_url, "CP-1") as cp:
        reply = await cp.call(call.Authorize(id_tag="TAG-1"))
    assert reply.id_tag_info == {
        "status": "Blocked",
        "expiry_date": "2030-01-01T00:00:00.000Z",
        "parent_id_tag": "P",
    }


# --- malformed frames ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", ["-1", "FormationViolation"]),
        ('[2, "x", "Heartbeat", {', ["-1", "FormationViolation"]),
        ({"messageTypeId": 2}, ["-1", "ProtocolError"]),
        ([], ["-1", "ProtocolError"]),
        ([2, "a1", "Heartbeat"], ["a1", "ProtocolError"]),
        ([2, "a2", "Heartbeat", {}, {}], ["a2", "ProtocolError"]),
        ([7, "a3", "Heartbeat", {}], ["a3", "ProtocolError"]),
        (["2", "a4", "Heartbeat", {}], ["a4", "ProtocolError"]),
        ([2, 17, "Heartbeat", {}], ["-1", "ProtocolError"]),
        ([2, "a5", 12, {}], ["a5", "ProtocolError"]),
        ([2, "a6", "Heartbeat", []], ["a6", "FormationViolation"]),
    ],
)
async def test_malformed_frame_gets_callerror_and_connection_stays_up(
    fake_url: str, sink: RecordingSink, frame: Any, expected: list[str]
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        reply = await exchange(websocket, frame)
        assert reply[0] == 4
        assert reply[1:3] == expected
        assert isinstance(reply[3], str)
        assert reply[4] == {}
        await assert_usable(websocket)
    await disconnects(sink)
    assert sink.names() == ["connected", "heartbeat", "disconnected"]


async def test_binary_frame_is_handled_like_text(fake_url: str) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        await websocket.send(b'[2,"b1","Heartbeat",{}]')
        assert json.loads(await websocket.recv())[:2] == [3, "b1"]
        await websocket.send(b"\xff\xfe")
        assert json.loads(await websocket.recv())[:3] == [4, "-1", "FormationViolation"]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("FooBar", "NotImplemented"),  # not an OCPP 1.6 action at all
        ("Reset", "NotSupported"),  # a 1.6 action, but not one a central system handles
        ("SignCertificate", "NotSupported"),
    ],
)
async def test_unhandled_action(fake_url: str, sink: RecordingSink, action: str, code: str) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        reply = await exchange(websocket, [2, "u1", action, {"type": "Soft"}])
        assert reply[:3] == [4, "u1", code]
        await assert_usable(websocket)


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("BootNotification", {"chargePointVendor": "Acme"}, "OccurenceConstraintViolation"),
        ("BootNotification", {**BOOT, "colour": "red"}, "FormationViolation"),
        ("BootNotification", {**BOOT, "chargePointVendor": "A" * 21}, "TypeConstraintViolation"),
        ("BootNotification", {**BOOT, "chargePointModel": 22}, "TypeConstraintViolation"),
        (
            "StatusNotification",
            {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"},
            "PropertyConstraintViolation",
        ),
        (
            "StatusNotification",
            {"connectorId": "one", "errorCode": "NoError", "status": "Available"},
            "TypeConstraintViolation",
        ),
        (
            "MeterValues",
            {"connectorId": 1, "meterValue": [{"timestamp": "2025-01-01T00:00:00Z"}]},
            "OccurenceConstraintViolation",
        ),
        (
            "MeterValues",
            {
                "connectorId": 1,
                "meterValue": [
                    {
                        "timestamp": "2025-01-01T00:00:00Z",
                        "sampledValue": [{"value": "1", "unit": "Furlong"}],
                    }
                ],
            },
            "PropertyConstraintViolation",
        ),
    ],
)
async def test_schema_violation_gets_callerror_and_never_reaches_the_sink(
    fake_url: str, sink: RecordingSink, action: str, payload: dict[str, Any], code: str
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        reply = await exchange(websocket, [2, "s1", action, payload])
        assert reply[:3] == [4, "s1", code]
        await assert_usable(websocket)
    await disconnects(sink)
    assert sink.names() == ["connected", "heartbeat", "disconnected"]


async def test_sink_failure_gives_internal_error_without_data(
    fake_url: str, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    sink.fail.add("boot_notification")
    async with open_websocket(fake_url, "CP-1") as websocket:
        reply = await exchange(websocket, [2, "f1", "BootNotification", BOOT])
        assert reply[:3] == [4, "f1", "InternalError"]
        assert reply[4] == {}
        assert "failed" not in reply[3]  # nothing of the exception leaks to the charge point
        await assert_usable(websocket)
    failures = [r for r in caplog.records if r.getMessage() == "CALL handler failed"]
    assert failures and failures[0].exc_info is not None
    assert failures[0].__dict__["identity"] == "CP-1"


async def test_replies_that_match_no_pending_call_are_ignored(
    fake_url: str, sink: RecordingSink
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        await websocket.send(json.dumps([3, "nobody-asked", {"status": "Accepted"}]))
        await websocket.send(json.dumps([4, "nobody-asked", "GenericError", "", {}]))
        await websocket.send(json.dumps([3, "broken"]))  # a malformed reply is not answered
        await assert_usable(websocket)  # the next frame received is the Heartbeat reply
    in_types = [f.message_type for f in sink.frames if f.direction == "in"]
    assert in_types == [3, 4, 3, 2]


async def test_every_frame_in_and_out_is_recorded(fake_url: str, sink: RecordingSink) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        await exchange(websocket, "garbage")
        await exchange(websocket, [2, "r1", "BootNotification", BOOT])
        await exchange(websocket, [2, "r2", "Nope", {}])
    summary = [
        (f.direction, f.message_type, f.message_id, f.action, f.error_code) for f in sink.frames
    ]
    assert summary == [
        ("in", None, "", "", ""),
        ("out", 4, "-1", "", "FormationViolation"),
        ("in", 2, "r1", "BootNotification", ""),
        ("out", 3, "r1", "BootNotification", ""),
        ("in", 2, "r2", "Nope", ""),
        ("out", 4, "r2", "Nope", "NotImplemented"),
    ]
    assert sink.frames[0].raw == "garbage"
    assert all(f.identity == "CP-1" and f.at is not None for f in sink.frames)


# --- connections -----------------------------------------------------------------------


async def test_same_identity_replaces_older_connection(
    fake_server: OcppServer, fake_url: str, sink: RecordingSink
) -> None:
    async with open_websocket(fake_url, "CP-1") as first:
        await assert_usable(first)
        async with open_websocket(fake_url, "CP-1") as second:
            await first.wait_closed()
            assert first.close_reason == "replaced by a new connection"
            await assert_usable(second)
            assert fake_server.connected_identities() == {"CP-1"}
    await disconnects(sink, 2)
    assert not fake_server.is_connected("CP-1")
    assert sink.names() == [
        "connected",
        "heartbeat",
        "disconnected",  # the old connection, before the new one is announced
        "connected",
        "heartbeat",
        "disconnected",
    ]
    assert sink.requests("disconnected")[0] == "replaced by a new connection"


async def test_close_by_charge_point_reports_disconnect_once(
    fake_server: OcppServer, fake_url: str, sink: RecordingSink
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        await assert_usable(websocket)
        assert fake_server.connected_identities() == {"CP-1"}
    await disconnects(sink)
    assert fake_server.connected_identities() == set()
    assert sink.names().count("disconnected") == 1


async def test_connected_is_reported_before_any_frame(fake_url: str, sink: RecordingSink) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        await exchange(websocket, [2, "c1", "BootNotification", BOOT])
    (info,) = sink.requests("connected")
    assert sink.names()[:2] == ["connected", "boot_notification"]
    assert info.identity == "CP-1"
    assert info.subprotocol == "ocpp1.6"
    assert info.remote_address.startswith("127.0.0.1:")


async def test_failing_connected_sink_closes_the_connection(
    fake_url: str, sink: RecordingSink
) -> None:
    sink.fail.add("connected")
    async with open_websocket(fake_url, "CP-1") as websocket:
        await websocket.wait_closed()
        assert websocket.close_code == 1011


async def test_dead_charge_point_is_noticed_by_ping(sink: RecordingSink) -> None:
    server = OcppServer(sink, ping_interval=0.1, ping_timeout=0.1, close_timeout=0.1)
    await server.start()
    try:
        async with open_websocket(f"ws://127.0.0.1:{server.port}/ocpp", "CP-1") as websocket:
            await assert_usable(websocket)
            websocket.transport.pause_reading()  # the charge point stops answering pings
            await disconnects(sink)
            assert not server.is_connected("CP-1")
            websocket.transport.resume_reading()
    finally:
        await server.stop()
    assert "keepalive ping timeout" in sink.requests("disconnected")[0]
    assert sink.names().count("disconnected") == 1


async def test_live_charge_point_survives_pings(sink: RecordingSink) -> None:
    server = OcppServer(sink, ping_interval=0.05, ping_timeout=1)
    await server.start()
    try:
        async with open_websocket(f"ws://127.0.0.1:{server.port}/ocpp", "CP-1") as websocket:
            await asyncio.sleep(0.3)  # several ping/pong rounds
            await assert_usable(websocket)
            assert server.is_connected("CP-1")
    finally:
        await server.stop()
    assert "disconnected" in sink.names()


async def test_stop_closes_every_connection(sink: RecordingSink) -> None:
    server = OcppServer(sink)
    await server.start()
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    async with open_websocket(url, "CP-1") as one, open_websocket(url, "CP-2") as two:
        await assert_usable(one)
        await assert_usable(two)
        await server.stop()
        await one.wait_closed()
        await two.wait_closed()
        assert one.close_code == 1001
    assert sorted(who for name, who, _ in sink.calls if name == "disconnected") == ["CP-1", "CP-2"]
    assert server.connected_identities() == set()
