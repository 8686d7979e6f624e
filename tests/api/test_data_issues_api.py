"""Charger data issues over the REST API, real HTTP, with issues a charge point caused over a
real OCPP websocket (a stop of a transaction CCMS never issued, meter values for another):
list, filters, get with payload and policy, export, resolving one, several and all matching,
another organisation's key, a revoked key, bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issues
from ccms_app.core.types import utc_now
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import CP, register
from tests.fixtures.ocpp import connect_charge_point

__all__ = ["keys", "rest", "served", "sub_operator"]

STOP_KIND = data_issues.STOP_UNKNOWN_TRANSACTION
METER_KIND = data_issues.METER_VALUES_UNKNOWN_TRANSACTION


@pytest.fixture
async def issues(
    engine: Engine, organisation: Organisation, ocpp_url: str
) -> AsyncIterator[list[str]]:
    """Two issues of CP, sent over OCPP: a stop of transaction 0 and meter values for 999."""
    register(engine, organisation, utc_now() - timedelta(days=1))
    now = utc_now().isoformat()
    async with connect_charge_point(ocpp_url, CP) as charger:
        await charger.call(call.StopTransaction(meter_stop=1234, timestamp=now, transaction_id=0))
        sample = {"timestamp": now, "sampled_value": [{"value": "10", "unit": "Wh"}]}
        await charger.call(
            call.MeterValues(connector_id=1, meter_value=[sample], transaction_id=999)
        )
        yield [STOP_KIND, METER_KIND]


async def test_issues_are_listed_and_one_has_its_payload_and_policy(
    rest: httpx.AsyncClient, keys: Keys, issues: list[str]
) -> None:
    key = bearer(keys.make("Viewer"))
    listed = (await rest.get("/data-issues?sort=id", headers=key)).json()
    assert [i["kind"] for i in listed["items"]] == issues
    assert {(i["identity"], i["state"]) for i in listed["items"]} == {(CP, "unresolved")}
    assert "payload" not in listed["items"][0]  # pages leave the payloads out, as the UI's
    stop = listed["items"][0]
    only_meters = await rest.get("/data-issues", params={"kind": METER_KIND}, headers=key)
    assert [i["kind"] for i in only_meters.json()["items"]] == [METER_KIND]

    detail = (await rest.get(f"/data-issues/{stop['id']}", headers=key)).json()
    assert {k: detail[k] for k in stop} == stop
    assert json.loads(detail["payload"])["meter_stop"] == 1234
    assert detail["policy"]["title"] == "Stop of an unknown transaction"
    assert detail["policy"]["section"].startswith("StopTransaction with transaction id 0")

    export = await rest.get("/data-issues/export?format=jsonl", headers=bearer(keys.make()))
    rows = [json.loads(line) for line in export.text.splitlines()]
    assert [json.loads(r["payload"]).get("transaction_id") for r in rows] == [0, 999]


async def test_resolving_one_several_and_all_matching(
    rest: httpx.AsyncClient, keys: Keys, issues: list[str]
) -> None:
    key = bearer(keys.make())
    stop, meters = (await rest.get("/data-issues?sort=id", headers=key)).json()["items"]
    path = f"/data-issues/{stop['id']}/resolve"
    viewer = await rest.post(path, headers=bearer(keys.make("Viewer")))
    assert viewer.status_code == 403

    resolved = await rest.post(path, headers=key)
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["state"], body["resolved_by"]) == ("resolved", "API key test Administrator")
    again = await rest.post(path, headers=key)
    assert again.json()["resolved_at"] == body["resolved_at"]  # stays as it was

    ids = {"ids": [stop["id"], meters["id"]]}
    assert (await rest.post("/data-issues/resolve", json=ids, headers=key)).json() == {
        "resolved": 1
    }
    rest_of_them = await rest.post("/data-issues/resolve-matching", json={}, headers=key)
    assert rest_of_them.json() == {"resolved": 0}
    states = await rest.get("/data-issues", params={"state": "unresolved"}, headers=key)
    assert states.json()["total"] == 0


async def test_resolving_what_a_search_matches_leaves_the_others(
    rest: httpx.AsyncClient, keys: Keys, issues: list[str]
) -> None:
    key = bearer(keys.make())
    matching = {"q": "unknown transaction 999", "kind": METER_KIND}
    resolved = await rest.post("/data-issues/resolve-matching", json=matching, headers=key)
    assert resolved.json() == {"resolved": 1}
    left = await rest.get("/data-issues", params={"state": "unresolved"}, headers=key)
    assert [i["kind"] for i in left.json()["items"]] == [STOP_KIND]


async def test_another_organisations_key_sees_and_resolves_nothing(
    rest: httpx.AsyncClient, keys: Keys, issues: list[str], sub_operator: Organisation
) -> None:
    parent = bearer(keys.make())
    stop = (await rest.get("/data-issues?sort=id", headers=parent)).json()["items"][0]
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get("/data-issues", headers=sub)).json()["total"] == 0
    assert (await rest.get(f"/data-issues/{stop['id']}", headers=sub)).status_code == 404
    assert (await rest.post(f"/data-issues/{stop['id']}/resolve", headers=sub)).status_code == 404
    bulk = await rest.post("/data-issues/resolve", json={"ids": [stop["id"]]}, headers=sub)
    everything = await rest.post("/data-issues/resolve-matching", json={}, headers=sub)
    assert bulk.json() == everything.json() == {"resolved": 0}
    unresolved = await rest.get("/data-issues?state=unresolved", headers=parent)
    assert unresolved.json()["total"] == 2


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    for method, path in (
        ("GET", "/data-issues"),
        ("GET", "/data-issues/1"),
        ("POST", "/data-issues/1/resolve"),
        ("POST", "/data-issues/resolve"),
    ):
        reply = await rest.request(method, path, json={"ids": [1]}, headers=revoked)
        assert reply.status_code == 401, path


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/data-issues/resolve", {"ids": []}, "ids"),
        ("/data-issues/resolve", {"ids": [0]}, "ids.0"),
        ("/data-issues/resolve", {"ids": list(range(1, 1002))}, "ids"),
        ("/data-issues/resolve", {"ids": [1], "all": True}, "all"),
        ("/data-issues/resolve-matching", {"charge_point_id": -1}, "charge_point_id"),
        ("/data-issues/resolve-matching", {"q": "x" * 201}, "q"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, path: str, body: dict[str, object], field: str
) -> None:
    reply = await rest.post(path, json=body, headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]
    for bad in ("/data-issues/0", "/data-issues?charge_point_id=x"):
        assert (await rest.get(bad, headers=bearer(keys.make()))).status_code == 422
