"""The preview calculator's session description -> the engine's timeline, and priced by the
engine: what the operator sees on the editor page."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ccms_app.finance.rules.fee_rows_read import check_rows
from ccms_app.finance.rules.fee_types import TariffFields, blank_row
from ccms_app.finance.rules.preview import (
    PreviewError,
    build_timeline,
    parse_description,
    total_energy,
)
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_json import parse_tariff
from ccms_app.finance.rules.tariff_types import PeriodKind

BASE = {
    "start": "2026-03-02T17:00",
    "time_zone": "Europe/Berlin",
    "duration_minutes": "120",
    "energy_kwh": "22",
}


def describe(**values: str) -> dict[str, str]:
    return {**BASE, **values}


def test_a_constant_power_session_is_one_charging_period_then_idle() -> None:
    timeline = build_timeline(
        parse_description(describe(power_kw="11", idle_minutes="30", energy_kwh=""))
    )

    charging, idle = timeline.periods
    assert charging.start == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 in Berlin (CET)
    assert (charging.kind, charging.energy_kwh, charging.max_power_kw) == (
        PeriodKind.CHARGING,
        Decimal(22),  # 11 kW x 2 h
        Decimal(11),
    )
    assert idle.kind is PeriodKind.PARKING and idle.start == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert timeline.end == datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


def test_a_power_profile_shares_the_typed_energy_by_kw_times_time() -> None:
    description = parse_description(describe(power_profile="30:22; 60:11", energy_kwh="20"))

    periods = build_timeline(description).periods

    assert [p.max_power_kw for p in periods] == [Decimal(22), Decimal(11)]
    # 22 kW x 0.5 h and 11 kW x 1.5 h (the last segment lasts to the end): 11 : 16.5
    assert periods[0].energy_kwh == Decimal(8)
    assert periods[1].energy_kwh == Decimal(12)
    assert total_energy(description) == Decimal(20)
    assert periods[1].start == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)


def test_reserved_minutes_come_before_the_start() -> None:
    timeline = build_timeline(parse_description(describe(reserved_minutes="15")))

    assert timeline.periods[0].kind is PeriodKind.RESERVATION
    assert timeline.periods[0].start == datetime(2026, 3, 2, 15, 45, tzinfo=UTC)
    assert timeline.periods[1].start == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_without_power_the_energy_is_spread_over_time_and_power_is_unknown() -> None:
    (period,) = build_timeline(parse_description(describe())).periods

    assert period.energy_kwh == Decimal(22) and period.max_power_kw is None


def test_every_wrong_field_is_named() -> None:
    with pytest.raises(PreviewError) as caught:
        parse_description(
            {
                "start": "yesterday",
                "time_zone": "Mars/Olympus",
                "duration_minutes": "0",
                "energy_kwh": "lots",
                "power_profile": "90:22; 60:11",
                "idle_minutes": "1.51",
            }
        )

    assert set(caught.value.errors) == {
        "start",
        "time_zone",
        "duration_minutes",
        "energy_kwh",
        "power_profile",
        "idle_minutes",
    }


def test_energy_or_a_power_is_needed() -> None:
    with pytest.raises(PreviewError) as caught:
        parse_description(describe(energy_kwh=""))
    assert "energy_kwh" in caught.value.errors


def test_a_session_crossing_the_peak_window_then_idling_is_priced_per_period() -> None:
    rows = [
        {**blank_row("energy"), "price": "0.50", "start_time": "18:00", "end_time": "22:00"},
        {**blank_row("energy"), "price": "0.30"},
        {**blank_row("start"), "price": "1.00"},
        {**blank_row("idle"), "price": "0.10"},
    ]
    definition, _ = check_rows(rows, TariffFields(idle_grace_minutes="10"))
    description = parse_description(describe(power_kw="11", energy_kwh="", idle_minutes="30"))

    cost = price_session(
        parse_tariff(definition, time_zone=description.time_zone), build_timeline(description)
    )

    # 17:00-18:00 11 kWh x 0.30, 18:00-19:00 11 kWh x 0.50, start 1.00, idle 20 min x 0.10
    assert cost.total.excl_vat_minor == 330 + 550 + 100 + 200
    assert cost.total.incl_vat_minor == cost.total.excl_vat_minor  # no VAT given
    energy = [line for line in cost.lines if line.dimension.value == "ENERGY"]
    assert [line.unit_price for line in energy] == [Decimal("0.30"), Decimal("0.50")]
