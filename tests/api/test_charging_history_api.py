"""The charging history and billing profiles over the REST API, real HTTP (the web-port app
served by granian): the list with its filters, cursor and export, one session with its cost
breakdown, a sub-operator's key seeing only its own, billing profiles read and replaced with
the settings page's field errors, and refusals (404 outside the scope, 403 without finance).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.api.routes import ROUTERS
from ccms_app.api.routes import charging_history as history_routes
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.test_history import Seeded, seed_history

__all__ = ["keys", "rest", "served"]


@pytest.fixture(autouse=True)
def wired() -> Iterator[None]:
    """The routers in the REST API while api/routes/__init__.py does not list them yet."""
    added = [r for r in (history_routes.api, history_routes.profiles_api) if r not in ROUTERS]
    ROUTERS.extend(added)
    yield
    for r in added:
        ROUTERS.remove(r)


@pytest.fixture
def seeded(organisation: Organisation) -> Seeded:
    return seed_history(organisation.id or 0)


async def _ids(rest: httpx.AsyncClient, key: dict[str, str], **params: str | int) -> list[int]:
    reply = await rest.get("/charging-history", params={"order": "desc", **params}, headers=key)
    assert reply.status_code == 200, reply.text
    return [item["id"] for item in reply.json()["items"]]


async def test_list_filters_and_cursor(rest: httpx.AsyncClient, keys: Keys, seeded: Seeded) -> None:
    key = bearer(keys.make("Finance"))
    s = seeded
    page = (await rest.get("/charging-history", params={"order": "desc"}, headers=key)).json()
    assert page["total"] == 5
    first = page["items"][-1]
    assert first["id"] == s.priced
    assert (first["station"], first["charge_point"], first["driver"], first["vehicle"]) == (
        "Depot North",
        "CP-HIST-1",
        "Alice Driver",
        "Kia EV6",
    )
    assert (first["total_incl_minor"], first["currency"], first["cost_state"]) == (
        714,
        "EUR",
        "final",
    )
    assert first["payment_method"] == "driver account"
    assert first["timezone"] == "Europe/Berlin"
    assert await _ids(rest, key, station_id=s.north_station_id) == [s.running, s.refused, s.priced]
    assert await _ids(rest, key, group_id=s.group_id) == [s.review]
    assert await _ids(rest, key, driver=str(s.alice_id)) == [s.partner, s.priced]
    assert await _ids(rest, key, cost_state="review") == [s.review]
    assert await _ids(rest, key, payment_method="card") == [s.running]
    assert await _ids(rest, key, q="fleet") == [s.review]
    assert await _ids(
        rest,
        key,
        start_time_from="2026-01-05T00:00:00Z",
        start_time_to="2026-01-07T00:00:00Z",
    ) == [s.review, s.priced]

    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"order": "desc", "page_size": 2}
        if cursor:
            params["cursor"] = cursor
        body = (await rest.get("/charging-history", params=params, headers=key)).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [s.partner, s.running, s.refused, s.review, s.priced]

    bad = await rest.get("/charging-history", params={"cost_state": "free"}, headers=key)
    assert bad.status_code == 400


async def test_export_has_the_same_filters(
    rest: httpx.AsyncClient, keys: Keys, seeded: Seeded
) -> None:
    key = bearer(keys.make("Finance"))
    params = {"format": "csv", "station_id": str(seeded.north_station_id), "order": "desc"}
    reply = await rest.get("/charging-history/export", params=params, headers=key)
    assert reply.status_code == 200, reply.text
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [int(r["Session"]) for r in rows] == [seeded.running, seeded.refused, seeded.priced]
    lines = await rest.get(
        "/charging-history/export", params={"format": "jsonl", "id_tag": "CARD-FLEET"}, headers=key
    )
    assert [json.loads(line)["id"] for line in lines.text.splitlines()] == [seeded.review]


async def test_one_session_with_its_breakdown(
    rest: httpx.AsyncClient, keys: Keys, seeded: Seeded
) -> None:
    key = bearer(keys.make("Viewer"))
    reply = await rest.get(f"/charging-history/{seeded.priced}", headers=key)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    cost = body["cost"]
    assert (cost["state"], cost["total_incl_minor"], cost["vat_minor"]) == ("final", 714, 114)
    assert cost["tariff_reason"] == "assigned to station Depot North"
    energy, time_line = cost["lines"]
    assert (energy["dimension"], energy["quantity"], energy["unit_price"], energy["vat"]) == (
        "ENERGY",
        "12.345",
        "0.40",
        "19",
    )
    assert (time_line["dimension"], time_line["amount_excl_vat"]) == ("TIME", "1.05")
    held = (await rest.get(f"/charging-history/{seeded.review}", headers=key)).json()
    assert held["cost"]["note"].startswith("Above the review threshold")
    unpriced = (await rest.get(f"/charging-history/{seeded.refused}", headers=key)).json()
    assert unpriced["cost"] is None
    missing = await rest.get("/charging-history/987654", headers=key)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_a_sub_operator_key_sees_only_its_own(
    rest: httpx.AsyncClient, keys: Keys, seeded: Seeded
) -> None:
    key = bearer(keys.make("Administrator", seeded.partner_id))
    assert await _ids(rest, key) == [seeded.partner]
    assert (await rest.get(f"/charging-history/{seeded.priced}", headers=key)).status_code == 404
    theirs = await rest.get(f"/billing-profiles/{seeded.operator_id}", headers=key)
    assert theirs.status_code == 404
    own = await rest.get(f"/billing-profiles/{seeded.partner_id}", headers=key)
    assert own.status_code == 200 and own.json()["currency"] == "EUR"


async def test_billing_profile_read_and_replace(
    rest: httpx.AsyncClient, keys: Keys, seeded: Seeded
) -> None:
    key = bearer(keys.make("Administrator"))
    url = f"/billing-profiles/{seeded.partner_id}"  # the operator edits its sub-operator's
    default = (await rest.get(url, headers=key)).json()
    assert (default["currency"], default["vat_percent"], default["has_logo"]) == ("EUR", "", False)
    body = {
        "currency": "sek",
        "vat_percent": "25",
        "rounding": "half_even",
        "time_zone": "Europe/Stockholm",
        "seller_name": "Partner CPO AB",
        "seller_email": "billing@partner.example",
    }
    saved = await rest.put(url, json=body, headers=key)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["currency"], saved.json()["vat_percent"]) == ("SEK", "25")
    assert (await rest.get(url, headers=key)).json()["seller_name"] == "Partner CPO AB"

    wrong = await rest.put(
        url, json={**body, "vat_percent": "120", "time_zone": "Nowhere/City"}, headers=key
    )
    assert wrong.status_code == 422
    fields = {e["field"] for e in wrong.json()["errors"]}
    assert {"vat_percent", "time_zone"} <= fields
    extra = await rest.put(url, json={**body, "logo": "x"}, headers=key)
    assert extra.status_code == 422  # unknown fields are refused

    viewer = bearer(keys.make("Viewer"))
    assert (await rest.put(url, json=body, headers=viewer)).status_code == 403
