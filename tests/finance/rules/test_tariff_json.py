"""OCPI Tariff JSON: every wrong field named with a message, and exact round trips."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccms_app.finance.rules.tariff_json import (
    TariffError,
    dumps_tariff,
    parse_tariff,
    tariff_to_json,
)
from ccms_app.finance.rules.tariff_types import DayOfWeek, Dimension, ReservationRestriction, Tariff
from tests.finance.rules.test_tariff_ocpi_examples import (
    COMPLEX,
    FIRST_HOUR_FREE,
    MAX_PRICE,
    RESERVATION_EXPIRE_FEE,
)


def load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return data


def errors_of(data: dict[str, Any], **kwargs: str) -> dict[str, str]:
    with pytest.raises(TariffError) as caught:
        parse_tariff(data, **kwargs)
    return caught.value.errors


def energy(**component: Any) -> dict[str, Any]:
    return {
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1, **component}]}
        ],
    }


def test_reads_an_ocpi_tariff_with_ccms_fields() -> None:
    data = load(COMPLEX)
    data.update(idle_grace_minutes=10, idle_fee_cap="12.50", rounding="down")
    data["elements"][0]["fee"] = "session"
    tariff = parse_tariff(data, time_zone="Europe/Amsterdam")
    assert tariff.currency == "EUR" and tariff.time_zone == "Europe/Amsterdam"
    assert tariff.idle_grace_seconds == 600 and tariff.idle_fee_cap == Decimal("12.50")
    assert tariff.rounding == ROUND_DOWN and tariff.elements[0].fee == "session"
    third = tariff.elements[2]
    assert third.price_components[0].type == Dimension.TIME
    assert third.price_components[0].step_size == 600
    assert third.restrictions is not None and DayOfWeek.MONDAY in third.restrictions.day_of_week
    assert tariff.elements[4].restrictions.start_time.hour == 9  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [COMPLEX, FIRST_HOUR_FREE, MAX_PRICE, RESERVATION_EXPIRE_FEE],
    ids=["complex", "first-hour", "max", "reservation"],
)
def test_round_trip_is_exact(text: str) -> None:
    tariff = parse_tariff(load(text), time_zone="Europe/Berlin")
    again = parse_tariff(
        json.loads(dumps_tariff(tariff), parse_float=Decimal), time_zone="Europe/Berlin"
    )
    assert again == tariff
    assert parse_tariff(tariff_to_json(tariff), time_zone="Europe/Berlin") == tariff


def test_dumps_writes_numbers_digit_for_digit() -> None:
    tariff = parse_tariff(energy(price="0.1234", vat="20.5"))
    text = dumps_tariff(tariff)
    assert '"price": 0.1234' in text and '"vat": 20.5' in text
    assert json.loads(text, parse_float=Decimal)["elements"][0]["price_components"][0][
        "price"
    ] == Decimal("0.1234")


def test_every_wrong_field_is_named() -> None:
    data = {
        "currency": "EURO",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": -1, "step_size": 0, "vat": 120}]},
            {
                "price_components": [{"type": "KWH", "price": "0.12345", "step_size": 1}],
                "restrictions": {
                    "start_time": "7:00",
                    "end_time": "24:00",
                    "start_date": "2024-06-01",
                    "end_date": "2024-05-01",
                    "min_kwh": 20,
                    "max_kwh": 10,
                    "day_of_week": ["MONDAY", "FUNDAY"],
                    "reservation": "MAYBE",
                    "colour": "red",
                },
            },
        ],
        "min_price": {"excl_vat": 5, "incl_vat": 4},
        "max_price": {"excl_vat": 1},
        "rounding": "bankers",
        "idle_grace_minutes": -5,
        "surprise": 1,
    }
    errors = errors_of(data)
    assert "ISO 4217" in errors["currency"]
    assert errors["elements[0].price_components[0].price"] == "must not be negative"
    assert "at least 1" in errors["elements[0].price_components[0].step_size"]
    assert "at most 100" in errors["elements[0].price_components[0].vat"]
    assert "ENERGY" in errors["elements[1].price_components[0].type"]
    assert "4 decimals" in errors["elements[1].price_components[0].price"]
    assert "HH:MM" in errors["elements[1].restrictions.start_time"]
    assert "HH:MM" in errors["elements[1].restrictions.end_time"]
    assert "after start_date" in errors["elements[1].restrictions.end_date"]
    assert "min_kwh" in errors["elements[1].restrictions.max_kwh"]
    assert "FUNDAY" in errors["elements[1].restrictions.day_of_week"]
    assert "RESERVATION" in errors["elements[1].restrictions.reservation"]
    assert "not a field" in errors["elements[1].restrictions.colour"]
    assert "excl_vat" in errors["min_price.incl_vat"]
    assert "min_price" in errors["max_price.excl_vat"]
    assert "half_up" in errors["rounding"]
    assert errors["idle_grace_minutes"] == "must not be negative"
    assert "not a field" in errors["surprise"]


def test_structure_errors() -> None:
    assert "at least one" in errors_of({"currency": "EUR", "elements": []})["elements"]
    assert (
        "at least one"
        in errors_of({"currency": "EUR", "elements": [{"price_components": []}]})[
            "elements[0].price_components"
        ]
    )
    assert errors_of({"elements": [{"price_components": [{"type": "FLAT", "price": 1}]}]}) == {
        "currency": "is required: an ISO 4217 code such as EUR",
        "elements[0].price_components[0].step_size": "is required",
    }
    assert "time zone" in errors_of(energy(), time_zone="Mars/Olympus")["time_zone"]
    assert "float" in errors_of(energy(price=0.25))["elements[0].price_components[0].price"]
    assert "NO" in errors_of({**energy(), "tax_included": "YES"})["tax_included"]


def test_ignored_ocpi_fields_and_flat_step_size_zero() -> None:
    data = load(FIRST_HOUR_FREE)
    data.update(
        energy_mix={"is_green_energy": True},
        start_date_time="2024-01-01T00:00:00Z",
        tariff_alt_text=[{"language": "en", "text": "x"}],
    )
    parse_tariff(data)
    free = {
        "currency": "eur",
        "elements": [{"price_components": [{"type": "FLAT", "price": 0, "step_size": 0}]}],
    }
    assert parse_tariff(free).currency == "EUR"


prices = st.decimals(min_value=0, max_value=999, places=4)


@st.composite
def tariffs(draw: st.DrawFn) -> Tariff:
    data: dict[str, Any] = {
        "currency": draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        "elements": [
            {
                "price_components": [
                    {
                        "type": kind,
                        "price": draw(prices),
                        "step_size": draw(st.integers(1, 3600)),
                        **(
                            {"vat": draw(st.decimals(0, 100, places=2))}
                            if draw(st.booleans())
                            else {}
                        ),
                    }
                    for kind in draw(
                        st.lists(
                            st.sampled_from(["ENERGY", "TIME", "PARKING_TIME", "FLAT"]),
                            min_size=1,
                            max_size=3,
                        )
                    )
                ],
                **(
                    {
                        "restrictions": {
                            "start_time": draw(st.sampled_from(["00:00", "07:30", "18:00"])),
                            "min_kwh": draw(st.decimals(0, 50, places=3)),
                            "day_of_week": draw(
                                st.lists(st.sampled_from([d.value for d in DayOfWeek]), unique=True)
                            ),
                            "reservation": draw(
                                st.sampled_from([r.value for r in ReservationRestriction])
                            ),
                            "max_duration": draw(st.integers(1, 10**6)),
                        }
                    }
                    if draw(st.booleans())
                    else {}
                ),
                **({"fee": "service"} if draw(st.booleans()) else {}),
            }
            for _ in range(draw(st.integers(1, 4)))
        ],
        "idle_grace_minutes": draw(st.integers(0, 120)),
        "rounding": draw(st.sampled_from(["half_up", "half_even", "down", "up"])),
    }
    if draw(st.booleans()):
        data["max_price"] = {"excl_vat": draw(prices), "incl_vat": Decimal(1000)}
    return parse_tariff(data)


@settings(max_examples=100, deadline=None)
@given(tariffs())
def test_any_tariff_round_trips(tariff: Tariff) -> None:
    assert parse_tariff(json.loads(dumps_tariff(tariff), parse_float=Decimal)) == tariff
