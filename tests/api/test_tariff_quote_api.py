"""The quote over the REST API, real HTTP: OCPI 2.2.1's tariff examples priced to the cent from
CDR charging periods, versions by start time, time zones, and field-named errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.api.rest import Keys, bearer, keys, rest, served

__all__ = ["keys", "rest", "served"]

# OCPI 2.2.1 Tariff module, "Simple Tariff example 0.25 euro per kWh" with a start fee
# ("Tariff example 0.25 euro per kWh + start fee"): FLAT 0.50 (20 % VAT), ENERGY 0.25 (10 %).
START_FEE = {
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "FLAT", "price": 0.50, "vat": 20.0, "step_size": 1},
                {"type": "ENERGY", "price": 0.25, "vat": 10.0, "step_size": 1},
            ]
        }
    ],
}
# Peak 0.40 / kWh from 08:00 to 20:00 local time, else 0.20 (no VAT: incl_vat absent).
DAY_NIGHT = {
    "currency": "EUR",
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.40, "step_size": 1}],
            "restrictions": {"start_time": "08:00", "end_time": "20:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 1}]},
    ],
}


def exact(reply: httpx.Response) -> Any:
    return json.loads(reply.text, parse_float=Decimal)


async def tariff(rest: httpx.AsyncClient, key: str, prices: dict[str, Any], name: str) -> str:
    """A tariff whose first version is valid from 2025 (the sessions below are in 2026)."""
    body = {"name": name, **prices, "valid_from": "2025-01-01T00:00:00Z"}
    reply = await rest.post("/tariffs", json=body, headers=bearer(key))
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def session(start: str, *periods: tuple[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A CDR fragment: periods as (start, {dimension: volume})."""
    return {
        "start_date_time": start,
        "charging_periods": [
            {
                "start_date_time": at,
                "dimensions": [{"type": k, "volume": v} for k, v in dims.items()],
            }
            for at, dims in periods
        ],
        **extra,
    }


async def test_energy_and_start_fee_are_priced_to_the_cent(rest, keys: Keys) -> None:
    key = keys.make()
    tariff_id = await tariff(rest, key, START_FEE, "Start fee")
    body = session(
        "2026-01-05T10:00:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 15.342, "TIME": 1.5}),
        end_date_time="2026-01-05T11:30:00Z",
    )
    reply = await rest.post(f"/tariffs/{tariff_id}/quote", json=body, headers=bearer(key))
    assert reply.status_code == 200, reply.text
    quote = exact(reply)
    # 15.342 kWh x 0.25 = 3.8355 -> 3.84 excl, x 1.10 = 4.21905 -> 4.22 incl; start 0.50 / 0.60
    assert quote["total_energy_cost"] == {"excl_vat": Decimal("3.84"), "incl_vat": Decimal("4.22")}
    assert quote["total_fixed_cost"] == {"excl_vat": Decimal("0.50"), "incl_vat": Decimal("0.60")}
    assert quote["total_cost"]["excl_vat"] == Decimal("4.34")
    assert quote["total_cost"]["incl_vat"] == Decimal("4.82")
    assert quote["total_energy"] == Decimal("15.342") and quote["total_time"] == Decimal("1.5")
    assert quote["currency"] == "EUR" and quote["version"] == 1
    assert '"total_energy":15.342' in reply.text.replace(" ", "")  # a number, exactly
    kinds = {(line["type"], line["element_index"]) for line in quote["lines"]}
    assert kinds == {("FLAT", 0), ("ENERGY", 0)}
    assert [p["element_index"] for p in quote["charging_periods"]] == [0]


async def test_prices_switch_at_the_local_time_the_tariff_names(rest, keys: Keys) -> None:
    key = keys.make()
    tariff_id = await tariff(rest, key, DAY_NIGHT, "Day night")
    # 18:00 - 20:00 UTC is 19:00 - 21:00 in Berlin (winter): 5 kWh at peak, 5 kWh off-peak.
    body = session(
        "2026-01-05T18:00:00Z",
        ("2026-01-05T18:00:00Z", {"ENERGY": 5, "TIME": 1}),
        ("2026-01-05T19:00:00Z", {"ENERGY": 5, "TIME": 1}),
        end_date_time="2026-01-05T20:00:00Z",
    )
    berlin = await rest.post(
        f"/tariffs/{tariff_id}/quote",
        json=body | {"time_zone": "Europe/Berlin"},
        headers=bearer(key),
    )
    assert berlin.status_code == 200, berlin.text
    assert exact(berlin)["total_cost"] == {"excl_vat": Decimal("3.00")}  # 2.00 + 1.00
    assert [p["element_index"] for p in exact(berlin)["charging_periods"]] == [0, 1]
    utc = await rest.post(f"/tariffs/{tariff_id}/quote", json=body, headers=bearer(key))
    assert exact(utc)["time_zone"] == "UTC"
    assert exact(utc)["total_cost"] == {"excl_vat": Decimal("4.00")}  # all before 20:00 UTC


async def test_a_session_is_quoted_with_the_version_valid_when_it_starts(rest, keys: Keys) -> None:
    key = keys.make()
    tariff_id = await tariff(rest, key, START_FEE, "Versioned")
    later = datetime.now(UTC) + timedelta(hours=1)
    dearer = json.loads(json.dumps(START_FEE))
    dearer["elements"][0]["price_components"][1]["price"] = 0.35
    put = await rest.put(
        f"/tariffs/{tariff_id}",
        json={**dearer, "valid_from": later.isoformat()},
        headers=bearer(key),
    )
    assert put.status_code == 200, put.text

    def at(moment: datetime) -> dict[str, Any]:
        text = moment.isoformat()
        return session(text, (text, {"ENERGY": 10, "TIME": 1}))

    path = f"/tariffs/{tariff_id}/quote"
    now = await rest.post(path, json=at(datetime.now(UTC)), headers=bearer(key))
    then = await rest.post(path, json=at(later + timedelta(minutes=5)), headers=bearer(key))
    assert (exact(now)["version"], exact(now)["total_energy_cost"]["excl_vat"]) == (
        1,
        Decimal("2.50"),
    )
    assert (exact(then)["version"], exact(then)["total_energy_cost"]["excl_vat"]) == (
        2,
        Decimal("3.50"),
    )
    asked = await rest.post(
        path, json=at(later + timedelta(minutes=5)) | {"version": 1}, headers=bearer(key)
    )
    assert exact(asked)["total_energy_cost"]["excl_vat"] == Decimal("2.50")
    missing = await rest.post(
        path, json=at(datetime.now(UTC)) | {"version": 7}, headers=bearer(key)
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "version"
    before = await rest.post(path, json=at(datetime(2024, 1, 1, tzinfo=UTC)), headers=bearer(key))
    assert before.status_code == 422
    assert before.json()["errors"][0]["field"] == "start_date_time"


async def test_errors_name_the_field_of_the_charging_period(rest, keys: Keys) -> None:
    key = keys.make()
    tariff_id = await tariff(rest, key, START_FEE, "Errors")
    path = f"/tariffs/{tariff_id}/quote"
    body = session(
        "2026-01-05T10:00:00Z",
        ("2026-01-05T10:00:00Z", {"ENERGY": 1}),
        ("2026-01-05T11:00:00Z", {"ENERGY": -2, "WARP": 1}),
    )
    reply = await rest.post(path, json=body, headers=bearer(key))
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["detail"] for e in reply.json()["errors"]}
    assert set(errors) == {
        "charging_periods[1].dimensions[0].volume",
        "charging_periods[1].dimensions[1].type",
    }
    assert errors["charging_periods[1].dimensions[0].volume"] == "must not be negative"
    zone = await rest.post(path, json=body | {"time_zone": "Mars/Base"}, headers=bearer(key))
    assert zone.json()["errors"][0]["field"] == "time_zone"
    naive = await rest.post(
        path, json=body | {"start_date_time": "2026-01-05T10:00:00"}, headers=bearer(key)
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "start_date_time"
    one = {"start_date_time": "2026-01-05T10:00:00Z", "dimensions": [{"type": "TIME", "volume": 0}]}
    huge = body | {"charging_periods": [one] * 10_001}
    too_many = await rest.post(path, json=huge, headers=bearer(key))
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "charging_periods"
    unknown = await rest.post("/tariffs/987654/quote", json=body, headers=bearer(key))
    assert unknown.status_code == 404
