"""Stations over the REST API, real HTTP: create, validate, list, page, export, scope."""

from __future__ import annotations

import json

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]


async def test_create_answers_the_row_and_where_it_lives(rest, keys: Keys) -> None:
    reply = await rest.post(
        "/stations",
        json={"name": "Depot", "timezone": "Europe/Berlin", "latitude": 52.5, "longitude": 13.4},
        headers=bearer(keys.make()),
    )
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["name"] == "Depot" and body["timezone"] == "Europe/Berlin"
    assert body["organisation"] == "Test Operator" and body["charge_points"] == 0
    assert reply.headers["location"] == f"/api/v1/stations/{body['id']}"
    path = reply.headers["location"].removeprefix("/api/v1")
    again = await rest.get(path, headers=bearer(keys.make("Viewer")))
    assert again.json() == body


async def test_invalid_fields_are_one_problem_each_and_nothing_is_saved(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/stations", json={"name": "X", "timezone": "Mars/Base", "latitude": 10}, headers=key
    )
    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert {e["field"]: e["detail"] for e in problem["errors"]} == {
        "longitude": "Give the longitude too (or neither coordinate)",
        "timezone": "'Mars/Base' is not a time zone name; use an IANA name such as "
        "Europe/Berlin or UTC",
    }
    listed = await rest.get("/stations", headers=key)
    assert listed.json()["total"] == 0


async def test_unknown_fields_and_parameters_are_refused(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    body = await rest.post("/stations", json={"name": "A", "colour": "red"}, headers=key)
    query = await rest.get("/stations?colour=red", headers=key)
    for reply, location in ((body, "body"), (query, "query")):
        assert reply.status_code == 422
        (error,) = reply.json()["errors"]
        assert (error["location"], error["field"]) == (location, "colour")
        assert error["detail"].startswith("Unknown field")
    assert (await rest.get("/stations", headers=key)).json()["total"] == 0


async def test_pages_and_cursors_walk_every_row_once(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    for number in range(23):
        await rest.post("/stations", json={"name": f"S{number:02}"}, headers=key)
    seen, cursor = [], None
    while True:
        params = {"page_size": 10, "sort": "name", "order": "desc"}
        if cursor:
            params["cursor"] = cursor
        page = (await rest.get("/stations", params=params, headers=key)).json()
        assert page["total"] == 23
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"S{n:02}" for n in reversed(range(23))]
    third = (await rest.get("/stations?page_size=10&page=3&sort=name", headers=key)).json()
    assert [i["name"] for i in third["items"]] == ["S20", "S21", "S22"]
    assert third["page"] == 3 and third["next_cursor"] is None
    wrong = await rest.get(f"/stations?sort=address&cursor={page['items'][0]['id']}", headers=key)
    assert wrong.status_code == 400


async def test_export_streams_json_lines_and_escaped_csv(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    await rest.post("/stations", json={"name": "=HYPERLINK(1)"}, headers=key)
    await rest.post("/stations", json={"name": "Plain"}, headers=key)
    lines = (await rest.get("/stations/export?format=jsonl", headers=key)).text.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["=HYPERLINK(1)", "Plain"]
    csv_reply = await rest.get("/stations/export", headers=key)
    assert csv_reply.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in csv_reply.text and csv_reply.text.startswith("Id,Name")
    viewer = await rest.get("/stations/export", headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    created = (await rest.post("/stations", json={"name": "Parent's"}, headers=parent)).json()
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    path = f"/stations/{created['id']}"
    assert (await rest.get(path, headers=sub)).status_code == 404
    assert (await rest.patch(path, json={"name": "Mine"}, headers=sub)).status_code == 404
    assert (await rest.delete(path, headers=sub)).status_code == 404
    assert (await rest.get("/stations", headers=sub)).json()["total"] == 0
    assert (await rest.get(path, headers=parent)).json()["name"] == "Parent's"


async def test_no_key_and_a_revoked_key_are_401(rest, keys: Keys) -> None:
    none = await rest.get("/stations")
    revoked = await rest.get("/stations", headers=bearer(keys.revoked()))
    assert none.status_code == revoked.status_code == 401
    assert none.headers["www-authenticate"].startswith("Bearer")
    assert revoked.json()["detail"] == "Unknown or revoked API key."


async def test_update_is_partial_and_delete_removes(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    created = await rest.post("/stations", json={"name": "A", "address": "1 Road"}, headers=key)
    path = created.headers["location"].removeprefix("/api/v1")
    updated = await rest.patch(path, json={"timezone": "Europe/Paris"}, headers=key)
    assert updated.status_code == 200
    assert (updated.json()["address"], updated.json()["timezone"]) == ("1 Road", "Europe/Paris")
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404
