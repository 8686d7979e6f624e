from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.charging.rules.metering import (
    REGISTER_ROUNDING_WH,
    EnergyCount,
    MeterValueError,
    Reading,
    RegisterReading,
    advance,
    beyond_rounding,
    bounded_by_stop,
    count_energy,
    live_readings,
    normalise,
)


def test_kwh_and_kw_are_normalised_to_wh_and_w() -> None:
    assert normalise("1.5", "kWh", "Energy.Active.Import.Register") == (
        "Energy.Active.Import.Register",
        1500.0,
        "Wh",
    )
    assert normalise("7.4", "kW", "Power.Active.Import") == ("Power.Active.Import", 7400.0, "W")


def test_missing_measurand_and_unit_mean_energy_register_in_wh() -> None:
    assert normalise("123", None, None) == ("Energy.Active.Import.Register", 123.0, "Wh")
    assert normalise("80", None, "SoC") == ("SoC", 80.0, "Percent")


@pytest.mark.parametrize("raw", ["abc", "", "nan", "inf"])
def test_unreadable_values_raise(raw: str) -> None:
    with pytest.raises(MeterValueError):
        normalise(raw, "Wh", None)


def test_live_readings_sum_power_per_phase_and_take_max_current() -> None:
    readings = [
        Reading("Power.Active.Import", 3000.0, "W", phase="L1"),
        Reading("Power.Active.Import", 3100.0, "W", phase="L2"),
        Reading("Power.Active.Import", 2900.0, "W", phase="L3"),
        Reading("Current.Import", 13.0, "A", phase="L1"),
        Reading("Current.Import", 14.0, "A", phase="L2"),
        Reading("Voltage", 230.0, "V", phase="L1-N"),
        Reading("Voltage", 232.0, "V", phase="L2-N"),
        Reading("SoC", 55.0, "Percent", location="EV"),
        Reading("Energy.Active.Import.Register", 12345.0, "Wh"),
    ]
    live = live_readings(readings)
    assert live.power_w == 9000.0
    assert live.current_a == 14.0
    assert live.voltage_v == 231.0
    assert live.soc_percent == 55.0
    assert live.energy_register_wh == 12345.0


def test_total_value_wins_over_phases() -> None:
    readings = [
        Reading("Power.Active.Import", 7000.0, "W"),
        Reading("Power.Active.Import", 2000.0, "W", phase="L1"),
    ]
    assert live_readings(readings).power_w == 7000.0


T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def series(*values: int, step: timedelta = timedelta(minutes=1)) -> list[RegisterReading]:
    return [RegisterReading(T0 + step * (i + 1), v) for i, v in enumerate(values)]


def test_energy_is_the_register_increase() -> None:
    assert count_energy(1000, T0, series(1500, 2500, 3500)) == EnergyCount(2500)
    assert count_energy(1000, T0, []) == EnergyCount(0)


def test_readings_are_counted_in_timestamp_order_not_arrival_order() -> None:
    readings = series(1500, 2500, 3500)
    assert count_energy(1000, T0, reversed(readings)) == EnergyCount(2500)


def test_reset_keeps_the_energy_before_and_counts_on_from_the_new_value() -> None:
    count = count_energy(1000, T0, series(5000, 7000, 100, 600))
    assert count.energy_wh == 6000 + 500
    assert [(b.before_wh, b.after_wh, b.kind) for b in count.breaks] == [(7000, 100, "down")]


def test_wrap_of_a_32_bit_register_is_a_reset() -> None:
    count = count_energy(2**32 - 3000, T0, series(2**32 - 1000, 500, 1500))
    assert count.energy_wh == 2000 + 1000
    assert len(count.breaks) == 1


def test_meter_stop_below_meter_start_counts_nothing() -> None:
    count = count_energy(5000, T0, series(100))
    assert count.energy_wh == 0 and count.breaks[0].kind == "down"


def test_a_glitch_to_zero_never_adds_the_whole_register() -> None:
    lifetime = 50_000_000
    count = count_energy(lifetime, T0, series(lifetime + 1000, 0, 0, lifetime + 1500))
    assert count.energy_wh == 1500
    assert len(count.breaks) == 1


def test_an_implausible_jump_is_not_energy() -> None:
    count = count_energy(6000, T0, series(7000, 2**32 - 1, 7100))
    assert count.energy_wh == 1100
    assert [b.kind for b in count.breaks] == ["jump"]
    # A meter swapped for one with a higher register: counting goes on from the new one.
    count = count_energy(6000, T0, series(7000, 9_000_000, 9_000_400))
    assert count.energy_wh == 1400


def test_plausibility_scales_with_time_between_readings() -> None:
    hour = timedelta(hours=1)
    assert advance(RegisterReading(T0, 0), RegisterReading(T0 + hour, 4_000_000)) is not None
    assert advance(RegisterReading(T0, 0), RegisterReading(T0 + hour, 6_000_000)) is None
    # Below five minutes apart, the five-minute allowance applies (clocks jitter).
    assert advance(RegisterReading(T0, 0), RegisterReading(T0, 400_000)) is not None


def test_a_register_sent_at_another_precision_is_rounding_not_a_reset() -> None:
    # Samples in kWh with two decimals (12.35 kWh for 12,347 Wh), meterStop in whole Wh.
    count = count_energy(10_000, T0, series(11_000, 12_350, 12_347))
    assert count == EnergyCount(2_350)  # stays at the higher value; meterStop bounds it
    # The register catching up is not counted twice: 12,350 -> 12,348 -> 12,400 is 50 Wh.
    assert count_energy(12_350, T0, series(12_348, 12_400)) == EnergyCount(50)
    assert advance(RegisterReading(T0, 12_350), RegisterReading(T0, 12_347)) == RegisterReading(
        T0, 12_350
    )
    # Beyond the rounding of a kWh register with one decimal, it went down.
    below = 12_350 - REGISTER_ROUNDING_WH - 1
    assert [b.kind for b in count_energy(10_000, T0, series(12_350, below)).breaks] == ["down"]
    assert not beyond_rounding(2_350, 2_347) and beyond_rounding(2_500, 2_347)


def test_a_stopped_session_never_counts_more_than_its_register_moved() -> None:
    assert bounded_by_stop(430, 1000, 1400) == 400  # out-of-order samples added 30 Wh
    assert bounded_by_stop(400, 1000, 1400) is None
    assert bounded_by_stop(380, 1000, 1400) is None  # less is a gap, flagged elsewhere
    assert bounded_by_stop(500, 1000, None) is None  # running: no bound yet
    assert bounded_by_stop(500, 1000, 200) is None  # the register reset: samples count
