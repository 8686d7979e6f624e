"""Alarms over the REST API, real HTTP: list with filters and export, one alarm with its
timeline, acknowledge / assign / comment / close / reopen / exclusion, bulk acknowledge,
scope and permissions, problem+json errors."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.maintenance.alarms import seed

__all__ = ["keys", "rest", "served", "sub_operator"]


async def test_list_detail_and_actions(rest, keys: Keys, organisation: Organisation) -> None:
    org = organisation.id or 0
    key = bearer(keys.make())
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp, severity="critical")
    other = seed.alarm(org, cp, cause="offline", connector_id=0, severity="minor")
    listed = await rest.get("/alarms", params={"severity": "critical"}, headers=key)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 1 and body["items"][0]["id"] == alarm_id
    assert body["items"][0]["charge_point"] == "CP-1" and body["items"][0]["station"] == "Depot"
    active = await rest.get("/alarms", params={"status": "active", "sort": "id"}, headers=key)
    assert [a["id"] for a in active.json()["items"]] == [alarm_id, other]
    bad = await rest.get("/alarms", params={"status": "sleeping"}, headers=key)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"

    acked = await rest.post(f"/alarms/{alarm_id}/acknowledge", headers=key)
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "API key test Administrator"
    again = await rest.post(f"/alarms/{alarm_id}/acknowledge", headers=key)
    assert again.status_code == 409 and "already acknowledged" in again.json()["detail"]
    # A domain error answers its code (the English message id) and values beside the words.
    assert again.json()["code"] == "Alarm {alarm_id} was already acknowledged by {who}."
    assert again.json()["params"] == {
        "alarm_id": str(alarm_id),
        "who": "API key test Administrator",
    }

    tech = seed.account(org, "tech@ccms.test")
    assigned = await rest.post(
        f"/alarms/{alarm_id}/assign", json={"assignee_account_id": tech}, headers=key
    )
    assert assigned.json()["assignee"] == "tech@ccms.test"
    comment = await rest.post(
        f"/alarms/{alarm_id}/comments", json={"text": "On my way"}, headers=key
    )
    assert comment.status_code == 201 and comment.json()["kind"] == "comment"
    excluded = await rest.post(
        f"/alarms/{alarm_id}/exclusion", json={"reason": "vandalism"}, headers=key
    )
    assert excluded.json()["excluded_reason"] == "vandalism"
    empty = await rest.post(f"/alarms/{alarm_id}/close", json={"reason": ""}, headers=key)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    closed = await rest.post(
        f"/alarms/{alarm_id}/close", json={"reason": "Cable replaced"}, headers=key
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["downtime_s"] >= 3600

    one = await rest.get(f"/alarms/{alarm_id}", headers=key)
    assert one.status_code == 200
    kinds = [a["kind"] for a in one.json()["activity"]]
    assert kinds == ["raised", "acknowledged", "assigned", "comment", "excluded", "closed"]
    assert one.json()["work_orders"] == [] and one.json()["close_reason"] == "Cable replaced"
    reopened = await rest.post(f"/alarms/{alarm_id}/reopen", json={}, headers=key)
    assert reopened.json()["status"] == "open"

    bulk = await rest.post(
        "/alarms/acknowledge", json={"alarm_ids": [alarm_id, other, 987654]}, headers=key
    )
    assert bulk.json() == {"acknowledged": [alarm_id, other]}
    export = await rest.get("/alarms/export", params={"format": "csv"}, headers=key)
    assert export.status_code == 200 and export.text.splitlines()[0].startswith("Alarm,Status")
    assert len(export.text.splitlines()) == 3


async def test_scope_permissions_and_validation(
    rest, keys: Keys, organisation: Organisation, sub_operator: Organisation
) -> None:
    parent_alarm = seed.alarm(organisation.id or 0, seed.charge_point(organisation.id or 0))
    sub_key = bearer(keys.make("Administrator", sub_operator.id))
    assert (await rest.get(f"/alarms/{parent_alarm}", headers=sub_key)).status_code == 404
    hidden = await rest.post(f"/alarms/{parent_alarm}/acknowledge", headers=sub_key)
    assert hidden.status_code == 404
    assert (await rest.get("/alarms", headers=sub_key)).json()["total"] == 0
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/alarms/{parent_alarm}", headers=viewer)).status_code == 200
    refused = await rest.post(f"/alarms/{parent_alarm}/close", json={"reason": "x"}, headers=viewer)
    assert refused.status_code == 403
    key = bearer(keys.make())
    unknown = await rest.post(
        f"/alarms/{parent_alarm}/exclusion", json={"reason": "bad luck"}, headers=key
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "reason"
    extra = await rest.post(
        f"/alarms/{parent_alarm}/comments", json={"text": "x", "y": 1}, headers=key
    )
    assert extra.status_code == 422
    nobody = await rest.post(
        f"/alarms/{parent_alarm}/assign", json={"assignee_account_id": 987654}, headers=key
    )
    assert nobody.status_code == 422
    assert nobody.json()["errors"][0]["field"] == "assignee_account_id"
