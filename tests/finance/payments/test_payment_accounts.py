"""Payment methods per payer: who pays for an id tag (group cards charge the group), choosing
a method, saving a card with a SetupIntent (its webhook stores the card's label)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ccms_app.core import db
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import payment_accounts as accounts
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import PaymentMethod
from tests.finance.payments.support import PayWorld, deliver
from tests.fixtures.fake_stripe import FakeStripe


def test_the_payer_of_an_id_tag_in_at_most_two_queries(pay_world: PayWorld, engine: Engine) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        with db.read_session() as s:
            zoe = accounts.payer_of_id_tag(s, "zoe-card")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([sql for sql in statements if sql.startswith("SELECT")]) == 2
    assert zoe is not None
    assert (zoe.organisation_id, zoe.holder_kind, zoe.holder_id, zoe.method, zoe.account) == (
        pay_world.organisation_id,
        "driver",
        pay_world.zoe,
        PaymentMethod.INVOICE,
        None,
    )
    accounts.set_method(pay_world.scope, "group", pay_world.fleet, "wallet", "ops@example.com")
    with db.read_session() as s:
        fleet = accounts.payer_of_id_tag(s, "FLEET-CARD")
        assert fleet is not None and (fleet.holder_kind, fleet.holder_id) == (
            "group",
            pay_world.fleet,
        )
        assert fleet.method == PaymentMethod.WALLET and fleet.account is not None
        assert accounts.payer_of_id_tag(s, "LOOSE") is None
        assert accounts.payer_of_id_tag(s, "NO-SUCH-TAG") is None
        assert accounts.payer_of(s, "group", pay_world.fleet).method == PaymentMethod.WALLET
        with pytest.raises(FinanceNotFound):
            accounts.payer_of(s, "driver", 987654)


def test_choosing_a_method_is_checked(pay_world: PayWorld) -> None:
    with pytest.raises(FinanceError) as unknown:
        accounts.set_method(pay_world.scope, "driver", pay_world.zoe, "cash", "ops")
    assert list(unknown.value.errors) == ["method"]
    with pytest.raises(FinanceError) as no_card:
        accounts.set_method(pay_world.scope, "driver", pay_world.zoe, "card", "ops")
    assert "Save a card first" in no_card.value.errors["method"]
    with pytest.raises(FinanceNotFound):
        accounts.set_method(pay_world.scope, "driver", pay_world.stranger, "free", "ops")
    with pytest.raises(FinanceError) as kind:
        accounts.set_method(pay_world.scope, "company", pay_world.zoe, "free", "ops")
    assert list(kind.value.errors) == ["holder_kind"]
    for method in ("free", "invoice", "wallet"):
        saved = accounts.set_method(pay_world.scope, "driver", pay_world.zoe, method, "ops")
        assert saved.method == method


def test_card_setup_needs_stripe(pay_world: PayWorld, stripe_not_configured: None) -> None:
    with pytest.raises(gateway.PaymentsNotConfigured):
        accounts.start_card_setup(pay_world.scope, "driver", pay_world.zoe, "ops")


async def test_a_card_saved_by_a_setup_intent_can_then_be_chosen(
    pay_world: PayWorld, fake_stripe: FakeStripe, stripe_posts: httpx.AsyncClient
) -> None:
    setup_id, secret = accounts.start_card_setup(pay_world.scope, "driver", pay_world.zoe, "ops")
    assert secret.startswith(setup_id)
    again_id, _ = accounts.start_card_setup(pay_world.scope, "driver", pay_world.zoe, "ops")
    assert len(fake_stripe.of_type("customer")) == 1  # one customer, two setups
    confirmed = fake_stripe.confirm_setup_intent(again_id, "pm_card_mastercard")
    reply = await deliver(stripe_posts, fake_stripe, "setup_intent.succeeded", confirmed)
    assert (
        reply.json()["message"]
        == f"card saved for driver {pay_world.zoe}: mastercard •••• 4444, 03/2031"
    )
    with db.read_session() as s:
        account = accounts.get_account(s, "driver", pay_world.zoe)
    assert account is not None
    assert (account.card_payment_method_id, account.card_label) == (
        "pm_card_mastercard",
        "mastercard •••• 4444, 03/2031",
    )
    assert account.stripe_customer_id.startswith("cus_")
    chosen = accounts.set_method(pay_world.scope, "driver", pay_world.zoe, "card", "ops")
    assert chosen.method == "card"
    stray = {"id": "seti_unknown", "customer": "cus_unknown", "payment_method": "pm_card_visa"}
    unknown = await deliver(stripe_posts, fake_stripe, "setup_intent.succeeded", stray)
    assert unknown.json()["message"] == "no payment account for seti_unknown"
