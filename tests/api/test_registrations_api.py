"""Unregistered charge points over the REST API, real HTTP and a real unknown charger on a
real OCPP websocket: it waits as Pending, is listed, and is registered (Accepted at once)
or rejected, as the Assets page's Unregistered tab does it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

STRANGER = "CP-STRANGER-API"


@pytest.fixture
async def stranger(
    ocpp_url: str, command_port: OcppServer, organisation: Organisation
) -> AsyncIterator[SimulatedChargePoint]:
    """An unknown charge point, connected and answered Pending."""
    charger = SimulatedChargePoint(STRANGER, ocpp_url, meter_interval=60)
    await charger.connect()
    assert charger.boot_status == "Pending"
    yield charger
    await charger.close()


@pytest.fixture
async def stranger_id(rest: httpx.AsyncClient, keys: Keys, stranger: SimulatedChargePoint) -> int:
    listed = (await rest.get("/unregistered-charge-points", headers=bearer(keys.make()))).json()
    (item,) = listed["items"]
    return int(item["id"])


async def _station(rest: httpx.AsyncClient, key: str, name: str = "Depot") -> int:
    reply = await rest.post("/stations", json={"name": name}, headers=bearer(key))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


async def test_an_unknown_charger_is_listed_with_what_it_reported(
    rest: httpx.AsyncClient, keys: Keys, stranger: SimulatedChargePoint
) -> None:
    viewer = bearer(keys.make("Viewer"))
    listed = (await rest.get("/unregistered-charge-points?online=true", headers=viewer)).json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert (item["identity"], item["vendor"], item["model"]) == (
        STRANGER,
        stranger.vendor,
        stranger.model,
    )
    assert item["online"] is True and item["created_at"] and item["last_seen_at"]
    one = await rest.get(f"/unregistered-charge-points/{item['id']}", headers=viewer)
    assert one.json() == item


async def test_registering_it_accepts_it_at_once(
    rest: httpx.AsyncClient, keys: Keys, stranger: SimulatedChargePoint, stranger_id: int
) -> None:
    key = keys.make()
    station_id = await _station(rest, key)
    reply = await rest.post(
        f"/unregistered-charge-points/{stranger_id}/register",
        json={"station_id": station_id, "max_power_kw": 22, "phases": 3},
        headers=bearer(key),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["trigger_status"] == "accepted"
    assert body["message"] == (
        f"{STRANGER} registered at Depot; it was asked to boot again and will be Accepted."
    )
    registered = body["charge_point"]
    assert (registered["identity"], registered["registration"], registered["station"]) == (
        STRANGER,
        "registered",
        "Depot",
    )
    assert (registered["max_power_w"], registered["vendor"]) == (22000, stranger.vendor)
    await stranger.wait_accepted(timeout=10)
    listed = await rest.get("/unregistered-charge-points", headers=bearer(key))
    assert listed.json()["total"] == 0
    got = await rest.get(f"/charge-points/{STRANGER}", headers=bearer(key))
    assert got.json()["registration"] == "registered"
    again = await rest.post(
        f"/unregistered-charge-points/{stranger_id}/register",
        json={"station_id": station_id},
        headers=bearer(key),
    )
    assert again.status_code == 404


async def test_registration_errors_are_the_dialogs_and_change_nothing(
    rest: httpx.AsyncClient, keys: Keys, stranger_id: int, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    path = f"/unregistered-charge-points/{stranger_id}/register"
    refused = await rest.post(
        path,
        json={"station_id": 987654, "charging_method": "DC", "phases": 3, "min_power_kw": 9},
        headers=key,
    )
    assert refused.status_code == 422, refused.text
    assert {e["field"]: e["detail"] for e in refused.json()["errors"]} == {
        "station_id": "Choose the station the charge point stands at",
        "phases": "A DC charge point has no phases; leave it empty",
    }
    await rest.patch(
        f"/organisations/{sub_operator.id}", json={"max_charge_points": 0}, headers=key
    )
    subs_station = await _station(rest, keys.make(organisation_id=sub_operator.id), "Sub's")
    full = await rest.post(path, json={"station_id": subs_station}, headers=key)
    assert full.status_code == 422
    message = "Sub Operator: The licence allows 0 charge points and 0 are registered."
    assert full.json()["errors"] == [{"location": "body", "field": "station_id", "detail": message}]
    unknown = await rest.post(path, json={"station_id": 1, "colour": "red"}, headers=key)
    assert [e["field"] for e in unknown.json()["errors"]] == ["colour"]
    assert (await rest.get("/unregistered-charge-points", headers=key)).json()["total"] == 1


async def test_rejecting_it_deletes_its_record(
    rest: httpx.AsyncClient, keys: Keys, stranger_id: int
) -> None:
    key = bearer(keys.make())
    path = f"/unregistered-charge-points/{stranger_id}"
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404
    assert (await rest.get(f"/charge-points/{STRANGER}", headers=key)).status_code == 404
    assert (await rest.delete(path, headers=key)).status_code == 404


async def test_a_registered_charge_point_is_not_rejected_here(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = keys.make()
    station_id = await _station(rest, key)
    made = await rest.post(
        "/charge-points",
        json={"identity": "CP-KNOWN", "station_id": station_id},
        headers=bearer(key),
    )
    path = f"/unregistered-charge-points/{made.json()['id']}"
    assert (await rest.delete(path, headers=bearer(key))).status_code == 404
    register = await rest.post(
        f"{path}/register", json={"station_id": station_id}, headers=bearer(key)
    )
    assert register.status_code == 404
    assert (await rest.get("/charge-points/CP-KNOWN", headers=bearer(key))).status_code == 200


async def test_a_sub_operators_key_sees_none_and_acts_on_none(
    rest: httpx.AsyncClient, keys: Keys, stranger_id: int, sub_operator: Organisation
) -> None:
    """Unknown chargers belong to the network operator until registered: 404 for a sub's key,
    while the operator's key sees the sub's registered charge point after registering it
    at the sub's station."""
    sub = keys.make(organisation_id=sub_operator.id)
    subs_station = await _station(rest, sub, "Sub's")
    path = f"/unregistered-charge-points/{stranger_id}"
    assert (await rest.get("/unregistered-charge-points", headers=bearer(sub))).json()["total"] == 0
    assert (await rest.get(path, headers=bearer(sub))).status_code == 404
    assert (await rest.delete(path, headers=bearer(sub))).status_code == 404
    register = await rest.post(
        f"{path}/register", json={"station_id": subs_station}, headers=bearer(sub)
    )
    assert register.status_code == 404
    parent = bearer(keys.make())
    done = await rest.post(f"{path}/register", json={"station_id": subs_station}, headers=parent)
    assert done.json()["charge_point"]["organisation"] == "Sub Operator"
    mine = await rest.get(f"/charge-points/{STRANGER}", headers=bearer(sub))
    assert mine.json()["station"] == "Sub's"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/unregistered-charge-points", None),
        ("GET", "/unregistered-charge-points/export", None),
        ("GET", "/unregistered-charge-points/{id}", None),
        ("POST", "/unregistered-charge-points/{id}/register", {"station_id": 1}),
        ("DELETE", "/unregistered-charge-points/{id}", None),
    ],
)
async def test_a_revoked_key_is_401_on_every_route(
    rest: httpx.AsyncClient,
    keys: Keys,
    stranger_id: int,
    method: str,
    path: str,
    body: dict | None,
) -> None:
    url = path.format(id=stranger_id)
    reply = await rest.request(method, url, json=body, headers=bearer(keys.revoked()))
    assert reply.status_code == 401
    listed = await rest.get("/unregistered-charge-points", headers=bearer(keys.make()))
    assert listed.json()["total"] == 1
