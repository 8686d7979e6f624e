"""Pure charging-curve maths: how a simulated EV battery fills. No I/O, no clock.

The curve is the usual CC-CV shape of AC/DC charging: constant power up to
`TAPER_START_SOC`, then power falls linearly with state of charge down to a small floor
(`TAPER_FLOOR` of the maximum) so the battery reaches 100 % in finite time. `advance` solves
that curve in closed form, so a step of any length (a 10 s meter interval or an hour the
charger spent offline) gives the same answer as many small steps.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

FULL_SOC = 100.0
TAPER_START_SOC = 80.0
TAPER_FLOOR = 0.05  # power fraction the taper bottoms out at, just below 100 %
NOMINAL_VOLTAGE_V = 230.0
SINGLE_PHASE_LIMIT_W = 7400  # an AC charger above 32 A x 230 V uses three phases

# Where the linear taper meets the floor: (FULL - soc) / (FULL - TAPER_START) == TAPER_FLOOR.
_FLOOR_SOC = FULL_SOC - TAPER_FLOOR * (FULL_SOC - TAPER_START_SOC)


@dataclass(frozen=True)
class EvProfile:
    """The car plugged in: battery size, charge on arrival and the most it accepts."""

    capacity_wh: float
    start_soc: float
    max_power_w: float


@dataclass(frozen=True)
class ChargeStep:
    """The result of charging for some seconds: new SoC, energy delivered, power at the end."""

    soc: float
    energy_wh: float
    power_w: float


def random_ev(rng: random.Random) -> EvProfile:
    """A plausible car: 40-100 kWh battery, arriving at 10-50 %, on-board charger 7.4-22 kW."""
    return EvProfile(
        capacity_wh=round(rng.uniform(40_000, 100_000)),
        start_soc=round(rng.uniform(10.0, 50.0), 1),
        max_power_w=rng.choice((7_400, 11_000, 11_000, 22_000, 22_000)),
    )


def session_power_limit_w(charger_max_w: float, ev: EvProfile) -> float:
    """Power of the constant-power phase: the weaker of charger and car."""
    return float(min(charger_max_w, ev.max_power_w))


def charging_power_w(soc: float, max_power_w: float) -> float:
    """Instantaneous power the battery accepts at `soc` percent."""
    if soc >= FULL_SOC:
        return 0.0
    if soc <= TAPER_START_SOC:
        return float(max_power_w)
    fraction = (FULL_SOC - soc) / (FULL_SOC - TAPER_START_SOC)
    return float(max_power_w) * max(TAPER_FLOOR, fraction)


def _soc_rate(max_power_w: float, capacity_wh: float) -> float:
    """SoC gain in percent per second at full power."""
    return max_power_w * 100.0 / (capacity_wh * 3600.0)


def _advance_soc(soc: float, rate: float, seconds: float) -> float:
    """Walk the three regions of the curve (constant, exponential taper, floor)."""
    remaining = seconds
    if soc < TAPER_START_SOC:
        needed = (TAPER_START_SOC - soc) / rate
        if remaining <= needed:
            return soc + rate * remaining
        soc, remaining = TAPER_START_SOC, remaining - needed
    if soc < _FLOOR_SOC:
        # d(100 - soc)/dt = -rate * (100 - soc) / 20  =>  exponential decay of the gap.
        k = rate / (FULL_SOC - TAPER_START_SOC)
        needed = math.log((FULL_SOC - soc) / (FULL_SOC - _FLOOR_SOC)) / k
        if remaining <= needed:
            return FULL_SOC - (FULL_SOC - soc) * math.exp(-k * remaining)
        soc, remaining = _FLOOR_SOC, remaining - needed
    return min(FULL_SOC, soc + rate * TAPER_FLOOR * remaining)


def advance(soc: float, capacity_wh: float, max_power_w: float, seconds: float) -> ChargeStep:
    """Charge for `seconds` from `soc` with a constant-power limit of `max_power_w`."""
    if seconds <= 0 or soc >= FULL_SOC or max_power_w <= 0:
        return ChargeStep(
            soc=min(soc, FULL_SOC), energy_wh=0.0, power_w=charging_power_w(soc, max_power_w)
        )
    new_soc = _advance_soc(soc, _soc_rate(max_power_w, capacity_wh), seconds)
    energy = (new_soc - soc) / 100.0 * capacity_wh
    return ChargeStep(soc=new_soc, energy_wh=energy, power_w=charging_power_w(new_soc, max_power_w))


def seconds_to_full(soc: float, capacity_wh: float, max_power_w: float) -> float:
    """How long until the battery is full (inverse of `advance`), for planning sessions."""
    if soc >= FULL_SOC:
        return 0.0
    rate = _soc_rate(max_power_w, capacity_wh)
    total = 0.0
    if soc < TAPER_START_SOC:
        total += (TAPER_START_SOC - soc) / rate
        soc = TAPER_START_SOC
    if soc < _FLOOR_SOC:
        k = rate / (FULL_SOC - TAPER_START_SOC)
        total += math.log((FULL_SOC - soc) / (FULL_SOC - _FLOOR_SOC)) / k
        soc = _FLOOR_SOC
    return total + (FULL_SOC - soc) / (rate * TAPER_FLOOR)


def phase_count(charger_max_w: float) -> int:
    """AC chargers above the single-phase limit use three phases."""
    return 3 if charger_max_w > SINGLE_PHASE_LIMIT_W else 1


def phase_current_a(power_w: float, voltage_v: float, phases: int) -> float:
    """Current on each phase for a balanced load (unity power factor)."""
    if voltage_v <= 0 or phases <= 0:
        return 0.0
    return power_w / (voltage_v * phases)
