"""Card-plan memberships against the fake Stripe server (tests/fixtures/fake_stripe.py): the
subscription is created on the saved card with our idempotency key; Stripe's invoice and
subscription webhooks (signed, delivered to the real webhook route) drive the membership:
paid -> active and, for a renewal, the next period (once, however often it is delivered);
failed -> past due; deleted -> cancelled. Without Stripe keys a card plan says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.memberships import enrolment
from ccms_app.finance.memberships.models import Membership, MembershipStatus
from ccms_app.finance.payments import stripe_gateway, webhook_route
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.finance.rules.memberships import add_months
from tests.finance.memberships.support import ACTOR, Club, plan, save_card
from tests.fixtures.fake_stripe import FakeStripe

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
async def stripe_posts(club: Club) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the Stripe webhook route (in-process ASGI)."""
    app = Starlette(routes=webhook_route.routes)
    transport = httpx.ASGITransport(app=app, client=("54.187.174.169", 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def deliver(
    http: httpx.AsyncClient, fake: FakeStripe, kind: str, obj: dict[str, Any], event_id: str
) -> httpx.Response:
    payload, headers = fake.signed_request(kind, obj, event_id)
    reply = await http.post("/webhooks/stripe", content=payload, headers=headers)
    assert reply.status_code == 200, reply.text
    return reply


def _card_member(club: Club, fake: FakeStripe) -> enrolment.MembershipView:
    customer = stripe_gateway.create_customer(
        email="ada@example.com", name="Ada", idempotency_key="test-customer", metadata={}
    )
    save_card(club, customer, club.driver)
    gold = plan(club, "Gold", fee_collection="stripe", monthly_fee="19.90", discount_percent="5")
    return enrolment.enrol(club.scope, gold.id, "driver", club.driver, ACTOR)


def _membership(membership_id: int) -> Membership:
    with db.read_session() as s:
        found = s.get(Membership, membership_id)
        assert found is not None
        return found


def _fee_payments(membership_id: int) -> list[Payment]:
    with db.read_session() as s:
        rows = s.exec(
            select(Payment).where(Payment.membership_id == membership_id).order_by(col(Payment.id))
        ).all()
    return list(rows)


def test_without_stripe_keys_a_card_plan_cannot_be_enrolled(
    club: Club, stripe_not_configured: None
) -> None:
    gold = plan(club, "Gold", fee_collection="stripe", monthly_fee="9.90", included_kwh="20")
    with pytest.raises(stripe_gateway.PaymentsNotConfigured) as caught:
        enrolment.enrol(club.scope, gold.id, "driver", club.driver, ACTOR)
    assert str(caught.value) == "Card payments are not configured: set CCMS_STRIPE_SECRET_KEY"
    assert enrolment.membership_of_holder(club.scope, "driver", club.driver) is None


def test_a_card_plan_needs_a_saved_card(club: Club, fake_stripe: FakeStripe) -> None:
    gold = plan(club, "Gold", fee_collection="stripe", monthly_fee="9.90", included_kwh="20")
    with pytest.raises(FinanceError) as caught:
        enrolment.enrol(club.scope, gold.id, "driver", club.driver, ACTOR)
    assert caught.value.errors == {"holder_id": "Ada Lovelace has no saved card: save one first"}
    assert fake_stripe.of_type("subscription") == []


def test_enrolling_creates_the_subscription_with_our_idempotency_key(
    club: Club, fake_stripe: FakeStripe
) -> None:
    member = _card_member(club, fake_stripe)

    assert member.status == MembershipStatus.ACTIVE
    [subscription] = fake_stripe.of_type("subscription")
    assert member.stripe_subscription_id == subscription["id"]
    assert subscription["default_payment_method"] == "pm_card_visa"
    assert subscription["metadata"]["membership_id"] == str(member.id)
    price = subscription["items"]["data"][0]["price"]
    assert (int(price["unit_amount"]), price["currency"]) == (1990, "eur")
    [call] = fake_stripe.calls("POST", "/v1/subscriptions")
    assert call["headers"]["idempotency-key"] == f"membership:{member.id}:subscription"
    assert member.current_period_end - member.current_period_start > timedelta(days=27)


def test_a_declined_first_payment_leaves_the_membership_past_due(
    club: Club, fake_stripe: FakeStripe
) -> None:
    fake_stripe.decline_next("insufficient_funds")
    member = _card_member(club, fake_stripe)
    assert member.status == MembershipStatus.PAST_DUE  # no benefits before the card pays


async def test_invoice_webhooks_drive_the_membership_once(
    club: Club, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    member = _card_member(club, fake_stripe)
    sub = member.stripe_subscription_id
    first = fake_stripe.invoice_event(sub, paid=True)
    await deliver(stripe_posts, fake_stripe, "invoice.paid", first, "evt_first")
    assert _membership(member.id).current_period_end == member.current_period_end  # the first

    # a month later Stripe renews: the period moves on once, however often it is told
    with db.session_scope() as s:
        row = s.get(Membership, member.id)
        assert row is not None
        old_end = utc_now() - timedelta(minutes=5)
        row.started_at = row.current_period_start = add_months(old_end, -1, UTC_ZONE)
        row.current_period_end = old_end
    renewal = fake_stripe.invoice_event(sub, paid=True)
    for event_id in ("evt_renewal", "evt_renewal", "evt_renewal", "evt_same_invoice"):
        reply = await deliver(stripe_posts, fake_stripe, "invoice.paid", renewal, event_id)
    assert "recorded already" in reply.json()["message"]

    renewed = _membership(member.id)
    assert renewed.current_period_start == old_end
    assert renewed.current_period_end == add_months(old_end, 1, UTC_ZONE)
    payments = _fee_payments(member.id)
    assert [(p.kind, p.status, p.captured_minor, p.stripe_id) for p in payments] == [
        (PaymentKind.MEMBERSHIP_FEE, PaymentStatus.SUCCEEDED, 1990, first["id"]),
        (PaymentKind.MEMBERSHIP_FEE, PaymentStatus.SUCCEEDED, 1990, renewal["id"]),
    ]


async def test_a_failed_renewal_pauses_and_a_deleted_subscription_ends_it(
    club: Club, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    member = _card_member(club, fake_stripe)
    sub = member.stripe_subscription_id
    failed = fake_stripe.invoice_event(sub, paid=False)
    await deliver(stripe_posts, fake_stripe, "invoice.payment_failed", failed, "evt_failed")
    assert _membership(member.id).status == MembershipStatus.PAST_DUE
    assert _fee_payments(member.id)[0].status == PaymentStatus.FAILED
    await deliver(stripe_posts, fake_stripe, "invoice.paid", failed | {"amount_paid": 1990}, "e2")
    assert _membership(member.id).status == MembershipStatus.ACTIVE
    assert [p.status for p in _fee_payments(member.id)] == [PaymentStatus.SUCCEEDED]

    deleted = fake_stripe.objects[sub] | {"status": "canceled"}
    await deliver(stripe_posts, fake_stripe, "customer.subscription.deleted", deleted, "evt_del")
    assert _membership(member.id).status == MembershipStatus.CANCELLED


async def test_events_of_other_subscriptions_change_nothing(
    club: Club, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    member = _card_member(club, fake_stripe)
    stranger = {"id": "in_other", "object": "invoice", "subscription": "sub_elsewhere"}
    reply = await deliver(stripe_posts, fake_stripe, "invoice.paid", stranger, "evt_other")
    assert "not a membership" in reply.json()["message"]
    assert _fee_payments(member.id) == []


def test_cancelling_a_card_membership_stops_the_subscription_first(
    club: Club, fake_stripe: FakeStripe
) -> None:
    member = _card_member(club, fake_stripe)

    ending = enrolment.cancel(club.scope, member.id, True, ACTOR)

    assert fake_stripe.objects[member.stripe_subscription_id]["status"] == "canceled"
    assert ending.status == MembershipStatus.ACTIVE  # paid until the period ends
    assert ending.cancelled_at == member.current_period_end
