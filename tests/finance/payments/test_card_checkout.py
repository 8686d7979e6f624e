"""Saving a card on Stripe's hosted Checkout page (mode setup): the session is opened for the
holder's Stripe customer in its currency; the card is saved when Stripe reports the completed
session or the succeeded SetupIntent (both, in any order, save it once); a SetupIntent that
did not succeed saves nothing; top-ups (mode payment) are untouched. Over real HTTP: the fake
Stripe's hosted page saves the card and delivers both webhooks to the app's route."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ccms_app.core import db
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import card_checkout, top_ups
from ccms_app.finance.payments import payment_accounts as accounts
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import PaymentAccount
from ccms_app.finance.payments.top_ups import TopUpRequest
from ccms_app.finance.wallets.ledger import balance
from tests.finance.payments.support import PayWorld, deliver, payments_served
from tests.fixtures.fake_stripe import FakeStripe

__all__ = ["payments_served"]

BACK = "https://charge.example/app/wallet?card=added"
CANCEL = "https://charge.example/app/wallet?card=cancelled"
VISA = "visa •••• 4242, 12/2030"


def _account(world: PayWorld) -> PaymentAccount:
    with db.read_session() as s:
        found = accounts.get_account(s, "driver", world.zoe)
    assert found is not None
    return found


def _open(world: PayWorld) -> gateway.SetupCheckout:
    return card_checkout.start_card_checkout(
        world.scope, "driver", world.zoe, BACK, CANCEL, "driver:zoe@example.com"
    )


def test_a_card_checkout_needs_stripe(pay_world: PayWorld, stripe_not_configured: None) -> None:
    with pytest.raises(gateway.PaymentsNotConfigured):
        _open(pay_world)


def test_the_checkout_is_a_setup_session_for_the_holders_customer(
    pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    opened = _open(pay_world)
    again = _open(pay_world)
    assert opened.session_id != again.session_id
    assert opened.url == f"{fake_stripe.base_url}/checkout/{opened.session_id}"
    assert len(fake_stripe.of_type("customer")) == 1  # one customer, two pages
    session = fake_stripe.objects[opened.session_id]
    account = _account(pay_world)
    assert (session["mode"], session["currency"], session["customer"]) == (
        "setup",
        "eur",
        account.stripe_customer_id,
    )
    assert (session["success_url"], session["cancel_url"]) == (BACK, CANCEL)
    sent = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert sent["params"]["payment_method_types"] == ["card"]
    assert sent["headers"]["idempotency-key"].startswith(f"card_checkout:{account.id}:")
    assert opened.setup_intent_id == session["setup_intent"]
    assert account.setup_intent_id == again.setup_intent_id  # the latest page's
    assert account.card_payment_method_id == "" and account.method == "invoice"  # as it was


def test_what_is_refused_before_stripe_is_asked(
    pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    with pytest.raises(FinanceError) as urls:
        card_checkout.start_card_checkout(
            pay_world.scope, "driver", pay_world.zoe, "/app/wallet", "ftp://x", "ops"
        )
    assert set(urls.value.errors) == {"success_url", "cancel_url"}
    with pytest.raises(FinanceNotFound):
        card_checkout.start_card_checkout(
            pay_world.scope, "driver", pay_world.stranger, BACK, CANCEL, "ops"
        )
    assert fake_stripe.requests == []


async def test_the_completed_session_saves_the_card_once_whichever_event_comes_first(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    opened = _open(pay_world)
    completed = fake_stripe.complete_setup(opened.session_id)
    assert fake_stripe.attached[completed["customer"]] == ["pm_card_visa"]
    reply = await deliver(stripe_posts, fake_stripe, "checkout.session.completed", completed)
    assert reply.json()["message"] == f"card saved for driver {pay_world.zoe}: {VISA}"
    assert fake_stripe.calls("GET", f"/v1/setup_intents/{opened.setup_intent_id}")
    intent = fake_stripe.objects[opened.setup_intent_id]
    again = await deliver(stripe_posts, fake_stripe, "setup_intent.succeeded", intent)
    assert again.json()["message"] == f"card saved for driver {pay_world.zoe}: {VISA}"
    account = _account(pay_world)
    assert (account.card_payment_method_id, account.card_label) == ("pm_card_visa", VISA)
    chosen = accounts.set_method(pay_world.scope, "driver", pay_world.zoe, "card", "ops")
    assert chosen.method == "card"


async def test_an_expanded_setup_intent_in_the_event_is_read_as_it_is(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    opened = _open(pay_world)
    completed = fake_stripe.complete_setup(opened.session_id, "pm_card_mastercard")
    method = {
        "id": "pm_card_mastercard",
        "type": "card",
        "card": {"brand": "mastercard", "last4": "4444", "exp_month": 3, "exp_year": 2031},
    }
    intent = {**fake_stripe.objects[opened.setup_intent_id], "payment_method": method}
    reply = await deliver(
        stripe_posts,
        fake_stripe,
        "checkout.session.completed",
        {**completed, "setup_intent": intent},
    )
    assert reply.json()["message"].endswith("mastercard •••• 4444, 03/2031")
    assert not fake_stripe.calls("GET", "/v1/")  # nothing asked of Stripe: all in the event


async def test_a_setup_that_did_not_succeed_saves_nothing(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    opened = _open(pay_world)
    session = {**fake_stripe.objects[opened.session_id], "status": "complete"}
    reply = await deliver(stripe_posts, fake_stripe, "checkout.session.completed", session)
    assert reply.json()["message"] == (
        f"card checkout {opened.session_id}: setup requires_payment_method"
    )
    bare = {**session, "setup_intent": None}
    missing = await deliver(stripe_posts, fake_stripe, "checkout.session.completed", bare)
    assert missing.json()["message"] == f"card checkout {opened.session_id} without a SetupIntent"
    expired = fake_stripe.expire(opened.session_id)
    gone = await deliver(stripe_posts, fake_stripe, "checkout.session.expired", expired)
    assert gone.json()["message"] == f"card checkout {opened.session_id}: expired, no card saved"
    assert _account(pay_world).card_payment_method_id == ""


async def test_top_ups_are_untouched_by_the_card_handlers(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    paid = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=2000), "ops"
    )
    completed = fake_stripe.complete(paid.checkout_session_id)
    reply = await deliver(stripe_posts, fake_stripe, "checkout.session.completed", completed)
    assert reply.json()["message"] == f"top-up {paid.id}: credited 20.00 EUR"
    lapsed = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=1000), "ops"
    )
    expired = fake_stripe.expire(lapsed.checkout_session_id)
    gone = await deliver(stripe_posts, fake_stripe, "checkout.session.expired", expired)
    assert gone.json()["message"] == f"top-up {lapsed.id}: expired"


async def test_the_hosted_pages_save_a_card_and_pay_a_top_up_over_http(
    pay_world: PayWorld, fake_stripe: FakeStripe, payments_served: str
) -> None:
    fake_stripe.webhook_url = f"{payments_served}/webhooks/stripe"
    opened = _open(pay_world)
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(opened.url)
        assert page.status_code == 200 and "Save card" in page.text
        assert f"href='{CANCEL}'" in page.text.replace("&amp;", "&")
    # the fake delivers the webhooks from its own thread: this loop must stay free to serve
    done = await asyncio.to_thread(httpx.post, f"{opened.url}/pay", timeout=10)
    assert (done.status_code, done.headers["location"]) == (303, BACK)
    assert fake_stripe.deliveries == [
        ("checkout.session.completed", 200),
        ("setup_intent.succeeded", 200),
    ]
    assert _account(pay_world).card_label == VISA
    twice = await asyncio.to_thread(httpx.post, f"{opened.url}/pay", timeout=10)
    assert twice.status_code == 409  # a finished page cannot be paid again

    top_up = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=5000), "ops"
    )
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(top_up.checkout_url)
    assert "50.00 EUR" in page.text and ">Pay<" in page.text
    paid = await asyncio.to_thread(httpx.post, f"{top_up.checkout_url}/pay", timeout=10)
    assert paid.status_code == 303
    assert fake_stripe.deliveries[-1] == ("checkout.session.completed", 200)
    with db.read_session() as s:
        assert balance(s, "driver", pay_world.zoe, "EUR").total_minor == 5000
