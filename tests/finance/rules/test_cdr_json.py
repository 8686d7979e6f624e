"""CDR-like JSON -> SessionTimeline (quotes), and a SessionCost as OCPI CDR cost fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ccms_app.finance.rules.cdr_json import cost_to_cdr, timeline_from_cdr
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_json import TariffError
from ccms_app.finance.rules.tariff_types import PeriodKind
from tests.finance.rules.sessions import tariff
from tests.finance.rules.test_tariff_ocpi_examples import COMPLEX, RESERVATION_EXPIRE_FEE


def load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return data


MONDAY = """{
  "start_date_time": "2024-05-06T07:30:00Z",
  "charging_periods": [
    {"start_date_time": "2024-05-06T07:30:00Z",
     "dimensions": [{"type": "ENERGY", "volume": 20.5}, {"type": "TIME", "volume": 2.45},
                    {"type": "PARKING_TIME", "volume": 0.7}, {"type": "MAX_CURRENT", "volume": 16}]}
  ]
}"""


def test_period_with_time_and_parking_is_charging_then_parking() -> None:
    timeline = timeline_from_cdr(load(MONDAY))
    assert [p.kind for p in timeline.periods] == [PeriodKind.CHARGING, PeriodKind.PARKING]
    assert timeline.periods[1].start == datetime(2024, 5, 6, 9, 57, tzinfo=UTC)
    assert timeline.end == datetime(2024, 5, 6, 10, 39, tzinfo=UTC)
    assert timeline.periods[0].energy_kwh == Decimal("20.5")
    assert timeline.periods[0].max_current_a == Decimal(16)


def test_quote_of_the_complex_example_as_cdr() -> None:
    """The OCPI complex example (Monday, Amsterdam 09:30 = 07:30 UTC) priced from CDR input."""
    cost = price_session(tariff(COMPLEX, "Europe/Amsterdam"), timeline_from_cdr(load(MONDAY)))
    cdr = cost_to_cdr(cost)
    assert cdr["total_cost"] == {"excl_vat": Decimal("8.75"), "incl_vat": Decimal("10.00")}
    assert cdr["total_time_cost"] == {"excl_vat": Decimal("2.50"), "incl_vat": Decimal("3.00")}
    assert cdr["total_parking_cost"]["excl_vat"] == Decimal("3.75")
    assert cdr["total_fixed_cost"]["excl_vat"] == Decimal("2.50")
    assert cdr["total_energy"] == Decimal("20.5")
    assert cdr["total_time"] == Decimal("3.15") and cdr["total_parking_time"] == Decimal("0.7")
    first, second = cdr["charging_periods"]
    assert first["start_date_time"] == "2024-05-06T07:30:00Z"
    assert {"type": "TIME", "volume": Decimal("2.45")} in first["dimensions"]
    assert second["dimensions"][0] == {"type": "PARKING_TIME", "volume": Decimal("0.7")}


def test_reservation_and_explicit_end() -> None:
    data = {
        "start_date_time": "2024-05-06T10:22:00+02:00",
        "end_date_time": "2024-05-06T11:22:00+02:00",
        "charging_periods": [
            {
                "start_date_time": "2024-05-06T10:00:00+02:00",
                "dimensions": [{"type": "RESERVATION_TIME", "volume": "0.3666"}],
            },
            {
                "start_date_time": "2024-05-06T10:22:00+02:00",
                "dimensions": [{"type": "ENERGY", "volume": 20}],
            },
        ],
    }
    timeline = timeline_from_cdr(data)
    assert [p.kind for p in timeline.periods] == [PeriodKind.RESERVATION, PeriodKind.CHARGING]
    cost = price_session(tariff(RESERVATION_EXPIRE_FEE), timeline)
    assert cost_to_cdr(cost)["total_cost"] == {
        "excl_vat": Decimal("6.50"),
        "incl_vat": Decimal("7.30"),
    }


def test_expired_reservation() -> None:
    data = {
        "start_date_time": "2024-05-06T10:00:00Z",
        "reservation_expired": True,
        "charging_periods": [
            {
                "start_date_time": "2024-05-06T10:00:00Z",
                "dimensions": [{"type": "RESERVATION_TIME", "volume": 1}],
            }
        ],
    }
    cost = price_session(tariff(RESERVATION_EXPIRE_FEE), timeline_from_cdr(data))
    assert cost_to_cdr(cost)["total_cost"] == {
        "excl_vat": Decimal("6.00"),
        "incl_vat": Decimal("7.20"),
    }


def test_errors_name_the_field() -> None:
    data = {
        "start_date_time": "2024-05-06T10:00:00",
        "charging_periods": [
            {
                "start_date_time": "2024-05-06T10:00:00Z",
                "dimensions": [{"type": "ENERGY", "volume": -1}],
            },
            {
                "start_date_time": "2024-05-06T09:00:00Z",
                "dimensions": [{"type": "VOLTAGE", "volume": 230}],
            },
            {
                "start_date_time": "2024-05-06T11:00:00Z",
                "dimensions": [{"type": "TIME", "volume": 1}, {"type": "TIME", "volume": 1}],
            },
            {"start_date_time": "later", "dimensions": []},
        ],
        "extra": 1,
    }
    with pytest.raises(TariffError) as caught:
        timeline_from_cdr(data)
    errors = caught.value.errors
    assert "time zone" in errors["start_date_time"]
    assert errors["charging_periods[0].dimensions[0].volume"] == "must not be negative"
    assert "ENERGY" in errors["charging_periods[1].dimensions[0].type"]
    assert "twice" in errors["charging_periods[2].dimensions[1].type"]
    assert "ISO 8601" in errors["charging_periods[3].start_date_time"]
    assert "at least one" in errors["charging_periods[3].dimensions"]
    assert "not a field" in errors["extra"]


def test_order_and_overlap_errors() -> None:
    data: dict[str, Any] = {
        "start_date_time": "2024-05-06T10:00:00Z",
        "charging_periods": [
            {
                "start_date_time": "2024-05-06T10:00:00Z",
                "dimensions": [{"type": "TIME", "volume": 2}],
            },
            {
                "start_date_time": "2024-05-06T11:00:00Z",
                "dimensions": [{"type": "TIME", "volume": 1}],
            },
            {
                "start_date_time": "2024-05-06T10:30:00Z",
                "dimensions": [{"type": "TIME", "volume": 1}],
            },
        ],
    }
    with pytest.raises(TariffError) as caught:
        timeline_from_cdr(data)
    assert caught.value.errors == {
        "charging_periods[2].start_date_time": "must be after the previous period",
    }
    data["charging_periods"].pop()
    with pytest.raises(TariffError) as caught:
        timeline_from_cdr(data)
    assert (
        "more than the time until the next period"
        in caught.value.errors["charging_periods[0].dimensions"]
    )
    with pytest.raises(TariffError) as caught:
        timeline_from_cdr({"start_date_time": "2024-05-06T10:00:00Z", "charging_periods": []})
    assert "at least one" in caught.value.errors["charging_periods"]
