"""What an unregistered charge point may cost (issue 9): one stranger sending 1 MB
DataTransfers as fast as it can neither fills the message log nor gets every CALL applied.
Real websocket client -> real OCPP server -> real service and SQLite database."""

from __future__ import annotations

import asyncio
import json
import time

from sqlmodel import Session, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.unregistered import (
    BURST,
    MAX_LOGGED_BYTES,
    RATE_PER_SECOND,
    UnregisteredLimits,
)
from ccms_app.control.models import OcppMessage
from ccms_app.core import db
from ocpp_server.ports import FrameRecord
from tests.fixtures.ocpp import open_websocket
from tests.ocpp_server.test_integration import register

BIG = "x" * 1_000_000


def _logged(identity: str) -> tuple[int, int]:
    """(frames, characters) in the message log of `identity`."""
    with db.read_session() as s:
        count, size = s.exec(
            select(
                func.count(), func.coalesce(func.sum(func.length(OcppMessage.payload)), 0)
            ).where(OcppMessage.charge_point_identity == identity)
        ).one()
    return int(count), int(size)


async def _flood(ocpp_url: str, identity: str, frames: int) -> list[list[object]]:
    """Boot, then `frames` 1 MB DataTransfers without waiting; the replies."""
    async with open_websocket(ocpp_url, identity) as ws:
        await ws.send(
            '[2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'
        )
        boot = json.loads(await ws.recv())
        payload = json.dumps({"vendorId": "v", "data": BIG})
        for n in range(frames):
            await ws.send(f'[2,"dt{n}","DataTransfer",{payload}]')
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(frames)]
    return [boot, *replies]


async def test_a_stranger_flooding_data_transfers_is_bounded(
    ocpp_url: str, organisation: Organisation, charger_events: ChargerEventService
) -> None:
    started = time.monotonic()
    boot, *replies = await _flood(ocpp_url, "STRANGER-1", 60)
    # What the rate refilled while the 60 MB went through (a busy machine takes longer).
    refilled = int(RATE_PER_SECOND * (time.monotonic() - started))
    assert boot[2]["status"] == "Pending"
    refused = [r for r in replies if r[0] == 4]
    assert refused and all(r[2] == "GenericError" and "message rate" in r[3] for r in refused)
    applied = [r for r in replies if r[0] == 3]
    assert len(applied) <= BURST + refilled
    await charger_events.writer.run(lambda session: None)
    frames, size = _logged("STRANGER-1")
    # At most twice the applied CALLs of frames (a CALL and its reply; the boot's frames came
    # first, before CCMS knew the identity was unregistered), each cut to the limit: well
    # under 200 KB where the 60 frames were 60 MB.
    assert frames <= 2 * (BURST + refilled) + 2 + 2
    assert size <= frames * (MAX_LOGGED_BYTES + 100)


async def test_a_registered_charge_point_is_not_limited(
    ocpp_url: str, session: Session, organisation: Organisation, charger_events: ChargerEventService
) -> None:
    register(session, organisation, "CP-REG-1")
    boot, *replies = await _flood(ocpp_url, "CP-REG-1", BURST + 10)
    assert boot[2]["status"] == "Accepted"
    assert all(r[0] == 3 for r in replies)
    await charger_events.writer.run(lambda session: None)
    frames, size = _logged("CP-REG-1")
    assert frames == 2 * (BURST + 11) and size > (BURST + 10) * len(BIG)


def test_the_rate_refills_and_registration_lifts_the_limit() -> None:
    now = [0.0]
    limits = UnregisteredLimits(rate=2, burst=3, max_logged_bytes=10, clock=lambda: now[0])
    limits.set_registered("S", False)
    assert [limits.allow_call("S") for _ in range(4)] == [True, True, True, False]
    now[0] += 1.0  # two more tokens
    assert [limits.allow_call("S") for _ in range(3)] == [True, True, False]
    frame = FrameRecord("S", "out", "y" * 50, message_type=3)
    kept = limits.loggable(frame)
    assert kept is not None and kept.raw.startswith("y" * 10) and "40 more characters" in kept.raw
    limits.set_registered("S", True)
    assert limits.allow_call("S") and limits.loggable(frame) is frame
    assert limits.allow_call("never-connected")  # direct use (tests, benches): not limited
