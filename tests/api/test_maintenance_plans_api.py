"""Maintenance plans over the REST API: create, partial update, list, delete."""

from __future__ import annotations

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.maintenance.work_orders.plans import run_due_plans
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.maintenance.work_orders.support import Workshop, make_workshop

__all__ = ["keys", "rest", "served"]


@pytest.fixture
def workshop(organisation: Organisation) -> Workshop:
    return make_workshop(organisation)


async def test_create_update_run_and_delete(rest, keys: Keys, workshop: Workshop) -> None:
    key = bearer(keys.make("Maintenance staff"))
    reply = await rest.post(
        "/maintenance-plans",
        json={"name": "Yearly", "vendor": "ACME", "every_months": 12, "next_due_at": "2024-06-30"},
        headers=key,
    )
    assert reply.status_code == 201, reply.text
    plan = reply.json()
    assert plan["vendor"] == "ACME" and plan["priority"] == "low" and plan["work_orders"] == 0
    path = f"/maintenance-plans/{plan['id']}"
    reply = await rest.patch(path, json={"charge_point_id": workshop.charge_point_id}, headers=key)
    assert reply.status_code == 200, reply.text
    assert reply.json()["charge_point"] == workshop.identity and reply.json()["vendor"] == ""
    bad = await rest.patch(path, json={"every_months": 0}, headers=key)
    assert bad.status_code == 422
    for field, value in (("next_due_at", 0), ("every_months", True), ("enabled", 1)):
        bad = await rest.patch(path, json={field: value}, headers=key)  # not a day / number / bool
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field, bad.text
    assert run_due_plans() == 1
    assert (await rest.get(path, headers=key)).json()["work_orders"] == 1
    assert (await rest.delete(path, headers=key)).status_code == 409
    other = await rest.post(
        "/maintenance-plans",
        json={
            "name": "X",
            "charge_point_id": workshop.charge_point_id,
            "every_months": 1,
            "next_due_at": "2030-01-01",
        },
        headers=key,
    )
    assert (
        await rest.delete(f"/maintenance-plans/{other.json()['id']}", headers=key)
    ).status_code == 204
    listed = (await rest.get("/maintenance-plans", headers=key)).json()
    assert listed["total"] == 1
