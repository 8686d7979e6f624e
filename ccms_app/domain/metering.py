"""Meter value normalisation and the live readings derived from a MeterValues message."""

from __future__ import annotations

from dataclasses import dataclass

ENERGY_REGISTER = "Energy.Active.Import.Register"
DEFAULT_MEASURAND = ENERGY_REGISTER  # OCPP 1.6: an absent measurand means this one

# unit -> (canonical unit, factor)
_UNIT_SCALE: dict[str, tuple[str, float]] = {
    "Wh": ("Wh", 1.0),
    "kWh": ("Wh", 1000.0),
    "varh": ("varh", 1.0),
    "kvarh": ("varh", 1000.0),
    "W": ("W", 1.0),
    "kW": ("W", 1000.0),
    "VA": ("VA", 1.0),
    "kVA": ("VA", 1000.0),
    "var": ("var", 1.0),
    "kvar": ("var", 1000.0),
    "A": ("A", 1.0),
    "V": ("V", 1.0),
    "Celsius": ("Celsius", 1.0),
    "Fahrenheit": ("Fahrenheit", 1.0),
    "K": ("K", 1.0),
    "Percent": ("Percent", 1.0),
}

# OCPP 1.6 default unit per measurand when the charger omits it
_DEFAULT_UNIT = {
    "Energy": "Wh",
    "Power.Factor": "",
    "Power.Reactive": "var",
    "Power": "W",
    "Current": "A",
    "Voltage": "V",
    "Frequency": "",
    "Temperature": "Celsius",
    "SoC": "Percent",
    "RPM": "",
}


class MeterValueError(ValueError):
    """A sampled value that cannot be read as a number (e.g. SignedData)."""


@dataclass(frozen=True)
class Reading:
    """One normalised sampled value."""

    measurand: str
    value: float
    unit: str
    phase: str | None = None
    location: str | None = None
    context: str | None = None


def default_unit(measurand: str) -> str:
    for prefix, unit in _DEFAULT_UNIT.items():
        if measurand.startswith(prefix):
            return unit
    return ""


def normalise(raw_value: str, unit: str | None, measurand: str | None) -> tuple[str, float, str]:
    """(measurand, value, canonical unit) with kWh/kW scaled to Wh/W. Raises MeterValueError."""
    name = measurand or DEFAULT_MEASURAND
    try:
        value = float(raw_value)
    except (TypeError, ValueError) as exc:
        raise MeterValueError(f"{name}: value {raw_value!r} is not a number") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise MeterValueError(f"{name}: value {raw_value!r} is not finite")
    given = unit or default_unit(name)
    canonical, factor = _UNIT_SCALE.get(given, (given, 1.0))
    return name, value * factor, canonical


@dataclass(frozen=True)
class LiveReadings:
    """What a live view shows for a running session; None where the charger sent nothing."""

    energy_register_wh: float | None = None
    power_w: float | None = None
    current_a: float | None = None
    voltage_v: float | None = None
    soc_percent: float | None = None


def _pick(readings: list[Reading], measurand: str, combine: str) -> float | None:
    values = [r for r in readings if r.measurand == measurand]
    if not values:
        return None
    totals = [r.value for r in values if r.phase is None]
    if totals:
        return totals[-1]
    # Per-phase only: power adds up over phases, current/voltage are shown per phase (max/mean).
    line_values = [r.value for r in values if r.phase in ("L1", "L2", "L3")]
    phase_values = line_values or [r.value for r in values]
    if combine == "sum":
        return sum(phase_values)
    if combine == "max":
        return max(phase_values)
    return sum(phase_values) / len(phase_values)


def live_readings(readings: list[Reading]) -> LiveReadings:
    """Summarise one meterValue group (one timestamp) into the figures a live view shows."""
    outlet_or_any = [r for r in readings if r.location in (None, "Outlet", "Cable", "Body")]
    ev_side = [r for r in readings if r.location == "EV"] + outlet_or_any
    return LiveReadings(
        energy_register_wh=_pick(outlet_or_any, ENERGY_REGISTER, "sum"),
        power_w=_pick(outlet_or_any, "Power.Active.Import", "sum"),
        current_a=_pick(outlet_or_any, "Current.Import", "max"),
        voltage_v=_pick(outlet_or_any, "Voltage", "mean"),
        soc_percent=_pick(ev_side, "SoC", "mean"),
    )


def session_energy_wh(meter_start_wh: int, meter_now_wh: float | None) -> int | None:
    """Energy delivered so far; None when the register went backwards (reset or wrap)."""
    if meter_now_wh is None:
        return None
    delta = round(meter_now_wh) - meter_start_wh
    return delta if delta >= 0 else None
