"""Charging profiles as OCPP 1.6 defines them, and W <-> A conversion of their limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

LIMIT_STEP = Decimal("0.1")
NOMINAL_VOLTAGE_V = Decimal(230)
DEFAULT_PHASES = 3  # OCPP 1.6: numberPhases absent means 3
MAX_PERIODS = 48


class ProfileError(ValueError):
    """The charging profile breaks an OCPP rule; the message names the field."""


class Purpose(StrEnum):
    CHARGE_POINT_MAX = "ChargePointMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class Kind(StrEnum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class RateUnit(StrEnum):
    W = "W"
    A = "A"


RECURRENCE_SECONDS = {Recurrency.DAILY: 86_400, Recurrency.WEEKLY: 7 * 86_400}


@dataclass(frozen=True)
class SchedulePeriod:
    start_period: int  # seconds from the start of the schedule
    limit: Decimal
    number_phases: int | None = None


@dataclass(frozen=True)
class ChargingSchedule:
    charging_rate_unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    duration: int | None = None  # seconds; None: the last period lasts for ever
    start_schedule: datetime | None = None
    min_charging_rate: Decimal | None = None


@dataclass(frozen=True)
class ChargingProfile:
    charging_profile_id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedule: ChargingSchedule
    recurrency_kind: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: int | None = None


@dataclass(frozen=True)
class InstalledProfile:
    """A profile as installed on one connector of a charge point (0: the whole charge point)."""

    connector_id: int
    profile: ChargingProfile


def convert_limit(
    limit: Decimal,
    from_unit: RateUnit,
    to_unit: RateUnit,
    phases: int = DEFAULT_PHASES,
    voltage: Decimal = NOMINAL_VOLTAGE_V,
) -> Decimal:
    """W <-> A for a balanced load on `phases` phases, rounded down to 0.1 (never above)."""
    if from_unit == to_unit:
        return limit
    factor = Decimal(voltage) * phases
    value = limit * factor if from_unit == RateUnit.A else limit / factor
    return value.quantize(LIMIT_STEP, rounding=ROUND_DOWN)
