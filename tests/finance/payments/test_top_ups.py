"""Top-ups: payment settings and packages (checked, scoped), a top-up opened as a Stripe
Checkout with its payment's idempotency key, the wallet credited once when Stripe says it
was paid (paid and bonus apart), an expired Checkout, an amount Stripe reports differently,
and Stripe not configured. What Stripe would refuse (an amount outside its limits, a return
URL that is not one) names the field, opens no top-up and never reaches Stripe."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from ccms_app.core import db
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import packages, settings, top_ups
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import Payment, TopUp, TopUpPackage
from ccms_app.finance.payments.top_ups import TopUpRequest
from ccms_app.finance.rules import stripe_limits
from ccms_app.finance.wallets.ledger import balance
from ccms_app.finance.wallets.models import LedgerTransaction
from tests.finance.payments.support import PayWorld, deliver
from tests.fixtures.fake_stripe import FakeStripe


def _balance(world: PayWorld) -> tuple[int, int]:
    with db.read_session() as s:
        found = balance(s, "driver", world.zoe, "EUR")
    return found.paid_minor, found.bonus_minor


def _payment_of(top_up_id: int) -> Payment:
    with db.read_session() as s:
        found = top_ups.payment_of(s, top_up_id)
    assert found is not None
    return found


def test_payment_settings_are_checked_and_kept_per_organisation(pay_world: PayWorld) -> None:
    form, currency = settings.form_of(pay_world.organisation_id, pay_world.scope)
    assert currency == "EUR"
    assert form["card_hold"] == "50.00" and form["recharge_amounts"] == "10.00, 20.00, 50.00"
    with pytest.raises(FinanceError) as wrong:
        settings.save(
            pay_world.organisation_id,
            {
                "card_hold": "0",
                "top_up_minimum": "20",
                "top_up_maximum": "10",
                "wallet_minimum": "x",
            },
            "ops",
            pay_world.scope,
        )
    assert set(wrong.value.errors) == {"card_hold", "top_up_maximum", "wallet_minimum"}
    with pytest.raises(FinanceError) as outside:
        settings.save(
            pay_world.organisation_id, {"recharge_amounts": "5, 900"}, "ops", pay_world.scope
        )
    assert list(outside.value.errors) == ["recharge_amounts"]
    saved = settings.save(
        pay_world.organisation_id,
        {"card_hold": "30", "recharge_amounts": "25 15,15", "memberships_enabled": "false"},
        "ops",
        pay_world.scope,
    )
    assert (saved.card_hold_minor, saved.recharge_amounts, saved.memberships_enabled) == (
        3000,
        "1500,2500",
        False,
    )
    assert saved.wallet_minimum_minor == 500  # left out: kept
    with pytest.raises(FinanceNotFound):
        settings.form_of(pay_world.other_organisation_id, pay_world.scope)


def test_packages_are_checked_scoped_and_switched_off(pay_world: PayWorld) -> None:
    with pytest.raises(FinanceError) as wrong:
        packages.create(
            pay_world.organisation_id,
            {"name": "", "pay": "50", "credit": "45"},
            "ops",
            pay_world.scope,
        )
    assert set(wrong.value.errors) == {"name", "credit"}
    made = packages.create(
        pay_world.organisation_id,
        {"name": "Pay 50 get 55", "pay": "50", "credit": "55"},
        "ops",
        pay_world.scope,
    )
    assert (made.pay_minor, made.credit_minor, made.currency, made.active) == (
        5000,
        5500,
        "EUR",
        True,
    )
    with pytest.raises(FinanceError) as twice:
        packages.create(
            pay_world.organisation_id,
            {"name": "Pay 50 get 55", "pay": "10", "credit": "10"},
            "ops",
            pay_world.scope,
        )
    assert list(twice.value.errors) == ["name"]
    off = packages.update(int(made.id or 0), {"active": "false"}, "ops", pay_world.scope)
    assert (off.active, off.credit_minor) == (False, 5500)
    assert packages.packages(pay_world.scope, active_only=True) == []
    with pytest.raises(FinanceNotFound):
        packages.update(
            int(made.id or 0), {"active": "true"}, "ops", {pay_world.other_organisation_id}
        )


async def test_a_package_top_up_is_credited_once_paid_and_bonus_apart(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    package = packages.create(
        pay_world.organisation_id,
        {"name": "50/55", "pay": "50", "credit": "55"},
        "ops",
        pay_world.scope,
    )
    opened = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(package_id=package.id), "ops"
    )
    assert (opened.state, opened.pay_minor, opened.bonus_minor) == ("open", 5000, 500)
    assert opened.checkout_url.endswith(f"/checkout/{opened.checkout_session_id}")
    payment = _payment_of(int(opened.id or 0))
    assert payment.idempotency_key == f"top_up:{opened.id}"
    assert (payment.kind, payment.status, payment.stripe_id) == (
        "top_up",
        "requires_action",
        opened.checkout_session_id,
    )
    sent = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert sent["headers"]["idempotency-key"] == f"top_up:{opened.id}"
    assert sent["params"]["success_url"].endswith(f"top_up={opened.id}&result=paid")

    paid = fake_stripe.complete(opened.checkout_session_id)
    replies = [
        await deliver(stripe_posts, fake_stripe, "checkout.session.completed", paid, event_id)
        for event_id in ("evt_1", "evt_1", "evt_1", "evt_2")
    ]
    assert replies[0].json()["message"] == f"top-up {opened.id}: credited 55.00 EUR"
    assert replies[3].json()["message"] == f"top-up {opened.id}: already credited"
    assert _balance(pay_world) == (5000, 500)
    payment = _payment_of(int(opened.id or 0))
    assert (payment.status, payment.captured_minor, payment.stripe_id, payment.mismatch) == (
        "succeeded",
        5000,
        paid["payment_intent"],
        False,
    )
    with db.read_session() as s:
        row = s.get(TopUp, opened.id)
        posted = s.exec(select(LedgerTransaction)).all()
    assert row is not None and row.state == "paid" and row.paid_at is not None
    assert [t.reference for t in posted] == [f"top_up:{opened.id}"]
    assert row.ledger_transaction_id == posted[0].id


async def test_fixed_and_custom_amounts_expiry_and_a_differing_amount(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    with pytest.raises(FinanceError) as not_offered:
        top_ups.start(
            pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=1234), "ops"
        )
    assert list(not_offered.value.errors) == ["recharge_minor"]
    with pytest.raises(FinanceError) as too_big:
        top_ups.start(
            pay_world.scope, "driver", pay_world.zoe, TopUpRequest(amount_text="900"), "ops"
        )
    assert "between" in too_big.value.errors["amount"]
    with pytest.raises(FinanceError):
        top_ups.start(pay_world.scope, "driver", pay_world.zoe, TopUpRequest(), "ops")
    with pytest.raises(FinanceNotFound):
        top_ups.start(
            pay_world.scope, "driver", pay_world.stranger, TopUpRequest(recharge_minor=1000), "ops"
        )

    fixed = top_ups.start(
        pay_world.scope, "group", pay_world.fleet, TopUpRequest(recharge_minor=2000), "ops"
    )
    expired = fake_stripe.expire(fixed.checkout_session_id)
    reply = await deliver(stripe_posts, fake_stripe, "checkout.session.expired", expired)
    assert reply.json()["message"] == f"top-up {fixed.id}: expired"
    assert top_ups.get(int(fixed.id or 0), pay_world.scope).state == "expired"
    assert _payment_of(int(fixed.id or 0)).status == "canceled"

    custom = top_ups.start(
        pay_world.scope, "driver", pay_world.zoe, TopUpRequest(amount_text="12,50"), "ops"
    )
    assert (custom.pay_minor, custom.bonus_minor) == (1250, 0)
    odd = {**fake_stripe.complete(custom.checkout_session_id), "amount_total": 1200}
    reply = await deliver(stripe_posts, fake_stripe, "checkout.session.completed", odd)
    assert reply.json()["message"] == f"top-up {custom.id}: amount mismatch, not credited"
    payment = _payment_of(int(custom.id or 0))
    assert payment.mismatch and payment.mismatch_note.startswith(
        "Stripe received 12.00 EUR, CCMS expected 12.50 EUR"
    )
    assert _balance(pay_world) == (0, 0)
    with pytest.raises(FinanceNotFound):
        top_ups.get(int(custom.id or 0), {pay_world.other_organisation_id})


def test_a_refused_checkout_keeps_the_top_up_as_failed(
    pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    fake_stripe.secret_key = "sk_test_rotated"  # CCMS now holds a key Stripe refuses
    with pytest.raises(gateway.StripeFailure, match="Invalid API Key"):
        top_ups.start(
            pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=1000), "ops"
        )
    with db.read_session() as s:
        row = s.exec(select(TopUp)).one()
        payment = top_ups.payment_of(s, int(row.id or 0))
    assert row.state == "failed" and payment is not None and payment.status == "failed"
    assert "Invalid API Key" in payment.error


def test_top_ups_say_plainly_when_stripe_is_not_configured(
    pay_world: PayWorld, stripe_not_configured: None
) -> None:
    with pytest.raises(gateway.PaymentsNotConfigured, match="not configured"):
        top_ups.start(
            pay_world.scope, "driver", pay_world.zoe, TopUpRequest(recharge_minor=1000), "ops"
        )
    with db.read_session() as s:
        assert s.exec(select(TopUp)).all() == []
    form, _ = settings.form_of(pay_world.organisation_id, pay_world.scope)  # the rest works
    assert form["card_hold"] == "50.00"


@pytest.mark.parametrize(
    ("url", "fine"),
    [
        ("https://pay.example/done?session={CHECKOUT_SESSION_ID}", True),
        ("http://localhost:3000/back", True),
        ("http://[::1]:8080/back#top", True),
        ("http://192.0.2.7/x", True),
        ("http://" + "0" * 400, False),  # a host label longer than 63
        ("https://exa mple.com/", False),
        ("https://Ü.example/", False),
        ("ftp://files.example/", False),
        ("https:/one-slash.example/", False),
        ("https://user:secret@pay.example/", False),
        ("https://pay.example:99999/", False),
        ("https://pay.example:0/", False),
        ("http://-dash.example/", False),
        ("http://a..b/", False),
        ("http://[::1/", False),
        ("https://pay.example/" + "x" * 500, False),
    ],
)
def test_return_urls_stripe_would_refuse(url: str, fine: bool) -> None:
    assert (stripe_limits.url_problem(url) == "") is fine


def test_amounts_within_stripe_limits_per_currency() -> None:
    assert stripe_limits.amount_problem(50, "EUR") == ""
    assert "0.50" in stripe_limits.amount_problem(49, "EUR")
    assert stripe_limits.amount_problem(49, "JPY") != ""  # 50 yen, no decimals
    assert stripe_limits.amount_problem(1, "ISK") == ""  # no known minimum
    assert stripe_limits.amount_problem(99_999_999, "EUR") == ""
    assert "at most" in stripe_limits.amount_problem(100_000_000, "EUR")


def test_what_stripe_would_refuse_opens_no_top_up_and_never_reaches_it(
    pay_world: PayWorld, fake_stripe: FakeStripe
) -> None:
    with pytest.raises(FinanceError) as small:
        packages.create(
            pay_world.organisation_id, {"name": "Tiny", "pay": "0.10", "credit": "0.10"}, "ops",
            pay_world.scope,
        )  # fmt: skip
    assert list(small.value.errors) == ["pay"]
    with pytest.raises(FinanceError) as hold:
        settings.save(pay_world.organisation_id, {"card_hold": "0.20"}, "ops", pay_world.scope)
    assert list(hold.value.errors) == ["card_hold"]
    with db.session_scope() as s:  # saved before Stripe's limits were checked
        tiny = TopUpPackage(
            organisation_id=pay_world.organisation_id, name="Tiny", pay_minor=10, credit_minor=10
        )
        s.add(tiny)
    for request, field in (
        (TopUpRequest(package_id=tiny.id), "package_id"),
        (TopUpRequest(recharge_minor=1000, success_url="http://bad host/"), "success_url"),
        (TopUpRequest(recharge_minor=1000, cancel_url="mailto:a@b.example"), "cancel_url"),
    ):
        with pytest.raises(FinanceError) as wrong:
            top_ups.start(pay_world.scope, "driver", pay_world.zoe, request, "ops")
        assert list(wrong.value.errors) == [field]
    with db.read_session() as s:
        assert s.exec(select(TopUp)).all() == []
    assert fake_stripe.calls("POST", "/v1/checkout") == []
    off = packages.update(int(tiny.id or 0), {"active": "false"}, "ops", pay_world.scope)
    assert off.active is False  # one that is off may stay below Stripe's minimum
