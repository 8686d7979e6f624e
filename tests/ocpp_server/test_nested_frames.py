"""A frame nested deeper than any parser goes gets its CALLERROR like any other unreadable
frame, is kept in the message log, and the connection carries on (issue 9)."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.control.models import OcppMessage
from ccms_app.core import db
from ocpp_server.rpc import codec
from tests.fixtures.ocpp import open_websocket
from tests.ocpp_server.test_integration import register


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_a_too_deep_frame_is_a_value_error(depth: int) -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        codec.loads("[" * depth + "]" * depth)


async def test_too_deep_frames_are_answered_and_logged(
    ocpp_url: str, session: Session, organisation: Organisation, charger_events: ChargerEventService
) -> None:
    register(session, organisation, "CP-NEST")  # (an unregistered one's frames are cut short)
    deep = "[" * 5_000 + "]" * 5_000
    frame = '[2,"m1","DataTransfer",{"vendorId":"v","data":"x","extra":' + deep + "}]"
    async with open_websocket(ocpp_url, "CP-NEST") as ws:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[0] == 4 and reply[2] == "FormationViolation"
        await ws.send('[2,"m2","Heartbeat",{}]')  # the connection goes on
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "m2"]
    await charger_events.writer.run(lambda session: None)
    with db.read_session() as s:
        logged = s.exec(select(OcppMessage.payload).where(OcppMessage.direction == "in")).all()
    assert frame in logged
