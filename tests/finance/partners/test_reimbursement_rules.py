"""The reimbursement maths (finance.rules.reimbursement), pure: kWh x rate, rounded half up
once on the total; the rate and currency a form may hold."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ccms_app.finance.rules.reimbursement import (
    ChargedEnergy,
    check_home_charger,
    rate,
    reimburse,
)


def charged(session_id: int, wh: int, per_kwh: str) -> ChargedEnergy:
    stop = datetime(2026, 3, session_id, 20, tzinfo=UTC)
    return ChargedEnergy(session_id, stop, "CP", "TAG", wh, Decimal(per_kwh))


def test_the_amount_is_rounded_once_on_the_total() -> None:
    # 3 x 1.111 kWh at 0.315: 0.349965 each (0.35 rounded); exactly 1.049895 -> 1.05
    # (per-session rounding would give 1.05 too here; the next case shows the difference)
    found = reimburse([charged(i, 1111, "0.315") for i in (1, 2, 3)], "EUR")
    assert found.energy_wh == 3333
    assert found.exact_amount == Decimal("1.049895")
    assert found.amount_minor == 105
    # 3 x 0.1 kWh at 0.05: 0.005 each (0.01 rounded half up: 0.03); exactly 0.015 -> 0.02
    small = reimburse([charged(i, 100, "0.05") for i in (1, 2, 3)], "EUR")
    assert small.exact_amount == Decimal("0.015")
    assert small.amount_minor == 2


def test_two_chargers_with_two_rates_and_the_order_of_sessions() -> None:
    found = reimburse([charged(9, 12_345, "0.3"), charged(2, 7_000, "0.4125")], "EUR")
    assert [s.session_id for s in found.sessions] == [2, 9]
    # 12.345 x 0.3 = 3.7035; 7 x 0.4125 = 2.8875; 6.591 -> 6.59
    assert found.exact_amount == Decimal("6.5910")
    assert found.amount_minor == 659
    assert found.rates == (Decimal("0.3"), Decimal("0.4125"))


def test_no_session_reimburses_nothing() -> None:
    found = reimburse([], "JPY")
    assert (found.amount_minor, found.energy_wh, found.currency) == (0, 0, "JPY")


@pytest.mark.parametrize(("text", "expected"), [("0.32", "0.32"), ("0,3125", "0.3125")])
def test_rates(text: str, expected: str) -> None:
    assert rate(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["0", "-0.3", "0.1234567", "abc", "", "1001"])
def test_wrong_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        rate(text)


def test_the_form_names_every_wrong_field() -> None:
    values, errors = check_home_charger({"rate_per_kwh": "x", "currency": "EURO"})
    assert values is None and set(errors) == {"rate_per_kwh", "currency"}
    values, errors = check_home_charger({"rate_per_kwh": "0.32", "currency": "chf"})
    assert errors == {} and values is not None
    assert (values.rate_per_kwh, values.currency) == (Decimal("0.32"), "CHF")
