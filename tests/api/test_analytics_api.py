"""The analytics REST API over real HTTP, on the hand-computed November 2026 of
tests/analytics/test_reports.py (Berlin; figures worked out in its docstring): charging by
day, by station and by charge point; the three reports, narrowed by vehicle and group, and
their CSV; the monthly report's recipients; bad input is a 422 naming the field; another
organisation's station is not found, and its key sees none of this network."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.api.routes import analytics
from tests.analytics.test_reports import NOW, ReportNetwork, seed_reports
from tests.api.rest import Keys, bearer, keys, rest, served

__all__ = ["keys", "rest", "served"]
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def network(
    engine: Engine, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> ReportNetwork:
    monkeypatch.setattr(analytics, "utc_now", lambda: NOW)
    return seed_reports(int(organisation.id or 0))


async def _get(rest: httpx.AsyncClient, key: str, path: str, **params: object) -> httpx.Response:
    return await rest.get(f"/analytics{path}", params=params, headers=bearer(key))


async def test_charging_per_day_station_and_charge_point(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make("Viewer")
    reply = await _get(rest, key, "/charging", period="days", **NOVEMBER)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["time_zone"], body["from"], body["to"]) == ("Europe/Berlin", *NOVEMBER.values())
    assert (body["since"], body["until"]) == ("2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z")
    assert len(body["buckets"]) == 30
    first = body["buckets"][0]
    assert first == {
        "key": "2026-11-01",
        "label": "Sun 01 Nov",
        "start": "2026-10-31T23:00:00Z",
        "end": "2026-11-01T23:00:00Z",
        "orders": 1,
        "energy_wh": 5_000,
        "charging_s": 1_800,
        "amounts": [{"currency": "EUR", "excl_minor": 420, "incl_minor": 500}],
    }
    assert body["total"] == {
        "orders": 4,
        "energy_wh": 35_000,
        "charging_s": 315 * 60,
        "amounts": [{"currency": "EUR", "excl_minor": 1_596, "incl_minor": 1_900}],
    }
    depot = (
        await _get(rest, key, "/charging", period="months", station_id=network.depot, **NOVEMBER)
    ).json()
    assert [(b["key"], b["orders"], b["energy_wh"]) for b in depot["buckets"]] == [
        ("2026-11", 2, 27_000)
    ]
    default = (await _get(rest, key, "/charging", period="months")).json()
    assert [b["key"] for b in default["buckets"]][-2:] == ["2026-11", "2026-12"]  # 12 months
    stations = (await _get(rest, key, "/charging/by-station", **NOVEMBER)).json()
    assert [(i["station"], i["energy_wh"], i["share_percent"]) for i in stations["items"]] == [
        ("Depot", 27_000, 77.143),
        ("Street", 8_000, 22.857),
    ]
    points = (
        await _get(rest, key, "/charging/by-charge-point", area_id=network.north, **NOVEMBER)
    ).json()
    assert [(i["charge_point"], i["station"], i["energy_wh"]) for i in points["items"]] == [
        ("CP-2", "Depot", 20_000),
        ("CP-1", "Depot", 7_000),
    ]


async def test_the_sessions_report_narrowed_and_its_csv(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make("Finance")  # analytics:view and analytics:export
    reply = await _get(
        rest,
        key,
        "/reports/sessions",
        period="months",
        group_id=network.fleet,
        page_size=1,
        **NOVEMBER,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total"]["orders"] == 2 and body["total"]["energy_wh"] == 23_000
    detail = body["detail"]
    assert (detail["sessions"], detail["energy_wh"], len(detail["items"])) == (2, 23_000, 1)
    assert detail["amounts"] == [{"currency": "EUR", "excl_minor": 1_176, "incl_minor": 1_400}]
    newest = detail["items"][0]  # S5, in Berlin time
    assert (newest["charge_point"], newest["group"]) == ("CP-3", "Fleet")
    assert (newest["start_time"], newest["stop_time"]) == (
        "2026-11-20T18:00:00+01:00",
        "2026-11-20T18:45:00+01:00",
    )
    assert (newest["duration_s"], newest["amount_incl_minor"], newest["cost_state"]) == (
        2_700,
        200,
        "final",
    )
    tesla = (
        await _get(rest, key, "/reports/sessions", vehicle_id=network.tesla, **NOVEMBER)
    ).json()
    assert (tesla["total"]["orders"], tesla["total"]["energy_wh"]) == (1, 7_000)
    assert [i["vehicle"] for i in tesla["detail"]["items"]] == ["Tesla Model 3"]  # S4 only
    exported = await _get(rest, key, "/reports/sessions/export", format="csv", **NOVEMBER)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["Charge point"] for r in rows] == ["CP-2", "CP-3", "CP-3", "CP-1"]
    summary = await _get(
        rest, key, "/reports/sessions/export", part="summary", period="months", **NOVEMBER
    )
    lines = list(csv.DictReader(io.StringIO(summary.text)))
    assert [
        (r["Period"], r["Orders"], r["Energy (kWh)"], r["Amount incl. VAT (EUR)"]) for r in lines
    ] == [
        ("2026-11", "4", "35.000", "19.00"),
        ("total", "4", "35.000", "19.00"),
    ]


async def test_energy_and_availability_reports(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make("Finance")
    energy = (await _get(rest, key, "/reports/energy", group_id=network.fleet, **NOVEMBER)).json()
    assert [(c["charge_point"], c["energy_wh"]) for c in energy["charge_points"]] == [
        ("CP-2", 20_000),
        ("CP-3", 3_000),
        ("CP-1", 0),
    ]
    assert "vehicle" in energy["definition"]
    energy_csv = await _get(rest, key, "/reports/energy/export", **NOVEMBER)
    assert energy_csv.text.splitlines()[1] == "station,Depot,,2,27.000,77.1"
    availability = (await _get(rest, key, "/reports/availability", **NOVEMBER)).json()
    assert availability["as_of"] == "2026-11-30T23:00:00Z"
    assert [
        (s["station"], s["connectors"], s["availability_percent"]) for s in availability["stations"]
    ] == [
        ("Depot", 2, 99.583),
        ("Street", 1, 99.722),
    ]
    assert availability["network"]["outage_counted_s"] == 8 * 3600
    assert "NEVI" in availability["definition"]
    exported = await _get(rest, key, "/reports/availability/export", **NOVEMBER)
    assert exported.text.splitlines()[-1] == "All stations,3,99.630,480,129600"


async def test_bad_input_is_a_422_naming_the_field(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make()
    cases = [
        ({"from": "2026-11-31"}, "from"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-11-30", "period": "days"}, "period"),
        ({"period": "weeks"}, "period"),
        ({"station_id": "0"}, "station_id"),
        ({"colour": "red"}, "colour"),
    ]
    for params, field in cases:
        reply = await _get(rest, key, "/charging", **params)
        assert reply.status_code == 422, (params, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in reply.json()["errors"]] == [field], reply.text


async def test_another_organisations_station_is_not_found(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make()
    for path in ("/charging", "/reports/sessions", "/reports/energy", "/reports/availability"):
        reply = await _get(rest, key, path, station_id=network.other_station, **NOVEMBER)
        assert reply.status_code == 404, (path, reply.text)
        assert "station_id" in reply.json()["detail"]
    theirs = keys.make(organisation_id=network.other_org)
    body = (await _get(rest, theirs, "/reports/sessions", **NOVEMBER)).json()
    assert (body["total"]["orders"], body["total"]["energy_wh"]) == (1, 50_000)  # only their own
    assert [i["charge_point"] for i in body["detail"]["items"]] == ["CP-OTHER"]
    mine = (await _get(rest, theirs, "/charging/by-station", station_id=network.depot)).status_code
    assert mine == 404


async def test_the_monthly_report_recipients(
    rest: httpx.AsyncClient, keys: Keys, network: ReportNetwork
) -> None:
    key = keys.make()
    before = await rest.get("/analytics/monthly-report", headers=bearer(key))
    assert before.json() == {
        "recipients": [],
        "enabled": False,
        "last_sent_month": "",
        "last_error": "",
    }
    wrong = await rest.put(
        "/analytics/monthly-report",
        json={"recipients": ["ops@example.com", "nobody"], "enabled": True},
        headers=bearer(key),
    )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["recipients"]
    saved = await rest.put(
        "/analytics/monthly-report",
        json={"recipients": ["Ops@Example.com", "boss@example.com"], "enabled": True},
        headers=bearer(key),
    )
    assert saved.status_code == 200, saved.text
    after = (await rest.get("/analytics/monthly-report", headers=bearer(key))).json()
    assert (after["recipients"], after["enabled"]) == (
        ["ops@example.com", "boss@example.com"],
        True,
    )
    viewer = await rest.put(
        "/analytics/monthly-report", json={"enabled": False}, headers=bearer(keys.make("Viewer"))
    )
    assert viewer.status_code == 403
