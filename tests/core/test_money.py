from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from ccms_app.core.money import (
    MoneyError,
    exponent,
    format_minor,
    normalise_currency,
    parse_minor,
    round_minor,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("0.29", "EUR", 29),
        (" 0,29 ", "EUR", 29),
        ("12", "USD", 1200),
        ("0.10", "GBP", 10),
        ("0.1000", "GBP", 10),
        ("150", "JPY", 150),
        ("150.0", "JPY", 150),
        ("1.234", "BHD", 1234),
        ("0", "EUR", 0),
    ],
)
def test_parse_minor(text: str, currency: str, minor: int) -> None:
    assert parse_minor(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("0.291", "EUR", "at most 2 decimals; 0.291 would need rounding"),
        ("1.5", "JPY", "no decimals"),
        ("1.2345", "KWD", "at most 3 decimals"),
        ("", "EUR", "Give an amount"),
        ("1e3", "EUR", "not an amount"),
        ("-1", "EUR", "not an amount"),
        ("1 000", "EUR", "not an amount"),
        ("0.2.9", "EUR", "not an amount"),
        ("\u0661", "EUR", "not an amount"),  # Arabic-Indic digit one
    ],
)
def test_parse_minor_refuses(text: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_minor(text, currency)


def test_format_minor() -> None:
    assert format_minor(29, "EUR") == "0.29 EUR"
    assert format_minor(1200, "usd", with_code=False) == "12.00"
    assert format_minor(-5, "EUR") == "-0.05 EUR"
    assert format_minor(150, "JPY") == "150 JPY"
    assert format_minor(1234, "BHD") == "1.234 BHD"


def test_currency_codes() -> None:
    assert normalise_currency(" eur ") == "EUR"
    assert (exponent("EUR"), exponent("JPY"), exponent("KWD"), exponent("CLF")) == (2, 0, 3, 4)
    with pytest.raises(MoneyError, match="3 letters"):
        normalise_currency("EU")
    with pytest.raises(MoneyError, match="not an ISO 4217"):
        normalise_currency("XYZ")


def test_round_minor_is_explicit() -> None:
    assert round_minor(Decimal("0.125"), "EUR") == 13  # half up by default
    assert round_minor(Decimal("0.125"), "EUR", ROUND_HALF_EVEN) == 12
    assert round_minor(Decimal("12.6"), "JPY") == 13
