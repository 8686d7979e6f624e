"""Charging sessions over the REST API, real HTTP, with sessions a simulated charge point
made over a real OCPP websocket: list and its filters, one session, its meter values (pages,
cursor, export), another organisation's key, a revoked key, bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from ocpp_server.simulator import EvProfile, SimulatedChargePoint
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import CP, OTHER_TAG, TAG, register
from tests.fixtures.ocpp import eventually

__all__ = ["keys", "rest", "served", "sub_operator"]

CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)


@dataclass(frozen=True)
class Sessions:
    finished: int  # TAG on connector 1, stopped
    running: int  # OTHER_TAG on connector 2


@pytest.fixture
async def sessions(
    engine: Engine, organisation: Organisation, ocpp_url: str
) -> AsyncIterator[Sessions]:
    """Two sessions of CP: one charged, metered and stopped, one still running."""
    register(engine, organisation, utc_now() - timedelta(days=1))
    charger = SimulatedChargePoint(CP, ocpp_url, meter_interval=3600)
    await charger.connect()
    await eventually(lambda: charger.is_accepted)
    finished = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    running = await charger.plug_in_and_charge(2, OTHER_TAG, ev=CAR)
    assert finished is not None and running is not None
    for _ in range(3):
        await charger.send_meter_values(1)
    await charger.stop_charging(1)
    yield Sessions(finished, running)
    await charger.close()


async def test_sessions_are_listed_with_their_filters(
    rest: httpx.AsyncClient, keys: Keys, sessions: Sessions
) -> None:
    key = bearer(keys.make("Viewer"))
    listed = (await rest.get("/charging-sessions", headers=key)).json()
    assert listed["total"] == 2
    by_id = {item["id"]: item for item in listed["items"]}
    done, running = by_id[sessions.finished], by_id[sessions.running]
    assert (done["charge_point"], done["id_tag"], done["status"]) == (CP, TAG, "completed")
    assert done["stop_time"] is not None and done["energy_wh"] >= 0
    assert (running["status"], running["stop_time"], running["connector_id"]) == (
        "active",
        None,
        2,
    )

    async def ids(**params: str | int) -> list[int]:
        reply = await rest.get("/charging-sessions", params=params, headers=key)
        assert reply.status_code == 200, reply.text
        return [item["id"] for item in reply.json()["items"]]

    assert await ids(status="completed") == [sessions.finished]
    assert await ids(status="active") == [sessions.running]
    assert await ids(id_tag=OTHER_TAG) == [sessions.running]
    assert await ids(charge_point=CP, connector_id=1) == [sessions.finished]
    assert await ids(charge_point="CP-ELSEWHERE") == []
    hour_ago = (utc_now() - timedelta(hours=1)).isoformat()
    in_an_hour = (utc_now() + timedelta(hours=1)).astimezone().isoformat()
    both = await ids(start_time_from=hour_ago, start_time_to=in_an_hour, sort="id")
    assert both == sorted([sessions.finished, sessions.running])
    assert await ids(start_time_from=in_an_hour) == []


async def test_one_session_and_its_meter_values(
    rest: httpx.AsyncClient, keys: Keys, sessions: Sessions
) -> None:
    key = bearer(keys.make("Viewer"))
    one = (await rest.get(f"/charging-sessions/{sessions.finished}", headers=key)).json()
    assert (one["id"], one["charge_point"], one["status"]) == (sessions.finished, CP, "completed")

    path = f"/charging-sessions/{sessions.finished}/meter-values"
    energy = {"measurand": "Energy.Active.Import.Register", "page_size": 2}
    first = (await rest.get(path, params=energy, headers=key)).json()
    assert first["total"] >= 3 and len(first["items"]) == 2
    assert {i["unit"] for i in first["items"]} == {"Wh"}
    assert all(i["value"] is not None for i in first["items"])
    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (await rest.get(path, params={**energy, "cursor": cursor}, headers=key)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]

    export = await rest.get(f"{path}/export?format=jsonl", headers=bearer(keys.make()))
    viewer_export = await rest.get(f"{path}/export", headers=key)
    assert viewer_export.status_code == 403  # a Viewer may not export
    assert export.status_code == 200
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert {line["measurand"] for line in lines} >= {"Energy.Active.Import.Register"}
    csv_export = await rest.get(
        "/charging-sessions/export?status=active", headers=bearer(keys.make())
    )
    assert csv_export.text.startswith("Transaction,Charge point")
    assert len(csv_export.text.strip().splitlines()) == 2


async def test_another_organisations_key_sees_nothing(
    rest: httpx.AsyncClient, keys: Keys, sessions: Sessions, sub_operator: Organisation
) -> None:
    sub = bearer(keys.make(organisation_id=sub_operator.id))
    assert (await rest.get("/charging-sessions", headers=sub)).json()["total"] == 0
    for path in (
        f"/charging-sessions/{sessions.finished}",
        f"/charging-sessions/{sessions.finished}/meter-values",
        f"/charging-sessions/{sessions.finished}/meter-values/export",
    ):
        assert (await rest.get(path, headers=sub)).status_code == 404, path
    export = await rest.get("/charging-sessions/export?format=jsonl", headers=sub)
    assert export.status_code == 200 and export.text == ""


async def test_a_revoked_key_is_401(rest: httpx.AsyncClient, keys: Keys) -> None:
    revoked = bearer(keys.revoked())
    for path in ("/charging-sessions", "/charging-sessions/1", "/charging-sessions/1/meter-values"):
        assert (await rest.get(path, headers=revoked)).status_code == 401, path


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_time_from=2026-01-31T08:00:00", "start_time_from"),
        ("start_time_to=yesterday", "start_time_to"),
        ("page_size=1000", "page_size"),
        ("sort=payload", "sort"),
        ("connector_id=x", "connector_id"),
        ("colour=red", "colour"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, query: str, field: str
) -> None:
    reply = await rest.get(f"/charging-sessions?{query}", headers=bearer(keys.make()))
    assert reply.status_code == 422, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == [field]


async def test_times_need_a_zone_and_a_range_its_order(rest: httpx.AsyncClient, keys: Keys) -> None:
    key = bearer(keys.make())
    naive = await rest.get("/charging-sessions?start_time_from=2026-01-31T08:00", headers=key)
    (error,) = naive.json()["errors"]
    assert "with a time zone" in error["detail"]
    backwards = await rest.get(
        "/charging-sessions",
        params={"start_time_from": "2026-02-01T00:00:00Z", "start_time_to": "2026-01-01T00:00Z"},
        headers=key,
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "start_time_to"
    for bad_id in ("0", "x", str(2**63)):
        reply = await rest.get(f"/charging-sessions/{bad_id}/meter-values", headers=key)
        assert reply.status_code == 422, bad_id
