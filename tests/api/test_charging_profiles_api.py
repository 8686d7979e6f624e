"""Charging profiles over the REST API, real HTTP: SetChargingProfile and ClearChargingProfile
go to a simulated charge point over a real OCPP websocket and the answer holds the command
record; a charge point's profiles as its Smart charging tab lists them (in force, history),
one profile; another organisation's key, a revoked key, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ocpp_server.server import OcppServer
from ocpp_server.simulator import SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import CP, register
from tests.fixtures.ocpp import eventually

__all__ = ["keys", "rest", "served", "sub_operator"]

LISTED = {"charge_point": CP}


def default_profile(**changes: Any) -> dict[str, Any]:
    """A TxDefaultProfile: 7.4 kW now, 3.7 kW after 30 minutes (start given in +01:00)."""
    start = (utc_now() - timedelta(minutes=1)).astimezone().isoformat()
    profile = {
        "stack_level": 1,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "charging_schedule": {
            "charging_rate_unit": "W",
            "start_schedule": start,
            "charging_schedule_period": [
                {"start_period": 0, "limit": 7400},
                {"start_period": 1800, "limit": 3700.5},
            ],
        },
    }
    return {**profile, **changes}


@pytest.fixture
async def charger(
    engine: Engine, organisation: Organisation, ocpp_url: str, command_port: OcppServer
) -> AsyncIterator[SimulatedChargePoint]:
    register(engine, organisation, utc_now() - timedelta(days=1))
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=3600, max_power_w=22_000)
    await cp.connect()
    await eventually(lambda: cp.connector_statuses.get(2) == "Available")
    yield cp
    await cp.close()


async def install(
    rest: httpx.AsyncClient, key: dict[str, str], connector_id: int = 0, **changes: Any
) -> httpx.Response:
    body = {"charge_point": CP, "connector_id": connector_id, "profile": default_profile(**changes)}
    return await rest.post("/charging-profiles", json=body, headers=key)


async def test_set_list_get_and_clear(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    key = bearer(keys.make("Operator"))
    made = await install(rest, key)
    assert made.status_code == 201, made.text
    profile, command = made.json()["profile"], made.json()["command"]
    assert (command["action"], command["status"]) == ("SetChargingProfile", "accepted")
    assert (profile["status"], profile["active"], profile["charging_profile_id"]) == (
        "accepted",
        True,
        1,
    )
    assert [(p["start_period"], p["limit"]) for p in profile["periods"]] == [
        (0, 7400.0),
        (1800, 3700.5),
    ]
    assert profile["start_schedule"].endswith("Z") or profile["start_schedule"].endswith("+00:00")
    assert made.headers["location"] == f"/api/v1/charging-profiles/{profile['id']}"

    viewer = bearer(keys.make("Viewer"))
    listed = (await rest.get("/charging-profiles", params=LISTED, headers=viewer)).json()
    assert (listed["total"], listed["items"]) == (1, [profile])
    one = await rest.get(f"/charging-profiles/{profile['id']}", headers=viewer)
    assert one.json() == profile
    refused = await install(rest, viewer)
    assert refused.status_code == 403

    clear = {"charge_point": CP, "charging_profile_id": 1}
    cleared = await rest.post("/charging-profiles/clear", json=clear, headers=key)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["command"]["action"] == "ClearChargingProfile"
    assert [p["status"] for p in cleared.json()["cleared"]] == ["cleared"]
    in_force = (await rest.get("/charging-profiles", params=LISTED, headers=viewer)).json()
    assert in_force["total"] == 0
    history = {**LISTED, "history": "true"}
    everything = (await rest.get("/charging-profiles", params=history, headers=viewer)).json()
    assert [(p["id"], p["status"], p["active"]) for p in everything["items"]] == [
        (profile["id"], "cleared", False)
    ]


async def test_the_use_cases_messages_come_back_per_request(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint
) -> None:
    key = bearer(keys.make())
    tx_without_transaction = await install(
        rest, key, connector_id=1, charging_profile_purpose="TxProfile"
    )
    assert tx_without_transaction.status_code == 422
    assert tx_without_transaction.json()["detail"] == "transactionId is required for a TxProfile"
    max_on_a_connector = await install(
        rest, key, connector_id=1, charging_profile_purpose="ChargePointMaxProfile"
    )
    assert max_on_a_connector.json()["detail"] == (
        "connectorId must be 0 for a ChargePointMaxProfile"
    )
    history = {**LISTED, "history": "true"}
    assert (await rest.get("/charging-profiles", params=history, headers=key)).json()["total"] == 0


async def test_another_organisations_key_gets_404(
    rest: httpx.AsyncClient, keys: Keys, charger: SimulatedChargePoint, sub_operator: Organisation
) -> None:
    made = (await install(rest, bearer(keys.make()))).json()["profile"]
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get("/charging-profiles", params=LISTED, headers=sub)).status_code == 404
    assert (await rest.get(f"/charging-profiles/{made['id']}", headers=sub)).status_code == 404
    assert (await install(rest, sub)).status_code == 404
    clear = await rest.post("/charging-profiles/clear", json={"charge_point": CP}, headers=sub)
    assert clear.status_code == 404
    mine = await rest.get("/charging-profiles", params=LISTED, headers=bearer(keys.make()))
    assert [p["id"] for p in mine.json()["items"]] == [made["id"]]


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    assert (await install(rest, revoked)).status_code == 401
    for path in ("/charging-profiles?charge_point=CP", "/charging-profiles/1"):
        assert (await rest.get(path, headers=revoked)).status_code == 401
    clear = await rest.post("/charging-profiles/clear", json={"charge_point": CP}, headers=revoked)
    assert clear.status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"charging_profile_purpose": "Whatever"}, "profile.charging_profile_purpose"),
        ({"stack_level": -1}, "profile.stack_level"),
        ({"valid_to": "2030-01-01T00:00:00"}, "profile.valid_to"),
        ({"charging_schedule": {"charging_rate_unit": "kW"}}, "profile.charging_schedule"),
        ({"priority": "high"}, "profile.priority"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, changes: dict[str, Any], field: str
) -> None:
    reply = await install(rest, bearer(keys.make()), **changes)
    assert reply.status_code == 422, reply.text
    fields = [e["field"] for e in reply.json()["errors"]]
    assert fields and all(f.startswith(field) for f in fields), fields
    no_charge_point = await rest.get("/charging-profiles", headers=bearer(keys.make()))
    assert [e["field"] for e in no_charge_point.json()["errors"]] == ["charge_point"]
