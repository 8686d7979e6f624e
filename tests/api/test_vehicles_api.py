"""Vehicles over the REST API, real HTTP: battery capacity exact to the Wh, driver links."""

from __future__ import annotations

import httpx

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]


async def _vehicle(rest: httpx.AsyncClient, key: dict[str, str], **fields) -> dict:
    body = {"make": "Renault", "model": "Zoe", **fields}
    reply = await rest.post("/vehicles", json=body, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _routes(vehicle_id: int) -> list[tuple[str, str, dict | None]]:
    path = f"/vehicles/{vehicle_id}"
    return [("GET", path, None), ("PATCH", path, {"model": "Mine"}), ("DELETE", path, None)]


async def test_create_get_update_and_delete(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=key)).json()
    reply = await rest.post(
        "/vehicles",
        json={
            "make": "Tesla",
            "model": "Model 3",
            "battery_capacity_kwh": "75,5",
            "licence_plate": "ab-123-c",
            "driver_id": driver["id"],
        },
        headers=key,
    )
    assert reply.status_code == 201, reply.text
    vehicle = reply.json()
    assert reply.headers["location"] == f"/api/v1/vehicles/{vehicle['id']}"
    assert (vehicle["make"], vehicle["model"], vehicle["battery_capacity_wh"]) == (
        "Tesla",
        "Model 3",
        75_500,
    )
    assert (vehicle["licence_plate"], vehicle["driver"], vehicle["driver_id"]) == (
        "AB-123-C",
        "Ada",
        driver["id"],
    )
    path = f"/vehicles/{vehicle['id']}"
    assert (await rest.get(path, headers=bearer(keys.make("Viewer")))).json() == vehicle

    updated = await rest.patch(path, json={"model": "Model Y"}, headers=key)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["model"], updated.json()["battery_capacity_wh"]) == ("Model Y", 75_500)
    unlinked = await rest.patch(
        path, json={"driver_id": None, "battery_capacity_kwh": None}, headers=key
    )
    assert (unlinked.json()["driver"], unlinked.json()["battery_capacity_wh"]) == ("", None)
    assert unlinked.json()["licence_plate"] == "AB-123-C"
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_invalid_fields_are_the_use_cases_messages(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/vehicles",
        json={"make": " ", "model": "", "battery_capacity_kwh": "75.5555", "driver_id": 987654},
        headers=key,
    )
    assert reply.status_code == 422
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "make": "Make is required",
        "model": "Model is required",
        "battery_capacity_kwh": "At most 3 decimals (1 Wh)",
        "driver": "Driver 987654 not found",
    }
    vehicle = await _vehicle(rest, key, battery_capacity_kwh="52")
    negative = await rest.patch(
        f"/vehicles/{vehicle['id']}", json={"battery_capacity_kwh": "-5"}, headers=key
    )
    assert negative.json()["errors"] == [
        {
            "location": "body",
            "field": "battery_capacity_kwh",
            "detail": "'-5' is not a number of kWh, e.g. 75.5",
        }
    ]
    a_float = await rest.post(
        "/vehicles", json={"make": "A", "model": "B", "battery_capacity_kwh": 75.5}, headers=key
    )
    assert a_float.status_code == 422  # never through a float
    listed = await rest.get("/vehicles", headers=key)
    assert [v["battery_capacity_wh"] for v in listed.json()["items"]] == [52_000]


async def test_filtered_by_driver_and_make(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=key)).json()
    mine = await _vehicle(rest, key, driver_id=driver["id"])
    await _vehicle(rest, key, make="Kia", model="EV6")
    by_driver = await rest.get("/vehicles", params={"driver_id": driver["id"]}, headers=key)
    assert [v["id"] for v in by_driver.json()["items"]] == [mine["id"]]
    by_make = await rest.get("/vehicles", params={"make": "Kia", "sort": "model"}, headers=key)
    assert [v["model"] for v in by_make.json()["items"]] == ["EV6"]


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    vehicle = await _vehicle(rest, parent)
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for method, path, body in _routes(vehicle["id"]):
        reply = await rest.request(method, path, json=body, headers=sub)
        assert reply.status_code == 404, (method, path, reply.text)
    assert (await rest.get("/vehicles", headers=sub)).json()["total"] == 0
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=parent)).json()
    borrowed = await rest.post(
        "/vehicles", json={"make": "A", "model": "B", "driver_id": driver["id"]}, headers=sub
    )
    assert borrowed.json()["errors"][0]["field"] == "driver"
    assert (await rest.get(f"/vehicles/{vehicle['id']}", headers=parent)).json() == vehicle


async def test_no_key_and_a_revoked_key_are_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    vehicle = await _vehicle(rest, bearer(keys.make()))
    revoked = bearer(keys.revoked())
    routes = [
        *_routes(vehicle["id"]),
        ("GET", "/vehicles", None),
        ("POST", "/vehicles", {}),
        ("GET", "/vehicles/export", None),
    ]
    for method, path, body in routes:
        for headers in ({}, revoked):
            reply = await rest.request(method, path, json=body, headers=headers)
            assert reply.status_code == 401, (method, path, reply.text)
    viewer = await rest.delete(f"/vehicles/{vehicle['id']}", headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403
