"""Charge points over the REST API, real HTTP and a real charger on a real OCPP websocket:
create with the Assets form's validation, get by identity, connectors, live status, update,
delete, licence limits, scope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.network import provisioning
from ccms_app.network.models import ChargePoint
from ocpp_server.simulator import EvProfile, SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.fixtures.ocpp import eventually

__all__ = ["keys", "rest", "served", "sub_operator"]

CP = "CP-API-1"
TAG = "API-TAG-1"
CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)
AC_22 = {
    "identity": CP,
    "vendor": "Acme",
    "max_power_kw": 22,
    "phases": 3,
    "connectors": [
        {"connector_id": 1, "connector_type": "Type2", "max_power_kw": 22},
        {"connector_id": 2, "connector_type": "type2", "max_power_kw": "7.4"},
    ],
}


async def _station(rest: httpx.AsyncClient, key: str, name: str = "Depot", **body: object) -> int:
    reply = await rest.post("/stations", json={"name": name, **body}, headers=bearer(key))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


async def _create(rest: httpx.AsyncClient, key: str, **body: object) -> httpx.Response:
    return await rest.post("/charge-points", json=body, headers=bearer(key))


@pytest.fixture
async def station_id(rest: httpx.AsyncClient, keys: Keys) -> int:
    return await _station(rest, keys.make())


@pytest.fixture
async def created(rest: httpx.AsyncClient, keys: Keys, station_id: int) -> dict:
    reply = await _create(rest, keys.make(), station_id=station_id, **AC_22)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_create_answers_the_charge_point_with_its_connectors(
    rest: httpx.AsyncClient, keys: Keys, station_id: int
) -> None:
    reply = await _create(rest, keys.make(), station_id=station_id, **AC_22)
    assert reply.status_code == 201, reply.text
    assert reply.headers["location"] == f"/api/v1/charge-points/{CP}"
    body = reply.json()
    assert {k: body[k] for k in ("identity", "station", "station_id", "organisation")} == {
        "identity": CP,
        "station": "Depot",
        "station_id": station_id,
        "organisation": "Test Operator",
    }
    assert (body["registration"], body["online"], body["enabled"]) == ("registered", False, True)
    assert (body["vendor"], body["max_power_w"], body["charging_method"]) == ("Acme", 22000, "AC")
    assert body["connectors"] == [
        {"connector_id": 1, "connector_type": "Type2", "max_power_w": 22000, "status": "Unknown"},
        {"connector_id": 2, "connector_type": "Type2", "max_power_w": 7400, "status": "Unknown"},
    ]
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/charge-points/{CP}", headers=viewer)).json() == body
    connectors = await rest.get(f"/charge-points/{CP}/connectors", headers=viewer)
    assert connectors.json() == body["connectors"]
    (item,) = (await rest.get("/charge-points", headers=viewer)).json()["items"]
    assert item == {k: v for k, v in body.items() if k != "connectors"}


async def test_invalid_fields_are_the_forms_messages_and_nothing_is_saved(
    rest: httpx.AsyncClient, keys: Keys, station_id: int
) -> None:
    key = keys.make()
    reply = await _create(
        rest,
        key,
        identity="CP 1",
        station_id=station_id,
        charging_method="DC",
        phases=3,
        min_power_kw=50,
        max_power_kw=22,
        connectors=[
            {"connector_id": 1, "connector_type": "Type2"},
            {"connector_id": 1, "connector_type": "Plug", "max_power_kw": 30},
        ],
    )
    assert reply.status_code == 422, reply.text
    assert {e["field"]: e["detail"] for e in reply.json()["errors"]} == {
        "identity": "Identity 'CP 1' contains ' '; only letters A-Z a-z, digits and - _ . : "
        "are allowed (the identity is the last segment of the websocket URL)",
        "min_power_kw": "Minimum power must not be more than the maximum power",
        "phases": "A DC charge point has no phases; leave it empty",
        "connectors.0.connector_type": "A Type2 connector does not fit a DC charge point",
        "connectors.1.connector_id": "Connector id 1 is used twice (also in row 1)",
        "connectors.1.connector_type": "'Plug' is not a connector type; use one of Type1, "
        "Type2, Type3, Schuko, GB/T AC, CCS1, CCS2, CHAdeMO, GB/T DC, NACS, Tesla",
        "connectors.1.max_power_kw": "Connector maximum power must not be more than the "
        "charge point's (22 kW)",
    }
    out_of_range = await _create(
        rest, key, identity="CP-2", station_id=station_id, max_power_kw=2000, phases=4
    )
    assert out_of_range.status_code == 422  # the schema's bounds, before any use case
    assert {e["field"] for e in out_of_range.json()["errors"]} == {"max_power_kw", "phases"}
    two_phases = await _create(rest, key, identity="CP-2", station_id=station_id, phases=2)
    assert two_phases.json()["errors"] == [
        {"location": "body", "field": "phases", "detail": "Phases must be 1 or 3 for AC, got '2'"}
    ]
    assert (await rest.get("/charge-points", headers=bearer(key))).json()["total"] == 0


async def test_identity_and_station_are_checked_against_the_database(
    rest: httpx.AsyncClient, keys: Keys, created: dict, sub_operator: Organisation
) -> None:
    key = keys.make()
    other = await _station(rest, keys.make(organisation_id=sub_operator.id), "Sub's")
    taken = await _create(rest, key, identity=CP.lower(), station_id=987654)
    assert {e["field"]: e["detail"] for e in taken.json()["errors"]} == {
        "identity": f"The identity '{CP.lower()}' is already in use",
        "station_id": "Choose the station the charge point stands at",
    }
    sub_key = keys.make(organisation_id=sub_operator.id)
    foreign = await _create(
        rest,
        sub_key,
        identity="CP-SUB",
        station_id=created["station_id"],
        organisation_id=keys.organisation_id,
    )
    assert {e["field"]: e["detail"] for e in foreign.json()["errors"]} == {
        "station_id": "Choose the station the charge point stands at",
        "organisation_id": "Choose an organisation you manage",
    }
    assert (await _create(rest, sub_key, identity="CP-SUB", station_id=other)).status_code == 201


async def test_the_owners_licence_limits_registration(
    rest: httpx.AsyncClient, keys: Keys, sub_operator: Organisation
) -> None:
    system = bearer(keys.make())
    await rest.patch(
        f"/organisations/{sub_operator.id}", json={"max_charge_points": 0}, headers=system
    )
    sub_station = await _station(rest, keys.make(), "Sub's", organisation_id=sub_operator.id)
    refused = await _create(rest, keys.make(), identity="CP-SUB", station_id=sub_station)
    assert refused.status_code == 422
    message = "Sub Operator: The licence allows 0 charge points and 0 are registered."
    assert refused.json()["detail"] == f"Charge point not saved. {message}"
    assert refused.json()["errors"] == [
        {"location": "body", "field": "organisation_id", "detail": message}
    ]


async def test_update_is_partial_and_renaming_moves_it(
    rest: httpx.AsyncClient, keys: Keys, created: dict
) -> None:
    key = bearer(keys.make())
    changed = await rest.patch(
        f"/charge-points/{CP}", json={"max_power_kw": 50, "model": "X2"}, headers=key
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["max_power_w"], body["model"], body["vendor"]) == (50000, "X2", "Acme")
    assert body["connectors"] == created["connectors"]  # not sent: kept
    cleared = await rest.patch(
        f"/charge-points/{CP}",
        json={"vendor": None, "connectors": [{"connector_id": 3, "connector_type": "Type1"}]},
        headers=key,
    )
    assert cleared.json()["vendor"] == ""
    assert cleared.json()["connectors"] == [
        {"connector_id": 3, "connector_type": "Type1", "max_power_w": None, "status": "Unknown"}
    ]
    renamed = await rest.patch(f"/charge-points/{CP}", json={"identity": "CP-API-9"}, headers=key)
    assert renamed.headers["location"] == "/api/v1/charge-points/CP-API-9"
    assert (await rest.get(f"/charge-points/{CP}", headers=key)).status_code == 404
    assert (await rest.get("/charge-points/CP-API-9", headers=key)).json()["id"] == created["id"]
    refused = await rest.patch(
        "/charge-points/CP-API-9", json={"min_power_kw": 60, "station_id": None}, headers=key
    )
    assert {e["field"]: e["detail"] for e in refused.json()["errors"]} == {
        "min_power_kw": "Minimum power must not be more than the maximum power",
        "station_id": "Choose the station the charge point stands at",
    }


@pytest.fixture
async def charger(
    created: dict, ocpp_url: str, engine: Engine, organisation: Organisation
) -> AsyncIterator[SimulatedChargePoint]:
    """The created charge point, connected over a real websocket and Accepted."""
    provisioning.add_id_tag(TAG, organisation_id=organisation.id)
    cp = SimulatedChargePoint(CP, ocpp_url, connectors=2, meter_interval=60)
    await cp.connect()
    await cp.wait_accepted(timeout=10)
    yield cp
    await cp.close()


async def test_live_status_shows_connection_statuses_and_running_sessions(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    viewer = bearer(keys.make("Viewer"))

    async def status() -> dict:
        reply = await rest.get(f"/charge-points/{CP}/status", headers=viewer)
        assert reply.status_code == 200, reply.text
        return reply.json()

    async def idle() -> bool:
        return [c["status"] for c in (await status())["connectors"]] == ["Available"] * 2

    await eventually(idle, timeout=10)
    transaction_id = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert transaction_id is not None
    now = await status()
    assert (now["identity"], now["online"], now["registration"]) == (CP, True, "registered")
    assert now["status"] == "Available" and now["last_seen_at"] is not None
    assert [(c["connector_id"], c["status"]) for c in now["connectors"]] == [
        (1, "Charging"),
        (2, "Available"),
    ]
    (running,) = now["running_transactions"]
    assert (running["transaction_id"], running["connector_id"]) == (transaction_id, 1)
    assert running["id_tag"] == TAG
    item = (await rest.get(f"/charge-points/{CP}", headers=viewer)).json()
    assert (item["online"], item["connectors"][0]["status"]) == (True, "Charging")


async def test_a_connected_charge_point_keeps_its_identity_and_one_that_charged_stays(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint, engine: Engine
) -> None:
    key = bearer(keys.make())
    renamed = await rest.patch(f"/charge-points/{CP}", json={"identity": "CP-NEW"}, headers=key)
    assert renamed.json()["errors"] == [
        {
            "location": "body",
            "field": "identity",
            "detail": "The identity can only change while the charge point is offline "
            "(it is the name it connects with)",
        }
    ]
    assert await charger.plug_in_and_charge(1, TAG, ev=CAR) is not None
    refused = await rest.delete(f"/charge-points/{CP}", headers=key)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Charge point {CP} has 1 charging session and cannot be deleted; "
        "disable it to take it out of service"
    )
    with Session(engine) as session:
        assert session.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()


async def test_delete_removes_one_that_never_charged(
    rest: httpx.AsyncClient, keys: Keys, created: dict
) -> None:
    key = bearer(keys.make())
    assert (await rest.delete(f"/charge-points/{CP}", headers=key)).status_code == 204
    for path in (f"/charge-points/{CP}", f"/charge-points/{CP}/connectors"):
        assert (await rest.get(path, headers=key)).status_code == 404
    assert (await rest.get("/charge-points", headers=key)).json()["total"] == 0


async def test_a_sub_operators_key_gets_404_and_the_parent_sees_the_subs(
    rest: httpx.AsyncClient, keys: Keys, created: dict, sub_operator: Organisation
) -> None:
    sub, parent = keys.make(organisation_id=sub_operator.id), bearer(keys.make())
    for method, path, body in (
        ("GET", f"/charge-points/{CP}", None),
        ("GET", f"/charge-points/{CP}/connectors", None),
        ("GET", f"/charge-points/{CP}/status", None),
        ("PATCH", f"/charge-points/{CP}", {"vendor": "Mine"}),
        ("DELETE", f"/charge-points/{CP}", None),
    ):
        reply = await rest.request(method, path, json=body, headers=bearer(sub))
        assert reply.status_code == 404, (method, path)
        assert reply.json()["detail"] == f"No charge point {CP} in this key's scope."
    assert (await rest.get("/charge-points", headers=bearer(sub))).json()["total"] == 0
    subs_station = await _station(rest, sub, "Sub's")
    made = await _create(rest, sub, identity="CP-SUB", station_id=subs_station)
    assert made.json()["organisation"] == "Sub Operator"
    seen = (await rest.get("/charge-points", headers=parent)).json()["items"]
    assert [i["identity"] for i in seen] == [CP, "CP-SUB"]
    assert (await rest.get("/charge-points/CP-SUB", headers=parent)).json() == made.json()
    assert (await rest.get(f"/charge-points/{CP}", headers=parent)).json()["vendor"] == "Acme"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/charge-points"),
        ("GET", "/charge-points/export"),
        ("GET", f"/charge-points/{CP}"),
        ("GET", f"/charge-points/{CP}/connectors"),
        ("GET", f"/charge-points/{CP}/status"),
        ("POST", "/charge-points"),
        ("PATCH", f"/charge-points/{CP}"),
        ("DELETE", f"/charge-points/{CP}"),
    ],
)
async def test_a_revoked_key_is_401_on_every_route(
    rest: httpx.AsyncClient, keys: Keys, created: dict, method: str, path: str
) -> None:
    body = {"vendor": "X"} if method in ("POST", "PATCH") else None
    reply = await rest.request(method, path, json=body, headers=bearer(keys.revoked()))
    assert reply.status_code == 401
    assert (await rest.get(f"/charge-points/{CP}", headers=bearer(keys.make()))).json() == created
