"""Membership plans and memberships over the REST API, real HTTP (the web-port app served by
granian) on a real migrated database: plans created and changed with field-named 422s,
members enrolled (one per holder: 409), listed with their period and included kWh, cancelled;
another organisation's key finds none of it; a card plan with the fake Stripe server (the
subscription created with our idempotency key, and an invoice.paid webhook that moves the
period on once however often it is delivered)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.finance.memberships.models import Membership
from ccms_app.finance.payments import stripe_gateway, webhook_route
from ccms_app.finance.rules.memberships import add_months
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.memberships.support import Club, club, fill_wallet, save_card
from tests.fixtures.fake_stripe import FakeStripe, fake_stripe, stripe_not_configured

__all__ = ["club", "fake_stripe", "keys", "rest", "served", "stripe_not_configured"]

UTC_ZONE = ZoneInfo("UTC")


def _fields(reply: httpx.Response) -> set[str]:
    return {entry["field"] for entry in reply.json().get("errors", [])}


async def _plan(rest: httpx.AsyncClient, key: dict[str, str], **body: Any) -> dict[str, Any]:
    payload = {"name": "Gold", "monthly_fee_minor": 990, "discount_percent": 10} | body
    reply = await rest.post("/membership-plans", json=payload, headers=key)
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


async def test_plans_are_created_read_and_changed(
    rest: httpx.AsyncClient, keys: Keys, club: Club
) -> None:
    key = bearer(keys.make("Finance"))
    made = await rest.post(
        "/membership-plans",
        json={
            "name": "Gold",
            "monthly_fee_minor": 990,
            "discount_percent": "12.5",
            "included_kwh": 50.5,
            "member_tariff_id": club.member_tariff,
        },
        headers=key,
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    assert made.headers["location"] == f"/api/v1/membership-plans/{plan['id']}"
    assert (plan["monthly_fee_minor"], plan["currency"], plan["fee_collection"]) == (
        990,
        "EUR",
        "wallet",
    )
    assert (plan["discount_percent"], plan["included_wh"]) == ("12.5", 50_500)
    assert (plan["member_tariff"], plan["active"], plan["members"]) == ("Members", True, 0)
    assert (await rest.get(f"/membership-plans/{plan['id']}", headers=key)).json() == plan

    changed = await rest.patch(
        f"/membership-plans/{plan['id']}",
        json={"discount_percent": None, "active": False, "monthly_fee_minor": 1290},
        headers=key,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["discount_percent"], changed.json()["active"]) == (None, False)
    assert (changed.json()["monthly_fee_minor"], changed.json()["included_wh"]) == (1290, 50_500)
    listed = (await rest.get("/membership-plans?active=false", headers=key)).json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]


async def test_wrong_plans_are_named_field_by_field(
    rest: httpx.AsyncClient, keys: Keys, club: Club
) -> None:
    key = bearer(keys.make("Finance"))
    wrong = await rest.post(
        "/membership-plans",
        json={"name": "", "monthly_fee_minor": 0, "fee_collection": "stripe"},
        headers=key,
    )
    assert wrong.status_code == 422, wrong.text
    assert _fields(wrong) == {"name", "monthly_fee_minor", "benefits"}
    assert wrong.headers["content-type"] == "application/problem+json"
    out_of_range = await rest.post(
        "/membership-plans",
        json={"name": "X", "monthly_fee_minor": -1, "discount_percent": 101, "colour": "red"},
        headers=key,
    )
    assert _fields(out_of_range) == {"monthly_fee_minor", "discount_percent", "colour"}
    await _plan(rest, key)
    clash = await rest.post(
        "/membership-plans",
        json={"name": "gold", "monthly_fee_minor": 0, "included_kwh": 1},
        headers=key,
    )
    assert clash.status_code == 422 and _fields(clash) == {"name"}


async def test_members_are_enrolled_listed_and_cancelled(
    rest: httpx.AsyncClient, keys: Keys, club: Club
) -> None:
    key = bearer(keys.make("Finance"))
    plan = await _plan(rest, key, included_kwh=100)
    fill_wallet(club, "driver", club.driver, 5000)
    body = {"plan_id": plan["id"], "holder_kind": "driver", "holder_id": club.driver}

    made = await rest.post("/memberships", json=body, headers=key)

    assert made.status_code == 201, made.text
    member = made.json()
    assert made.headers["location"] == f"/api/v1/memberships/{member['id']}"
    assert (member["holder_name"], member["plan_name"], member["status"]) == (
        "Ada Lovelace",
        "Gold",
        "active",
    )
    assert (member["included_wh"], member["included_used_wh"]) == (100_000, 0)
    assert member["current_period_end"] > member["current_period_start"]
    again = await rest.post("/memberships", json=body, headers=key)
    assert again.status_code == 409 and _fields(again) == {"holder_id"}
    listed = await rest.get(f"/memberships?holder_id={club.driver}&status=active", headers=key)
    assert [m["id"] for m in listed.json()["items"]] == [member["id"]]

    ending = await rest.post(f"/memberships/{member['id']}/cancel", json={}, headers=key)
    assert ending.status_code == 200, ending.text
    assert (ending.json()["status"], ending.json()["ends_at_period_end"]) == ("active", True)
    ended = await rest.post(f"/memberships/{member['id']}/cancel", json={"at": "now"}, headers=key)
    assert (ended.json()["status"], ended.json()["ends_at_period_end"]) == ("cancelled", False)
    twice = await rest.post(f"/memberships/{member['id']}/cancel", json={"at": "now"}, headers=key)
    assert twice.status_code == 409


async def test_another_organisations_key_finds_nothing(
    rest: httpx.AsyncClient, keys: Keys, club: Club
) -> None:
    plan = await _plan(rest, bearer(keys.make("Finance")))
    stranger = bearer(keys.make("Administrator", organisation_id=club.other_org))
    assert (await rest.get(f"/membership-plans/{plan['id']}", headers=stranger)).status_code == 404
    assert (await rest.get("/membership-plans", headers=stranger)).json()["total"] == 0
    patched = await rest.patch(f"/membership-plans/{plan['id']}", json={}, headers=stranger)
    assert patched.status_code == 404
    enrol = {"plan_id": plan["id"], "holder_kind": "driver", "holder_id": club.stranger}
    refused = await rest.post("/memberships", json=enrol, headers=stranger)
    assert refused.status_code == 422 and _fields(refused) == {"plan_id"}


async def test_a_card_plan_without_stripe_says_so(
    rest: httpx.AsyncClient, keys: Keys, club: Club, stripe_not_configured: None
) -> None:
    key = bearer(keys.make("Finance"))
    plan = await _plan(rest, key, fee_collection="stripe")
    body = {"plan_id": plan["id"], "holder_kind": "driver", "holder_id": club.driver}
    reply = await rest.post("/memberships", json=body, headers=key)
    assert reply.status_code == 503
    assert reply.json()["detail"] == stripe_gateway.NOT_CONFIGURED


@pytest.fixture
async def stripe_posts(club: Club) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the Stripe webhook route."""
    app = Starlette(routes=webhook_route.routes)
    transport = httpx.ASGITransport(app=app, client=("54.187.174.169", 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def test_a_card_plan_subscribes_and_renews_once_per_invoice(
    rest: httpx.AsyncClient,
    keys: Keys,
    club: Club,
    fake_stripe: FakeStripe,
    stripe_posts: httpx.AsyncClient,
) -> None:
    key = bearer(keys.make("Finance"))
    customer = stripe_gateway.create_customer(
        email="ada@example.com", name="Ada", idempotency_key="api-test-customer", metadata={}
    )
    save_card(club, customer, club.driver)
    plan = await _plan(rest, key, fee_collection="stripe", monthly_fee_minor=1990)
    body = {"plan_id": plan["id"], "holder_kind": "driver", "holder_id": club.driver}

    made = await rest.post("/memberships", json=body, headers=key)

    assert made.status_code == 201, made.text
    member = made.json()
    [call] = fake_stripe.calls("POST", "/v1/subscriptions")
    assert call["headers"]["idempotency-key"] == f"membership:{member['id']}:subscription"
    sub = member["stripe_subscription_id"]
    assert fake_stripe.objects[sub]["status"] == "active" and member["status"] == "active"

    with db.session_scope() as s:  # a month on: the period is over, Stripe renews
        row = s.get(Membership, member["id"])
        assert row is not None
        old_end = utc_now() - timedelta(minutes=1)
        row.started_at = row.current_period_start = add_months(old_end, -1, UTC_ZONE)
        row.current_period_end = old_end
    invoice = fake_stripe.invoice_event(sub, paid=True)
    for _ in range(3):  # Stripe delivers the same event again
        payload, headers = fake_stripe.signed_request("invoice.paid", invoice, "evt_renewal_1")
        delivered = await stripe_posts.post("/webhooks/stripe", content=payload, headers=headers)
        assert delivered.status_code == 200, delivered.text

    renewed = (await rest.get(f"/memberships/{member['id']}", headers=key)).json()
    assert renewed["current_period_start"] == old_end.isoformat().replace("+00:00", "Z")
    new_end = add_months(old_end, 1, UTC_ZONE)
    assert renewed["current_period_end"] == new_end.isoformat().replace("+00:00", "Z")
