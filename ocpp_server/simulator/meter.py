"""Pure builders for OCPP 1.6 MeterValue payloads (camelCase dicts, ready for the wire)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ocpp_server.simulator.charging_curve import phase_current_a

PHASES = ("L1", "L2", "L3")
VOLTAGE_PHASES = ("L1-N", "L2-N", "L3-N")


@dataclass(frozen=True)
class Reading:
    """What the meter sees at one instant on one connector."""

    register_wh: float
    power_w: float
    voltage_v: float
    phases: int
    soc: float | None = None


def utc_now() -> datetime:
    """The charger's clock (always UTC)."""
    return datetime.now(UTC)


def ocpp_timestamp(at: datetime) -> str:
    """RFC 3339 UTC with milliseconds and a Z, as charge points usually send it."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _value(
    value: str, measurand: str, unit: str, context: str, location: str, phase: str | None = None
) -> dict[str, str]:
    sample = {
        "value": value,
        "context": context,
        "measurand": measurand,
        "location": location,
        "unit": unit,
    }
    if phase is not None:
        sample["phase"] = phase
    return sample


def energy_value(register_wh: float, context: str) -> dict[str, str]:
    """The energy register alone (what Transaction.Begin / End samples carry)."""
    return _value(str(int(register_wh)), "Energy.Active.Import.Register", "Wh", context, "Outlet")


def sampled_values(reading: Reading, context: str = "Sample.Periodic") -> list[dict[str, str]]:
    """Energy, power, per-phase current and voltage, and SoC (if the car reports it)."""
    current = phase_current_a(reading.power_w, reading.voltage_v, reading.phases)
    values = [
        energy_value(reading.register_wh, context),
        _value(f"{reading.power_w:.1f}", "Power.Active.Import", "W", context, "Outlet"),
    ]
    for phase in PHASES[: reading.phases]:
        values.append(_value(f"{current:.2f}", "Current.Import", "A", context, "Outlet", phase))
    for phase in VOLTAGE_PHASES[: reading.phases]:
        values.append(_value(f"{reading.voltage_v:.1f}", "Voltage", "V", context, "Outlet", phase))
    if reading.soc is not None:
        values.append(_value(f"{reading.soc:.1f}", "SoC", "Percent", context, "EV"))
    return values


def meter_value(at: datetime, values: list[dict[str, str]]) -> dict[str, object]:
    """One MeterValue element: a timestamp and the sampled values taken at it."""
    return {"timestamp": ocpp_timestamp(at), "sampledValue": values}
