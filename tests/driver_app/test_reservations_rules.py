"""Reservation rules (pure): the holds offered, outcome words, and what a reservation costs
under a tariff (finance.rules.reservation_fee, the engine that prices sessions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms_app.driver_app.rules.reservations import (
    DURATIONS,
    expiry,
    is_open,
    minutes_choice,
    outcome,
    status_words,
)
from ccms_app.finance.rules.reservation_fee import has_reservation_prices, reservation_fee
from ccms_app.finance.rules.tariff_json import parse_tariff

NOW = datetime(2026, 3, 2, 17, 30, 12, 345678, tzinfo=UTC)


def _tariff(*elements: dict, **extra: object):
    return parse_tariff(
        {"currency": "EUR", "elements": list(elements), **extra}, time_zone="Europe/Berlin"
    )


ENERGY = {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}]}
HELD = {
    "price_components": [{"type": "TIME", "price": "1.20", "vat": "19", "step_size": 60}],
    "restrictions": {"reservation": "RESERVATION"},
}
EXPIRES = {
    "price_components": [{"type": "FLAT", "price": "1.00", "vat": "19", "step_size": 1}],
    "restrictions": {"reservation": "RESERVATION_EXPIRES"},
}


def test_holds_and_words() -> None:
    assert DURATIONS == (15, 30, 60)
    assert [minutes_choice(v) for v in ("30", 15, " 60 ", "45", "", "abc", None)] == [
        30,
        15,
        60,
        None,
        None,
        None,
        None,
    ]
    assert expiry(NOW, 15) == datetime(2026, 3, 2, 17, 45, 12, tzinfo=UTC)
    assert outcome("accepted").tone == "green" and "{until}" in outcome("accepted").text
    assert outcome("something").text.startswith("The charger's answer is unknown")
    assert status_words("expired").text == "Expired unused"
    assert status_words("new-status").text == "new-status"
    assert is_open("accepted", NOW + timedelta(minutes=1), NOW)
    assert not is_open("accepted", NOW, NOW) and not is_open("used", NOW + timedelta(hours=1), NOW)


def test_a_tariff_without_reservation_prices_makes_reserving_free() -> None:
    tariff = _tariff(ENERGY, min_price={"excl_vat": "5.00"})
    assert not has_reservation_prices(tariff)
    fee = reservation_fee(tariff, NOW, 30)
    assert fee.free and fee.currency == "EUR"


def test_held_time_and_an_unused_reservation_are_priced_apart() -> None:
    tariff = _tariff(ENERGY, HELD, EXPIRES)
    fee = reservation_fee(tariff, NOW, 30)
    # held: 0.5 h x 1.20 = 0.60 (+19 % = 0.714 -> 0.71); unused: the same time (no
    # RESERVATION_EXPIRES time price, so RESERVATION's) + 1.00 flat = 1.60 -> 1.90
    assert (fee.while_reserved_minor, fee.if_expired_minor) == (71, 190)
    assert reservation_fee(tariff, NOW, 15).if_expired_minor == 155


def test_min_price_of_a_session_does_not_make_a_reservation_cost_more() -> None:
    tariff = _tariff(ENERGY, EXPIRES, min_price={"excl_vat": "5.00", "incl_vat": "5.95"})
    fee = reservation_fee(tariff, NOW, 30)
    assert (fee.while_reserved_minor, fee.if_expired_minor) == (0, 119)
