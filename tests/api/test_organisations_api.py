"""Organisations over the REST API, real HTTP: the key's own and its sub-operators with their
licences; creating a sub-operator with its first administrator; changing a licence. The
rules are System -> Sub-operators': system:edit, at the top of the tree only."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.auth import verify_password
from ccms_app.accounts.models import AuditEntry, OperatorAccount, Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

PASSWORD = "violet tractor sandwich 1987"
NEW_SUB = {
    "name": "Fleet Partner",
    "admin_name": "Pat Partner",
    "admin_email": "Pat@Partner.example",
    "admin_password": PASSWORD,
    "max_charge_points": 10,
    "max_connectors": 20,
    "valid_from": "2026-01-01",
    "valid_to": "2030-12-31",
}


async def test_a_key_lists_its_organisation_and_its_sub_operators(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    listed = (await rest.get("/organisations", headers=parent)).json()
    assert [(i["name"], i["parent_id"]) for i in listed["items"]] == [
        ("Sub Operator", keys.organisation_id),
        ("Test Operator", None),
    ]
    sub_row = listed["items"][0]
    assert sub_row == {
        "id": sub_operator.id,
        "name": "Sub Operator",
        "parent_id": keys.organisation_id,
        "charge_points": 0,
        "max_charge_points": None,
        "connectors": 0,
        "max_connectors": None,
        "valid_from": None,
        "valid_to": None,
    }
    assert (await rest.get(f"/organisations/{sub_operator.id}", headers=parent)).json() == sub_row
    only_subs = await rest.get(f"/organisations?parent_id={keys.organisation_id}", headers=parent)
    assert only_subs.json()["total"] == 1
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert [i["name"] for i in (await rest.get("/organisations", headers=sub)).json()["items"]] == [
        "Sub Operator"
    ]
    assert (
        await rest.get(f"/organisations/{keys.organisation_id}", headers=sub)
    ).status_code == 404
    viewer = bearer(keys.make("Viewer"))  # no System permission
    assert (await rest.get("/organisations", headers=viewer)).status_code == 403


async def test_creating_a_sub_operator_makes_its_first_administrator(
    rest: httpx.AsyncClient, keys: Keys, engine: Engine
) -> None:
    key = bearer(keys.make())
    reply = await rest.post("/organisations", json=NEW_SUB, headers=key)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    row = body["organisation"]
    assert reply.headers["location"] == f"/api/v1/organisations/{row['id']}"
    assert body["administrator_email"] == "pat@partner.example"
    assert {k: row[k] for k in ("name", "parent_id", "max_charge_points", "valid_to")} == {
        "name": "Fleet Partner",
        "parent_id": keys.organisation_id,
        "max_charge_points": 10,
        "valid_to": "2030-12-31",
    }
    assert (await rest.get(f"/organisations/{row['id']}", headers=key)).json() == row
    with Session(engine) as session:
        account = session.get(OperatorAccount, body["administrator_id"])
        assert account is not None and account.organisation_id == row["id"]
        assert account.must_change_password and verify_password(account.password_hash, PASSWORD)
        audited = session.exec(
            select(AuditEntry).where(AuditEntry.action == "sub_operator.create")
        ).one()
    assert PASSWORD not in audited.detail and "pat@partner.example" in audited.detail


async def test_invalid_input_is_the_use_cases_message_per_field(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    body = NEW_SUB | {
        "name": "sub operator",
        "admin_email": "nope",
        "admin_password": "short",
        "valid_from": "2030-01-01",
        "valid_to": "2029-01-01",
    }
    reply = await rest.post("/organisations", json=body, headers=key)
    assert reply.status_code == 422, reply.text
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "admin_email": "Not a valid email address: 'nope'.",
        "admin_password": "The password must have at least 12 characters.",
        "valid_to": "The licence cannot end before it starts.",
    }
    taken = await rest.post("/organisations", json=NEW_SUB | {"name": "sub operator"}, headers=key)
    assert taken.json()["errors"] == [
        {
            "location": "body",
            "field": "name",
            "detail": "An organisation named 'sub operator' already exists.",
        }
    ]
    weak = await rest.post(
        "/organisations", json=NEW_SUB | {"admin_password": "password1234"}, headers=key
    )
    assert [e["field"] for e in weak.json()["errors"]] == ["admin_password"]
    schema = await rest.post("/organisations", json=NEW_SUB | {"max_connectors": -1}, headers=key)
    assert [e["field"] for e in schema.json()["errors"]] == ["max_connectors"]
    assert (await rest.get("/organisations", headers=key)).json()["total"] == 2


async def test_only_the_operator_at_the_top_with_system_edit_creates_them(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    subs_admin = bearer(keys.make(organisation_id=sub_operator.id))
    refused = await rest.post("/organisations", json=NEW_SUB, headers=subs_admin)
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "A sub-operator cannot manage sub-operators: its operator does."
    )
    own = await rest.patch(
        f"/organisations/{sub_operator.id}", json={"max_charge_points": 99}, headers=subs_admin
    )
    assert own.status_code == 403
    operator = bearer(keys.make("Operator"))  # system:view only
    assert (await rest.post("/organisations", json=NEW_SUB, headers=operator)).status_code == 403
    assert (await rest.get("/organisations", headers=operator)).json()["total"] == 2


async def test_a_licence_change_is_partial_and_null_lifts_a_bound(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    path = f"/organisations/{sub_operator.id}"
    first = await rest.patch(
        path, json={"max_charge_points": 5, "valid_to": "2031-06-30"}, headers=key
    )
    assert first.status_code == 200, first.text
    assert (first.json()["max_charge_points"], first.json()["valid_to"]) == (5, "2031-06-30")
    second = await rest.patch(path, json={"max_connectors": 12}, headers=key)
    assert (second.json()["max_charge_points"], second.json()["max_connectors"]) == (5, 12)
    assert second.json()["valid_to"] == "2031-06-30"
    lifted = await rest.patch(path, json={"max_charge_points": None}, headers=key)
    assert (lifted.json()["max_charge_points"], lifted.json()["max_connectors"]) == (None, 12)
    backwards = await rest.patch(path, json={"valid_from": "2032-01-01"}, headers=key)
    assert backwards.json()["errors"] == [
        {
            "location": "body",
            "field": "valid_to",
            "detail": "The licence cannot end before it starts.",
        }
    ]
    not_a_sub = await rest.patch(
        f"/organisations/{keys.organisation_id}", json={"max_connectors": 1}, headers=key
    )
    assert not_a_sub.status_code == 404


async def test_a_licence_count_must_be_a_number_not_true_or_false(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    # JSON true would otherwise pass as 1 charge point (schemathesis found it).
    key = bearer(keys.make())
    path = f"/organisations/{sub_operator.id}"
    reply = await rest.patch(path, json={"max_charge_points": True}, headers=key)
    assert reply.status_code == 422, reply.text
    assert reply.json()["errors"][0]["field"] == "max_charge_points"
    unchanged = await rest.get(path, headers=key)
    assert unchanged.json()["max_charge_points"] is None


async def test_a_licence_day_must_be_a_day_not_a_number(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    # A number would otherwise pass as a Unix time: 0 -> 1970-01-01 (schemathesis found it).
    key = bearer(keys.make())
    path = f"/organisations/{sub_operator.id}"
    for day in (0, "20260101", "2026-01-01T00:00:00Z"):
        reply = await rest.patch(path, json={"valid_from": day}, headers=key)
        assert reply.status_code == 422, reply.text
        assert reply.json()["errors"][0]["field"] == "valid_from"
        assert "YYYY-MM-DD" in reply.json()["errors"][0]["detail"]
    assert (await rest.get(path, headers=key)).json()["valid_from"] is None
    good = await rest.patch(path, json={"valid_from": "2026-01-01"}, headers=key)
    assert good.status_code == 200 and good.json()["valid_from"] == "2026-01-01"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/organisations", None),
        ("GET", "/organisations/export", None),
        ("GET", "/organisations/{id}", None),
        ("POST", "/organisations", NEW_SUB),
        ("PATCH", "/organisations/{id}", {"max_charge_points": 1}),
    ],
)
async def test_a_revoked_key_is_401_on_every_route(
    rest: httpx.AsyncClient,
    keys: Keys,
    sub_operator: Organisation,
    method: str,
    path: str,
    body: dict | None,
) -> None:
    url = path.format(id=sub_operator.id)
    reply = await rest.request(method, url, json=body, headers=bearer(keys.revoked()))
    assert reply.status_code == 401
    row = (await rest.get(f"/organisations/{sub_operator.id}", headers=bearer(keys.make()))).json()
    assert (row["name"], row["max_charge_points"]) == ("Sub Operator", None)
