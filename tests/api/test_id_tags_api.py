"""Id tags (RFID cards) over the REST API, real HTTP: issue, edit, assign, block, delete."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.drivers.support import record_session

__all__ = ["keys", "rest", "served", "sub_operator"]

NEXT_YEAR = date.today() + timedelta(days=365)


async def _card(rest: httpx.AsyncClient, key: dict[str, str], id_tag: str, **fields) -> dict:
    reply = await rest.post("/id-tags", json={"id_tag": id_tag, **fields}, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _routes(card_id: int) -> list[tuple[str, str, dict | None]]:
    path = f"/id-tags/{card_id}"
    return [
        ("GET", path, None),
        ("PATCH", path, {"description": "mine"}),
        ("DELETE", path, None),
        ("POST", f"{path}/block", None),
        ("POST", f"{path}/unblock", None),
    ]


async def test_issue_get_update_and_delete(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=key)).json()
    reply = await rest.post(
        "/id-tags",
        json={
            "id_tag": "04A1B2C3",
            "expiry": NEXT_YEAR.isoformat(),
            "driver_id": driver["id"],
            "description": "Blue fob",
        },
        headers=key,
    )
    assert reply.status_code == 201, reply.text
    card = reply.json()
    assert reply.headers["location"] == f"/api/v1/id-tags/{card['id']}"
    assert (card["id_tag"], card["status"], card["authorization"]) == (
        "04A1B2C3",
        "active",
        "Accepted",
    )
    assert (card["owner_kind"], card["owner"], card["driver_id"]) == ("driver", "Ada", driver["id"])
    assert card["expiry_date"].startswith(f"{NEXT_YEAR.isoformat()}T23:59:59")
    path = f"/id-tags/{card['id']}"
    assert (await rest.get(path, headers=bearer(keys.make("Viewer")))).json() == card

    updated = await rest.patch(
        path, json={"expiry": None, "concurrent_transactions": True}, headers=key
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["expiry_date"] is None
    assert (updated.json()["description"], updated.json()["owner"]) == ("Blue fob", "Ada")
    listed = await rest.get("/id-tags", params={"driver_id": driver["id"]}, headers=key)
    assert [c["id_tag"] for c in listed.json()["items"]] == ["04A1B2C3"]
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_assigning_a_card_to_a_driver_then_to_a_group(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=key)).json()
    group = (await rest.post("/user-groups", json={"name": "Fleet"}, headers=key)).json()
    card = await _card(rest, key, "CARD-1")
    assert card["owner_kind"] == "none"
    path = f"/id-tags/{card['id']}"
    to_driver = await rest.patch(path, json={"driver_id": driver["id"]}, headers=key)
    assert (to_driver.json()["owner_kind"], to_driver.json()["owner"]) == ("driver", "Ada")
    both = await rest.patch(path, json={"group_id": group["id"]}, headers=key)
    assert both.status_code == 422
    assert both.json()["errors"] == [
        {
            "location": "body",
            "field": "owner",
            "detail": "A card belongs to a driver or to a group, not both",
        }
    ]
    to_group = await rest.patch(
        path, json={"driver_id": None, "group_id": group["id"]}, headers=key
    )
    assert (to_group.json()["owner_kind"], to_group.json()["owner"]) == ("group", "Fleet")
    # A group card answers Blocked while the group has no authorised, active member.
    assert to_group.json()["authorization"] == "Blocked"
    missing = await rest.patch(path, json={"group_id": 987654}, headers=key)
    assert missing.json()["errors"][0]["detail"] == "Group 987654 not found"


async def test_invalid_fields_are_the_use_cases_messages(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    await _card(rest, key, "ADA-1")
    reply = await rest.post(
        "/id-tags",
        json={
            "id_tag": "ada-1",
            "expiry": "2001-01-01",
            "parent_id_tag": "NOPE",
            "driver_id": 987654,
            "description": "bell\x07",
        },
        headers=key,
    )
    assert reply.status_code == 422
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "id_tag": "Card ADA-1 already exists (id tags ignore case)",
        "expiry": "The expiry date is in the past; block the card instead",
        "parent_id_tag": "No card 'NOPE'; the parent must be an existing card",
        "owner": "Driver 987654 not found",
        "description": "Contains control characters",
    }
    odd = await rest.post("/id-tags", json={"id_tag": "CAFÉ"}, headers=key)
    assert odd.json()["errors"][0]["detail"] == (
        "Id tag 'CAFÉ' contains 'É'; OCPP allows printable ASCII only"
    )
    too_long = await rest.post("/id-tags", json={"id_tag": "X" * 21}, headers=key)
    assert too_long.json()["errors"][0]["field"] == "id_tag"
    not_a_date = await rest.post("/id-tags", json={"id_tag": "B", "expiry": "soon"}, headers=key)
    assert not_a_date.json()["errors"][0]["field"] == "expiry"
    # A JSON number is not a day (pydantic alone would read 0 as 1970-01-01).
    a_number = await rest.post("/id-tags", json={"id_tag": "B", "expiry": 0}, headers=key)
    assert a_number.status_code == 422 and a_number.json()["errors"][0]["field"] == "expiry"
    a_string = await rest.post(
        "/id-tags", json={"id_tag": "C", "concurrent_transactions": "yes"}, headers=key
    )
    assert a_string.json()["errors"][0]["field"] == "concurrent_transactions"
    assert (await rest.get("/id-tags", headers=key)).json()["total"] == 1


async def test_a_parent_chain_never_makes_a_cycle_and_the_tag_never_changes(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    child = await _card(rest, key, "CHILD")
    parent = await _card(rest, key, "PARENT")
    linked = await rest.patch(
        f"/id-tags/{child['id']}", json={"parent_id_tag": "parent"}, headers=key
    )
    assert linked.json()["parent_id_tag"] == "PARENT"
    cycle = await rest.patch(
        f"/id-tags/{parent['id']}", json={"parent_id_tag": "CHILD"}, headers=key
    )
    assert cycle.json()["errors"] == [
        {
            "location": "body",
            "field": "parent_id_tag",
            "detail": "CHILD already has PARENT above it as parent; that would be a cycle",
        }
    ]
    renamed = await rest.patch(f"/id-tags/{child['id']}", json={"id_tag": "NEW"}, headers=key)
    assert renamed.status_code == 422
    assert renamed.json()["errors"][0]["detail"].startswith("Unknown field")
    refused = await rest.delete(f"/id-tags/{parent['id']}", headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "PARENT is the parent of CHILD; change their parent first"


async def test_block_and_unblock(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    card = await _card(rest, key, "ADA-1")
    blocked = await rest.post(f"/id-tags/{card['id']}/block", headers=key)
    assert blocked.status_code == 200, blocked.text
    assert (blocked.json()["status"], blocked.json()["authorization"]) == ("blocked", "Blocked")
    only_blocked = await rest.get("/id-tags", params={"status": "blocked"}, headers=key)
    assert [c["id"] for c in only_blocked.json()["items"]] == [card["id"]]
    unblocked = await rest.post(f"/id-tags/{card['id']}/unblock", headers=key)
    assert (unblocked.json()["status"], unblocked.json()["authorization"]) == (
        "active",
        "Accepted",
    )


async def test_a_card_used_for_charging_stays(
    rest: httpx.AsyncClient, keys: Keys, organisation: Organisation
) -> None:
    key = bearer(keys.make())
    card = await _card(rest, key, "USED-1")
    record_session(organisation.id or 0, "used-1")
    refused = await rest.delete(f"/id-tags/{card['id']}", headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "USED-1 was used in 1 charging session(s) and stays for the history; block it instead"
    )
    assert (await rest.get(f"/id-tags/{card['id']}", headers=key)).status_code == 200


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    card = await _card(rest, parent, "PARENTS-1")
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for method, path, body in _routes(card["id"]):
        reply = await rest.request(method, path, json=body, headers=sub)
        assert reply.status_code == 404, (method, path, reply.text)
    assert (await rest.get("/id-tags", headers=sub)).json()["total"] == 0
    # Nor can the sub-operator make the parent's card its card's parent or its owner.
    driver = (await rest.post("/drivers", json={"name": "Ada"}, headers=parent)).json()
    borrowed = await rest.post(
        "/id-tags",
        json={"id_tag": "SUBS-1", "parent_id_tag": "PARENTS-1", "driver_id": driver["id"]},
        headers=sub,
    )
    assert {e["field"] for e in borrowed.json()["errors"]} == {"parent_id_tag", "owner"}
    assert (await rest.get(f"/id-tags/{card['id']}", headers=parent)).json() == card


async def test_no_key_and_a_revoked_key_are_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    card = await _card(rest, bearer(keys.make()), "ADA-1")
    revoked = bearer(keys.revoked())
    routes = [*_routes(card["id"]), ("GET", "/id-tags", None), ("POST", "/id-tags", {})]
    for method, path, body in [*routes, ("GET", "/id-tags/export", None)]:
        for headers in ({}, revoked):
            reply = await rest.request(method, path, json=body, headers=headers)
            assert reply.status_code == 401, (method, path, reply.text)
    viewer = await rest.post(f"/id-tags/{card['id']}/block", headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403
