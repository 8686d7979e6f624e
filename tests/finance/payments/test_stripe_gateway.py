"""The Stripe gateway against the fake Stripe server, through the official SDK: what is sent
(form-encoded, nested metadata, idempotency keys), what comes back, and our errors."""

from __future__ import annotations

import pytest

from ccms_app.finance.payments import stripe_gateway as gateway
from tests.fixtures.fake_stripe import FakeStripe


def _customer() -> str:
    return gateway.create_customer(
        email="zoe@example.com", name="Zoë", idempotency_key="customer:driver:1", metadata={}
    )


def test_without_a_secret_key_every_call_says_card_payments_are_not_configured(
    stripe_not_configured: None,
) -> None:
    assert not gateway.configured()
    with pytest.raises(gateway.PaymentsNotConfigured) as refused:
        gateway.create_hold(
            customer_id="cus_1",
            payment_method_id="pm_card_visa",
            amount_minor=5000,
            currency="EUR",
            idempotency_key="hold:1",
            metadata={},
        )
    assert str(refused.value) == "Card payments are not configured: set CCMS_STRIPE_SECRET_KEY"
    with pytest.raises(gateway.PaymentsNotConfigured, match="CCMS_STRIPE_WEBHOOK_SECRET"):
        gateway.verify_webhook(b"{}", "t=1,v1=00")


def test_a_hold_is_placed_captured_partly_and_a_retry_reuses_the_same_intent(
    fake_stripe: FakeStripe,
) -> None:
    customer = _customer()
    hold = gateway.create_hold(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        amount_minor=5000,
        currency="EUR",
        idempotency_key="session_hold:7",
        metadata={"session_id": "7"},
    )
    assert (hold.status, hold.amount_capturable_minor, hold.currency) == (
        "requires_capture",
        5000,
        "EUR",
    )
    sent = fake_stripe.calls("POST", "/v1/payment_intents")[0]
    assert sent["headers"]["idempotency-key"] == "session_hold:7"
    assert sent["params"]["metadata"] == {"session_id": "7"}
    assert (sent["params"]["capture_method"], sent["params"]["off_session"]) == ("manual", "true")
    assert sent["params"]["currency"] == "eur"

    again = gateway.create_hold(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        amount_minor=5000,
        currency="EUR",
        idempotency_key="session_hold:7",
        metadata={"session_id": "7"},
    )
    assert again == hold
    assert len(fake_stripe.of_type("payment_intent")) == 1

    captured = gateway.capture(intent_id=hold.id, amount_minor=1050, idempotency_key="capture:7")
    assert (captured.status, captured.amount_received_minor) == ("succeeded", 1050)
    with pytest.raises(gateway.StripeFailure) as late:
        gateway.cancel(intent_id=hold.id, idempotency_key="release:7")
    assert "status of succeeded" in str(late.value)


def test_capturing_more_than_the_hold_is_refused_and_a_release_cancels(
    fake_stripe: FakeStripe,
) -> None:
    customer = _customer()
    hold = gateway.create_hold(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        amount_minor=500,
        currency="EUR",
        idempotency_key="hold:a",
        metadata={},
    )
    with pytest.raises(gateway.StripeFailure) as too_much:
        gateway.capture(intent_id=hold.id, amount_minor=501, idempotency_key="capture:a")
    assert too_much.value.code == "amount_too_large"
    released = gateway.cancel(intent_id=hold.id, idempotency_key="release:a")
    assert (released.status, released.amount_capturable_minor) == ("canceled", 0)


def test_a_declined_card_raises_stripe_failure_with_the_decline_code(
    fake_stripe: FakeStripe,
) -> None:
    customer = _customer()
    with pytest.raises(gateway.StripeFailure) as declined:
        gateway.charge_off_session(
            customer_id=customer,
            payment_method_id="pm_card_chargeDeclinedInsufficientFunds",
            amount_minor=700,
            currency="EUR",
            idempotency_key="excess:1",
            metadata={},
        )
    assert (declined.value.code, declined.value.decline_code) == (
        "card_declined",
        "insufficient_funds",
    )
    fake_stripe.decline_next("do_not_honor")
    with pytest.raises(gateway.StripeFailure) as next_one:
        gateway.charge_off_session(
            customer_id=customer,
            payment_method_id="pm_card_visa",
            amount_minor=700,
            currency="EUR",
            idempotency_key="excess:2",
            metadata={},
        )
    assert next_one.value.decline_code == "do_not_honor"
    paid = gateway.charge_off_session(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        amount_minor=700,
        currency="EUR",
        idempotency_key="excess:3",
        metadata={},
    )
    assert (paid.status, paid.amount_received_minor) == ("succeeded", 700)


def test_the_same_key_with_other_parameters_is_an_error_not_a_second_charge(
    fake_stripe: FakeStripe,
) -> None:
    customer = _customer()
    kwargs = {"customer_id": customer, "payment_method_id": "pm_card_visa", "currency": "EUR"}
    gateway.charge_off_session(amount_minor=100, idempotency_key="k", metadata={}, **kwargs)
    with pytest.raises(gateway.StripeFailure, match="same parameters"):
        gateway.charge_off_session(amount_minor=999, idempotency_key="k", metadata={}, **kwargs)
    assert [i["amount"] for i in fake_stripe.of_type("payment_intent")] == [100]


def test_checkout_setup_intent_card_label_refund_and_subscription(
    fake_stripe: FakeStripe,
) -> None:
    customer = _customer()
    session_id, url = gateway.create_checkout(
        amount_minor=2000,
        currency="EUR",
        description="Wallet top-up",
        success_url="https://ccms.example/ok",
        cancel_url="https://ccms.example/no",
        idempotency_key="top_up:1",
        metadata={"top_up_id": "1"},
    )
    assert session_id.startswith("cs_") and url.endswith(f"/checkout/{session_id}")
    sent = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]["params"]
    assert sent["line_items"][0]["price_data"]["unit_amount"] == "2000"
    assert sent["payment_intent_data"]["metadata"] == {"top_up_id": "1"}

    setup_id, secret = gateway.create_setup_intent(customer_id=customer, idempotency_key="s:1")
    assert setup_id.startswith("seti_") and secret.startswith(f"{setup_id}_secret_")
    assert gateway.describe_card("pm_card_visa") == "visa •••• 4242, 12/2030"

    paid = fake_stripe.complete(session_id)
    refund_id, status = gateway.refund(
        intent_id=paid["payment_intent"], amount_minor=500, idempotency_key="refund:1"
    )
    assert refund_id.startswith("re_") and status == "succeeded"
    with pytest.raises(gateway.StripeFailure, match="greater than unrefunded"):
        gateway.refund(intent_id=paid["payment_intent"], amount_minor=1501, idempotency_key="r:2")

    sub_id, sub_status = gateway.create_subscription(
        customer_id=customer,
        payment_method_id="pm_card_visa",
        product_name="Gold",
        amount_minor=999,
        currency="EUR",
        idempotency_key="membership:1",
        metadata={"membership_id": "1"},
    )
    assert sub_status == "active"
    assert gateway.cancel_subscription(subscription_id=sub_id) == "canceled"


def test_webhook_signature_and_age_are_checked(fake_stripe: FakeStripe) -> None:
    payload, headers = fake_stripe.signed_request("charge.refunded", {"id": "ch_1"}, "evt_1")
    event = gateway.verify_webhook(payload, headers["Stripe-Signature"])
    assert (event["id"], event["type"]) == ("evt_1", "charge.refunded")
    for header in (
        fake_stripe.sign(payload, secret="whsec_someone_else"),
        fake_stripe.sign(payload, timestamp=1_000_000),
        "",
        "garbage",
    ):
        with pytest.raises(gateway.StripeFailure):
            gateway.verify_webhook(payload, header)
    with pytest.raises(gateway.StripeFailure):
        gateway.verify_webhook(payload + b" ", headers["Stripe-Signature"])
