"""Operation areas over the REST API, real HTTP: create, validate, update, delete, scope."""

from __future__ import annotations

import json

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]


async def _area(rest: httpx.AsyncClient, key: str, **body: object) -> dict:
    reply = await rest.post("/operation-areas", json=body, headers=bearer(key))
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_create_answers_the_row_where_it_lives_and_it_is_listed(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = keys.make()
    reply = await rest.post("/operation-areas", json={"name": "North"}, headers=bearer(key))
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body == {
        "id": body["id"],
        "name": "North",
        "organisation": "Test Operator",
        "stations": 0,
    }
    assert reply.headers["location"] == f"/api/v1/operation-areas/{body['id']}"
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/operation-areas/{body['id']}", headers=viewer)).json() == body
    listed = (await rest.get("/operation-areas?q=nor", headers=viewer)).json()
    assert (listed["total"], listed["items"]) == (1, [body])
    exported = await rest.get("/operation-areas/export?format=jsonl", headers=bearer(key))
    assert [json.loads(line)["name"] for line in exported.text.splitlines()] == ["North"]


async def test_invalid_input_is_the_use_cases_message_per_field(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    key = bearer(keys.make())
    await _area(rest, keys.make(), name="North")
    for body, errors in (
        ({"name": "  "}, {"name": "Area name is required"}),
        ({"name": "NORTH"}, {"name": "An area named 'NORTH' already exists"}),
        (
            {"name": "South", "organisation_id": 987654},
            {"organisation_id": "Choose an organisation you manage"},
        ),
    ):
        reply = await rest.post("/operation-areas", json=body, headers=key)
        assert reply.status_code == 422, reply.text
        assert reply.headers["content-type"] == "application/problem+json"
        assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == errors
    too_long = await rest.post("/operation-areas", json={"name": "x" * 201}, headers=key)
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["name"]
    assert (await rest.get("/operation-areas", headers=key)).json()["total"] == 1


async def test_a_duplicate_name_beyond_ascii_is_refused_not_an_error(
    rest: httpx.AsyncClient, keys: Keys
) -> None:
    """SQLite's lower() folds ASCII only: the database's unique constraint has the last word,
    and the use case answers it as the name error the page shows."""
    key = keys.make()
    await _area(rest, key, name="Ängelholm")
    again = await rest.post("/operation-areas", json={"name": "Ängelholm"}, headers=bearer(key))
    assert again.status_code == 422, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["errors"][0]["field"] == "name"
    assert (await rest.get("/operation-areas", headers=bearer(key))).json()["total"] == 1
    await rest.post("/stations", json={"name": "Ørsted"}, headers=bearer(key))
    station = await rest.post("/stations", json={"name": "Ørsted"}, headers=bearer(key))
    assert station.status_code == 422 and station.json()["errors"][0]["field"] == "name"


async def test_update_is_partial_and_can_give_the_area_to_a_sub_operator(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    area = await _area(rest, keys.make(), name="North")
    path = f"/operation-areas/{area['id']}"
    renamed = await rest.patch(path, json={"name": "North-East"}, headers=key)
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["organisation"]) == (
        "North-East",
        "Test Operator",
    )
    moved = await rest.patch(path, json={"organisation_id": sub_operator.id}, headers=key)
    assert (moved.json()["name"], moved.json()["organisation"]) == ("North-East", "Sub Operator")
    refused = await rest.patch(path, json={"name": ""}, headers=key)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"location": "body", "field": "name", "detail": "Area name is required"}
    ]


async def test_an_area_with_stations_is_not_deleted(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    area = await _area(rest, keys.make(), name="North")
    path = f"/operation-areas/{area['id']}"
    station = await rest.post(
        "/stations", json={"name": "Depot", "area_id": area["id"]}, headers=key
    )
    refused = await rest.delete(path, headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Area 'North' still has 1 station: move them to another area first"
    )
    assert (await rest.get(path, headers=key)).json()["stations"] == 1
    await rest.patch(f"/stations/{station.json()['id']}", json={"area_id": None}, headers=key)
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_a_sub_operators_key_gets_404_for_the_parents_areas_and_the_parent_sees_its(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent, sub = keys.make(), keys.make(organisation_id=sub_operator.id)
    parents = await _area(rest, parent, name="Parent's")
    subs = await _area(rest, sub, name="Sub's")
    assert subs["organisation"] == "Sub Operator"
    path = f"/operation-areas/{parents['id']}"
    assert (await rest.get(path, headers=bearer(sub))).status_code == 404
    assert (await rest.patch(path, json={"name": "Mine"}, headers=bearer(sub))).status_code == 404
    assert (await rest.delete(path, headers=bearer(sub))).status_code == 404
    given = await rest.post(
        "/operation-areas",
        json={"name": "Gift", "organisation_id": keys.organisation_id},
        headers=bearer(sub),
    )
    assert given.status_code == 422
    assert [e["field"] for e in given.json()["errors"]] == ["organisation_id"]
    assert [
        i["name"] for i in (await rest.get("/operation-areas", headers=bearer(sub))).json()["items"]
    ] == ["Sub's"]
    seen = (await rest.get("/operation-areas", headers=bearer(parent))).json()["items"]
    assert [i["name"] for i in seen] == ["Parent's", "Sub's"]
    sub_path = f"/operation-areas/{subs['id']}"
    assert (await rest.get(sub_path, headers=bearer(parent))).json() == subs
    assert (await rest.delete(sub_path, headers=bearer(parent))).status_code == 204
    assert (await rest.get(path, headers=bearer(parent))).json()["name"] == "Parent's"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/operation-areas", None),
        ("GET", "/operation-areas/export", None),
        ("GET", "/operation-areas/{id}", None),
        ("POST", "/operation-areas", {"name": "X"}),
        ("PATCH", "/operation-areas/{id}", {"name": "X"}),
        ("DELETE", "/operation-areas/{id}", None),
    ],
)
async def test_a_revoked_key_is_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys, method: str, path: str, body: dict | None
) -> None:
    area = await _area(rest, keys.make(), name="North")
    url = path.format(id=area["id"])
    reply = await rest.request(method, url, json=body, headers=bearer(keys.revoked()))
    assert reply.status_code == 401
    assert reply.json()["detail"] == "Unknown or revoked API key."
    assert (
        await rest.get(f"/operation-areas/{area['id']}", headers=bearer(keys.make()))
    ).json() == area
