"""Maintenance statistics, uptime and the fault repair report over the REST API, real HTTP,
on the hand-made history of tests/maintenance/reports/seed.py (figures worked out there and
in tests/maintenance/reports/test_reports.py)."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core.types import utc_now
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.maintenance.reports.seed import NOW, Seeded, seed, t

__all__ = ["keys", "rest", "served"]

PERIOD = {"since": "2026-01-01T00:00:00Z", "until": NOW.isoformat()}


@pytest.fixture
def seeded(engine: Engine, organisation: Organisation) -> Seeded:
    return seed(organisation)


async def test_statistics(rest: httpx.AsyncClient, keys: Keys, seeded: Seeded) -> None:
    key = bearer(keys.make("Viewer"))
    reply = await rest.get("/maintenance/statistics", params=PERIOD, headers=key)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    # Overdue by the real clock: WO2 (due 2026-02-11), and WO3 once 2026-03-05 has passed.
    overdue = 1 + (utc_now() > t(2026, 3, 5))
    assert body["work_orders"] == {"total": 4, "completed": 2, "pending": 2, "overdue": overdue}
    assert [(c["cause"], c["count"]) for c in body["faults_by_cause"]] == [
        ("connector_faulted", 2),
        ("firmware_failed", 1),
        ("offline", 1),
    ]
    abb, keba = body["by_model"]
    # ABB: MTTR 4 h, MTBF 1,408 h / 2; KEBA: MTTR 16 h, MTBF 1,400 h.
    assert (abb["mttr_seconds"], abb["mtbf_seconds"]) == (14_400, 704 * 3600)
    assert (keba["mttr_seconds"], keba["mtbf_seconds"]) == (57_600, 1400 * 3600)
    north = await rest.get(
        "/maintenance/statistics", params={**PERIOD, "area_id": seeded.north}, headers=key
    )
    assert north.json()["work_orders"]["total"] == 2


async def test_uptime(rest: httpx.AsyncClient, keys: Keys, seeded: Seeded) -> None:
    key = bearer(keys.make("Viewer"))
    reply = await rest.get("/maintenance/uptime", params={"as_of": NOW.isoformat()}, headers=key)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total"] == 3 and body["rapid_ports"] == 2
    worst = body["items"][0]
    assert (worst["charge_point"], worst["connector_id"]) == ("CP-RAPID", 1)
    # 524,520 / 5,256 = 99.794520...% -> 99.795
    assert worst["nevi"] == {
        "uptime_percent": 99.795,
        "outage_minutes": 1200.0,
        "excluded_minutes": 120.0,
        "meets_threshold": True,
    }
    # UK: 1,410 / 1,416 = 99.576271..% ; strict 1,408 / 1,416 = 99.435028..%
    assert worst["uk"]["reliability_percent"] == 99.576
    assert worst["uk"]["working_percent"] == 99.435
    # Rapid network: 2,826 / 2,832 = 99.788135..%
    assert body["uk_rapid_network"]["reliability_percent"] == 99.788
    assert (body["nevi_threshold_percent"], body["uk_threshold_percent"]) == (97.0, 99.0)
    paged = await rest.get(
        "/maintenance/uptime",
        params={"as_of": NOW.isoformat(), "page": 2, "page_size": 2},
        headers=key,
    )
    assert [i["charge_point"] for i in paged.json()["items"]] == ["CP-MALL"]


async def test_fault_report_list_and_export(
    rest: httpx.AsyncClient, keys: Keys, seeded: Seeded
) -> None:
    key = bearer(keys.make("Administrator"))
    params = {"created_at_from": PERIOD["since"], "sort": "created_at"}
    reply = await rest.get("/maintenance/fault-report", params=params, headers=key)
    assert reply.status_code == 200, reply.text
    listed = reply.json()
    assert listed["total"] == 4
    first = listed["items"][0]
    assert (first["charge_point"], first["assignee"], first["cause"]) == (
        "CP-RAPID",
        "Tess Tech",
        "connector_faulted",
    )
    one = await rest.get(f"/maintenance/fault-report/{first['id']}", headers=key)
    assert one.json() == first
    south = await rest.get(
        "/maintenance/fault-report", params={"area_id": seeded.south}, headers=key
    )
    assert {i["charge_point"] for i in south.json()["items"]} == {"CP-MALL"}
    export = await rest.get(
        "/maintenance/fault-report/export",
        params={**params, "format": "jsonl", "status": "in_progress"},
        headers=key,
    )
    rows = [json.loads(line) for line in export.text.splitlines()]
    assert [r["title"] for r in rows] == ["Mall connector faulted"]


async def test_bad_input_and_scope(rest: httpx.AsyncClient, keys: Keys, seeded: Seeded) -> None:
    key = bearer(keys.make("Viewer"))
    backwards = {"since": NOW.isoformat(), "until": "2026-01-01T00:00:00Z"}
    reply = await rest.get("/maintenance/statistics", params=backwards, headers=key)
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"] == "since"
    naive = await rest.get("/maintenance/uptime", params={"as_of": "2026-01-01T00:00"}, headers=key)
    assert naive.status_code == 422
    unknown = await rest.get("/maintenance/uptime", params={"colour": "red"}, headers=key)
    assert unknown.status_code == 422
    assert (await rest.get("/maintenance/uptime")).status_code == 401
    export = await rest.get("/maintenance/fault-report/export", headers=key)
    assert export.status_code == 403  # a Viewer may not export
