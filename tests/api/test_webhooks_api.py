"""Webhooks over the REST API, real HTTP: create (the secret once), validate, update, a new
secret, scope, delete, and a test event delivered to a real receiver with its log."""

from __future__ import annotations

import hashlib
import hmac

from ccms_app.accounts.models import Organisation
from ccms_app.webhooks.delivery import DeliveryWorker
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.fixtures.ocpp import eventually
from tests.webhooks.receiver import Receiver, receiver
from tests.webhooks.support import FAST

__all__ = ["keys", "receiver", "rest", "served", "sub_operator"]
HOOK = "https://erp.example.com/ccms"


async def _create(rest, key: dict[str, str], **fields) -> dict:
    reply = await rest.post("/webhooks", json={"name": "ERP", "url": HOOK} | fields, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_create_answers_the_secret_once_and_the_row(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/webhooks",
        json={"name": "ERP", "url": HOOK, "events": ["session.started", "session.stopped"]},
        headers=key,
    )
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert created["secret"].startswith("whsec_")
    webhook = created["webhook"]
    assert webhook["events"] == "session.started,session.stopped" and webhook["enabled"] is True
    assert webhook["organisation"] == "Test Operator" and webhook["undelivered"] == 0
    assert reply.headers["location"] == f"/api/v1/webhooks/{webhook['id']}"
    again = await rest.get(f"/webhooks/{webhook['id']}", headers=bearer(keys.make("Operator")))
    assert again.json() == webhook and "secret" not in again.text
    listed = await rest.get("/webhooks", headers=key)
    assert listed.json()["total"] == 1 and created["secret"] not in listed.text


async def test_invalid_fields_are_one_problem_each(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/webhooks",
        json={"name": " ", "url": "ftp://erp", "events": ["session.paused"], "secret": "short"},
        headers=key,
    )
    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["detail"] for e in reply.json()["errors"]}
    assert set(fields) == {"name", "url", "events", "secret"}
    assert fields["url"] == "Only http:// and https:// URLs can receive webhooks."
    unknown = await rest.post("/webhooks", json={"name": "A", "url": HOOK, "x": 1}, headers=key)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "x"
    assert (await rest.get("/webhooks", headers=key)).json()["total"] == 0


async def test_update_changes_only_what_is_sent(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    webhook = (await _create(rest, key, events=["*"]))["webhook"]
    path = f"/webhooks/{webhook['id']}"
    reply = await rest.patch(path, json={"enabled": False}, headers=key)
    assert reply.status_code == 200, reply.text
    assert reply.json() == webhook | {"enabled": False}
    reply = await rest.patch(path, json={"events": ["command.finished"]}, headers=key)
    assert reply.json()["events"] == "command.finished" and reply.json()["enabled"] is False
    assert (await rest.patch(path, json={"name": None}, headers=key)).status_code == 422
    own = await rest.patch(path, json={"secret": "my-own-secret-0123456789"}, headers=key)
    assert own.status_code == 200 and "my-own-secret" not in own.text
    rotated = await rest.post(f"{path}/rotate-secret", headers=key)
    assert rotated.status_code == 200 and rotated.json()["secret"].startswith("whsec_")
    operator = bearer(keys.make("Operator"))  # sees System, changes nothing there
    assert (await rest.get(path, headers=operator)).status_code == 200
    assert (await rest.patch(path, json={"enabled": True}, headers=operator)).status_code == 403


async def test_a_sub_operators_key_sees_only_its_own(
    rest, keys: Keys, sub_operator: Organisation
) -> None:
    parents = (await _create(rest, bearer(keys.make())))["webhook"]
    sub_key = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get(f"/webhooks/{parents['id']}", headers=sub_key)).status_code == 404
    assert (await rest.delete(f"/webhooks/{parents['id']}", headers=sub_key)).status_code == 404
    mine = await rest.post("/webhooks", json={"name": "Mine", "url": HOOK}, headers=sub_key)
    assert mine.json()["webhook"]["organisation"] == "Sub Operator"
    assert (await rest.get("/webhooks", headers=sub_key)).json()["total"] == 1


async def test_a_test_event_is_delivered_signed_and_logged(
    rest, keys: Keys, receiver: Receiver
) -> None:
    key = bearer(keys.make())
    created = await _create(rest, key, url=receiver.url, events=["session.started"])
    secret, webhook_id = created["secret"], created["webhook"]["id"]
    worker = DeliveryWorker(policy=FAST, timeout=5.0)
    await worker.start()
    try:
        queued = await rest.post(f"/webhooks/{webhook_id}/test", headers=key)
        assert queued.status_code == 202, queued.text
        delivery = queued.json()
        assert (delivery["event_type"], delivery["state"]) == ("webhook.test", "pending")
        assert queued.headers["location"].endswith(f"/deliveries/{delivery['id']}")
        await eventually(lambda: len(receiver.received) == 1, timeout=10)
        got = receiver.received[0]
        t, v1 = (p.split("=", 1)[1] for p in got.headers["ccms-signature"].split(","))
        expected = hmac.new(secret.encode(), f"{t}.".encode() + got.body, hashlib.sha256)
        assert hmac.compare_digest(expected.hexdigest(), v1)
        one = f"/webhooks/{webhook_id}/deliveries/{delivery['id']}"

        async def delivered() -> bool:
            return (await rest.get(one, headers=key)).json()["state"] == "delivered"

        await eventually(delivered, timeout=10)
    finally:
        await worker.stop()
    detail = (await rest.get(one, headers=key)).json()
    assert detail["attempts"] == 1 and detail["response_status"] == 200
    assert detail["payload"].encode() == got.body
    log = await rest.get(f"/webhooks/{webhook_id}/deliveries?state=delivered", headers=key)
    assert log.status_code == 200, log.text
    (item,) = log.json()["items"]
    assert item["id"] == delivery["id"] and item["event_type"] == "webhook.test"
    empty = await rest.get(f"/webhooks/{webhook_id}/deliveries?state=failed", headers=key)
    assert empty.json()["total"] == 0
    listed = (await rest.get(f"/webhooks/{webhook_id}", headers=key)).json()
    assert listed["last_outcome"] == "HTTP 200" and listed["failing_since"] is None


async def test_a_disabled_webhook_refuses_a_test_and_delete_removes_the_log(
    rest, keys: Keys
) -> None:
    key = bearer(keys.make())
    webhook = (await _create(rest, key))["webhook"]
    path = f"/webhooks/{webhook['id']}"
    await rest.post(f"{path}/test", headers=key)
    await rest.patch(path, json={"enabled": False}, headers=key)
    refused = await rest.post(f"{path}/test", headers=key)
    assert refused.status_code == 409 and "disabled" in refused.json()["detail"]
    assert (await rest.get(f"{path}/deliveries", headers=key)).json()["total"] == 1
    other = (await _create(rest, key))["webhook"]
    first = (await rest.get(f"{path}/deliveries", headers=key)).json()["items"][0]["id"]
    wrong = await rest.get(f"/webhooks/{other['id']}/deliveries/{first}", headers=key)
    assert wrong.status_code == 404
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404
    assert (await rest.get(f"{path}/deliveries", headers=key)).status_code == 404
