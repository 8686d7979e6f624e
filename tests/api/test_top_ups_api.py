"""Top-ups, packages and payment settings over the REST API, real HTTP with the fake Stripe
server: settings read and replaced (422 naming the API's fields), packages created, listed
and switched off, a top-up started with a package (its Checkout page in the answer, bonus
credited as bonus when Stripe's webhook says it was paid), a Checkout that expired, other
organisations' keys seeing none of it, and top-ups answering 503 without Stripe keys. What
Stripe would refuse (a return URL that is not one, an amount outside Stripe's limits) is a
422 naming the field and never reaches Stripe; bodies are strict (0 is not false, "" is not
a currency); an unknown export filter is a 400 before anything is streamed."""

from __future__ import annotations

import httpx

from ccms_app.core import db
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

SETTINGS = {
    "card_hold_minor": 3000,
    "wallet_minimum_minor": 200,
    "recharge_amounts_minor": [2500, 1500],
    "top_up_minimum_minor": 1000,
    "top_up_maximum_minor": 20000,
    "memberships_enabled": False,
}


async def test_payment_settings_are_read_and_replaced(
    payments_rest: httpx.AsyncClient, keys: Keys, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    key = bearer(keys.make("Finance"))
    shown = (await payments_rest.get("/payment-settings", headers=key)).json()
    assert (shown["card_hold_minor"], shown["recharge_amounts_minor"], shown["currency"]) == (
        5000,
        [1000, 2000, 5000],
        "EUR",
    )
    assert shown["stripe_configured"] is True
    wrong = await payments_rest.put(
        "/payment-settings",
        json={**SETTINGS, "top_up_maximum_minor": 500, "recharge_amounts_minor": [100]},
        headers=key,
    )
    assert wrong.status_code == 422
    assert {e["field"] for e in wrong.json()["errors"]} == {"top_up_maximum_minor"}
    outside = await payments_rest.put(
        "/payment-settings", json={**SETTINGS, "recharge_amounts_minor": [100]}, headers=key
    )
    assert [e["field"] for e in outside.json()["errors"]] == ["recharge_amounts_minor"]
    saved = await payments_rest.put("/payment-settings", json=SETTINGS, headers=key)
    assert saved.status_code == 200, saved.text
    assert saved.json()["recharge_amounts_minor"] == [1500, 2500]
    sub = await payments_rest.get(
        "/payment-settings", params={"organisation_id": pay_world.sub_operator_id}, headers=key
    )
    assert sub.json()["card_hold_minor"] == 5000  # its own defaults
    other = await payments_rest.get(
        "/payment-settings",
        params={"organisation_id": pay_world.other_organisation_id},
        headers=key,
    )
    assert other.status_code == 404
    viewer = bearer(keys.make("Viewer"))
    assert (
        await payments_rest.put("/payment-settings", json=SETTINGS, headers=viewer)
    ).status_code == 403


async def test_a_package_top_up_from_start_to_credit(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    bad = await payments_rest.post(
        "/top-up-packages",
        json={"name": "Odd", "pay_minor": 5000, "credit_minor": 4000},
        headers=key,
    )
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["credit_minor"]
    made = await payments_rest.post(
        "/top-up-packages",
        json={"name": "Pay 50, get 55", "pay_minor": 5000, "credit_minor": 5500},
        headers=key,
    )
    assert made.status_code == 201, made.text
    package = made.json()
    assert (package["bonus_minor"], package["currency"], package["active"]) == (500, "EUR", True)
    listed = (await payments_rest.get("/top-up-packages", headers=key)).json()["items"]
    assert [p["name"] for p in listed] == ["Pay 50, get 55"]

    started = await payments_rest.post(
        "/top-ups",
        json={
            "holder_kind": "driver",
            "holder_id": pay_world.zoe,
            "package_id": package["id"],
            "success_url": "https://app.example/paid",
        },
        headers=key,
    )
    assert started.status_code == 201, started.text
    top_up = started.json()
    assert started.headers["location"] == f"/api/v1/top-ups/{top_up['id']}"
    assert (top_up["state"], top_up["pay_minor"], top_up["bonus_minor"], top_up["package"]) == (
        "open",
        5000,
        500,
        "Pay 50, get 55",
    )
    assert top_up["checkout_url"].startswith(fake_stripe.base_url + "/checkout/cs_")
    checkout = fake_stripe.of_type("checkout.session")[0]
    assert checkout["success_url"] == "https://app.example/paid"

    paid = fake_stripe.complete(checkout["id"])
    for _ in range(3):
        await fake_stripe.asend_webhook(
            f"{payments_served}/webhooks/stripe", "checkout.session.completed", paid, "evt_once"
        )
    with db.read_session() as s:
        wallet = balance(s, "driver", pay_world.zoe, "EUR")
    assert (wallet.paid_minor, wallet.bonus_minor) == (5000, 500)
    history = (await payments_rest.get("/top-ups", params={"state": "paid"}, headers=key)).json()
    assert history["total"] == 1 and history["items"][0]["paid_at"] is not None

    off = await payments_rest.patch(
        f"/top-up-packages/{package['id']}", json={"active": False}, headers=key
    )
    assert off.json()["active"] is False
    refused = await payments_rest.post(
        "/top-ups",
        json={"holder_kind": "driver", "holder_id": pay_world.zoe, "package_id": package["id"]},
        headers=key,
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "package_id"
    two = await payments_rest.post(
        "/top-ups",
        json={
            "holder_kind": "driver",
            "holder_id": pay_world.zoe,
            "recharge_minor": 1000,
            "amount_minor": 1000,
        },
        headers=key,
    )
    assert two.status_code == 422

    other = bearer(keys.make("Finance", pay_world.other_organisation_id))
    assert (await payments_rest.get(f"/top-ups/{top_up['id']}", headers=other)).status_code == 404
    assert (await payments_rest.get("/top-up-packages", headers=other)).json()["items"] == []
    patched = await payments_rest.patch(
        f"/top-up-packages/{package['id']}", json={"active": True}, headers=other
    )
    assert patched.status_code == 404
    stranger = await payments_rest.post(
        "/top-ups",
        json={"holder_kind": "driver", "holder_id": pay_world.zoe, "recharge_minor": 1000},
        headers=other,
    )
    assert stranger.status_code == 404


async def test_an_expired_checkout_and_a_custom_amount(
    payments_rest: httpx.AsyncClient,
    payments_served: str,
    keys: Keys,
    pay_world: PayWorld,
    fake_stripe: FakeStripe,
) -> None:
    key = bearer(keys.make("Finance"))
    low = await payments_rest.post(
        "/top-ups",
        json={"holder_kind": "group", "holder_id": pay_world.fleet, "amount_minor": 100},
        headers=key,
    )
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "amount_minor"
    started = await payments_rest.post(
        "/top-ups",
        json={"holder_kind": "group", "holder_id": pay_world.fleet, "amount_minor": 1234},
        headers=key,
    )
    top_up = started.json()
    assert (top_up["pay_minor"], top_up["holder"]) == (1234, "Fleet")
    expired = fake_stripe.expire(top_up["checkout_url"].rsplit("/", 1)[-1])
    await fake_stripe.asend_webhook(
        f"{payments_served}/webhooks/stripe", "checkout.session.expired", expired
    )
    shown = (await payments_rest.get(f"/top-ups/{top_up['id']}", headers=key)).json()
    assert shown["state"] == "expired"
    payment = (
        await payments_rest.get("/payments", params={"top_up_id": top_up["id"]}, headers=key)
    ).json()
    assert payment["items"][0]["status"] == "canceled"


async def test_top_ups_answer_503_without_stripe_keys_and_the_rest_works(
    payments_rest: httpx.AsyncClient, keys: Keys, pay_world: PayWorld, stripe_not_configured: None
) -> None:
    key = bearer(keys.make("Finance"))
    reply = await payments_rest.post(
        "/top-ups",
        json={"holder_kind": "driver", "holder_id": pay_world.zoe, "recharge_minor": 1000},
        headers=key,
    )
    assert reply.status_code == 503
    assert reply.json()["detail"] == "Card payments are not configured: set CCMS_STRIPE_SECRET_KEY"
    shown = (await payments_rest.get("/payment-settings", headers=key)).json()
    assert shown["stripe_configured"] is False
    made = await payments_rest.post(
        "/top-up-packages", json={"name": "P", "pay_minor": 1000, "credit_minor": 1000}, headers=key
    )
    assert made.status_code == 201


def _fields(reply: httpx.Response) -> set[str]:
    return {e["field"] for e in reply.json().get("errors", [])}


async def test_what_stripe_would_refuse_is_a_422_and_never_reaches_it(
    payments_rest: httpx.AsyncClient, keys: Keys, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    key = bearer(keys.make("Finance"))
    zoe = {"holder_kind": "driver", "holder_id": pay_world.zoe}
    for url in (
        "http://" + "0" * 400,
        "https://exa mple.com/",
        "https://user:secret@example.com/",
        "https://example.com:99999/",
        "http://-bad-.example/",
        "https://Ü.example/",
    ):
        reply = await payments_rest.post(
            "/top-ups", json={**zoe, "recharge_minor": 1000, "success_url": url}, headers=key
        )
        assert reply.status_code == 422 and _fields(reply) == {"success_url"}, (url, reply.text)
    tiny = await payments_rest.post(
        "/top-up-packages", json={"name": "Tiny", "pay_minor": 10, "credit_minor": 10}, headers=key
    )
    assert tiny.status_code == 422 and _fields(tiny) == {"pay_minor"}
    assert "at least 0.50" in tiny.json()["errors"][0]["detail"]
    low = await payments_rest.put(
        "/payment-settings", json={**SETTINGS, "card_hold_minor": 20}, headers=key
    )
    assert low.status_code == 422 and _fields(low) == {"card_hold_minor"}, low.text
    huge = await payments_rest.post(
        "/top-ups", json={**zoe, "amount_minor": 100_000_000}, headers=key
    )
    assert huge.status_code == 422 and _fields(huge) == {"amount_minor"}
    assert fake_stripe.calls("POST", "/v1/checkout") == []
    assert (await payments_rest.get("/top-ups", headers=key)).json()["total"] == 0

    fine = await payments_rest.post(
        "/top-ups",
        json={
            **zoe,
            "recharge_minor": 1000,
            "success_url": "https://pay.example/done?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://[::1]:8080/back",
        },
        headers=key,
    )
    assert fine.status_code == 201, fine.text
    sent = fake_stripe.calls("POST", "/v1/checkout")[0]["params"]
    assert sent["success_url"] == "https://pay.example/done?session={CHECKOUT_SESSION_ID}"


async def test_bodies_are_strict_and_export_filters_are_checked_first(
    payments_rest: httpx.AsyncClient, keys: Keys, pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    key = bearer(keys.make("Finance"))
    package = {"name": "P", "pay_minor": 1000, "credit_minor": 1000}
    for wrong, field in (
        ({"active": 0}, "active"),
        ({"currency": ""}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"pay_minor": True}, "pay_minor"),
        ({"pay_minor": 100_000_000}, "pay_minor"),
    ):
        reply = await payments_rest.post("/top-up-packages", json={**package, **wrong}, headers=key)
        assert reply.status_code == 422 and _fields(reply) == {field}, (wrong, reply.text)
    made = await payments_rest.post(
        "/top-up-packages", json={**package, "currency": "chf"}, headers=key
    )
    assert made.status_code == 201 and made.json()["currency"] == "CHF"
    patch = await payments_rest.patch(
        f"/top-up-packages/{made.json()['id']}", json={"active": 0}, headers=key
    )
    assert patch.status_code == 422 and _fields(patch) == {"active"}
    for wrong, field in (
        ({"memberships_enabled": 0}, "memberships_enabled"),
        ({"card_hold_minor": 100_000_000}, "card_hold_minor"),
        ({"recharge_amounts_minor": [1000, 0]}, "recharge_amounts_minor.1"),
    ):
        reply = await payments_rest.put(
            "/payment-settings", json={**SETTINGS, **wrong}, headers=key
        )
        assert reply.status_code == 422 and _fields(reply) == {field}, (wrong, reply.text)

    for path, params, named in (
        ("/top-ups/export", {"state": "offline", "format": "jsonl"}, "state"),
        ("/top-ups/export", {"holder_kind": "x" * 200}, "holder_kind"),
        ("/payments/export", {"kind": "adjustment", "format": "jsonl"}, "kind"),
        ("/payments/export", {"status": "lost"}, "status"),
        ("/payments", {"holder_kind": "robot"}, "holder_kind"),
    ):
        reply = await payments_rest.get(path, params=params, headers=key)
        assert reply.status_code == 400, (path, params, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json()["detail"].startswith(f"Unknown {named} "), reply.text
    exported = await payments_rest.get(
        "/top-ups/export", params={"holder_kind": "driver", "state": "open"}, headers=key
    )
    assert exported.status_code == 200
