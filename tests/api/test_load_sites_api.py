"""Load sites over the REST API, real HTTP: a site with its tree, members, plans, priorities
and building load; errors naming the field (422), what cannot be deleted (409), scope (a
sub-operator's key does not see the operator's site: 404) and permissions (403)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.api.routes import ROUTERS, load_site_live, load_site_plans, load_site_tree, load_sites
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.load_balancing import admin_seed as seed

__all__ = ["keys", "rest", "served", "sub_operator"]

LOAD_ROUTERS = [load_sites.api, load_site_tree.api, load_site_plans.api, load_site_live.api]


@pytest.fixture(autouse=True)
def load_routes() -> Iterator[None]:
    """The load balancing routers in the REST API (until api/routes registers them)."""
    missing = [r for r in LOAD_ROUTERS if r not in ROUTERS]
    ROUTERS.extend(missing)
    yield
    for router in missing:
        ROUTERS.remove(router)


async def _site(rest: httpx.AsyncClient, key: dict[str, str], station_id: int) -> dict:
    body = {"station_id": station_id, "name": "Depot grid", "limit_a": 100, "margin_a": 5}
    created = await rest.post("/load-sites", json=body, headers=key)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def test_site_with_its_tree_plans_and_load(
    rest: httpx.AsyncClient, keys: Keys, organisation: Organisation
) -> None:
    org = organisation.id or 0
    key = bearer(keys.make())
    depot = seed.station(org, "Depot")
    cp = seed.charge_point(org, depot, "CP-1")
    site = await _site(rest, key, depot)
    assert (site["limit_a"], site["margin_a"], site["station_name"]) == (100.0, 5.0, "Depot")
    path = f"/load-sites/{site['id']}"
    assert (await rest.get(path, headers=key)).json() == site

    twice = await rest.post(
        "/load-sites", json={"station_id": depot, "name": "Again", "limit_kw": 50}, headers=key
    )
    assert twice.status_code == 422
    assert [e["field"] for e in twice.json()["errors"]] == ["station_id"]
    margin = await rest.patch(path, json={"margin_a": 100}, headers=key)
    assert margin.status_code == 422
    assert margin.json()["errors"] == [
        {
            "location": "body",
            "field": "margin_a",
            "detail": "The margin must stay below the limit of 100 A.",
        }
    ]
    too_big = await rest.patch(path, json={"limit_kw": 20000}, headers=key)
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "limit_kw"
    changed = await rest.patch(path, json={"strategy": "dynamic", "limit_kw": 60}, headers=key)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["strategy"], changed.json()["limit_kw"]) == ("dynamic", 60.0)
    listed = await rest.get("/load-sites", headers=key)
    assert listed.json() == {"items": [changed.json()], "total": 1}

    (root,) = (await rest.get(f"{path}/nodes", headers=key)).json()
    panel = await rest.post(
        f"{path}/nodes",
        json={"name": "Panel A", "kind": "panel", "parent_id": root["id"], "limit_a": 63},
        headers=key,
    )
    assert panel.status_code == 201, panel.text
    panel_id = panel.json()["id"]
    loop = await rest.patch(f"/load-nodes/{root['id']}", json={"parent_id": panel_id}, headers=key)
    assert loop.status_code == 422 and loop.json()["errors"][0]["field"] == "parent_id"
    member = await rest.post(
        f"{path}/members",
        json={
            "node_id": panel_id,
            "charge_point_id": cp,
            "phase_rotation": "L2L3L1",
            "max_current_a": 32,
        },
        headers=key,
    )
    assert member.status_code == 201, member.text
    assert (member.json()["identity"], member.json()["node_name"]) == ("CP-1", "Panel A")
    rotation = await rest.patch(
        f"/load-members/{member.json()['id']}", json={"phase_rotation": "L4"}, headers=key
    )
    assert rotation.status_code == 422 and rotation.json()["errors"][0]["field"] == "phase_rotation"
    in_use = await rest.delete(f"/load-nodes/{panel_id}", headers=key)
    assert in_use.status_code == 409
    assert in_use.json()["detail"] == (
        "Panel A has charge points (CP-1): move them to another node or remove them first."
    )
    root_gone = await rest.delete(f"/load-nodes/{root['id']}", headers=key)
    assert root_gone.status_code == 409 and "the root" in root_gone.json()["detail"]
    members = (await rest.get(f"{path}/members", headers=key)).json()
    assert [m["phase_rotation"] for m in members] == ["L2L3L1"]

    plan = await rest.post(
        f"{path}/plans",
        json={
            "name": "Office hours",
            "weekdays": "12345",
            "start_time": "08:00",
            "end_time": "18:00",
            "limit_kw": 40,
        },
        headers=key,
    )
    assert plan.status_code == 201, plan.text
    bad_plan = await rest.patch(
        f"/load-plans/{plan.json()['id']}", json={"weekdays": "8"}, headers=key
    )
    assert bad_plan.status_code == 422 and bad_plan.json()["errors"][0]["field"] == "weekdays"
    rule = await rest.post(
        f"{path}/priorities",
        json={"kind": "charge_point", "ref": str(cp), "priority": 3},
        headers=key,
    )
    assert rule.status_code == 201 and rule.json()["ref_name"] == "CP-1"
    assert len((await rest.get(f"{path}/priorities", headers=key)).json()) == 1
    assert len((await rest.get(f"{path}/plans", headers=key)).json()) == 1

    reading = await rest.put(
        f"{path}/building-load", json={"l1_a": 20, "l2_a": 22.5, "l3_a": -4}, headers=key
    )
    assert reading.status_code == 200, reading.text
    assert (reading.json()["l2_a"], reading.json()["l3_a"]) == (22.5, -4.0)
    both = await rest.put(
        f"{path}/building-load", json={"current_a": 5, "power_kw": 3}, headers=key
    )
    assert both.status_code == 422
    naive = await rest.put(
        f"{path}/building-load",
        json={"current_a": 5, "measured_at": "2026-01-01T08:00:00"},
        headers=key,
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "measured_at"

    live = await rest.get(f"{path}/live", headers=key)
    assert live.status_code == 200, live.text
    assert live.json()["site"] == (await rest.get(path, headers=key)).json()
    for view in ("history", "decisions"):
        answered = await rest.get(f"{path}/{view}", headers=key)
        assert answered.status_code == 200 and answered.json() == [], view

    assert (
        await rest.delete(f"/load-members/{member.json()['id']}", headers=key)
    ).status_code == 204
    assert (await rest.delete(f"/load-nodes/{panel_id}", headers=key)).status_code == 204
    assert (await rest.delete(path, headers=key)).status_code == 204
    gone = await rest.get(path, headers=key)
    assert gone.status_code == 404 and gone.json()["detail"] == "No such load site."


async def test_scope_and_permissions(
    rest: httpx.AsyncClient, keys: Keys, organisation: Organisation, sub_operator: Organisation
) -> None:
    key = bearer(keys.make())
    site = await _site(rest, key, seed.station(organisation.id or 0, "Parent depot"))
    sub_key = bearer(keys.make("Administrator", sub_operator.id))
    path = f"/load-sites/{site['id']}"
    assert (await rest.get("/load-sites", headers=sub_key)).json() == {"items": [], "total": 0}
    for method, url, body in [
        ("GET", path, None),
        ("PATCH", path, {"name": "Mine"}),
        ("GET", f"{path}/nodes", None),
        ("POST", f"{path}/plans", {"name": "Mine", "limit_a": 10}),
        ("PUT", f"{path}/building-load", {"current_a": 1}),
        ("GET", f"{path}/live", None),
    ]:
        answered = await rest.request(method, url, json=body, headers=sub_key)
        assert answered.status_code == 404, (method, url, answered.text)
    their_station = seed.station(sub_operator.id or 0, "Sub depot")
    sub_site = await _site(rest, sub_key, their_station)
    parent_view = await rest.get(f"/load-sites/{sub_site['id']}", headers=key)
    assert parent_view.status_code == 200  # the operator sees its sub-operator's sites
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(path, headers=viewer)).status_code == 200
    refused = await rest.patch(path, json={"name": "Mine"}, headers=viewer)
    assert refused.status_code == 403
    assert (await rest.get(path)).status_code == 401
