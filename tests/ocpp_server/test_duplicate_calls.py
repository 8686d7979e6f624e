"""Duplicate message ids (docs/data-policy.md) over real websockets, real service, real DB.

A charger that missed our CALLRESULT sends the same CALL again with the same message id: it
gets the same reply and the CALL is not applied twice. The same id with another payload is a
new CALL: processed, and kept as a data issue.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, func, select
from websockets.asyncio.client import ClientConnection

from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issues
from ccms_app.charging.models import MeterSample
from ccms_app.core import db
from ccms_app.network.models import ChargePoint, StatusEvent
from ocpp_server.recent_calls import RECENT_CALLS
from tests.fixtures.ocpp import open_websocket

CP = "CP-DUP"
T0 = "2025-03-01T10:00:00Z"


def register(session: Session, organisation: Organisation) -> None:
    session.add(
        ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    )
    session.commit()


def count(model: Any) -> int:
    with db.read_session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


async def exchange(websocket: ClientConnection, frame: str) -> str:
    await websocket.send(frame)
    return str(await websocket.recv())


def status(message_id: str, value: str = "Available") -> str:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": value, "timestamp": T0}
    return json.dumps([2, message_id, "StatusNotification", payload])


async def test_resent_call_gets_the_same_reply_and_is_applied_once(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation)
    payload = {
        "connectorId": 1,
        "meterValue": [{"timestamp": T0, "sampledValue": [{"value": "1234", "unit": "Wh"}]}],
    }
    frame = json.dumps([2, "mv-1", "MeterValues", payload])
    # The same CALL as the charger serialises it again: other key order and spacing.
    resent = json.dumps([2, "mv-1", "MeterValues", dict(reversed(payload.items()))], indent=1)
    async with open_websocket(ocpp_url, CP) as websocket:
        first = await exchange(websocket, status("st-1"))
        assert await exchange(websocket, status("st-1")) == first
        reply = await exchange(websocket, frame)
        assert await exchange(websocket, resent) == reply == '[3,"mv-1",{}]'
        heartbeat = await exchange(websocket, '[2,"hb-1","Heartbeat",{}]')
        assert await exchange(websocket, '[2,"hb-1","Heartbeat",{}]') == heartbeat
    assert count(StatusEvent) == 1
    assert count(MeterSample) == 1
    assert data_issues.list_issues(identity=CP) == []


async def test_reused_id_with_another_payload_is_processed_and_kept_as_an_issue(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation)
    async with open_websocket(ocpp_url, CP) as websocket:
        await exchange(websocket, status("same-id", "Available"))
        reply = json.loads(await exchange(websocket, status("same-id", "Preparing")))
        assert reply == [3, "same-id", {}]
    assert count(StatusEvent) == 2
    (issue,) = data_issues.list_issues(identity=CP)
    assert issue.kind == data_issues.DUPLICATE_MESSAGE_ID
    assert issue.charge_point_id is not None
    assert "'same-id'" in issue.detail and "StatusNotification" in issue.detail
    assert json.loads(issue.payload)[3]["status"] == "Preparing"


async def test_only_the_last_calls_are_remembered(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation)
    async with open_websocket(ocpp_url, CP) as websocket:
        await exchange(websocket, status("old"))
        for n in range(RECENT_CALLS):
            await exchange(websocket, f'[2,"hb-{n}","Heartbeat",{{}}]')
        await exchange(websocket, status("old"))  # forgotten: applied again
        await exchange(websocket, status("hb-0"))  # also forgotten: no issue either
    assert count(StatusEvent) == 3
    assert data_issues.list_issues(identity=CP) == []


async def test_a_call_answered_with_an_error_is_not_remembered(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation)
    bad = json.dumps([2, "fix-1", "StatusNotification", {"connectorId": 1}])
    async with open_websocket(ocpp_url, CP) as websocket:
        error = json.loads(await exchange(websocket, bad))
        assert error[:3] == [4, "fix-1", "OccurenceConstraintViolation"]
        assert json.loads(await exchange(websocket, status("fix-1"))) == [3, "fix-1", {}]
    assert count(StatusEvent) == 1
    assert data_issues.list_issues(identity=CP) == []


async def test_each_connection_remembers_its_own_calls(
    ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    register(session, organisation)
    async with open_websocket(ocpp_url, CP) as websocket:
        await exchange(websocket, status("1"))
    async with open_websocket(ocpp_url, CP) as websocket:  # rebooted: ids start again
        await exchange(websocket, status("1", "Preparing"))
    assert count(StatusEvent) == 2
    assert data_issues.list_issues(identity=CP) == []
