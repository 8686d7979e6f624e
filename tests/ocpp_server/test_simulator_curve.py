"""Unit tests of the simulator's pure maths: charging curve and MeterValue payloads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ocpp.messages import Call, validate_payload

from ocpp_server.simulator.charging_curve import (
    FULL_SOC,
    TAPER_FLOOR,
    EvProfile,
    advance,
    charging_power_w,
    phase_count,
    phase_current_a,
    random_ev,
    seconds_to_full,
    session_power_limit_w,
)
from ocpp_server.simulator.meter import (
    Reading,
    energy_value,
    meter_value,
    ocpp_timestamp,
    sampled_values,
)

socs = st.floats(min_value=0.0, max_value=100.0)
capacities = st.floats(min_value=1_000.0, max_value=120_000.0)
powers = st.floats(min_value=1_000.0, max_value=350_000.0)


# --- the curve --------------------------------------------------------------------------


def test_power_is_constant_up_to_80_percent_then_tapers_to_the_floor() -> None:
    assert charging_power_w(10.0, 22_000) == 22_000
    assert charging_power_w(80.0, 22_000) == 22_000
    assert charging_power_w(90.0, 22_000) == pytest.approx(11_000)
    assert charging_power_w(99.9, 22_000) == pytest.approx(22_000 * TAPER_FLOOR)
    assert charging_power_w(100.0, 22_000) == 0.0


@given(soc=socs, low=socs)
def test_power_never_rises_with_soc(soc: float, low: float) -> None:
    lower, higher = sorted((soc, low))
    assert charging_power_w(higher, 11_000) <= charging_power_w(lower, 11_000)


def test_constant_phase_delivers_power_times_time() -> None:
    step = advance(soc=20.0, capacity_wh=60_000, max_power_w=22_000, seconds=3600)
    assert step.energy_wh == pytest.approx(22_000)
    assert step.soc == pytest.approx(20.0 + 22_000 / 60_000 * 100)
    assert step.power_w == 22_000


@given(
    soc=socs,
    capacity=capacities,
    power=powers,
    first=st.floats(0, 20_000),
    second=st.floats(0, 20_000),
)
def test_two_steps_equal_one_step(
    soc: float, capacity: float, power: float, first: float, second: float
) -> None:
    one = advance(soc, capacity, power, first + second)
    a = advance(soc, capacity, power, first)
    b = advance(a.soc, capacity, power, second)
    assert b.soc == pytest.approx(one.soc, abs=1e-6)
    assert a.energy_wh + b.energy_wh == pytest.approx(one.energy_wh, rel=1e-6, abs=1e-3)


@given(soc=socs, capacity=capacities, power=powers, seconds=st.floats(0, 10 * 3600))
def test_soc_and_energy_stay_consistent(
    soc: float, capacity: float, power: float, seconds: float
) -> None:
    step = advance(soc, capacity, power, seconds)
    assert soc <= step.soc <= FULL_SOC
    assert step.energy_wh == pytest.approx((step.soc - soc) / 100 * capacity, abs=1e-6)
    assert step.energy_wh <= power * seconds / 3600 + 1e-6  # never above the power limit


@given(soc=st.floats(0.0, 99.9), capacity=capacities, power=powers)
def test_battery_is_full_exactly_after_seconds_to_full(
    soc: float, capacity: float, power: float
) -> None:
    needed = seconds_to_full(soc, capacity, power)
    assert advance(soc, capacity, power, needed * 0.999).soc < FULL_SOC
    full = advance(soc, capacity, power, needed + 1.0)
    assert full.soc == FULL_SOC
    assert full.power_w == 0.0
    assert full.energy_wh == pytest.approx((FULL_SOC - soc) / 100 * capacity)


def test_taper_makes_the_last_20_percent_slower_than_the_first() -> None:
    first = seconds_to_full(0.0, 60_000, 22_000) - seconds_to_full(20.0, 60_000, 22_000)
    last = seconds_to_full(80.0, 60_000, 22_000)
    assert last > 2 * first


def test_nothing_happens_without_time_or_when_full() -> None:
    assert advance(50.0, 60_000, 22_000, 0).energy_wh == 0.0
    full = advance(100.0, 60_000, 22_000, 600)
    assert (full.soc, full.energy_wh, full.power_w) == (100.0, 0.0, 0.0)


@given(seed=st.integers())
def test_random_ev_is_plausible(seed: int) -> None:
    ev = random_ev(random.Random(seed))
    assert 40_000 <= ev.capacity_wh <= 100_000
    assert 10.0 <= ev.start_soc <= 50.0
    assert ev.max_power_w in (7_400, 11_000, 22_000)


def test_session_power_is_the_weaker_of_charger_and_car() -> None:
    car = EvProfile(capacity_wh=60_000, start_soc=20, max_power_w=11_000)
    assert session_power_limit_w(22_000, car) == 11_000
    assert session_power_limit_w(7_400, car) == 7_400


def test_phase_currents() -> None:
    assert phase_count(22_000) == 3
    assert phase_count(7_400) == 1
    assert phase_current_a(22_000, 230.0, 3) == pytest.approx(31.88, abs=0.01)
    assert phase_current_a(7_360, 230.0, 1) == pytest.approx(32.0)
    assert phase_current_a(1_000, 0.0, 3) == 0.0


# --- meter values -------------------------------------------------------------------------


def test_three_phase_sample_has_every_measurand_phase_and_unit() -> None:
    values = sampled_values(
        Reading(register_wh=12_345.6, power_w=22_000, voltage_v=230.0, phases=3, soc=55.25)
    )
    seen = {(v["measurand"], v.get("phase"), v["unit"], v["location"]) for v in values}
    assert seen == {
        ("Energy.Active.Import.Register", None, "Wh", "Outlet"),
        ("Power.Active.Import", None, "W", "Outlet"),
        ("Current.Import", "L1", "A", "Outlet"),
        ("Current.Import", "L2", "A", "Outlet"),
        ("Current.Import", "L3", "A", "Outlet"),
        ("Voltage", "L1-N", "V", "Outlet"),
        ("Voltage", "L2-N", "V", "Outlet"),
        ("Voltage", "L3-N", "V", "Outlet"),
        ("SoC", None, "Percent", "EV"),
    }
    by_measurand = {v["measurand"]: v["value"] for v in values}
    assert by_measurand["Energy.Active.Import.Register"] == "12345"
    assert by_measurand["Current.Import"] == "31.88"
    assert by_measurand["SoC"] == "55.2"
    assert {v["context"] for v in values} == {"Sample.Periodic"}


def test_single_phase_sample_without_soc() -> None:
    values = sampled_values(
        Reading(register_wh=10, power_w=3_680, voltage_v=230.0, phases=1), context="Trigger"
    )
    assert [(v["measurand"], v.get("phase")) for v in values] == [
        ("Energy.Active.Import.Register", None),
        ("Power.Active.Import", None),
        ("Current.Import", "L1"),
        ("Voltage", "L1-N"),
    ]
    assert values[2]["value"] == "16.00"


def test_timestamps_are_utc_with_z() -> None:
    local = datetime(2025, 1, 2, 4, 4, 5, 678_000, tzinfo=timezone(timedelta(hours=1)))
    assert ocpp_timestamp(local) == "2025-01-02T03:04:05.678Z"


async def test_payloads_pass_the_ocpp16_schemas() -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    values = sampled_values(
        Reading(register_wh=1_000, power_w=11_000, voltage_v=231.2, phases=3, soc=42.0)
    )
    meter = Call(
        "1",
        "MeterValues",
        {"connectorId": 1, "transactionId": 7, "meterValue": [meter_value(at, values)]},
    )
    stop = Call(
        "2",
        "StopTransaction",
        {
            "meterStop": 2_000,
            "timestamp": ocpp_timestamp(at),
            "transactionId": 7,
            "reason": "Local",
            "transactionData": [
                meter_value(at, [energy_value(1_000, "Transaction.Begin")]),
                meter_value(
                    at, sampled_values(Reading(2_000, 0.0, 230.0, 3, 50.0), "Transaction.End")
                ),
            ],
        },
    )
    await validate_payload(meter, "1.6")
    await validate_payload(stop, "1.6")
