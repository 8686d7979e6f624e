"""Counterexamples hypothesis found in test_tariff_properties.py, kept as plain examples:
what OCPI legitimately does (a longer session priced lower) and engine bugs it exposed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ccms_app.finance.rules.tariff_engine import price_session
from tests.finance.rules.sessions import CHARGING, PARKING, at, session, tariff

FREE_AFTER_ONE_SECOND = """{"currency": "EUR", "elements": [
  {"price_components": [{"type": "ENERGY", "price": 0.00, "step_size": 1}],
   "restrictions": {"min_duration": 1}},
  {"price_components": [{"type": "ENERGY", "price": 1.25, "step_size": 1}]}]}"""


def test_same_energy_over_a_longer_session_can_cost_less_with_min_duration() -> None:
    """Hypothesis's counterexample, kept: 0.004 kWh reported in one instant (end = start) is
    all before min_duration 1 s: 0.004 x 1.25 = 0.005 -> 0.01. Stretched to 2 s, half the
    energy falls after the first second, where the free element is active (OCPI: min_duration
    inclusive, elapsed since the session's start): 0.002 x 1.25 = 0.0025 -> 0.00."""
    rates = tariff(FREE_AFTER_ONE_SECOND)
    start = datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    instant = session(start, (CHARGING, 0, "0.004"))
    two_seconds = replace(instant, end=start + timedelta(seconds=2))
    before, after = price_session(rates, instant), price_session(rates, two_seconds)
    assert (before.total.excl_vat_minor, after.total.excl_vat_minor) == (1, 0)
    assert [(p.element_index, p.dimensions) for p in before.charging_periods] == [
        (1, (("ENERGY", Decimal("0.004")), ("TIME", Decimal(0))))
    ]
    second = Decimal(1) / 3600
    assert [p.element_index for p in after.charging_periods] == [1, 0]
    assert [p.dimensions for p in after.charging_periods] == [
        (("ENERGY", Decimal("0.002")), ("TIME", second))
    ] * 2
    assert after.charging_periods[1].start == start + timedelta(seconds=1)


def test_same_energy_over_a_longer_session_can_cost_less_at_night() -> None:
    """10 kWh 21:00-22:00 at the day price is 3.00; the same 10 kWh until 23:00 put half of
    them in the free 22:00-06:00 window: 1.50."""
    rates = tariff(
        """{"currency": "EUR", "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.00, "step_size": 1}],
         "restrictions": {"start_time": "22:00", "end_time": "06:00"}},
        {"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]}]}"""
    )
    hour = session(at("2024-05-06 21:00"), (CHARGING, 60, "10"))
    two_hours = replace(hour, end=hour.end + timedelta(hours=1))
    assert price_session(rates, hour).total.excl_vat_minor == 300
    assert price_session(rates, two_hours).total.excl_vat_minor == 150


def test_window_with_only_a_start_time_ends_at_local_midnight() -> None:
    """Regression: a window with one edge (start_time 23:00, no end_time: "until midnight")
    did not cut the timeline at midnight, so a piece 23:00-01:00 local was judged by its
    middle (00:00, outside) and the idle hour 23:00-24:00 went unbilled. Sydney (UTC+11 in
    January): 11:20:04-14:00 UTC parking, 23:00-24:00 local is 12:00-13:00 UTC: 1 h x 6.00."""
    rates = tariff(
        """{"currency": "EUR", "elements": [
        {"price_components": [{"type": "PARKING_TIME", "price": 6.00, "step_size": 1}],
         "restrictions": {"start_time": "23:00"}}]}""",
        "Australia/Sydney",
    )
    start = datetime(2024, 1, 1, 11, 20, 4, tzinfo=UTC)
    cost = price_session(rates, session(start, (PARKING, 160, "0")))
    assert cost.parking.excl_vat_minor == 600
    hour = (datetime(2024, 1, 1, 12, 0, tzinfo=UTC), datetime(2024, 1, 1, 13, 0, tzinfo=UTC))
    assert [(line.start, line.end) for line in cost.lines] == [hour]
    assert [p.element_index for p in cost.charging_periods] == [None, 0, None]


def test_window_with_only_an_end_time_starts_at_local_midnight() -> None:
    """The other edge: end_time 06:00 alone is "from midnight"; 22:00-02:00 at 1 kWh/h is
    2 kWh at the all-day 0.40 and 2 kWh at 0.20 after midnight: 1.20 (was 0.80)."""
    rates = tariff(
        """{"currency": "EUR", "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.20, "step_size": 1}],
         "restrictions": {"end_time": "06:00"}},
        {"price_components": [{"type": "ENERGY", "price": 0.40, "step_size": 1}]}]}"""
    )
    cost = price_session(rates, session(at("2024-01-01 22:00"), (CHARGING, 240, "4")))
    assert cost.energy.excl_vat_minor == 120
    assert [line.element_index for line in cost.lines] == [1, 0]
    assert cost.lines[1].start == datetime(2024, 1, 2, 0, 0, tzinfo=UTC)
