"""The tariff and the priced session as the engine sees them: OCPI 2.2.1 Tariff semantics.

Plain frozen dataclasses, Decimal everywhere money or a quantity appears (never a float).
`tariff_json` reads and writes the OCPI JSON form; `tariff_engine` prices a `SessionTimeline`.

Units are those of OCPI: prices per kWh (ENERGY), per hour (TIME, PARKING_TIME) or per session
(FLAT); step_size in Wh (ENERGY) or seconds (TIME, PARKING_TIME); restriction kWh, A, kW and
seconds; start/end time and day of week in the tariff's local time zone (OCPI: the Location's).

CCMS additions, outside OCPI (kept in the CCMS fields of the API's JSON):
- `TariffElement.fee`: the fee type the editor offered ("energy", "service", ...), a label;
- `Tariff.idle_grace_seconds` / `Tariff.idle_fee_cap`: the first parking seconds of a session
  are free, and its PARKING_TIME cost is capped (excl. VAT);
- `Tariff.rounding`: how the final money amounts are rounded to the minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Dimension(StrEnum):
    """A price component's type (OCPI TariffDimensionType)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"


class DayOfWeek(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestriction(StrEnum):
    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


@dataclass(frozen=True)
class Price:
    """OCPI Price: excl. VAT, and incl. VAT when known (None: no VAT applies or unknown)."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True)
class PriceComponent:
    type: Dimension
    price: Decimal  # excl. VAT, per unit of the dimension
    step_size: int = 1
    vat: Decimal | None = None  # percent; None = no VAT applies (not the same as 0 %)


@dataclass(frozen=True)
class Restrictions:
    """OCPI TariffRestrictions; None / empty = no restriction of that kind."""

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None  # seconds
    max_duration: int | None = None  # seconds
    day_of_week: frozenset[DayOfWeek] = frozenset()
    reservation: ReservationRestriction | None = None


@dataclass(frozen=True)
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None
    fee: str = ""  # CCMS: the editor's fee type, a label only


@dataclass(frozen=True)
class Tariff:
    currency: str
    elements: tuple[TariffElement, ...]
    time_zone: str = "UTC"  # IANA zone the restrictions' times and days are read in
    min_price: Price | None = None
    max_price: Price | None = None
    idle_grace_seconds: int = 0  # CCMS
    idle_fee_cap: Decimal | None = None  # CCMS, excl. VAT
    rounding: str = ROUND_HALF_UP  # CCMS: a decimal module rounding constant


class PeriodKind(StrEnum):
    """What the car was doing during a piece of the session."""

    CHARGING = "charging"  # TIME and ENERGY accrue
    PARKING = "parking"  # connected, not charging: PARKING_TIME accrues (idle)
    RESERVATION = "reservation"  # reserved before the session started


@dataclass(frozen=True)
class TimelinePeriod:
    """From `start` until the next period's start (or the timeline's end): what happened.

    energy_kwh is the energy delivered during this period. Power and current are what the
    charger reported for it (None: unknown, then power/current restrictions do not match).
    """

    start: datetime  # timezone-aware
    kind: PeriodKind = PeriodKind.CHARGING
    energy_kwh: Decimal = Decimal(0)
    max_power_kw: Decimal | None = None
    min_power_kw: Decimal | None = None
    max_current_a: Decimal | None = None
    min_current_a: Decimal | None = None


@dataclass(frozen=True)
class SessionTimeline:
    """A session to price: ordered periods and the end. The session starts at the first
    period that is not a reservation; reservation periods (if any) come first."""

    periods: tuple[TimelinePeriod, ...]
    end: datetime
    reservation_expired: bool = False  # the reservation ended without a session


@dataclass(frozen=True)
class CostLine:
    """One priced piece: a dimension of one element over [start, end)."""

    start: datetime
    end: datetime
    dimension: Dimension
    element_index: int
    fee: str
    quantity: Decimal  # kWh, hours or 1 (FLAT), before step_size
    billed_quantity: Decimal  # after step_size
    unit_price: Decimal
    vat: Decimal | None
    amount_excl_vat: Decimal  # exact, not rounded


@dataclass(frozen=True)
class ChargingPeriodOut:
    """An OCPI CDR ChargingPeriod: where prices or the car's state changed."""

    start: datetime
    dimensions: tuple[tuple[str, Decimal], ...]  # (CdrDimensionType, volume)
    element_index: int | None


@dataclass(frozen=True)
class DimensionCost:
    """A CDR total: rounded to the minor unit, as integers (minor units) and as Price."""

    excl_vat_minor: int
    incl_vat_minor: int


@dataclass(frozen=True)
class SessionCost:
    """What the engine says a session costs (amounts in minor units of `currency`)."""

    currency: str
    total: DimensionCost
    energy: DimensionCost
    time: DimensionCost
    parking: DimensionCost
    fixed: DimensionCost
    vat_by_rate: tuple[tuple[Decimal | None, int], ...]  # (VAT %, VAT minor units)
    total_energy_kwh: Decimal
    total_time_hours: Decimal
    total_parking_hours: Decimal
    lines: tuple[CostLine, ...] = ()
    charging_periods: tuple[ChargingPeriodOut, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. "min_price applied"
