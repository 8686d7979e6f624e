"""The OCPP message log over the REST API, real HTTP, with the frames a simulated charge point
exchanged over a real OCPP websocket: one charge point's frames, filters, time range,
streamed export, another organisation's key, a revoked key, bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ocpp_server.simulator import SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import CP, register
from tests.fixtures.ocpp import eventually

__all__ = ["keys", "rest", "served", "sub_operator"]

LOG = {"charge_point": CP}


@pytest.fixture
async def frames(
    engine: Engine, organisation: Organisation, ocpp_url: str, rest: httpx.AsyncClient, keys: Keys
) -> AsyncIterator[None]:
    """CP boots and reports its three statuses: at least eight frames in the log."""
    register(engine, organisation, utc_now() - timedelta(days=1))
    charger = SimulatedChargePoint(CP, ocpp_url, meter_interval=3600)
    await charger.connect()
    key = bearer(keys.make())

    async def statuses_logged() -> bool:
        params = {**LOG, "action": "StatusNotification", "direction": "out"}
        return (await rest.get("/message-log", params=params, headers=key)).json()["total"] == 3

    await eventually(statuses_logged)
    yield
    await charger.close()


async def test_a_charge_points_frames_with_the_tabs_filters(
    rest: httpx.AsyncClient, keys: Keys, frames: None
) -> None:
    key = bearer(keys.make("Viewer"))
    everything = (await rest.get("/message-log", params=LOG, headers=key)).json()
    assert everything["total"] >= 8
    times = [f["created_at"] for f in everything["items"]]
    assert times == sorted(times)

    boot = {**LOG, "action": "BootNotification", "direction": "in"}
    (frame,) = (await rest.get("/message-log", params=boot, headers=key)).json()["items"]
    assert (frame["charge_point"], frame["message_type"]) == (CP, "CALL")
    message_type, message_id, action, payload = json.loads(frame["payload"])
    assert (message_type, message_id, action) == (2, frame["message_id"], "BootNotification")
    assert payload["chargePointModel"]

    answers = {**LOG, "message_id": frame["message_id"], "direction": "out"}
    (answer,) = (await rest.get("/message-log", params=answers, headers=key)).json()["items"]
    assert answer["message_type"] == "CALLRESULT"
    assert json.loads(answer["payload"])[2]["status"] == "Accepted"

    searched = {**LOG, "q": "chargePointModel"}
    assert (await rest.get("/message-log", params=searched, headers=key)).json()["total"] == 1
    later = {**LOG, "created_at_from": (utc_now() + timedelta(minutes=1)).isoformat()}
    assert (await rest.get("/message-log", params=later, headers=key)).json()["total"] == 0
    newest = {**LOG, "order": "desc", "page_size": 1}
    page = (await rest.get("/message-log", params=newest, headers=key)).json()
    assert page["items"][0]["created_at"] == max(times) and page["next_cursor"]


async def test_export_streams_every_matching_frame(
    rest: httpx.AsyncClient, keys: Keys, frames: None
) -> None:
    key = bearer(keys.make())
    params = {**LOG, "action": "StatusNotification", "format": "jsonl"}
    export = await rest.get("/message-log/export", params=params, headers=key)
    assert export.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert len(lines) == 6 and {line["action"] for line in lines} == {"StatusNotification"}
    csv_export = await rest.get("/message-log/export", params=LOG, headers=key)
    assert csv_export.text.startswith("Frame,Time (UTC),Charge point,Direction")
    viewer = await rest.get("/message-log/export", params=LOG, headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403


async def test_another_organisations_key_gets_404(
    rest: httpx.AsyncClient, keys: Keys, frames: None, sub_operator: Organisation
) -> None:
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for path in ("/message-log", "/message-log/export"):
        reply = await rest.get(path, params=LOG, headers=sub)
        assert reply.status_code == 404, path
        assert reply.json()["detail"] == f"Charge point {CP} does not exist"
    unknown = await rest.get("/message-log", params={"charge_point": "CP-NONE"}, headers=sub)
    assert unknown.status_code == 404


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    for path in ("/message-log", "/message-log/export"):
        assert (await rest.get(path, params=LOG, headers=revoked)).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "charge_point"),
        ({"charge_point": ""}, "charge_point"),
        ({**LOG, "direction": "sideways"}, "direction"),
        ({**LOG, "created_at_from": "2026-01-31T08:00:00"}, "created_at_from"),
        ({**LOG, "sort": "payload"}, "sort"),
        ({**LOG, "page_size": 0}, "page_size"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, params: dict[str, str], field: str
) -> None:
    reply = await rest.get("/message-log", params=params, headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]
