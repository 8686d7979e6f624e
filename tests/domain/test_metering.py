import pytest

from ccms_app.domain.metering import (
    MeterValueError,
    Reading,
    live_readings,
    normalise,
    session_energy_wh,
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


def test_session_energy() -> None:
    assert session_energy_wh(1000, 3500.4) == 2500
    assert session_energy_wh(1000, None) is None
    assert session_energy_wh(5000, 10.0) is None  # register reset or wrapped
