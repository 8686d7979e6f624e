"""User groups over the REST API, real HTTP: the group account (no price: members are billed
with the group's tariff) and its members."""

from __future__ import annotations

import httpx

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]


async def _group(rest: httpx.AsyncClient, key: dict[str, str], **fields: str) -> dict:
    reply = await rest.post("/user-groups", json={"name": "Fleet", **fields}, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def _driver(rest: httpx.AsyncClient, key: dict[str, str], name: str = "Ada") -> dict:
    reply = await rest.post(
        "/drivers", json={"name": name, "email": "ada@example.com"}, headers=key
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def _routes(group_id: int, driver_id: int) -> list[tuple[str, str, dict | None]]:
    path = f"/user-groups/{group_id}"
    member = f"{path}/members/{driver_id}"
    return [
        ("GET", path, None),
        ("PATCH", path, {"name": "Mine"}),
        ("DELETE", path, None),
        ("GET", f"{path}/members", None),
        ("POST", f"{path}/members", {"driver_id": driver_id}),
        ("GET", member, None),
        ("PATCH", member, {"authorised": False}),
        ("DELETE", member, None),
    ]


async def test_create_get_update_and_delete(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/user-groups", json={"name": "Fleet", "account_name": "ACME"}, headers=key
    )
    assert reply.status_code == 201, reply.text
    group = reply.json()
    assert reply.headers["location"] == f"/api/v1/user-groups/{group['id']}"
    assert (group["account_name"], group["members"]) == ("ACME", 0)
    assert group["organisation"] == "Test Operator"
    assert not {"price_minor", "price_per_kwh", "currency"} & set(group)  # the group's tariff
    path = f"/user-groups/{group['id']}"
    assert (await rest.get(path, headers=bearer(keys.make("Viewer")))).json() == group

    renamed = await rest.patch(path, json={"billing_email": "pay@acme.example"}, headers=key)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == group | {"billing_email": "pay@acme.example"}
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_invalid_fields_are_the_use_cases_messages(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    await _group(rest, key)
    reply = await rest.post(
        "/user-groups", json={"name": "fleet", "billing_email": "nope"}, headers=key
    )
    assert reply.status_code == 422
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "name": "A group named 'fleet' already exists",
        "billing_email": "'nope' is not an email address",
    }
    assert (await rest.get("/user-groups", headers=key)).json()["total"] == 1


async def test_a_group_price_is_refused_the_tariff_prices_members(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    """A price typed on the group would be billed by nothing: unknown fields are refused."""
    key = bearer(keys.make())
    group = await _group(rest, key)
    for body in ({"name": "B", "price_per_kwh": "0.29"}, {"name": "C", "currency": "EUR"}):
        refused = await rest.post("/user-groups", json=body, headers=key)
        assert refused.status_code == 422, refused.text
    patched = await rest.patch(
        f"/user-groups/{group['id']}", json={"price_per_kwh": "0.29"}, headers=key
    )
    assert patched.status_code == 422, patched.text
    assert (await rest.get("/user-groups", headers=key)).json()["total"] == 1


async def test_members_are_added_authorised_or_not_and_removed(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    group, driver = await _group(rest, key), await _driver(rest, key)
    members = f"/user-groups/{group['id']}/members"
    added = await rest.post(members, json={"driver_id": driver["id"]}, headers=key)
    assert added.status_code == 201, added.text
    member = {
        "driver_id": driver["id"],
        "name": "Ada",
        "email": "ada@example.com",
        "driver_status": "active",
        "authorised": True,
    }
    assert added.json() == member
    assert added.headers["location"] == f"/api/v1{members}/{driver['id']}"
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"{members}/{driver['id']}", headers=viewer)).json() == member
    assert (await rest.get(members, headers=viewer)).json() == [member]
    assert (await rest.get(f"/user-groups/{group['id']}", headers=key)).json()["members"] == 1

    stopped = await rest.patch(f"{members}/{driver['id']}", json={"authorised": False}, headers=key)
    assert stopped.json() == member | {"authorised": False}
    twice = await rest.post(members, json={"driver_id": driver["id"]}, headers=key)
    assert twice.json()["errors"] == [
        {"location": "body", "field": "driver", "detail": "Ada is already in Fleet"}
    ]
    unknown = await rest.post(members, json={"driver_id": 987654}, headers=key)
    assert unknown.json()["errors"][0]["detail"] == "Choose a driver"
    for body in ({}, {"authorised": "false"}):  # a yes/no is a JSON boolean, nothing else
        refused = await rest.patch(f"{members}/{driver['id']}", json=body, headers=key)
        assert refused.status_code == 422

    assert (await rest.delete(f"{members}/{driver['id']}", headers=key)).status_code == 204
    gone = await rest.delete(f"{members}/{driver['id']}", headers=key)
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"driver {driver['id']} is not in group {group['id']}"
    assert (await rest.get(members, headers=key)).json() == []


async def test_a_group_with_cards_is_not_deleted(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    group = await _group(rest, key)
    await rest.post("/id-tags", json={"id_tag": "FLEET-1", "group_id": group["id"]}, headers=key)
    refused = await rest.delete(f"/user-groups/{group['id']}", headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Fleet has 1 group card(s) (FLEET-1); assign them to someone else or delete them first"
    )


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    group, driver = await _group(rest, parent), await _driver(rest, parent)
    await rest.post(
        f"/user-groups/{group['id']}/members", json={"driver_id": driver["id"]}, headers=parent
    )
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for method, path, body in _routes(group["id"], driver["id"]):
        reply = await rest.request(method, path, json=body, headers=sub)
        assert reply.status_code == 404, (method, path, reply.text)
    assert (await rest.get("/user-groups", headers=sub)).json()["total"] == 0
    theirs = await _group(rest, sub, name="Sub fleet")
    borrowed = await rest.post(
        f"/user-groups/{theirs['id']}/members", json={"driver_id": driver["id"]}, headers=sub
    )
    assert borrowed.json()["errors"][0]["detail"] == "Choose a driver"
    members = await rest.get(f"/user-groups/{group['id']}/members", headers=parent)
    assert [m["authorised"] for m in members.json()] == [True]


async def test_no_key_and_a_revoked_key_are_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    group, driver = await _group(rest, key), await _driver(rest, key)
    revoked = bearer(keys.revoked())
    routes = [
        *_routes(group["id"], driver["id"]),
        ("GET", "/user-groups", None),
        ("POST", "/user-groups", {}),
        ("GET", "/user-groups/export", None),
    ]
    for method, path, body in routes:
        for headers in ({}, revoked):
            reply = await rest.request(method, path, json=body, headers=headers)
            assert reply.status_code == 401, (method, path, reply.text)
    viewer = bearer(keys.make("Viewer"))
    refused = await rest.post(
        f"/user-groups/{group['id']}/members", json={"driver_id": driver["id"]}, headers=viewer
    )
    assert refused.status_code == 403
