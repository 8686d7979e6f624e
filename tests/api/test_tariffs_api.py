"""Tariffs over the REST API, real HTTP: OCPI Tariff JSON in and out (numbers exact),
versions, rename, archive, assignments, "which tariff applies", scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from ccms_app.accounts.models import Organisation
from ccms_app.api.routes.tariff_models import dumps
from ccms_app.core import db
from ccms_app.network.models import ChargePoint, Connector, Station
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator

__all__ = ["keys", "rest", "served", "sub_operator"]

START_FEE_AND_ENERGY = {
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                {"type": "ENERGY", "price": 0.2567, "vat": 10.0, "step_size": 1},
            ]
        }
    ],
}


def exact(reply: httpx.Response) -> Any:
    """The answer with its numbers as Decimal: what was sent must come back digit for digit."""
    return json.loads(reply.text, parse_float=Decimal)


async def create(rest: httpx.AsyncClient, key: str, name: str = "Standard", **extra: Any) -> Any:
    reply = await rest.post(
        "/tariffs", json={"name": name, **START_FEE_AND_ENERGY, **extra}, headers=bearer(key)
    )
    assert reply.status_code == 201, reply.text
    return exact(reply)


def components(tariff: dict[str, Any]) -> list[tuple[str, Decimal, Decimal | None]]:
    return [
        (c["type"], c["price"], c.get("vat"))
        for element in tariff["elements"]
        for c in element["price_components"]
    ]


async def test_create_answers_ocpi_json_with_exact_numbers(rest, keys: Keys) -> None:
    key = keys.make()
    reply = await rest.post(
        "/tariffs",
        json={"name": "Standard", "description": "Public AC", **START_FEE_AND_ENERGY},
        headers=bearer(key),
    )
    assert reply.status_code == 201, reply.text
    body = exact(reply)
    assert reply.headers["location"] == f"/api/v1/tariffs/{body['id']}"
    assert isinstance(body["id"], str) and body["currency"] == "EUR"
    assert components(body) == [
        ("FLAT", Decimal("0.50"), Decimal("20")),
        ("ENERGY", Decimal("0.2567"), Decimal("10")),
    ]
    assert '"price":0.2567' in reply.text.replace(" ", "")  # a JSON number, not a string
    assert (body["name"], body["description"], body["version"]) == ("Standard", "Public AC", 1)
    assert body["archived"] is False and body["assignments"] == []
    assert body["start_date_time"].endswith("Z") and body["last_updated"].endswith("Z")
    viewer = bearer(keys.make("Viewer"))
    again = await rest.get(reply.headers["location"].removeprefix("/api/v1"), headers=viewer)
    assert exact(again) == body
    listed = exact(await rest.get("/tariffs", headers=viewer))
    assert listed["total"] == 1 and listed["items"] == [body]


async def test_a_tariff_read_back_creates_the_same_prices(rest, keys: Keys) -> None:
    key = keys.make()
    first = await create(rest, key, min_price={"excl_vat": 1.5, "incl_vat": 1.785})
    prices = {k: first[k] for k in ("currency", "elements", "min_price")}
    copy = await rest.post(
        "/tariffs", content=_text({"name": "Copy", **prices}), headers=_json_key(key)
    )
    assert copy.status_code == 201, copy.text
    second = exact(copy)
    assert second["elements"] == first["elements"]
    assert second["min_price"] == {"excl_vat": Decimal("1.5"), "incl_vat": Decimal("1.785")}


def _text(data: Any) -> str:
    """JSON with Decimals as numbers (what an integration holding exact prices sends)."""
    return dumps(data)


def _json_key(key: str) -> dict[str, str]:
    return bearer(key) | {"content-type": "application/json"}


async def test_wrong_prices_are_named_as_the_editor_names_them(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    wrong = json.loads(json.dumps(START_FEE_AND_ENERGY))
    wrong["elements"][0]["price_components"][1]["price"] = -1
    reply = await rest.post("/tariffs", json={"name": "Bad", **wrong}, headers=key)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in reply.json()["errors"]}
    assert fields == {"elements[0].price_components[1].price"}
    unknown = await rest.post(
        "/tariffs", json={"name": "X", **START_FEE_AND_ENERGY, "colour": "red"}, headers=key
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"
    huge = {"name": "Huge", "currency": "EUR", "elements": START_FEE_AND_ENERGY["elements"] * 101}
    assert (await rest.post("/tariffs", json=huge, headers=key)).status_code == 422
    nameless = await rest.post("/tariffs", json={"name": " ", **START_FEE_AND_ENERGY}, headers=key)
    assert nameless.json()["errors"][0]["field"] == "name"
    assert (await rest.get("/tariffs", headers=key)).json()["total"] == 0


async def test_new_prices_are_a_new_version_and_the_old_one_stays(rest, keys: Keys) -> None:
    key = keys.make()
    tariff = await create(rest, key)
    path = f"/tariffs/{tariff['id']}"
    later = datetime.now(UTC) + timedelta(hours=1)
    dearer = json.loads(json.dumps(START_FEE_AND_ENERGY))
    dearer["elements"][0]["price_components"][1]["price"] = 0.35
    put = await rest.put(
        path, json={**dearer, "valid_from": later.isoformat()}, headers=bearer(key)
    )
    assert put.status_code == 200, put.text
    assert exact(put)["version"] == 2 and exact(put)["name"] == "Standard"
    versions = exact(await rest.get(f"{path}/versions", headers=bearer(key)))
    assert [v["number"] for v in versions] == [2, 1]
    assert components(versions[1]["tariff"])[1][1] == Decimal("0.2567")
    assert components(versions[0]["tariff"])[1][1] == Decimal("0.35")
    past = await rest.put(
        path, json={**dearer, "valid_from": "2020-01-01T00:00:00Z"}, headers=bearer(key)
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "valid_from"


async def test_rename_changes_no_price_and_archive_keeps_the_tariff(rest, keys: Keys) -> None:
    key = bearer(keys.make())
    tariff = await create(rest, keys.make())
    path = f"/tariffs/{tariff['id']}"
    renamed = await rest.patch(path, json={"description": "Night"}, headers=key)
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["description"]) == ("Standard", "Night")
    assert renamed.json()["version"] == 1
    archived = await rest.delete(path, headers=key)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert (await rest.get("/tariffs", headers=key)).json()["total"] == 0
    everything = await rest.get("/tariffs?include_archived=true", headers=key)
    assert [t["id"] for t in everything.json()["items"]] == [tariff["id"]]
    assert (await rest.get(path, headers=key)).json()["archived"] is True


def _charge_point(organisation_id: int) -> tuple[int, int, int]:
    """(station id, charge point id, connector row id) of CP-T1 at a station."""
    with db.session_scope() as session:
        station = Station(name="Depot", organisation_id=organisation_id)
        session.add(station)
        session.flush()
        cp = ChargePoint(
            identity="CP-T1",
            organisation_id=organisation_id,
            station_id=station.id,
            registration_state="registered",
        )
        session.add(cp)
        session.flush()
        connector = Connector(
            charge_point_id=cp.id or 0, connector_id=1, organisation_id=organisation_id
        )
        session.add(connector)
        session.flush()
        return station.id or 0, cp.id or 0, connector.id or 0


async def test_assignments_decide_which_tariff_applies(
    rest, keys: Keys, organisation: Organisation
) -> None:
    key = bearer(keys.make())
    _station, cp_id, _connector = _charge_point(keys.organisation_id)
    which = "/tariffs/which?charge_point=CP-T1&connector_id=1"
    nothing = await rest.get(which, headers=key)
    assert nothing.status_code == 404 and "No tariff applies" in nothing.json()["detail"]
    default = await create(rest, keys.make(), "Default")
    special = await create(rest, keys.make(), "Special")
    network = await rest.post(
        f"/tariffs/{default['id']}/assignments",
        json={"target": "network", "target_id": keys.organisation_id},
        headers=key,
    )
    assert network.status_code == 201, network.text
    assert network.headers["location"] == f"/api/v1/tariff-assignments/{network.json()['id']}"
    at_cp = await rest.post(
        f"/tariffs/{special['id']}/assignments",
        json={"target": "charge_point", "target_id": cp_id},
        headers=key,
    )
    assert at_cp.json()["label"] == "Charge point CP-T1"
    found = (await rest.get(which, headers=key)).json()
    assert (found["tariff_name"], found["target"], found["version"]) == (
        "Special",
        "charge_point",
        1,
    )
    assert found["reason"] == "assigned to charge point CP-T1"
    listed = (await rest.get("/tariff-assignments", headers=key)).json()
    assert [a["target"] for a in listed["items"]] == ["network", "charge_point"]
    shown = (await rest.get(f"/tariffs/{special['id']}", headers=key)).json()
    assert [a["target"] for a in shown["assignments"]] == ["charge_point"]
    gone = await rest.delete(f"/tariff-assignments/{at_cp.json()['id']}", headers=key)
    assert gone.status_code == 204
    assert (await rest.get(which, headers=key)).json()["tariff_name"] == "Default"
    unknown = await rest.post(
        f"/tariffs/{special['id']}/assignments",
        json={"target": "station", "target_id": 987654},
        headers=key,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "target_id"
    elsewhere = await rest.get("/tariffs/which?charge_point=NOPE", headers=key)
    assert elsewhere.status_code == 404


async def test_another_organisations_tariff_is_404_and_unchanged(
    rest, keys: Keys, sub_operator: Organisation
) -> None:
    parent = keys.make()
    tariff = await create(rest, parent)
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    path = f"/tariffs/{tariff['id']}"
    assert (await rest.get(path, headers=sub)).status_code == 404
    assert (await rest.patch(path, json={"name": "Mine"}, headers=sub)).status_code == 404
    assert (await rest.put(path, json=START_FEE_AND_ENERGY, headers=sub)).status_code == 404
    assert (await rest.delete(path, headers=sub)).status_code == 404
    assert (await rest.get(f"{path}/versions", headers=sub)).status_code == 404
    quote = {
        "start_date_time": "2026-01-05T10:00:00Z",
        "charging_periods": [
            {
                "start_date_time": "2026-01-05T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": 1}],
            }
        ],
    }
    assert (await rest.post(f"{path}/quote", json=quote, headers=sub)).status_code == 404
    assert (await rest.get("/tariffs", headers=sub)).json()["total"] == 0
    assert (await rest.get(path, headers=bearer(parent))).json()["name"] == "Standard"


async def test_a_viewer_reads_but_does_not_write(rest, keys: Keys) -> None:
    viewer = bearer(keys.make("Viewer"))
    refused = await rest.post(
        "/tariffs", json={"name": "X", **START_FEE_AND_ENERGY}, headers=viewer
    )
    assert refused.status_code == 403
    assert (await rest.get("/tariffs", headers=viewer)).status_code == 200
