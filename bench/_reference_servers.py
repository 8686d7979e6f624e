"""Reference OCPP 1.6J servers that bench/ocpp_throughput.py measures CCMS against.

- raw:              websockets + json, every CALL answered with a fixed CALLRESULT (the ceiling
                    of the transport on this machine);
- ocpp-ref:         a plain `ocpp` library `ChargePoint` with @on handlers, nothing stored;
- ocpp-sqlite-ref:  the same, plus every StatusNotification, MeterValues, StartTransaction and
                    StopTransaction stored in SQLite (WAL) by one writer thread that commits in
                    batches; a handler replies only after its batch committed (as CCMS does).

    python bench/_reference_servers.py --kind ocpp-ref [--port 0]

Prints `READY <port>` once listening and runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import resource
import signal
import sys
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from bench._sqlite_writer import BatchedSqliteWriter

KINDS = ("raw", "ocpp-ref", "ocpp-sqlite-ref")
HEARTBEAT_INTERVAL = 300
ACCEPTED = {"status": AuthorizationStatus.accepted}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _identity(websocket: ServerConnection) -> str:
    path = websocket.request.path if websocket.request else "/"
    return path.rstrip("/").rsplit("/", 1)[-1]


# --- raw ----------------------------------------------------------------------------------

_FIXED = {
    "BootNotification": {
        "currentTime": "2026-01-01T00:00:00Z",
        "interval": 300,
        "status": "Accepted",
    },
    "Heartbeat": {"currentTime": "2026-01-01T00:00:00Z"},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
    "StartTransaction": {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
    "StopTransaction": {"idTagInfo": {"status": "Accepted"}},
}
_FIXED_JSON = {action: json.dumps(payload) for action, payload in _FIXED.items()}


async def raw_handler(websocket: ServerConnection) -> None:
    """Parse each frame, answer a CALL with its action's fixed payload ({} if none)."""
    async for frame in websocket:
        message = json.loads(frame)
        if message[0] == 2:
            payload = _FIXED_JSON.get(message[2], "{}")
            await websocket.send(f"[3,{json.dumps(message[1])},{payload}]")


# --- ocpp-ref -----------------------------------------------------------------------------


class ReferenceChargePoint(ChargePoint):
    """The textbook `ocpp` server: one @on handler per CALL a charging session sends."""

    _transaction_ids = itertools.count(1)

    @on(Action.boot_notification)
    async def on_boot(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=_now(), interval=HEARTBEAT_INTERVAL, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status(self, **payload: Any) -> call_result.StatusNotification:
        await self.store_status(payload)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=ACCEPTED)

    @on(Action.start_transaction)
    async def on_start(self, **payload: Any) -> call_result.StartTransaction:
        transaction_id = await self.store_start(payload)
        return call_result.StartTransaction(transaction_id=transaction_id, id_tag_info=ACCEPTED)

    @on(Action.stop_transaction)
    async def on_stop(self, **payload: Any) -> call_result.StopTransaction:
        await self.store_stop(payload)
        return call_result.StopTransaction(id_tag_info=ACCEPTED)

    @on(Action.meter_values)
    async def on_meter_values(self, **payload: Any) -> call_result.MeterValues:
        await self.store_meter_values(payload)
        return call_result.MeterValues()

    # Storage hooks: nothing here; the SQLite reference stores.
    async def store_status(self, payload: dict[str, Any]) -> None:
        return None

    async def store_start(self, payload: dict[str, Any]) -> int:
        return next(self._transaction_ids)

    async def store_stop(self, payload: dict[str, Any]) -> None:
        return None

    async def store_meter_values(self, payload: dict[str, Any]) -> None:
        return None


class SqliteChargePoint(ReferenceChargePoint):
    """The textbook server with its data in SQLite, committed before each reply."""

    writer: BatchedSqliteWriter

    async def store_status(self, payload: dict[str, Any]) -> None:
        await self.writer.status(self.id, payload)

    async def store_start(self, payload: dict[str, Any]) -> int:
        return await self.writer.start_transaction(self.id, payload)

    async def store_stop(self, payload: dict[str, Any]) -> None:
        await self.writer.stop_transaction(self.id, payload)

    async def store_meter_values(self, payload: dict[str, Any]) -> None:
        await self.writer.meter_values(self.id, payload)


def ocpp_handler(cls: type[ReferenceChargePoint]) -> Any:
    async def handler(websocket: ServerConnection) -> None:
        charge_point = cls(_identity(websocket), websocket)
        try:
            await charge_point.start()
        except Exception:  # the charger went away: nothing to clean up
            return

    return handler


# --- process ------------------------------------------------------------------------------


async def serve_kind(kind: str, port: int, database: str) -> None:
    """Serve `kind` on 127.0.0.1:`port` until SIGTERM/SIGINT."""
    writer: BatchedSqliteWriter | None = None
    if kind == "raw":
        handler: Any = raw_handler
    elif kind == "ocpp-ref":
        handler = ocpp_handler(ReferenceChargePoint)
    else:
        writer = BatchedSqliteWriter(database)
        writer.start()
        SqliteChargePoint.writer = writer
        handler = ocpp_handler(SqliteChargePoint)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serve(
        handler,
        "127.0.0.1",
        port,
        subprotocols=[Subprotocol("ocpp1.6")],
        max_size=2**20,
    ) as server:
        listening = next(iter(server.sockets)).getsockname()[1]
        sys.stdout.write(f"READY {listening}\n")
        sys.stdout.flush()
        await stop.wait()
    if writer is not None:
        writer.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db", default=":memory:", help="ocpp-sqlite-ref: the SQLite file")
    args = parser.parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(serve_kind(args.kind, args.port, args.db))


if __name__ == "__main__":
    main()
