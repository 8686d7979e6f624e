"""finance.rules.payments: reconciliation sentences, payment settings, packages, top-up
amounts and refunds, without a database."""

from __future__ import annotations

import pytest

from ccms_app.finance.errors import FinanceError
from ccms_app.finance.rules import payments as rules


def _note(status: str, stripe_status: str, stripe_amount: int | None, **ours: int) -> str:
    return rules.mismatch_note(
        status=status,
        amount_minor=ours.get("amount", 5000),
        captured_minor=ours.get("captured", 1050),
        stripe_status=stripe_status,
        stripe_amount_minor=stripe_amount,
        currency="EUR",
    )


@pytest.mark.parametrize(
    ("status", "stripe_status", "stripe_amount", "expected"),
    [
        ("succeeded", "succeeded", 1050, ""),
        ("succeeded", "succeeded", 1200, "Stripe captured 12.00, CCMS expected 10.50"),
        ("succeeded", "canceled", 0, "Stripe reports canceled, CCMS recorded 10.50 taken"),
        ("canceled", "succeeded", 900, "Stripe captured 9.00, CCMS recorded the payment canceled"),
        ("failed", "requires_payment_method", None, ""),
        ("authorized", "requires_capture", 5000, ""),
        ("authorized", "requires_capture", 3000, "Stripe holds 30.00, CCMS asked for 50.00"),
        ("authorized", "succeeded", 900, ""),  # our capture is under way
        ("pending", "succeeded", 700, ""),
        ("succeeded", "", None, ""),
    ],
)
def test_reconciliation(
    status: str, stripe_status: str, stripe_amount: int | None, expected: str
) -> None:
    assert _note(status, stripe_status, stripe_amount) == expected


def test_refunds_stripe_made_without_us_are_flagged() -> None:
    assert rules.refunded_note(ours_minor=200, stripe_minor=200, currency="EUR") == ""
    assert rules.refunded_note(ours_minor=700, stripe_minor=200, currency="EUR") == ""
    assert (
        rules.refunded_note(ours_minor=200, stripe_minor=700, currency="EUR")
        == "Stripe refunded 7.00, CCMS recorded 2.00"
    )


def test_settings_are_read_in_the_currency_and_every_wrong_field_named() -> None:
    form = {
        "card_hold": "50",
        "wallet_minimum": "0",
        "recharge_amounts": "20; 10,10",
        "top_up_minimum": "5",
        "top_up_maximum": "500",
        "memberships_enabled": "on",
    }
    values = rules.check_settings(form, "EUR")
    assert values == rules.SettingsValues(5000, 0, (1000, 2000), 500, 50000, True)
    assert rules.check_settings(form, "JPY").card_hold_minor == 50
    assert rules.check_settings(rules.settings_form(values, "EUR"), "EUR") == values
    with pytest.raises(FinanceError) as wrong:
        rules.check_settings(
            {**form, "card_hold": "", "recharge_amounts": "1 2 3 4 5 6 7 8 9"}, "EUR"
        )
    assert set(wrong.value.errors) == {"card_hold", "recharge_amounts"}
    with pytest.raises(FinanceError) as fraction:
        rules.check_settings({**form, "wallet_minimum": "0.005"}, "EUR")
    assert "rounding" in fraction.value.errors["wallet_minimum"]
    assert rules.stored_amounts("1000,x,2000,") == (1000, 2000)


def test_packages_credit_at_least_what_is_paid() -> None:
    package = rules.check_package({"name": " Gold ", "pay": "50", "credit": "55"}, "EUR")
    assert (package.name, package.bonus_minor, package.currency, package.active) == (
        "Gold",
        500,
        "EUR",
        True,
    )
    assert (
        rules.check_package(
            {"name": "x", "pay": "1", "credit": "1", "currency": "usd"}, "EUR"
        ).currency
        == "USD"
    )
    with pytest.raises(FinanceError) as wrong:
        rules.check_package({"name": "", "pay": "0", "credit": "1", "currency": "XXX"}, "EUR")
    assert set(wrong.value.errors) == {"name", "pay", "currency"}


def test_a_typed_top_up_amount_lies_within_the_limits() -> None:
    assert rules.custom_amount("12,50", "EUR", 500, 50000) == 1250
    for text in ("4.99", "500.01", "-3", "ten"):
        with pytest.raises(FinanceError) as refused:
            rules.custom_amount(text, "EUR", 500, 50000)
        assert list(refused.value.errors) == ["amount"]


def test_a_refund_is_within_what_is_left_and_has_a_reason() -> None:
    kwargs = {"captured_minor": 2000, "refunded_minor": 500, "currency": "EUR"}
    assert rules.check_refund(amount_text="", reason=" charger \n fault ", **kwargs) == (
        1500,
        "charger fault",
    )
    assert rules.check_refund(amount_text="15", reason="x", **kwargs) == (1500, "x")
    with pytest.raises(FinanceError) as too_much:
        rules.check_refund(amount_text="15.01", reason="", **kwargs)
    assert set(too_much.value.errors) == {"amount", "reason"}
    with pytest.raises(FinanceError) as nothing:
        rules.check_refund(
            amount_text="", reason="x", captured_minor=5, refunded_minor=5, currency="EUR"
        )
    assert nothing.value.errors["amount"] == "Nothing is left to refund."
