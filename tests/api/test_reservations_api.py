"""Reservations over the REST API, real HTTP: ReserveNow and CancelReservation go to a
simulated charge point over a real OCPP websocket and the answer holds the command record;
list, get, export; another organisation's key, a revoked key, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import BLOCKED_TAG, CP, TAG, register
from tests.fixtures.ocpp import eventually

__all__ = ["keys", "rest", "served", "sub_operator"]


def in_an_hour() -> str:
    """An hour from now, written in another zone than UTC."""
    return (utc_now() + timedelta(hours=1)).astimezone().isoformat()


@pytest.fixture
async def charger(
    engine: Engine, organisation: Organisation, ocpp_url: str, command_port: OcppServer
) -> AsyncIterator[SimulatedChargePoint]:
    register(engine, organisation, utc_now() - timedelta(days=1))
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=3600)
    await cp.connect()
    await eventually(lambda: cp.connector_statuses.get(2) == "Available")
    yield cp
    await cp.close()


async def reserve(rest: httpx.AsyncClient, key: dict[str, str], **body: object) -> httpx.Response:
    fields = {"charge_point": CP, "connector_id": 1, "id_tag": TAG, "expiry_date": in_an_hour()}
    return await rest.post("/reservations", json={**fields, **body}, headers=key)


async def test_reserve_then_cancel_answer_the_command_records(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    key = bearer(keys.make("Operator"))
    made = await reserve(rest, key)
    assert made.status_code == 201, made.text
    reservation, command = made.json()["reservation"], made.json()["command"]
    assert (reservation["status"], reservation["charge_point"], reservation["id_tag"]) == (
        "accepted",
        CP,
        TAG,
    )
    assert reservation["requested_by"] == "API key test Operator"
    assert (command["action"], command["status"]) == ("ReserveNow", "accepted")
    assert made.headers["location"] == f"/api/v1/reservations/{reservation['id']}"
    assert charger.reservations == {1: reservation["id"]}
    expiry = datetime.fromisoformat(reservation["expiry_date"])
    assert expiry.utcoffset() == timedelta(0) and expiry > datetime.now(UTC)

    path = made.headers["location"].removeprefix("/api/v1")
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(path, headers=viewer)).json() == reservation
    listed = await rest.get("/reservations", params={"status": "accepted"}, headers=viewer)
    assert [r["id"] for r in listed.json()["items"]] == [reservation["id"]]
    assert (await rest.delete(path, headers=viewer)).status_code == 403

    cancelled = await rest.delete(path, headers=key)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["reservation"]["status"] == "cancelled"
    assert cancelled.json()["command"]["action"] == "CancelReservation"
    assert charger.reservations == {}
    again = await rest.delete(path, headers=key)
    assert again.status_code == 409
    assert "only an open one can be cancelled" in again.json()["detail"]


async def test_a_refused_reservation_is_created_with_the_refusal(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    key = bearer(keys.make())
    await charger.inject_fault(2)
    made = await reserve(rest, key, connector_id=2)
    assert made.status_code == 201
    assert made.json()["reservation"]["status"] == "faulted"
    assert made.json()["command"]["status"] == "rejected"


async def test_the_use_cases_messages_come_back_per_request(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    key = bearer(keys.make())
    blocked = await reserve(rest, key, id_tag=BLOCKED_TAG)
    assert blocked.status_code == 422
    assert blocked.json()["detail"] == f"id tag {BLOCKED_TAG!r} is blocked"
    past = await reserve(rest, key, expiry_date="2020-01-01T00:00:00+01:00")
    assert (past.status_code, past.json()["detail"]) == (422, "expiry must be in the future")
    assert (await reserve(rest, key, connector_id=7)).json()["detail"] == f"{CP} has no connector 7"
    assert (await rest.get("/reservations", headers=key)).json()["total"] == 0


async def test_another_organisations_key_sees_and_reserves_nothing(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint, sub_operator: Organisation
) -> None:
    made = (await reserve(rest, bearer(keys.make()))).json()["reservation"]
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await reserve(rest, sub)).status_code == 404
    assert (await rest.get("/reservations", headers=sub)).json()["total"] == 0
    assert (await rest.get(f"/reservations/{made['id']}", headers=sub)).status_code == 404
    assert (await rest.delete(f"/reservations/{made['id']}", headers=sub)).status_code == 404
    assert charger.reservations == {1: made["id"]}


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    assert (await reserve(rest, revoked)).status_code == 401
    for method, path in (
        ("GET", "/reservations"),
        ("GET", "/reservations/1"),
        ("DELETE", "/reservations/1"),
    ):
        assert (await rest.request(method, path, headers=revoked)).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expiry_date": "2030-01-31T08:00:00"}, "expiry_date"),
        ({"expiry_date": "soon"}, "expiry_date"),
        ({"connector_id": -1}, "connector_id"),
        ({"id_tag": "X" * 21}, "id_tag"),
        ({"charge_point": ""}, "charge_point"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, body: dict[str, object], field: str
) -> None:
    reply = await reserve(rest, bearer(keys.make()), **body)
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]
