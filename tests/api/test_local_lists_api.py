"""Local authorization lists over the REST API, real HTTP: the lists, their id tags and
charge points, and Sync now / Sync all to a charge point connected over a real websocket."""

from __future__ import annotations

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Station
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

TAGS = ["FLEET-001", "FLEET-002", "FLEET-003"]


@pytest.fixture
def network(organisation: Organisation) -> dict[str, int]:
    """Cards, a station with two charge points, a charge point without a station."""
    with db.session_scope() as session:
        north = Station(name="North", organisation_id=organisation.id or 0)
        session.add(north)
        session.add_all(IdTag(id_tag=t, organisation_id=organisation.id or 0) for t in TAGS)
        session.flush()
        for identity, station_id in (("CP-N1", north.id), ("CP-N2", north.id), ("CP-X", None)):
            session.add(
                ChargePoint(
                    identity=identity,
                    organisation_id=organisation.id or 0,
                    station_id=station_id,
                    registration_state="registered",
                )
            )
        session.flush()
        ids = {cp.identity: cp.id or 0 for cp in session.query(ChargePoint).all()}
        return {**ids, "north": north.id or 0}


async def _list(rest: httpx.AsyncClient, key: dict[str, str], name: str = "Fleet") -> dict:
    reply = await rest.post("/local-lists", json={"name": name}, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _routes(list_id: int, charge_point_id: int) -> list[tuple[str, str, dict | None]]:
    path = f"/local-lists/{list_id}"
    return [
        ("GET", path, None),
        ("PATCH", path, {"name": "Mine"}),
        ("DELETE", path, None),
        ("GET", f"{path}/id-tags", None),
        ("POST", f"{path}/id-tags", {"id_tags": TAGS[:1]}),
        ("POST", f"{path}/id-tags/remove", {"id_tags": TAGS[:1]}),
        ("DELETE", f"{path}/id-tags/{TAGS[0]}", None),
        ("GET", f"{path}/charge-points", None),
        ("POST", f"{path}/charge-points", {"charge_point_ids": [charge_point_id]}),
        ("POST", f"{path}/stations", {"station_ids": [1]}),
        ("POST", f"{path}/charge-points/remove", {"charge_point_ids": [charge_point_id]}),
        ("DELETE", f"{path}/charge-points/{charge_point_id}", None),
        ("DELETE", f"{path}/charge-points", None),
        ("POST", f"{path}/sync", None),
    ]


async def test_create_get_rename_and_delete(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    reply = await rest.post(
        "/local-lists", json={"name": " Fleet ", "description": "Fleet cards"}, headers=key
    )
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert reply.headers["location"] == f"/api/v1/local-lists/{created['id']}"
    assert (created["name"], created["description"], created["organisation"]) == (
        "Fleet",
        "Fleet cards",
        "Test Operator",
    )
    assert (created["id_tags"], created["charge_points"], created["out_of_date"]) == (0, 0, 0)
    path = f"/local-lists/{created['id']}"
    assert (await rest.get(path, headers=bearer(keys.make("Viewer")))).json() == created
    renamed = await rest.patch(path, json={"name": "Fleet cards"}, headers=key)
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["description"]) == ("Fleet cards", "Fleet cards")
    described = await rest.patch(path, json={"description": None}, headers=key)
    assert (described.json()["name"], described.json()["description"]) == ("Fleet cards", "")
    assert (await rest.delete(path, headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).status_code == 404


async def test_names_are_checked_as_the_dialog_does(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    fleet, other = await _list(rest, key), await _list(rest, key, "Other")
    cases = [
        (rest.post("/local-lists", json={"name": "  "}, headers=key), "A list needs a name of "
         "1 to 200 characters."),
        (rest.post("/local-lists", json={"name": "Fleet"}, headers=key), "There is already a "
         "local list named 'Fleet'."),
        (rest.patch(f"/local-lists/{other['id']}", json={"name": "FLEET"}, headers=key),
         "There is already a local list named 'FLEET'."),
    ]  # fmt: skip
    for call, message in cases:
        reply = await call
        assert reply.status_code == 422, reply.text
        assert reply.json()["errors"] == [{"location": "body", "field": "name", "detail": message}]
    names = [row["name"] for row in (await rest.get("/local-lists", headers=key)).json()["items"]]
    assert names == ["Fleet", "Other"]
    assert (await rest.get(f"/local-lists/{fleet['id']}", headers=key)).json() == fleet


async def test_id_tags_are_checked_added_listed_and_removed(
    rest: httpx.AsyncClient, keys: Keys, network: dict[str, int]
) -> None:
    key = bearer(keys.make())
    fleet = await _list(rest, key)
    tags = f"/local-lists/{fleet['id']}/id-tags"
    bad = await rest.post(tags, json={"id_tags": [TAGS[0], "NOPE-9", "CAFÉ"]}, headers=key)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Nothing added: 2 id tag(s) need fixing."
    assert bad.json()["errors"] == [
        {"location": "body", "field": "id_tags.1", "detail": "no such RFID card in this network"},
        {"location": "body", "field": "id_tags.2", "detail": "not an id tag: 'CAFÉ' "
         "contains 'É'; OCPP allows printable ASCII only"},
    ]  # fmt: skip
    assert (await rest.get(tags, headers=key)).json()["total"] == 0

    added = await rest.post(tags, json={"id_tags": [TAGS[0], "", "fleet-002"]}, headers=key)
    assert added.status_code == 200, added.text
    assert added.json() == {"added": TAGS[:2], "already": []}
    again = await rest.post(tags, json={"id_tags": TAGS}, headers=key)
    assert again.json() == {"added": [TAGS[2]], "already": TAGS[:2]}
    assert (await rest.get(f"/local-lists/{fleet['id']}", headers=key)).json()["id_tags"] == 3

    cards = (await rest.get("/id-tags", params={"q": "FLEET-002"}, headers=key)).json()["items"]
    await rest.post(f"/id-tags/{cards[0]['id']}/block", headers=key)
    listed = await rest.get(tags, params={"sort": "id_tag", "order": "desc"}, headers=key)
    assert [r["id_tag"] for r in listed.json()["items"]] == TAGS[::-1]
    assert listed.json()["items"][0]["list"] == "Fleet"
    blocked = await rest.get(tags, params={"authorization": "Blocked"}, headers=key)
    assert [r["id_tag"] for r in blocked.json()["items"]] == ["FLEET-002"]
    paged = await rest.get(tags, params={"page_size": 2, "page": 2}, headers=key)
    assert [r["id_tag"] for r in paged.json()["items"]] == [TAGS[2]]
    assert (paged.json()["page"], paged.json()["total"]) == (2, 3)

    in_use = await rest.delete(f"/id-tags/{cards[0]['id']}", headers=key)
    assert in_use.status_code == 409
    assert in_use.json()["detail"] == (
        "FLEET-002 is in the local authorization list(s) Fleet; remove it there first"
    )
    assert (await rest.delete(f"{tags}/fleet-002", headers=key)).status_code == 204
    removed = await rest.post(f"{tags}/remove", json={"id_tags": [TAGS[0]]}, headers=key)
    assert removed.status_code == 204
    assert [r["id_tag"] for r in (await rest.get(tags, headers=key)).json()["items"]] == [TAGS[2]]
    assert (await rest.post(tags, json={"id_tags": []}, headers=key)).status_code == 422


async def test_charge_points_assigned_by_id_or_station_and_unassigned(
    rest: httpx.AsyncClient, keys: Keys, network: dict[str, int]
) -> None:
    key = bearer(keys.make())
    fleet = await _list(rest, key)
    path = f"/local-lists/{fleet['id']}"
    assigned = await rest.post(
        f"{path}/charge-points", json={"charge_point_ids": [network["CP-X"]]}, headers=key
    )
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["charge_points"], assigned.json()["out_of_date"]) == (1, 1)
    stations = await rest.post(
        f"{path}/stations", json={"station_ids": [network["north"]]}, headers=key
    )
    assert stations.json() == {"charge_points": 2, "newly_assigned": 2}
    unknown = await rest.post(
        f"{path}/charge-points", json={"charge_point_ids": [987654]}, headers=key
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (
        422,
        "unknown charge point(s): 987654",
    )
    rows = (await rest.get(f"{path}/charge-points", headers=key)).json()
    assert [(r["identity"], r["station"], r["sync"]) for r in rows["items"]] == [
        ("CP-N1", "North", "never_synced"),
        ("CP-N2", "North", "never_synced"),
        ("CP-X", None, "never_synced"),
    ]
    assert rows["items"][0]["id"] == network["CP-N1"]
    in_sync = await rest.get(f"{path}/charge-points", params={"sync": "in_sync"}, headers=key)
    assert in_sync.json()["total"] == 0

    refused = await rest.delete(path, headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "'Fleet' is assigned to 3 charge point(s): unassign them first (their lists then "
        "lose its id tags at the next sync)."
    )
    one = await rest.delete(f"{path}/charge-points/{network['CP-X']}", headers=key)
    assert one.status_code == 204
    some = await rest.post(
        f"{path}/charge-points/remove", json={"charge_point_ids": [network["CP-N1"]]}, headers=key
    )
    assert some.status_code == 204
    left = (await rest.get(f"{path}/charge-points", headers=key)).json()["items"]
    assert [r["identity"] for r in left] == ["CP-N2"]
    assert (await rest.delete(f"{path}/charge-points", headers=key)).status_code == 204
    assert (await rest.get(path, headers=key)).json()["charge_points"] == 0
    assert (await rest.delete(path, headers=key)).status_code == 204


async def test_sync_now_and_sync_all_reach_a_connected_charge_point(
    rest: httpx.AsyncClient,
    keys: Keys,
    network: dict[str, int],
    command_port: OcppServer,
    ocpp_url: str,
) -> None:
    key = bearer(keys.make())
    fleet = await _list(rest, key)
    path = f"/local-lists/{fleet['id']}"
    await rest.post(f"{path}/id-tags", json={"id_tags": TAGS[:2]}, headers=key)
    await rest.post(f"{path}/stations", json={"station_ids": [network["north"]]}, headers=key)
    no_control = bearer(keys.make("Finance"))  # users: view and export only
    assert (await rest.post(f"{path}/sync", headers=no_control)).status_code == 403
    charger = SimulatedChargePoint("CP-N1", ocpp_url, meter_interval=300)
    await charger.connect()
    try:
        reply = await rest.post(f"{path}/sync", headers=bearer(keys.make("Operator")))
        assert reply.status_code == 200, reply.text
        results = reply.json()
        assert [(r["identity"], r["result"], r["ok"]) for r in results] == [
            ("CP-N2", "offline", False),
            ("CP-N1", "accepted", True),
        ]
        assert (results[1]["version"], results[1]["update_type"]) == (1, "Full")
        assert sorted(charger.local_list) == TAGS[:2]
        rows = (await rest.get(f"{path}/charge-points", headers=key)).json()["items"]
        assert {r["identity"]: r["sync"] for r in rows} == {
            "CP-N1": "in_sync",
            "CP-N2": "never_synced",
        }

        await rest.post(f"{path}/id-tags", json={"id_tags": [TAGS[2]]}, headers=key)
        every = await rest.post("/local-lists/sync", headers=key)
        assert every.status_code == 200, every.text
        assert [(r["identity"], r["result"], r["update_type"]) for r in every.json()] == [
            ("CP-N2", "offline", ""),
            ("CP-N1", "accepted", "Differential"),
        ]
        assert sorted(charger.local_list) == TAGS
    finally:
        await charger.close()


async def test_another_organisations_key_sees_404_and_changes_nothing(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation, network: dict[str, int]
) -> None:
    parent = bearer(keys.make())
    fleet = await _list(rest, parent)
    await rest.post(f"/local-lists/{fleet['id']}/id-tags", json={"id_tags": TAGS}, headers=parent)
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    for method, path, body in _routes(fleet["id"], network["CP-N1"]):
        reply = await rest.request(method, path, json=body, headers=sub)
        assert reply.status_code == 404, (method, path, reply.text)
    assert (await rest.get("/local-lists", headers=sub)).json()["total"] == 0
    assert (await rest.post("/local-lists/sync", headers=sub)).json() == []
    theirs = await _list(rest, sub, "Sub's")
    borrowed = await rest.post(
        f"/local-lists/{theirs['id']}/id-tags", json={"id_tags": TAGS[:1]}, headers=sub
    )
    assert borrowed.json()["errors"][0]["detail"] == "no such RFID card in this network"
    after = await rest.get(f"/local-lists/{fleet['id']}", headers=parent)
    assert (after.json()["name"], after.json()["id_tags"]) == ("Fleet", 3)


async def test_no_key_and_a_revoked_key_are_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys, network: dict[str, int]
) -> None:
    fleet = await _list(rest, bearer(keys.make()))
    revoked = bearer(keys.revoked())
    routes = [
        *_routes(fleet["id"], network["CP-N1"]),
        ("GET", "/local-lists", None),
        ("POST", "/local-lists", {}),
        ("GET", "/local-lists/export", None),
        ("POST", "/local-lists/sync", None),
    ]
    for method, path, body in routes:
        for headers in ({}, revoked):
            reply = await rest.request(method, path, json=body, headers=headers)
            assert reply.status_code == 401, (method, path, reply.text)
    viewer = bearer(keys.make("Viewer"))
    refused = await rest.post(
        f"/local-lists/{fleet['id']}/id-tags", json={"id_tags": TAGS}, headers=viewer
    )
    assert refused.status_code == 403
