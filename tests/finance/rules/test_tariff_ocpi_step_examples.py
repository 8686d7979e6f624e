"""OCPI 2.2.1 Tariffs module: the step_size switching examples and the TariffRestrictions
examples (max_power, max_duration), to the cent. See test_tariff_ocpi_examples.py."""

from __future__ import annotations

from decimal import Decimal

from ccms_app.finance.rules.tariff_engine import price_session
from tests.finance.rules.sessions import CHARGING, PARKING, at, session, tariff
from tests.finance.rules.test_tariff_ocpi_examples import START, amounts

STEP_SIZE = """{
  "country_code": "DE", "party_id": "ALL", "id": "22", "currency": "EUR",
  "elements": [
    {"price_components": [{"type": "TIME", "price": 1.20, "step_size": 1800},
                          {"type": "PARKING_TIME", "price": 1.00, "step_size": 900}],
     "restrictions": {"start_time": "00:00", "end_time": "17:00"}},
    {"price_components": [{"type": "TIME", "price": 2.40, "step_size": 900},
                          {"type": "PARKING_TIME", "price": 1.00, "step_size": 900}],
     "restrictions": {"start_time": "17:00", "end_time": "20:00"}},
    {"price_components": [{"type": "TIME", "price": 2.40, "step_size": 900}],
     "restrictions": {"start_time": "20:00", "end_time": "23:59"}}
  ],
  "last_updated": "2018-12-18T17:07:11Z"
}"""


def test_step_size_example_switching_to_different_tariff_element_1() -> None:
    """Example: switching to different Tariff Element #1: 16:55, 10 min charging, 2 min
    parking -> 5 min at 1.20 (0.10) + 10 billed min at 2.40 (0.40); the parking lies inside
    the charging time billed by the step -> 0.50 excl."""
    cost = price_session(
        tariff(STEP_SIZE), session(at("2024-05-06 16:55"), (CHARGING, 10, "2"), (PARKING, 2, "0"))
    )
    assert amounts(cost)[0] == Decimal("0.50")
    assert cost.parking.excl_vat_minor == 0


def test_step_size_example_switching_to_different_tariff_element_2() -> None:
    """Example: switching to different Tariff Element #2: 16:35, 35 min charging -> 25 min at
    1.20 (0.50) + 20 billed min at 2.40 (0.80) = 1.30 excl."""
    cost = price_session(tariff(STEP_SIZE), session(at("2024-05-06 16:35"), (CHARGING, 35, "7")))
    assert amounts(cost)[0] == Decimal("1.30")


def test_step_size_example_switching_to_free_of_charge_tariff_element() -> None:
    """Example: switching to Free-of-Charge Tariff Element: 19:55, 10 min charging, 2 min
    parking after 20:00 (free) -> 0.20 + 0.40 = 0.60 excl."""
    cost = price_session(
        tariff(STEP_SIZE), session(at("2024-05-06 19:55"), (CHARGING, 10, "2"), (PARKING, 2, "0"))
    )
    assert amounts(cost)[0] == Decimal("0.60")


MAX_POWER = """{
  "country_code": "DE", "party_id": "ALL", "id": "1", "currency": "EUR", "type": "REGULAR",
  "elements": [
    {"price_components": [{"type": "ENERGY", "price": 0.20, "vat": 20.0, "step_size": 1}],
     "restrictions": {"max_power": 16.00}},
    {"price_components": [{"type": "ENERGY", "price": 0.35, "vat": 20.0, "step_size": 1}],
     "restrictions": {"max_power": 32.00}},
    {"price_components": [{"type": "ENERGY", "price": 0.50, "vat": 20.0, "step_size": 1}]}
  ],
  "tax_included": "NO", "last_updated": "2018-12-05T12:01:09Z"
}"""


def test_example_tariff_with_max_power_tariff_restrictions() -> None:
    """Example: Tariff with max_power Tariff Restrictions: 1 kWh at 6 kW (0.20) + 40 kWh at
    48 kW (20.00) + 0.5 kWh at 4 kW (0.10) -> 20.30 excl."""
    kw = Decimal
    cost = price_session(
        tariff(MAX_POWER),
        session(
            START,
            (CHARGING, 10, {"energy_kwh": kw(1), "max_power_kw": kw(6)}),
            (CHARGING, 50, {"energy_kwh": kw(40), "max_power_kw": kw(48)}),
            (CHARGING, "7.5", {"energy_kwh": kw("0.5"), "max_power_kw": kw(4)}),
        ),
    )
    assert amounts(cost)[0] == Decimal("20.30")
    assert [line.element_index for line in cost.lines] == [0, 2, 0]


MAX_DURATION = """{
  "country_code": "DE", "party_id": "ALL", "id": "2", "currency": "EUR", "type": "REGULAR",
  "elements": [
    {"price_components": [{"type": "ENERGY", "price": 0.00, "vat": 20.0, "step_size": 1}],
     "restrictions": {"max_duration": 1800}},
    {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 20.0, "step_size": 1}],
     "restrictions": {"max_duration": 3600}},
    {"price_components": [{"type": "ENERGY", "price": 0.40, "vat": 20.0, "step_size": 1}]}
  ],
  "last_updated": "2018-12-05T13:12:44Z"
}"""


def test_example_tariff_with_max_duration_tariff_restrictions() -> None:
    """Example: Tariff with max_duration Tariff Restrictions: 40 min, 5 kWh in the first 30
    (free) and 1.2 kWh after (0.25) -> 0.30 excl."""
    cost = price_session(
        tariff(MAX_DURATION), session(START, (CHARGING, 30, "5"), (CHARGING, 10, "1.2"))
    )
    assert amounts(cost)[0] == Decimal("0.30")
