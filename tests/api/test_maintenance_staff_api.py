"""Maintenance staff over the REST API: the list and editing a profile."""

from __future__ import annotations

import pytest

from ccms_app.accounts.models import Organisation
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.maintenance.work_orders.support import Workshop, make_workshop

__all__ = ["keys", "rest", "served"]


@pytest.fixture
def workshop(organisation: Organisation) -> Workshop:
    return make_workshop(organisation)


async def test_list_and_edit_a_profile(rest, keys: Keys, workshop: Workshop) -> None:
    w = workshop
    key = bearer(keys.make("Maintenance staff"))
    listed = (await rest.get("/maintenance-staff", headers=key)).json()
    assert [(m["name"], m["on_duty"], m["areas"]) for m in listed] == [
        ("Toni Tech", True, ["North"]),
        ("Olga Other", False, []),
    ]
    path = f"/maintenance-staff/{w.other_tech.account_id}"
    reply = await rest.put(
        path, json={"phone": "+49 30 555", "on_duty": True, "area_ids": [w.area_id]}, headers=key
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["area_ids"] == [w.area_id] and reply.json()["has_profile"] is True
    bad = await rest.put(path, json={"phone": "ring me", "area_ids": [999]}, headers=key)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"phone", "area_ids"}
    assert (await rest.get("/maintenance-staff/999999", headers=key)).status_code == 404
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.put(path, json={}, headers=viewer)).status_code == 403
