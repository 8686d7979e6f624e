"""The editor's fee rows <-> OCPI tariff elements: the mapping, the grouping by restrictions,
exact per-minute prices, errors named per row field, and the round trip."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ccms_app.finance.rules.fee_rows_read import check_rows, definition_to_rows, describe_row
from ccms_app.finance.rules.fee_types import (
    FEE_TYPES,
    RowsError,
    TariffFields,
    blank_row,
    rows_to_definition,
)
from ccms_app.finance.rules.tariff_json import parse_tariff
from ccms_app.finance.rules.tariff_types import Dimension, ReservationRestriction

FIELDS = TariffFields()


def row(fee: str, price: str, **values: str) -> dict[str, str]:
    return {**blank_row(fee), "price": price, **values}


def components(definition: dict[str, Any], element: int) -> list[tuple[str, Decimal]]:
    return [(c["type"], c["price"]) for c in definition["elements"][element]["price_components"]]


def test_each_fee_type_maps_onto_its_ocpi_dimension() -> None:
    definition = rows_to_definition(
        [
            row("energy", "0.35"),
            row("service", "0.20", unit="kwh"),
            row("start", "1.00"),
            row("time", "0.05"),
            row("idle", "0.10"),
        ],
        FIELDS,
    )

    assert components(definition, 0) == [
        ("ENERGY", Decimal("0.35")),
        ("ENERGY", Decimal("0.20")),
        ("FLAT", Decimal("1.00")),
        ("TIME", Decimal("3.00")),  # 0.05 a minute is 3.00 an hour, exactly
        ("PARKING_TIME", Decimal("6.00")),
    ]
    assert definition["elements"][0]["fee"] == "energy,service,start,time,idle"
    assert "restrictions" not in definition["elements"][0]


def test_a_reservation_fee_is_its_own_element_with_the_reservation_restriction() -> None:
    definition = rows_to_definition(
        [
            row("energy", "0.30"),
            row("reservation", "0.10"),
            row("reservation", "2", unit="session"),
        ],
        FIELDS,
    )

    assert len(definition["elements"]) == 2
    reserved = definition["elements"][1]
    assert reserved["restrictions"] == {"reservation": "RESERVATION"}
    assert components(definition, 1) == [("TIME", Decimal("6.00")), ("FLAT", Decimal(2))]
    tariff = parse_tariff(definition)
    assert tariff.elements[1].restrictions is not None
    assert tariff.elements[1].restrictions.reservation is ReservationRestriction.RESERVATION


def test_rows_with_identical_restrictions_share_an_element_in_order_of_first_appearance() -> None:
    peak = {"start_time": "18:00", "end_time": "22:00"}
    definition = rows_to_definition(
        [
            row("energy", "0.45", **peak),
            row("energy", "0.30"),
            row("start", "0.50"),
            row("time", "0.02", **peak),
        ],
        FIELDS,
    )

    assert [e["fee"] for e in definition["elements"]] == ["energy,time", "energy,start"]
    assert definition["elements"][0]["restrictions"] == {"start_time": "18:00", "end_time": "22:00"}
    assert components(definition, 0) == [("ENERGY", Decimal("0.45")), ("TIME", Decimal("1.20"))]


def test_every_restriction_is_written_in_ocpi_units() -> None:
    definition = rows_to_definition(
        [
            row(
                "energy",
                "0.25",
                start_time="22:00",
                end_time="6:00",
                days="SUNDAY,MONDAY",
                start_date="2026-01-01",
                end_date="2026-04-01",
                min_kwh="20",
                max_kwh="50.5",
                min_power="0",
                max_power="11",
                min_duration="1.5",
                max_duration="90",
                step_size="100",
            )
        ],
        FIELDS,
    )

    assert definition["elements"][0]["restrictions"] == {
        "start_time": "22:00",
        "end_time": "06:00",  # wraps past midnight: written as typed, zero-padded
        "day_of_week": ["MONDAY", "SUNDAY"],  # week order
        "start_date": "2026-01-01",
        "end_date": "2026-04-01",
        "min_kwh": Decimal(20),
        "max_kwh": Decimal("50.5"),
        "min_power": Decimal(0),
        "max_power": Decimal(11),
        "min_duration": 90,  # seconds
        "max_duration": 5400,
    }
    assert definition["elements"][0]["price_components"][0]["step_size"] == 100


def test_tariff_fields_become_the_ccms_fields() -> None:
    fields = TariffFields(
        currency="sek",
        min_price="5",
        max_price="100",
        max_price_incl="125",
        idle_grace_minutes="15",
        idle_fee_cap="10.00",
        rounding="half_even",
    )

    definition = rows_to_definition([row("idle", "0.10")], fields)

    assert definition["currency"] == "SEK"
    assert definition["min_price"] == {"excl_vat": Decimal(5)}
    assert definition["max_price"] == {"excl_vat": Decimal(100), "incl_vat": Decimal(125)}
    tariff = parse_tariff(definition)
    assert (tariff.idle_grace_seconds, tariff.idle_fee_cap) == (900, Decimal("10.00"))


def test_every_wrong_field_is_named_by_row_at_once() -> None:
    rows = [
        row("energy", "abc"),
        row("time", "", vat="120", step_size="0"),
        row("energy", "0.3", start_time="25:00", days="FUNDAY", min_kwh="10", max_kwh="5"),
        row("start", "1", reservation="RESERVATION", min_duration="1.51"),
    ]

    with pytest.raises(RowsError) as caught:
        rows_to_definition(rows, TariffFields(currency="EURO", idle_grace_minutes="x"))

    assert set(caught.value.errors) == {
        "rows[0].price",
        "rows[1].price",
        "rows[1].vat",
        "rows[1].step_size",
        "rows[2].start_time",
        "rows[2].days",
        "rows[2].max_kwh",
        "rows[3].reservation",
        "rows[3].min_duration",
        "currency",
        "idle_grace_minutes",
    }


def test_the_ocpi_parser_s_errors_come_back_as_row_fields() -> None:
    rows = [row("energy", "0.30"), row("start", "0.123456")]  # OCPI money: at most 4 decimals

    with pytest.raises(RowsError) as caught:
        check_rows(rows, FIELDS)

    assert caught.value.errors == {"rows[1].price": "has more than 4 decimals"}


def test_no_rows_is_an_error() -> None:
    with pytest.raises(RowsError) as caught:
        rows_to_definition([], FIELDS)
    assert "rows" in caught.value.errors


@pytest.mark.parametrize("fee", [fee.key for fee in FEE_TYPES])
def test_each_fee_type_comes_back_as_typed(fee: str) -> None:
    rows = [row(fee, "0.25", vat="19", step_size="" if fee == "start" else "60")]

    content = definition_to_rows(rows_to_definition(rows, FIELDS))

    assert content.editable, content.note
    assert content.rows[0]["fee"] == fee and content.rows[0]["price"] == "0.25"
    assert content.rows[0]["vat"] == "19"


def test_a_full_tariff_round_trips_through_the_rows() -> None:
    fields = TariffFields(
        currency="EUR", min_price="1", idle_grace_minutes="10", idle_fee_cap="12", rounding="up"
    )
    rows = [
        row("energy", "0.45", start_time="18:00", end_time="22:00", days="MONDAY,FRIDAY"),
        row("energy", "0.30"),
        row("service", "0.50"),
        row("time", "0.0125", min_duration="60"),
        row("idle", "0.10", step_size="60"),
        row("reservation", "1.00", unit="session", reservation="RESERVATION_EXPIRES"),
    ]
    definition, tariff = check_rows(rows, fields)

    content = definition_to_rows(definition)

    assert content.editable and content.fields == fields
    _, tariff_again = check_rows(list(content.rows), content.fields)
    assert tariff_again == tariff
    assert [(r["fee"], r["unit"], r["price"]) for r in content.rows] == [
        ("energy", "kwh", "0.45"),
        ("energy", "kwh", "0.30"),
        ("service", "session", "0.50"),
        ("idle", "minute", "0.10"),  # rows come back grouped by element
        ("time", "minute", "0.0125"),
        ("reservation", "session", "1.00"),
    ]


def test_an_hourly_price_without_an_exact_minute_price_stays_per_hour() -> None:
    definition = {
        "currency": "EUR",
        "elements": [{"price_components": [{"type": "TIME", "price": 1, "step_size": 1}]}],
    }

    content = definition_to_rows(definition)

    assert content.editable
    assert (content.rows[0]["fee"], content.rows[0]["unit"]) == ("time", "hour")
    assert content.rows[0]["price"] == "1.00"


def test_unlabelled_api_tariffs_are_read_by_dimension() -> None:
    definition = {
        "currency": "EUR",
        "elements": [
            {
                "price_components": [
                    {"type": "ENERGY", "price": Decimal("0.25"), "step_size": 1},
                    {"type": "FLAT", "price": Decimal("0.50"), "step_size": 0},
                    {"type": "PARKING_TIME", "price": Decimal("1.80"), "step_size": 300},
                ]
            }
        ],
    }

    content = definition_to_rows(definition)

    assert content.editable
    assert [(r["fee"], r["unit"], r["price"]) for r in content.rows] == [
        ("energy", "kwh", "0.25"),
        ("start", "session", "0.50"),
        ("idle", "minute", "0.03"),
    ]


@pytest.mark.parametrize(
    ("elements", "why"),
    [
        (
            [
                {
                    "price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}],
                    "restrictions": {"max_current": 32},
                }
            ],
            "Current",
        ),
        (  # two elements with the same restrictions: the rows would merge them
            [
                {"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1}]},
                {"price_components": [{"type": "TIME", "price": 2, "step_size": 1}]},
            ],
            "API",
        ),
    ],
)
def test_definitions_the_rows_cannot_hold_are_read_only(
    elements: list[dict[str, Any]], why: str
) -> None:
    content = definition_to_rows({"currency": "EUR", "elements": elements})

    assert not content.editable and content.rows == ()
    assert why in content.note


def test_a_row_says_when_it_applies() -> None:
    assert describe_row(blank_row("energy")) == "always"
    assert (
        describe_row(
            row("energy", "1", start_time="18:00", end_time="22:00", days="MONDAY", min_kwh="20")
        )
        == "18:00-22:00 · Mon · from 20 kWh"
    )
    assert describe_row(row("reservation", "1")) == "while reserved"


def test_dimension_labels_are_complete() -> None:
    assert {
        Dimension(c["type"])
        for c in rows_to_definition(
            [row(f.key, "1", unit=u) for f in FEE_TYPES for u in f.units], FIELDS
        )["elements"][0]["price_components"]
    } == set(Dimension)
