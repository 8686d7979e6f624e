"""Meter value normalisation and the live readings derived from a MeterValues message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def phase_currents(readings: list[Reading]) -> dict[str, float]:
    """Current.Import per line (L1..L3) of one meterValue group, as load balancing needs it:
    a single-phase car on a three-phase charger draws on L1 only, and a site meter's lines
    are loaded unevenly. Empty when the charger sends no per-line current."""
    return {
        r.phase: r.value
        for r in readings
        if r.measurand == "Current.Import"
        and r.phase in ("L1", "L2", "L3")
        and r.location in (None, "Outlet", "Cable", "Body", "Inlet")
    }


# Energy register rule (docs/data-policy.md, "Energy registers that reset, wrap or jump").
# No charger delivers more than this; a faster rise is a glitch or a swapped meter, not energy.
MAX_PLAUSIBLE_POWER_W = 5_000_000  # 5 MW: above the 3.75 MW of megawatt charging (MCS)
MIN_PLAUSIBILITY_WINDOW = timedelta(minutes=5)  # charger clocks jitter; never judge below this
# A register sent in kWh with one decimal is only good to 100 Wh: a reading up to this much
# below the one before is rounding (the same register at another precision), not a reset.
REGISTER_ROUNDING_WH = 100


@dataclass(frozen=True)
class RegisterReading:
    """The energy register (Energy.Active.Import.Register, whole Wh) at one moment."""

    at: datetime
    wh: int


@dataclass(frozen=True)
class RegisterBreak:
    """A reading that does not continue from the one before: the register went down (reset,
    wrap, meter swapped) or rose faster than any charger can deliver (glitch)."""

    at: datetime
    before_wh: int
    after_wh: int

    @property
    def kind(self) -> str:
        return "down" if self.after_wh < self.before_wh else "jump"


@dataclass(frozen=True)
class EnergyCount:
    energy_wh: int
    breaks: tuple[RegisterBreak, ...] = ()


def advance(previous: RegisterReading, reading: RegisterReading) -> RegisterReading | None:
    """Where counting stands after `reading`, or None when it does not continue from
    `previous` (a break): it continues when it is not lower (beyond REGISTER_ROUNDING_WH) and
    not higher than MAX_PLAUSIBLE_POWER_W could deliver in the time between them.

    A reading at most REGISTER_ROUNDING_WH below the one before is the same register sent at
    another precision (samples in kWh rounded to two decimals, then meterStop in whole Wh
    truncated): it continues, adds nothing, and counting stays at the higher value, so the
    Wh that rounding took away are not counted a second time when the register catches up.
    """
    if reading.wh < previous.wh:
        if previous.wh - reading.wh > REGISTER_ROUNDING_WH:
            return None
        return RegisterReading(reading.at, previous.wh)
    window = max(reading.at - previous.at, MIN_PLAUSIBILITY_WINDOW)
    if reading.wh - previous.wh > MAX_PLAUSIBLE_POWER_W * window.total_seconds() / 3600:
        return None
    return reading


def count_energy(
    meter_start_wh: int, started_at: datetime, readings: Iterable[RegisterReading]
) -> EnergyCount:
    """Energy of a session from its register readings, ordered by their own timestamps.

    Energy only ever grows by the increase between consecutive readings. A reading that does
    not continue from the one before (see `advance`) is a break: the energy counted so far
    is kept and counting goes on from the new value. If a later reading continues from the
    reading before the break instead, the break was a glitch (e.g. a meter read as 0 once) and
    counting goes on from there, so a glitch never adds the whole register to the session.
    Between a real reset and the first reading after it some energy is unknown: it is not
    counted (never billed) and the break is reported so an operator can check.
    """
    base = RegisterReading(started_at, meter_start_wh)
    held: RegisterReading | None = None  # the reading before an unconfirmed break
    energy = 0
    breaks: list[RegisterBreak] = []
    for reading in sorted(readings, key=lambda r: r.at):
        if held is not None and (resumed := advance(held, reading)) is not None:
            energy += resumed.wh - held.wh
            base, held = resumed, None
        elif (counted := advance(base, reading)) is not None:
            energy += counted.wh - base.wh
            if counted.wh > base.wh:
                held = None  # counting resumed from the new value: the break was real
            base = counted
        else:
            breaks.append(RegisterBreak(reading.at, base.wh, reading.wh))
            held = held or base
            base = reading
    return EnergyCount(energy, tuple(breaks))


def bounded_by_stop(energy_wh: int, meter_start_wh: int, meter_stop_wh: int | None) -> int | None:
    """The energy a stopped session may count at most, when its samples say more.

    Without a register reset (meterStop at or above meterStart) the register's net increase,
    meterStop - meterStart, bounds the session's energy: samples that add up to more came
    out of order or were misread, and counting them would bill energy the meter never
    delivered. Returns that bound when `energy_wh` exceeds it, else None (nothing to fix).
    An excess of at most REGISTER_ROUNDING_WH is the samples' rounding (see `advance`), not
    a fault: `beyond_rounding` tells the two apart.
    """
    if meter_stop_wh is None or meter_stop_wh < meter_start_wh:
        return None
    bound = meter_stop_wh - meter_start_wh
    return bound if energy_wh > bound else None


def beyond_rounding(energy_wh: int, bound_wh: int) -> bool:
    """True when samples that add up to `energy_wh` exceed the register's `bound_wh` by more
    than their rounding could explain: worth flagging for an operator."""
    return energy_wh - bound_wh > REGISTER_ROUNDING_WH
