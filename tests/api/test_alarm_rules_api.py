"""Alarm rules and maintenance settings over the REST API, real HTTP: create, validation
naming the bad field (the bad e-mail address), partial update, delete; settings read,
saved within bounds, refused outside them."""

from __future__ import annotations

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

RULE = {
    "name": "Acme faults",
    "cause": "connector_faulted",
    "vendor": "Acme",
    "severity": "critical",
    "email_recipients": ["ops@example.com", "Night@Example.com"],
    "create_work_order": True,
    "work_order_priority": "high",
}


async def test_rule_lifecycle(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    created = await rest.post("/alarm-rules", json=RULE, headers=key)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["email_recipients"] == "ops@example.com, night@example.com"
    assert created.headers["location"] == f"/api/v1/alarm-rules/{rule['id']}"
    wrong = await rest.post(
        "/alarm-rules",
        json={**RULE, "email_recipients": ["ops@example.com", "ops at acme"]},
        headers=key,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [
        {
            "location": "body",
            "field": "email_recipients",
            "detail": "'ops at acme' is not an e-mail address.",
        }
    ]
    roles = await rest.post("/alarm-rules", json={**RULE, "notify_role_ids": [987654]}, headers=key)
    assert roles.json()["errors"][0]["detail"] == "No role 987654 in your organisation."
    enum = await rest.post("/alarm-rules", json={**RULE, "cause": "meteor"}, headers=key)
    assert enum.status_code == 422 and enum.json()["errors"][0]["field"] == "cause"
    path = f"/alarm-rules/{rule['id']}"
    changed = await rest.patch(path, json={"severity": "minor", "enabled": False}, headers=key)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **rule,
        "severity": "minor",
        "enabled": False,
        "updated_at": changed.json()["updated_at"],
    }
    listed = await rest.get("/alarm-rules", params={"cause": "connector_faulted"}, headers=key)
    assert listed.json()["total"] == 1
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.delete(path, headers=viewer)).status_code == 403
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_settings_read_save_and_bounds(
    rest, keys: Keys, organisation: Organisation, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    read = await rest.get("/maintenance-settings", headers=key)
    assert read.status_code == 200
    defaults = read.json()
    assert defaults["organisation_id"] == organisation.id
    assert defaults["offline_threshold_s"] == 600 and defaults["sla_critical_h"] == 4
    body = {k: v for k, v in defaults.items() if k != "organisation_id"}
    saved = await rest.put(
        "/maintenance-settings",
        params={"organisation_id": sub_operator.id},
        json={**body, "offline_threshold_s": 120},
        headers=key,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["offline_threshold_s"] == 120
    assert saved.json()["organisation_id"] == sub_operator.id
    own = await rest.get("/maintenance-settings", headers=key)
    assert own.json()["offline_threshold_s"] == 600  # the parent's are its own
    low = await rest.put("/maintenance-settings", json={**body, "digest_window_s": 1}, headers=key)
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "digest_window_s"
    order = await rest.put("/maintenance-settings", json={**body, "sla_high_h": 2}, headers=key)
    assert order.status_code == 422
    assert order.json()["errors"][0]["detail"] == "SLA high may not be shorter than SLA critical."
    sub_key = bearer(keys.make("Administrator", sub_operator.id))
    outside = await rest.get(
        "/maintenance-settings", params={"organisation_id": organisation.id}, headers=sub_key
    )
    assert outside.status_code == 404
