"""Drivers over the REST API, real HTTP: the Users pages' use cases, their messages, scope."""

from __future__ import annotations

import httpx

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]


async def _driver(rest: httpx.AsyncClient, key: dict[str, str], **fields: str) -> dict:
    reply = await rest.post("/drivers", json={"name": "Ada", **fields}, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _routes(driver_id: int) -> list[tuple[str, str, dict | None]]:
    path = f"/drivers/{driver_id}"
    return [
        ("GET", path, None),
        ("PATCH", path, {"name": "Mine"}),
        ("DELETE", path, None),
        ("POST", f"{path}/suspend", None),
        ("POST", f"{path}/reactivate", None),
        ("GET", f"{path}/groups", None),
    ]


async def test_create_get_update_and_delete(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/drivers", json={"name": " Ada ", "email": "ada@example.com"}, headers=key
    )
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert (created["name"], created["email"], created["phone"]) == ("Ada", "ada@example.com", "")
    assert (created["status"], created["organisation"]) == ("active", "Test Operator")
    assert reply.headers["location"] == f"/api/v1/drivers/{created['id']}"
    path = f"/drivers/{created['id']}"
    assert (await rest.get(path, headers=bearer(keys.make("Viewer")))).json() == created

    updated = await rest.patch(path, json={"phone": "+31 20 123 4567"}, headers=key)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["email"]) == ("Ada", "ada@example.com")
    assert updated.json()["phone"] == "+31 20 123 4567"
    cleared = await rest.patch(path, json={"email": None}, headers=key)
    assert (cleared.json()["email"], cleared.json()["phone"]) == ("", "+31 20 123 4567")

    listed = await rest.get("/drivers", params={"q": "ada"}, headers=key)
    assert [d["id"] for d in listed.json()["items"]] == [created["id"]]
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_invalid_fields_are_the_use_cases_messages(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/drivers", json={"name": "  ", "email": "nope", "phone": "call me"}, headers=key
    )
    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "name": "Name is required",
        "email": "'nope' is not an email address",
        "phone": "Use digits, spaces and + ( ) - . /, e.g. +31 20 123 4567",
    }
    first = await _driver(rest, key, email="ada@example.com")
    other = await _driver(rest, key, email="bob@example.com")
    clash = await rest.patch(
        f"/drivers/{other['id']}", json={"email": "ADA@example.com"}, headers=key
    )
    assert clash.status_code == 422
    assert clash.json()["errors"] == [
        {
            "location": "body",
            "field": "email",
            "detail": "Another driver already uses ADA@example.com",
        }
    ]
    unknown = await rest.post("/drivers", json={"name": "X", "colour": "red"}, headers=key)
    assert unknown.json()["errors"][0]["field"] == "colour"
    too_long = await rest.post("/drivers", json={"name": "x" * 201}, headers=key)
    assert too_long.status_code == 422
    listed = await rest.get("/drivers", headers=key)
    assert [d["id"] for d in listed.json()["items"]] == [first["id"], other["id"]]
    assert listed.json()["items"][1]["email"] == "bob@example.com"


async def test_suspend_blocks_the_drivers_cards_and_reactivate_undoes_it(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    driver = await _driver(rest, key)
    card = await rest.post(
        "/id-tags", json={"id_tag": "ADA-1", "driver_id": driver["id"]}, headers=key
    )
    assert card.json()["authorization"] == "Accepted"
    suspended = await rest.post(f"/drivers/{driver['id']}/suspend", headers=key)
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    card_now = await rest.get(f"/id-tags/{card.json()['id']}", headers=key)
    assert card_now.json()["authorization"] == "Blocked"
    only_suspended = await rest.get("/drivers", params={"status": "suspended"}, headers=key)
    assert only_suspended.json()["total"] == 1
    again = await rest.post(f"/drivers/{driver['id']}/reactivate", headers=key)
    assert again.json()["status"] == "active"
    card_now = await rest.get(f"/id-tags/{card.json()['id']}", headers=key)
    assert card_now.json()["authorization"] == "Accepted"


async def test_a_driver_with_cards_is_not_deleted(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    driver = await _driver(rest, key)
    await rest.post("/id-tags", json={"id_tag": "ADA-1", "driver_id": driver["id"]}, headers=key)
    refused = await rest.delete(f"/drivers/{driver['id']}", headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Ada has 1 card(s) and cannot be deleted; suspend the driver instead"
    )
    assert (await rest.get(f"/drivers/{driver['id']}", headers=key)).status_code == 200


async def test_the_groups_a_driver_is_in(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    driver = await _driver(rest, key)
    assert (await rest.get(f"/drivers/{driver['id']}/groups", headers=key)).json() == []
    group = (await rest.post("/user-groups", json={"name": "Fleet"}, headers=key)).json()
    await rest.post(
        f"/user-groups/{group['id']}/members",
        json={"driver_id": driver["id"], "authorised": False},
        headers=key,
    )
    groups = await rest.get(f"/drivers/{driver['id']}/groups", headers=bearer(keys.make("Viewer")))
    assert groups.json() == [{"id": group["id"], "name": "Fleet", "authorised": False}]


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    driver = await _driver(rest, parent)
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for method, path, body in _routes(driver["id"]):
        reply = await rest.request(method, path, json=body, headers=sub)
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
    assert (await rest.get("/drivers", headers=sub)).json()["total"] == 0
    theirs = await _driver(rest, sub, name="Sub's driver")
    assert theirs["organisation"] == "Sub Operator"
    seen = await rest.get(f"/drivers/{theirs['id']}", headers=parent)  # the parent sees it
    assert seen.status_code == 200
    assert (await rest.get(f"/drivers/{driver['id']}", headers=parent)).json() == driver


async def test_no_key_and_a_revoked_key_are_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    driver = await _driver(rest, bearer(keys.make()))
    revoked = bearer(keys.revoked())
    routes = [*_routes(driver["id"]), ("GET", "/drivers", None), ("POST", "/drivers", {})]
    for method, path, body in [*routes, ("GET", "/drivers/export", None)]:
        for headers in ({}, revoked):
            reply = await rest.request(method, path, json=body, headers=headers)
            assert reply.status_code == 401, (method, path, reply.text)
    viewer = await rest.delete(f"/drivers/{driver['id']}", headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403
