"""Payments over the REST API, real HTTP (the web-port app served by granian) with the fake
Stripe server and Stripe's webhooks signed in the test: the payments list and its filters
(the reconciliation list is mismatch=true), refunds (field-named 422, 201, 409, 404 outside
the key's scope), payment accounts and card setup, the webhook endpoint (a Checkout
completed delivered three times credits once; a bad signature and an old timestamp are
refused), and what a key without the permission gets."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from ccms_app.core import db
from ccms_app.finance.payments.models import Payment, PaymentKind, PaymentStatus
from ccms_app.finance.wallets.ledger import balance
from tests.api.rest import Keys, bearer, keys
from tests.finance.payments.support import PayWorld, pay_world, payments_rest, payments_served
from tests.fixtures.fake_stripe import FakeStripe, fake_stripe, stripe_not_configured

__all__ = [
    "fake_stripe",
    "keys",
    "pay_world",
    "payments_rest",
    "payments_served",
    "stripe_not_configured",
]


async def _webhook(
    served: str,
    fake: FakeStripe,
    event_type: str,
    obj: dict[str, Any],
    event_id: str | None = None,
    **sign: Any,
) -> httpx.Response:
    return await fake.asend_webhook(f"{served}/webhooks/stripe", event_type, obj, event_id, **sign)


async def _top_up(
    rest: httpx.AsyncClient, key: dict[str, str], world: PayWorld, **choice: Any
) -> dict[str, Any]:
    body = {"holder_kind": "driver", "holder_id": world.zoe, **choice}
    reply = await rest.post("/top-ups", json=body, headers=key)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_a_checkout_replayed_three_times_credits_once_and_bad_signatures_are_refused(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    top_up = await _top_up(payments_rest, key, pay_world, recharge_minor=2000)
    session_id = top_up["checkout_url"].rsplit("/", 1)[-1]
    paid = fake_stripe.complete(session_id)

    forged = await _webhook(
        payments_served, fake_stripe, "checkout.session.completed", paid, "evt_x", secret="whsec_no"
    )
    old = await _webhook(
        payments_served,
        fake_stripe,
        "checkout.session.completed",
        paid,
        "evt_x",
        timestamp=1_700_000_000,
    )
    assert (forged.status_code, old.status_code) == (400, 400)
    replies = [
        await _webhook(payments_served, fake_stripe, "checkout.session.completed", paid, "evt_paid")
        for _ in range(3)
    ]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert [r.json()["message"] for r in replies[1:]] == ["already received"] * 2
    with db.read_session() as s:
        wallet = balance(s, "driver", pay_world.zoe, "EUR")
    assert (wallet.paid_minor, wallet.bonus_minor) == (2000, 0)

    shown = (await payments_rest.get(f"/top-ups/{top_up['id']}", headers=key)).json()
    assert (shown["state"], shown["pay_minor"], shown["holder"]) == ("paid", 2000, "Zoë Müller")
    found = (await payments_rest.get("/payments", params={"kind": "top_up"}, headers=key)).json()
    assert found["total"] == 1
    item = found["items"][0]
    assert (item["status"], item["captured_minor"], item["idempotency_key"]) == (
        "succeeded",
        2000,
        f"top_up:{top_up['id']}",
    )
    assert item["stripe_id"] == paid["payment_intent"] and item["mismatch"] is False


async def test_a_mismatch_shows_in_the_reconciliation_list(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    with db.session_scope() as s:
        s.add(
            Payment(
                organisation_id=pay_world.organisation_id,
                kind=PaymentKind.CARD_HOLD,
                holder_kind="driver",
                holder_id=pay_world.zoe,
                currency="EUR",
                amount_minor=5000,
                captured_minor=1050,
                status=PaymentStatus.SUCCEEDED,
                idempotency_key="session_hold:1",
                stripe_id="pi_hold_1",
            )
        )
    intent = {
        "id": "pi_hold_1",
        "object": "payment_intent",
        "status": "succeeded",
        "amount_received": 1200,
    }
    await _webhook(payments_served, fake_stripe, "payment_intent.succeeded", intent)

    listed = (await payments_rest.get("/payments", params={"mismatch": "true"}, headers=key)).json()
    assert listed["total"] == 1
    row = listed["items"][0]
    assert (
        row["stripe_id"],
        row["mismatch_note"],
        row["stripe_amount_minor"],
        row["captured_minor"],
    ) == (
        "pi_hold_1",
        "Stripe captured 12.00, CCMS expected 10.50",
        1200,
        1050,
    )
    assert (await payments_rest.get("/payments", params={"mismatch": "false"}, headers=key)).json()[
        "total"
    ] == 0
    exported = await payments_rest.get("/payments/export", params={"mismatch": "true"}, headers=key)
    assert [r["Stripe id"] for r in csv.DictReader(io.StringIO(exported.text))] == ["pi_hold_1"]
    bad = await payments_rest.get("/payments", params={"status": "lost"}, headers=key)
    assert bad.status_code == 400


async def test_refunds_through_the_api(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    top_up = await _top_up(payments_rest, key, pay_world, amount_minor=3000)
    paid = fake_stripe.complete(top_up["checkout_url"].rsplit("/", 1)[-1])
    await _webhook(payments_served, fake_stripe, "checkout.session.completed", paid)
    payment_id = (await payments_rest.get("/payments", headers=key)).json()["items"][0]["id"]
    url = f"/payments/{payment_id}/refunds"

    no_reason = await payments_rest.post(url, json={"reason": ""}, headers=key)
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    too_much = await payments_rest.post(
        url, json={"amount_minor": 3001, "reason": "x"}, headers=key
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"

    made = await payments_rest.post(
        url, json={"amount_minor": 1000, "reason": "moved away"}, headers=key
    )
    assert made.status_code == 201, made.text
    refund = made.json()
    assert (refund["kind"], refund["status"], refund["amount_minor"], refund["refund_of_id"]) == (
        "refund",
        "succeeded",
        1000,
        payment_id,
    )
    assert made.headers["location"] == f"/api/v1/payments/{refund['id']}"
    rest_of_it = await payments_rest.post(url, json={"reason": "all of it"}, headers=key)
    assert rest_of_it.json()["amount_minor"] == 2000
    again = await payments_rest.post(url, json={"reason": "once more"}, headers=key)
    assert again.status_code == 409, again.text
    original = (await payments_rest.get(f"/payments/{payment_id}", headers=key)).json()
    assert (original["status"], original["refunded_minor"]) == ("refunded", 3000)
    with db.read_session() as s:
        assert balance(s, "driver", pay_world.zoe, "EUR").paid_minor == 0

    other = bearer(keys.make("Finance", pay_world.other_organisation_id))
    assert (await payments_rest.get(f"/payments/{payment_id}", headers=other)).status_code == 404
    assert (await payments_rest.post(url, json={"reason": "x"}, headers=other)).status_code == 404
    viewer = bearer(keys.make("Viewer"))
    assert (await payments_rest.get("/payments", headers=viewer)).status_code == 200
    assert (await payments_rest.post(url, json={"reason": "x"}, headers=viewer)).status_code == 403
    assert (await payments_rest.get("/payments")).status_code == 401


async def test_payment_accounts_and_card_setup(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    url = f"/payment-accounts/group/{pay_world.fleet}"
    shown = (await payments_rest.get(url, headers=key)).json()
    assert (shown["method"], shown["has_card"], shown["card_label"]) == ("invoice", False, "")
    no_card = await payments_rest.put(url, json={"method": "card"}, headers=key)
    assert no_card.status_code == 422 and no_card.json()["errors"][0]["field"] == "method"
    unknown = await payments_rest.put(url, json={"method": "cash"}, headers=key)
    assert unknown.status_code == 422

    setup = await payments_rest.post(f"{url}/card-setup", headers=key)
    assert setup.status_code == 200, setup.text
    confirmed = fake_stripe.confirm_setup_intent(setup.json()["setup_intent_id"])
    saved = await _webhook(payments_served, fake_stripe, "setup_intent.succeeded", confirmed)
    assert saved.status_code == 200
    card = await payments_rest.put(url, json={"method": "card"}, headers=key)
    assert card.status_code == 200
    assert (card.json()["method"], card.json()["card_label"]) == ("card", "visa •••• 4242, 12/2030")
    assert (await payments_rest.get("/payment-accounts/company/1", headers=key)).status_code == 422
    stranger = f"/payment-accounts/driver/{pay_world.stranger}"
    assert (await payments_rest.get(stranger, headers=key)).status_code == 404


async def test_without_stripe_card_setup_refunds_and_top_ups_say_so(
    payments_rest: httpx.AsyncClient,
    keys: Keys,
    pay_world: PayWorld,
    stripe_not_configured: None,
) -> None:
    key = bearer(keys.make("Finance"))
    setup = await payments_rest.post(
        f"/payment-accounts/driver/{pay_world.zoe}/card-setup", headers=key
    )
    assert setup.status_code == 503
    assert setup.json()["detail"] == "Card payments are not configured: set CCMS_STRIPE_SECRET_KEY"
    assert setup.headers["content-type"] == "application/problem+json"
    body = {"holder_kind": "driver", "holder_id": pay_world.zoe, "recharge_minor": 1000}
    top_up = await payments_rest.post("/top-ups", json=body, headers=key)
    refund = await payments_rest.post("/payments/1/refunds", json={"reason": "x"}, headers=key)
    for reply in (top_up, refund):
        assert reply.status_code == 503
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json()["detail"] == setup.json()["detail"]
    assert (await payments_rest.get("/payments", headers=key)).status_code == 200
