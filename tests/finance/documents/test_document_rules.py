"""finance.rules.documents: lines per price component, VAT per rate, months in a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ccms_app.finance.rules.documents import (
    BreakdownLine,
    DocumentLine,
    VatRow,
    component_lines,
    merge_vat_rows,
    month_bounds,
    previous_month,
    vat_label,
    vat_rows,
)

D = Decimal


def test_month_bounds_are_local_midnights_in_utc() -> None:
    assert month_bounds(date(2026, 3, 17), "Europe/Berlin") == (
        datetime(2026, 2, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 31, 22, tzinfo=UTC),  # summer time from 29 March
    )
    assert month_bounds(date(2026, 12, 1), "UTC") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert month_bounds(date(2026, 1, 5), "No/Such_Zone")[0] == datetime(2026, 1, 1, tzinfo=UTC)


def test_previous_month_is_read_in_the_zone() -> None:
    new_year_in_berlin = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert previous_month(new_year_in_berlin, "Europe/Berlin") == date(2026, 12, 1)
    assert previous_month(new_year_in_berlin, "UTC") == date(2026, 11, 1)
    assert previous_month(datetime(2026, 1, 10, tzinfo=UTC), "UTC") == date(2025, 12, 1)


def line(dimension: str, quantity: str, price: str, vat: str | None, amount: str) -> BreakdownLine:
    return BreakdownLine(dimension, "", D(quantity), D(price), D(vat) if vat else None, D(amount))


def test_lines_group_per_price_and_rate_and_round_once() -> None:
    lines = [
        line("ENERGY", "1.0005", "0.3", "19", "0.30015"),
        line("ENERGY", "1.0005", "0.3", "19", "0.30015"),  # together 0.6003 -> 0.60
        line("ENERGY", "2", "0.2", "19", "0.4"),  # another price: its own line
        line("TIME", "0.25", "1.5", None, "0.375"),  # no VAT: its own line
    ]
    result = component_lines(lines, "EUR", 138, ROUND_HALF_UP)
    assert [(r.description, r.quantity, r.amount_minor, r.vat) for r in result] == [
        ("Energy", D("2.0010"), 60, D(19)),
        ("Energy", D("2"), 40, D(19)),
        ("Charging time", D("0.25"), 38, None),
    ]
    assert component_lines(lines, "EUR", 150, ROUND_HALF_UP)[-1].amount_minor == 12  # adjustment


def test_vat_rows_per_rate_with_no_vat_last() -> None:
    lines = [
        DocumentLine("a", None, "", None, D(19), 100),
        DocumentLine("b", None, "", None, None, 50),
        DocumentLine("c", None, "", None, D(7), 200),
    ]
    rows = vat_rows(lines, [(D(19), 19), (D(7), 14)])
    assert rows == [VatRow(D(7), 200, 14), VatRow(D(19), 100, 19), VatRow(None, 50, 0)]
    assert merge_vat_rows([rows, [VatRow(D(19), 10, 2)]]) == [
        VatRow(D(7), 200, 14),
        VatRow(D(19), 110, 21),
        VatRow(None, 50, 0),
    ]
    assert vat_label([D(19), None, D("7.5")]) == "7.5 %, 19 %"
