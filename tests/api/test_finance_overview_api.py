"""`GET /finance-overview` over real HTTP: the overview's figures (computed by hand in
tests/finance/test_overview.py) for each period, two currencies, the DST day, outstanding and
refunds; a wrong period is a field-named 422; a sub-operator's key sees its own figures."""

from __future__ import annotations

import httpx
import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.api.routes import finance_overview
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.test_overview import NOW, SeededOverview, seed_overview

__all__ = ["keys", "rest", "served"]


@pytest.fixture
def seeded(organisation: Organisation, monkeypatch: pytest.MonkeyPatch) -> SeededOverview:
    monkeypatch.setattr(finance_overview, "utc_now", lambda: NOW)
    return seed_overview(organisation.id or 0)


async def _get(rest: httpx.AsyncClient, key: str, **params: str) -> httpx.Response:
    return await rest.get("/finance-overview", params=params, headers=bearer(key))


async def test_days(rest: httpx.AsyncClient, keys: Keys, seeded: SeededOverview) -> None:
    reply = await _get(rest, keys.make("Finance"))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["period"], body["time_zone"]) == ("days", "Europe/Berlin")
    assert (body["since"], body["until"]) == ("2026-03-06T23:00:00Z", "2026-04-05T22:00:00Z")
    assert len(body["buckets"]) == 30
    dst = body["buckets"][22]
    assert dst == {
        "key": "2026-03-29",
        "label": "Sun 29 Mar",
        "start": "2026-03-28T23:00:00Z",
        "end": "2026-03-29T22:00:00Z",
    }
    eur, gbp = body["revenue"]
    assert (eur["currency"], gbp["currency"]) == ("EUR", "GBP")
    assert eur["buckets"][22] == {
        "key": "2026-03-29",
        "sessions": 2,
        "energy_wh": 7000,
        "charging_excl_minor": 1500,
        "charging_vat_minor": 285,
        "charging_incl_minor": 1785,
        "top_ups": 0,
        "top_ups_minor": 0,
        "membership_fees": 0,
        "membership_fees_minor": 0,
    }
    assert eur["buckets"][23]["top_ups_minor"] == 5000
    assert eur["buckets"][23]["membership_fees_minor"] == 1499
    assert eur["totals"]["charging_incl_minor"] == 6984
    assert gbp["totals"]["charging_incl_minor"] == 960
    out = body["outstanding"]
    assert out["card_failed"] == [{"currency": "EUR", "count": 1, "amount_minor": 1900}]
    assert out["card_pending"] == [{"currency": "EUR", "count": 2, "amount_minor": 1000}]
    assert [f["amount_minor"] for f in out["wallets_in_debt"]] == [700, 50]
    assert [f["amount_minor"] for f in out["not_invoiced"]] == [952, 960]
    assert out["invoiced"] == [{"currency": "EUR", "count": 1, "amount_minor": 119}]
    assert body["refunds"] == {
        "card": [{"currency": "EUR", "count": 1, "amount_minor": 250}],
        "wallet": [{"currency": "EUR", "count": 1, "amount_minor": 400}],
    }
    month = body["this_month"]
    assert month["month"] == "April 2026" and month["held_for_review"] == 1
    assert [r["incl_minor"] for r in month["revenue"]] == [2819, 960]
    assert month["running_cost"] == [{"currency": "EUR", "incl_minor": 450}]


async def test_months_and_years(
    rest: httpx.AsyncClient, keys: Keys, seeded: SeededOverview
) -> None:
    key = keys.make()
    months = (await _get(rest, key, period="months")).json()
    assert [b["key"] for b in months["buckets"]][-2:] == ["2026-03", "2026-04"]
    march = months["revenue"][0]["buckets"][-2]
    assert (march["sessions"], march["charging_incl_minor"]) == (4, 4522)
    assert months["outstanding"]["invoiced"][0]["amount_minor"] == 452
    years = (await _get(rest, key, period="years")).json()
    assert years["revenue"][0]["buckets"][-1]["charging_incl_minor"] == 7817


async def test_a_wrong_period_names_the_field(
    rest: httpx.AsyncClient, keys: Keys, seeded: SeededOverview
) -> None:
    reply = await _get(rest, keys.make(), period="weeks")
    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("application/problem+json")
    (error,) = reply.json()["errors"]
    assert (error["location"], error["field"]) == ("query", "period")


async def test_a_sub_operator_sees_its_own(
    rest: httpx.AsyncClient, keys: Keys, seeded: SeededOverview
) -> None:
    body = (await _get(rest, keys.make(organisation_id=seeded.partner_id))).json()
    assert body["time_zone"] == "Europe/London"
    assert [s["currency"] for s in body["revenue"]] == ["GBP"]
    assert body["outstanding"]["card_failed"] == []
    assert body["outstanding"]["wallets_in_debt"] == [
        {"currency": "GBP", "count": 1, "amount_minor": 50}
    ]
