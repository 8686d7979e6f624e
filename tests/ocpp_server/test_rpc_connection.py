"""The version-neutral RPC connection on its own: a made-up OCPP version with its own routing
table and error spelling, over an in-memory websocket; and the 1.6 payload mapping against the
ocpp library's own conversion."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from ocpp.charge_point import (
    ChargePoint,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.exceptions import PropertyConstraintViolationError
from websockets.exceptions import ConnectionClosedOK

from ocpp_server import convert
from ocpp_server.connection import ChargePointConnection
from ocpp_server.ports import (
    BootResult,
    ChargerOfflineError,
    CommandCallError,
    FrameRecord,
    IdTagInfo,
    StartTransactionResult,
)
from ocpp_server.rpc.connection import RpcConnection
from ocpp_server.rpc.protocol import ProtocolVersion
from ocpp_server.v16 import payloads
from ocpp_server.v16.version import SCHEMAS, V16
from tests.ocpp_server.fakes import FIXED_NOW


class MemorySocket:
    """Frames in through a queue, frames out into a list; recv raises once closed."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[str | None] = asyncio.Queue()
        self.sent: list[Any] = []

    async def recv(self) -> str:
        raw = await self.incoming.get()
        if raw is None:
            raise ConnectionClosedOK(None, None)
        return raw

    async def send(self, raw: str) -> None:
        self.sent.append(json.loads(raw))


class Observer:
    def __init__(self) -> None:
        self.frames: list[FrameRecord] = []
        self.issues: list[str] = []

    def record_frame(self, frame: FrameRecord) -> None:
        self.frames.append(frame)

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None:
        self.issues.append(kind)


async def _pong(identity: str, payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("fail") == "ocpp":
        raise PropertyConstraintViolationError(description="bad value")
    if payload.get("fail") == "bug":
        raise RuntimeError("bug")
    return {"pong": payload.get("n", 0)}


# A version of our own: Heartbeat's schemas, its own action list and error spelling.
TEST_VERSION = ProtocolVersion(
    name="9.9",
    subprotocol="ocpp9.9",
    actions=frozenset({"Heartbeat", "Known"}),
    schemas=SCHEMAS,
    spell=lambda code: code.upper(),
    request_to_call=payloads.request_to_call,
    typed_result=payloads.typed_result,
)


def _heartbeat_route(identity: str, payload: dict[str, Any]) -> Any:
    return _ok_heartbeat()


async def _ok_heartbeat() -> dict[str, Any]:
    return {"currentTime": "2025-01-02T03:04:05.678Z"}


@pytest.fixture
async def rpc() -> Any:
    socket, observer = MemorySocket(), Observer()
    connection = RpcConnection(
        "CP-9",
        socket,
        TEST_VERSION,
        {"Heartbeat": _heartbeat_route},
        observer,  # type: ignore[arg-type]
    )
    running = asyncio.create_task(connection.run())
    yield connection, socket, observer
    await socket.incoming.put(None)
    await running


async def _exchange(socket: MemorySocket, frame: list[Any]) -> list[Any]:
    count = len(socket.sent)
    await socket.incoming.put(json.dumps(frame))
    for _ in range(100):
        if len(socket.sent) > count:
            return socket.sent[-1]  # type: ignore[no-any-return]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no reply to {frame}")


async def test_routes_come_from_the_version_table(rpc: Any) -> None:
    _, socket, observer = rpc
    assert await _exchange(socket, [2, "1", "Heartbeat", {}]) == [
        3,
        "1",
        {"currentTime": "2025-01-02T03:04:05.678Z"},
    ]
    assert (await _exchange(socket, [2, "2", "Known", {}]))[2] == "NOTSUPPORTED"
    unknown = await _exchange(socket, [2, "3", "Unknown", {}])
    assert unknown[2:4] == ["NOTIMPLEMENTED", "Unknown is not a known OCPP 9.9 action"]
    assert (await _exchange(socket, [2, "4", "Heartbeat", {"x": 1}]))[2] == "FORMATIONVIOLATION"
    assert [f.direction for f in observer.frames] == ["in", "out"] * 4


async def test_our_call_waits_for_its_own_reply(rpc: Any) -> None:
    connection, socket, _ = rpc
    sending = asyncio.create_task(connection.call("Reset", {"type": "Soft"}, timeout=2))
    await asyncio.sleep(0.05)
    request = socket.sent[-1]
    assert request[:3] == [2, request[1], "Reset"]
    await socket.incoming.put(json.dumps([3, "stray", {"status": "Accepted"}]))
    await socket.incoming.put(json.dumps([3, request[1], {"status": "Rejected"}]))
    assert await sending == {"status": "Rejected"}
    failing = asyncio.create_task(connection.call("Reset", {"type": "Hard"}, timeout=2))
    await asyncio.sleep(0.05)
    await socket.incoming.put(json.dumps([4, socket.sent[-1][1], "VendorOops", "no", {}]))
    with pytest.raises(CommandCallError, match="VendorOops"):
        await failing


async def test_closing_fails_waiting_calls_at_once() -> None:
    socket, observer = MemorySocket(), Observer()
    connection = RpcConnection("CP-9", socket, TEST_VERSION, {}, observer)  # type: ignore[arg-type]
    running = asyncio.create_task(connection.run())
    sending = asyncio.create_task(connection.call("Reset", {"type": "Soft"}, timeout=30))
    await asyncio.sleep(0.05)
    await socket.incoming.put(None)
    await running
    with pytest.raises(ChargerOfflineError):
        await asyncio.wait_for(sending, 1)
    with pytest.raises(ChargerOfflineError):
        await connection.call("Reset", {"type": "Soft"})


async def test_handler_errors_are_answered_in_the_version_spelling() -> None:
    version = ProtocolVersion(**{**TEST_VERSION.__dict__, "schemas": _NoSchemas()})
    socket = MemorySocket()
    connection = RpcConnection("CP-9", socket, version, {"Ping": _pong}, Observer())  # type: ignore[arg-type]
    running = asyncio.create_task(connection.run())
    fails_ocpp = await _exchange(socket, [2, "e1", "Ping", {"fail": "ocpp"}])
    assert fails_ocpp[2] == "PROPERTYCONSTRAINTVIOLATION"
    assert (await _exchange(socket, [2, "e2", "Ping", {"fail": "bug"}]))[2] == "INTERNALERROR"
    assert await _exchange(socket, [2, "e3", "Ping", {"n": 7}]) == [3, "e3", {"pong": 7}]
    await socket.incoming.put(None)
    await running


class _NoSchemas:
    def check_call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return payload

    def check_call_result(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return payload


def test_the_library_charge_point_is_not_a_base() -> None:
    assert not issubclass(ChargePointConnection, ChargePoint)
    assert V16.unhandled("Reset")[0] == "NotSupported"
    assert V16.unhandled("Teleport")[0] == "NotImplemented"


@pytest.mark.parametrize(
    "reply",
    [
        convert.boot_notification(BootResult("Accepted", 300)),
        convert.heartbeat(FIXED_NOW),
        convert.authorize(IdTagInfo("Blocked", FIXED_NOW, "PARENT")),
        convert.start_transaction(StartTransactionResult(7, IdTagInfo("Accepted"))),
        convert.stop_transaction(None),
    ],
)
def test_reply_payloads_are_converted_as_the_library_converts_them(reply: Any) -> None:
    expected = snake_to_camel_case(remove_nones(serialize_as_dict(reply)))
    assert payloads.to_camel(reply) == expected
