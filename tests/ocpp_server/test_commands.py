"""CSMS -> charge point commands through OcppServer.send (the CommandPort)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from ocpp.exceptions import NotSupportedError
from ocpp.v16 import call, call_result

from ocpp_server.ports import (
    ChargerOfflineError,
    CommandCallError,
    CommandPort,
    CommandTimeoutError,
)
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import NEVER, connect_charge_point, eventually, open_websocket
from tests.ocpp_server.fakes import RecordingSink

COMMANDS: list[tuple[Any, str]] = [
    (call.RemoteStartTransaction(id_tag="TAG-1", connector_id=1), "RemoteStartTransaction"),
    (call.RemoteStopTransaction(transaction_id=7), "RemoteStopTransaction"),
    (call.Reset(type="Soft"), "Reset"),
    (call.Reset(type="Hard"), "Reset"),
    (call.UnlockConnector(connector_id=1), "UnlockConnector"),
    (call.ChangeAvailability(connector_id=0, type="Inoperative"), "ChangeAvailability"),
]
IDS = ["remote-start", "remote-stop", "reset-soft", "reset-hard", "unlock", "availability"]


def test_server_is_a_command_port(fake_server: OcppServer) -> None:
    port: CommandPort = fake_server
    assert port.connected_identities() == set()


@pytest.mark.parametrize(("request_", "action"), COMMANDS, ids=IDS)
async def test_command_accepted(
    fake_server: OcppServer, fake_url: str, request_: Any, action: str
) -> None:
    async with connect_charge_point(fake_url, "CP-1") as cp:
        reply = await fake_server.send("CP-1", request_)
    assert type(reply) is getattr(call_result, action)
    assert reply.status == ("Unlocked" if action == "UnlockConnector" else "Accepted")
    ((received_action, payload),) = cp.received
    assert received_action == action
    assert payload == {k: v for k, v in request_.__dict__.items() if v is not None}


@pytest.mark.parametrize(
    ("request_", "answer"),
    [
        (COMMANDS[0][0], "Rejected"),
        (COMMANDS[1][0], "Rejected"),
        (COMMANDS[2][0], "Rejected"),
        (COMMANDS[4][0], "UnlockFailed"),
        (COMMANDS[5][0], "Scheduled"),
    ],
    ids=["remote-start", "remote-stop", "reset", "unlock", "availability"],
)
async def test_command_rejected(
    fake_server: OcppServer, fake_url: str, request_: Any, answer: str
) -> None:
    async with connect_charge_point(fake_url, "CP-1") as cp:
        cp.answers[type(request_).__name__] = answer
        reply = await fake_server.send("CP-1", request_)
    assert reply.status == answer


async def test_command_timeout(fake_server: OcppServer, fake_url: str) -> None:
    async with connect_charge_point(fake_url, "CP-1") as cp:
        cp.answers["Reset"] = NEVER
        with pytest.raises(CommandTimeoutError):
            await fake_server.send("CP-1", call.Reset(type="Hard"), timeout=0.2)
        cp.answers["Reset"] = "Accepted"
        reply = await fake_server.send("CP-1", call.Reset(type="Soft"), timeout=5)
        assert reply.status == "Accepted"  # the next command is not confused by the first


async def test_command_answered_with_callerror(fake_server: OcppServer, fake_url: str) -> None:
    async with connect_charge_point(fake_url, "CP-1") as cp:
        cp.answers["UnlockConnector"] = NotSupportedError(description="no lock fitted")
        with pytest.raises(CommandCallError) as failed:
            await fake_server.send("CP-1", call.UnlockConnector(connector_id=1))
    assert failed.value.code == "NotSupported"
    assert failed.value.description == "no lock fitted"


async def test_command_answered_with_unknown_error_code(
    fake_server: OcppServer, fake_url: str
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        sending = asyncio.create_task(fake_server.send("CP-1", call.Reset(type="Soft")))
        request = json.loads(await websocket.recv())
        await websocket.send(json.dumps([4, request[1], "VendorOops", "nope", {"x": 1}]))
        with pytest.raises(CommandCallError) as failed:
            await sending
    assert (failed.value.code, failed.value.description) == ("VendorOops", "nope")
    assert failed.value.details == {"x": 1}


async def test_invalid_reply_is_a_call_error(fake_server: OcppServer, fake_url: str) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        sending = asyncio.create_task(fake_server.send("CP-1", call.Reset(type="Soft")))
        request = json.loads(await websocket.recv())
        await websocket.send(json.dumps([3, request[1], {"status": "Maybe"}]))
        with pytest.raises(CommandCallError) as failed:
            await sending
    assert "invalid reply" in failed.value.description


async def test_command_to_unconnected_charge_point(fake_server: OcppServer) -> None:
    with pytest.raises(ChargerOfflineError):
        await fake_server.send("CP-nobody", call.Reset(type="Soft"))


async def test_connection_lost_while_waiting_is_offline_not_timeout(
    fake_server: OcppServer, fake_url: str
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        sending = asyncio.create_task(fake_server.send("CP-1", call.Reset(type="Soft"), timeout=30))
        await websocket.recv()
    with pytest.raises(ChargerOfflineError):
        await sending


async def test_concurrent_commands_are_serialised(
    fake_server: OcppServer, fake_url: str, sink: RecordingSink
) -> None:
    async with open_websocket(fake_url, "CP-1") as websocket:
        sends = [
            asyncio.create_task(fake_server.send("CP-1", call.UnlockConnector(connector_id=n)))
            for n in (1, 2, 3)
        ]
        for _ in sends:
            request = json.loads(await websocket.recv())
            await asyncio.sleep(0.02)
            # one CALL outstanding at a time: nothing else was sent before this reply
            outgoing = [f for f in sink.frames if f.direction == "out"]
            assert outgoing[-1].message_id == request[1]
            await websocket.send(json.dumps([3, request[1], {"status": "Unlocked"}]))
        replies = await asyncio.gather(*sends)
    assert [r.status for r in replies] == ["Unlocked"] * 3


async def test_command_frames_are_recorded(
    fake_server: OcppServer, fake_url: str, sink: RecordingSink
) -> None:
    async with connect_charge_point(fake_url, "CP-1"):
        await fake_server.send("CP-1", call.Reset(type="Soft"))
    await eventually(lambda: len(sink.frames) >= 2)
    out, reply = sink.frames[-2:]
    assert (out.direction, out.message_type, out.action) == ("out", 2, "Reset")
    assert (reply.direction, reply.message_type, reply.action) == ("in", 3, "Reset")
    assert out.message_id == reply.message_id


async def test_invalid_request_is_a_programming_error(
    fake_server: OcppServer, fake_url: str
) -> None:
    async with connect_charge_point(fake_url, "CP-1") as cp:
        with pytest.raises(ValueError, match="invalid Reset request"):
            await fake_server.send("CP-1", call.Reset(type="Sideways"))
    assert cp.received == []


async def test_reply_sent_just_before_close_still_completes_the_command(
    ocpp_server: OcppServer, ocpp_url: str
) -> None:
    """A charger that sends a CALL, then its reply to our command, then closes: the reply
    must still be matched although our answer to its CALL can no longer be sent."""
    async with open_websocket(ocpp_url, "CP-RACE") as ws:
        await eventually(lambda: ocpp_server.is_connected("CP-RACE"))
        command = asyncio.create_task(
            ocpp_server.send("CP-RACE", call.Reset(type="Soft"), timeout=5)
        )
        frame = json.loads(await ws.recv())
        await ws.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
        await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    reply = await command
    assert reply.status == "Accepted"
