"""CPU per CALL through the OCPP RPC layer: the old connection (a subclass of the ocpp
library's `ocpp.v16.ChargePoint`) against CCMS's own RPC connection, in the same run.

Both get the same frames and a no-op sink, straight into their frame handler (no sockets: a
fake websocket collects the replies), so the figure is what the protocol layer itself costs
per CALL: parsing, schema validation, typed request, sink call, CALLRESULT, message log record.

The old connection is the code of commit BASELINE (the last one that subclassed the library),
read with `git show` into a temporary package; pass --baseline-ref to pick another commit.

    .venv/bin/python bench/ocpp_rpc.py [--calls 2000] [--rounds 5] [--baseline-ref REF]

Prints us of CPU per CALL (best round) for Heartbeat, StatusNotification and MeterValues, and
the ratio old / new.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from ocpp.v16 import call

from ocpp_server.connection import ChargePointConnection
from ocpp_server.ports import (
    BootResult,
    ConnectionInfo,
    DataTransferResult,
    FrameRecord,
    IdTagInfo,
    StartTransactionResult,
)

BASELINE = "c4dab4c"  # ocpp_server.connection subclassing ocpp.v16.ChargePoint
_OLD_MODULES = (
    "connection",
    "charger_calls",
    "framing",
    "pending_calls",
    "recent_calls",
    "convert",
)
_OLD_PACKAGE = "ocpp_server_baseline"
T0 = "2025-03-01T10:00:00.000Z"


class NoOpSink:
    """A ChargerEventSink that does nothing: what is left is the protocol layer."""

    async def connected(self, info: ConnectionInfo) -> None:
        return None

    async def disconnected(self, identity: str, reason: str) -> None:
        return None

    def record_frame(self, frame: FrameRecord) -> None:
        return None

    async def boot_notification(self, identity: str, request: call.BootNotification) -> BootResult:
        return BootResult("Accepted", 300)

    async def heartbeat(self, identity: str) -> datetime:
        return datetime.now(UTC)

    async def status_notification(self, identity: str, request: call.StatusNotification) -> None:
        return None

    async def authorize(self, identity: str, request: call.Authorize) -> IdTagInfo:
        return IdTagInfo("Accepted")

    async def start_transaction(
        self, identity: str, request: call.StartTransaction
    ) -> StartTransactionResult:
        return StartTransactionResult(1, IdTagInfo("Accepted"))

    async def stop_transaction(self, identity: str, request: call.StopTransaction) -> None:
        return None

    async def meter_values(self, identity: str, request: call.MeterValues) -> None:
        return None

    async def data_transfer(self, identity: str, request: call.DataTransfer) -> DataTransferResult:
        return DataTransferResult("Accepted")

    async def diagnostics_status_notification(
        self, identity: str, request: call.DiagnosticsStatusNotification
    ) -> None:
        return None

    async def firmware_status_notification(
        self, identity: str, request: call.FirmwareStatusNotification
    ) -> None:
        return None

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None:
        return None


class FakeWebsocket:
    """Enough of websockets' ServerConnection for a connection that is only fed frames."""

    request = None
    subprotocol = "ocpp1.6"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, raw: str) -> None:
        self.sent += 1

    async def recv(self) -> str:  # pragma: no cover - frames are fed directly
        raise NotImplementedError

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


def _sampled(measurand: str, value: str, unit: str, phase: str | None = None) -> dict[str, Any]:
    sample = {"value": value, "context": "Sample.Periodic", "measurand": measurand, "unit": unit}
    if phase:
        sample["phase"] = phase
    return sample


def _meter_values() -> dict[str, Any]:
    samples = [_sampled("Energy.Active.Import.Register", "123456", "Wh")]
    samples.append(_sampled("Power.Active.Import", "11000", "W"))
    for phase in ("L1", "L2", "L3"):
        samples.append(_sampled("Current.Import", "16.0", "A", phase))
        samples.append(_sampled("Voltage", "230.1", "V", f"{phase}-N"))
    samples.append(_sampled("SoC", "57", "Percent"))
    return {
        "connectorId": 1,
        "transactionId": 42,
        "meterValue": [{"timestamp": T0, "sampledValue": samples}],
    }


PAYLOADS: dict[str, dict[str, Any]] = {
    "Heartbeat": {},
    "StatusNotification": {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Charging",
        "timestamp": T0,
    },
    "MeterValues": _meter_values(),
}


def frames(action: str, count: int) -> list[str]:
    """`count` CALLs of `action`, each with its own unique id (none answered from the cache)."""
    import json

    payload = json.dumps(PAYLOADS[action], separators=(",", ":"))
    return [f'[2,"{action[:2]}-{n}","{action}",{payload}]' for n in range(count)]


def load_baseline(ref: str) -> ModuleType:
    """The old ocpp_server connection modules of commit `ref`, as a temporary package."""
    root = Path(tempfile.mkdtemp(prefix="ocpp-rpc-bench-"))
    package = root / _OLD_PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in _OLD_MODULES:
        source = subprocess.run(
            ["git", "show", f"{ref}:ocpp_server/{name}.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for other in _OLD_MODULES:
            source = source.replace(f"ocpp_server.{other} ", f"{_OLD_PACKAGE}.{other} ")
            source = source.replace(
                f"from ocpp_server import {other}", f"from {_OLD_PACKAGE} import {other}"
            )
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(root))
    return importlib.import_module(f"{_OLD_PACKAGE}.connection")


Feed = Callable[[str], Awaitable[None]]


def old_feed(module: ModuleType) -> Feed:
    connection = module.ChargePointConnection("CP-BENCH", FakeWebsocket(), NoOpSink())
    feed: Feed = connection.route_message
    return feed


def new_feed() -> Feed:
    connection = ChargePointConnection("CP-BENCH", FakeWebsocket(), NoOpSink())  # type: ignore[arg-type]
    return connection.receive


async def cpu_per_call(feed: Feed, raw_frames: list[str]) -> float:
    """Microseconds of CPU per frame for feeding every frame once."""
    started = time.process_time()
    for raw in raw_frames:
        await feed(raw)
    return (time.process_time() - started) / len(raw_frames) * 1e6


async def measure(old: ModuleType, calls: int, rounds: int) -> dict[str, tuple[float, float]]:
    results: dict[str, tuple[float, float]] = {}
    for action in PAYLOADS:
        best_old = best_new = float("inf")
        for round_no in range(rounds):
            raw_frames = frames(action, calls)
            # fresh connections each round: the reply cache starts empty; warm up first
            feeds = [("old", old_feed(old)), ("new", new_feed())]
            if round_no % 2:
                feeds.reverse()
            for name, feed in feeds:
                await cpu_per_call(feed, frames(action, 50))
                cost = await cpu_per_call(feed, raw_frames)
                if name == "old":
                    best_old = min(best_old, cost)
                else:
                    best_new = min(best_new, cost)
        results[action] = (best_old, best_new)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-ref", default=BASELINE)
    args = parser.parse_args()
    old = load_baseline(args.baseline_ref)
    results = asyncio.run(measure(old, args.calls, args.rounds))
    print(f"CPU per CALL, no-op sink, best of {args.rounds} rounds x {args.calls} CALLs")
    print(f"old = ocpp.v16.ChargePoint subclass at {args.baseline_ref}; new = ocpp_server.rpc")
    print(f"{'action':<20}{'old us/CALL':>14}{'new us/CALL':>14}{'old/new':>10}")
    for action, (old_us, new_us) in results.items():
        print(f"{action:<20}{old_us:>14.1f}{new_us:>14.1f}{old_us / new_us:>9.1f}x")


if __name__ == "__main__":
    main()
