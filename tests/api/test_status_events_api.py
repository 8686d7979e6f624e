"""Status events over the REST API, real HTTP, from a simulated charge point's
StatusNotifications over a real OCPP websocket: list, filters, time range, get, export,
another organisation's key, a revoked key, bad input."""

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


@pytest.fixture
async def events(
    engine: Engine, organisation: Organisation, ocpp_url: str, rest: httpx.AsyncClient, keys: Keys
) -> AsyncIterator[None]:
    """CP boots (Available on 0, 1 and 2), then connector 1 faults (GroundFailure)."""
    register(engine, organisation, utc_now() - timedelta(days=1))
    charger = SimulatedChargePoint(CP, ocpp_url, meter_interval=3600)
    await charger.connect()
    key = bearer(keys.make())

    async def booted() -> bool:
        return (await rest.get("/status-events", headers=key)).json()["total"] == 3

    await eventually(booted)
    await charger.inject_fault(1, "GroundFailure", "E-42")
    yield
    await charger.close()


async def test_events_are_listed_filtered_and_fetched(
    rest: httpx.AsyncClient, keys: Keys, events: None
) -> None:
    key = bearer(keys.make("Viewer"))
    listed = (await rest.get("/status-events?sort=id", headers=key)).json()
    assert listed["total"] == 4
    assert [(e["connector_id"], e["status"]) for e in listed["items"]] == [
        (0, "Available"),
        (1, "Available"),
        (2, "Available"),
        (1, "Faulted"),
    ]
    fault = listed["items"][-1]
    assert (fault["charge_point"], fault["error_code"], fault["vendor_error_code"]) == (
        CP,
        "GroundFailure",
        "E-42",
    )
    assert fault["received_at"] is not None and fault["timestamp"] is not None

    async def statuses(**params: str | int) -> list[str]:
        reply = await rest.get("/status-events", params={**params, "sort": "id"}, headers=key)
        assert reply.status_code == 200, reply.text
        return [e["status"] for e in reply.json()["items"]]

    assert await statuses(charge_point=CP, connector_id=1) == ["Available", "Faulted"]
    assert await statuses(error_code="GroundFailure") == ["Faulted"]
    assert await statuses(status="Faulted", charge_point="CP-OTHER") == []
    berlin_hour_ago = (utc_now() - timedelta(hours=1)).astimezone().isoformat()
    assert len(await statuses(received_at_from=berlin_hour_ago)) == 4
    soon = (utc_now() + timedelta(minutes=5)).isoformat()
    assert await statuses(received_at_from=soon) == []
    assert len(await statuses(received_at_to=soon)) == 4

    one = await rest.get(f"/status-events/{fault['id']}", headers=key)
    assert one.json() == fault
    export = await rest.get("/status-events/export?format=jsonl&status=Faulted", headers=key)
    assert export.status_code == 403  # a Viewer may not export
    export = await rest.get(
        "/status-events/export?format=jsonl&status=Faulted", headers=bearer(keys.make())
    )
    assert [json.loads(line)["error_code"] for line in export.text.splitlines()] == [
        "GroundFailure"
    ]


async def test_another_organisations_key_sees_nothing(
    rest: httpx.AsyncClient, keys: Keys, events: None, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    first = (await rest.get("/status-events", headers=parent)).json()["items"][0]
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get("/status-events", headers=sub)).json()["total"] == 0
    assert (await rest.get(f"/status-events/{first['id']}", headers=sub)).status_code == 404
    export = await rest.get("/status-events/export", headers=sub)
    assert export.text.strip().splitlines() == [export.text.strip()]  # the header only


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    for path in ("/status-events", "/status-events/1", "/status-events/export"):
        assert (await rest.get(path, headers=revoked)).status_code == 401, path


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("received_at_from=2026-01-31T08:00:00", "received_at_from"),
        ("received_at_to=2026-01-31", "received_at_to"),
        ("connector_id=one", "connector_id"),
        ("order=sideways", "order"),
        ("page=0", "page"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, query: str, field: str
) -> None:
    reply = await rest.get(f"/status-events?{query}", headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]
    assert (await rest.get("/status-events/0", headers=bearer(keys.make()))).status_code == 422
