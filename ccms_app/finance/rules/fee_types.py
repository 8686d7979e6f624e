"""The tariff editor's rows: fee types operators name, mapped onto OCPI 2.2.1 tariff elements.

Operators think in fees ("an energy fee of 0.35 per kWh, 0.50 to start, 0.10 a minute idle
after 15 minutes"), OCPI in elements of price components under restrictions. One editor row
is one fee with its price and optional restrictions:

| fee           | unit                     | OCPI price component                          |
|---------------|--------------------------|-----------------------------------------------|
| energy        | per kWh                  | ENERGY                                        |
| service       | per session / per kWh    | FLAT / ENERGY                                 |
| start         | per session              | FLAT                                          |
| time          | per minute / per hour    | TIME (OCPI prices per hour: minute x 60)      |
| reservation   | per minute / hour / once | TIME / FLAT, restriction reservation          |
| idle          | per minute / per hour    | PARKING_TIME (+ the tariff's grace and cap)   |

Rows whose restrictions are identical become ONE element (so a start fee and a service fee
both apply: the engine adds components of one dimension in one element); elements follow the
order in which their restrictions first appear. The engine prices each dimension with the
first element whose restrictions match, so a specific row (peak 18:00-22:00 energy) must come
before the general one (all-day energy). The element's CCMS `fee` label lists its
components' fee types, comma separated, so the rows come back as they were typed.

Every value is the operator's text; every wrong one is named "rows[3].price" (or the tariff
field: "min_price") with all errors at once. Reading back (`fee_rows_read.definition_to_rows`)
is the inverse; a definition that does not fit the rows is shown read-only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ccms_app.core.i18n import N_, tr
from ccms_app.finance.rules.fee_fields import (
    CAP_KEY,
    GRACE_KEY,
    ROUNDING_KEY,
    ROUNDINGS,
    TariffFields,
    parse_decimal,
    tariff_level,
)
from ccms_app.finance.rules.tariff_types import DayOfWeek, Dimension, ReservationRestriction

ENERGY, SERVICE, START, TIME, RESERVATION, IDLE = (
    "energy",
    "service",
    "start",
    "time",
    "reservation",
    "idle",
)
PER_KWH, PER_SESSION, PER_MINUTE, PER_HOUR = "kwh", "session", "minute", "hour"
UNIT_LABELS = {
    PER_KWH: N_("per kWh"),
    PER_SESSION: N_("per session"),
    PER_MINUTE: N_("per minute"),
    PER_HOUR: N_("per hour"),
}
LABEL_MAX = 40
ELEMENT_FEE_KEY = "fee"  # CCMS label of an element: its components' fee types, comma separated


@dataclass(frozen=True)
class FeeType:
    """A fee the editor offers by name; `units` lists its choices, the default first."""

    key: str
    label: str
    units: tuple[str, ...]
    hint: str


FEE_TYPES: tuple[FeeType, ...] = (
    FeeType(ENERGY, N_("Energy fee"), (PER_KWH,), N_("Per kWh delivered.")),
    FeeType(
        SERVICE,
        N_("Service fee"),
        (PER_SESSION, PER_KWH),
        N_("Per session, or per kWh on top of the energy fee."),
    ),
    FeeType(START, N_("Session / start fee"), (PER_SESSION,), N_("Once per session.")),
    FeeType(TIME, N_("Time fee"), (PER_MINUTE, PER_HOUR), N_("Per minute of the session.")),
    FeeType(
        RESERVATION,
        N_("Reservation fee"),
        (PER_MINUTE, PER_HOUR, PER_SESSION),
        N_("While the connector is reserved before the session (or when the reservation expires)."),
    ),
    FeeType(
        IDLE,
        N_("Idle fee"),
        (PER_MINUTE, PER_HOUR),
        N_("Per minute the car occupies the connector without charging, after the grace period."),
    ),
)
FEES: dict[str, FeeType] = {fee.key: fee for fee in FEE_TYPES}

RESTRICTION_FIELDS = (
    "start_time",
    "end_time",
    "days",
    "start_date",
    "end_date",
    "min_kwh",
    "max_kwh",
    "min_power",
    "max_power",
    "min_duration",
    "max_duration",
    "reservation",
)
ROW_FIELDS = ("fee", "unit", "price", "vat", "step_size", *RESTRICTION_FIELDS)
WEEK = tuple(DayOfWeek)
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_SIXTY = Decimal(60)


class RowsError(ValueError):
    """The rows cannot become a tariff: `errors` maps "rows[i].field" / tariff fields to why."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) need correcting")
        self.errors = dict(errors)


def blank_row(fee: str = ENERGY) -> dict[str, str]:
    """A new row of that fee type with its default unit and no restrictions."""
    row = dict.fromkeys(ROW_FIELDS, "")
    row["fee"] = fee if fee in FEES else ENERGY
    row["unit"] = FEES[row["fee"]].units[0]
    if row["fee"] == RESERVATION:
        row["reservation"] = ReservationRestriction.RESERVATION.value
    return row


def dimension_of(fee: str, unit: str) -> Dimension:
    """The OCPI dimension a fee in a unit prices."""
    if fee == ENERGY or (fee == SERVICE and unit == PER_KWH):
        return Dimension.ENERGY
    if fee == TIME:
        return Dimension.TIME
    if fee == IDLE:
        return Dimension.PARKING_TIME
    if fee == RESERVATION and unit != PER_SESSION:
        return Dimension.TIME
    return Dimension.FLAT


def has_restrictions(row: Mapping[str, str]) -> bool:
    """Whether the row narrows when it applies (reservation aside: a reservation fee has it)."""
    return any(str(row.get(name, "")).strip() for name in RESTRICTION_FIELDS[:-1])


# --- rows -> OCPI JSON ----------------------------------------------------------------------


def rows_to_definition(rows: Sequence[Mapping[str, str]], fields: TariffFields) -> dict[str, Any]:
    """The OCPI Tariff JSON (numbers as Decimal / int) of the rows; RowsError naming every
    wrong field."""
    return build_definition(rows, fields)[0]


def build_definition(
    rows: Sequence[Mapping[str, str]], fields: TariffFields
) -> tuple[dict[str, Any], dict[tuple[int, int], int]]:
    """`rows_to_definition`, and where each row went: (element, component) -> row index (to
    name the row of an error the OCPI parser reports on an element)."""
    errors: dict[str, str] = {}
    positions: dict[tuple[int, int], int] = {}
    if not rows:
        errors["rows"] = tr("Add at least one fee")
    elements: list[dict[str, Any]] = []
    keys: list[tuple[tuple[str, Any], ...]] = []
    fees: list[list[str]] = []
    for index, row in enumerate(rows):
        read = _RowReader(index, row, errors)
        component, restrictions = read.component(), read.restrictions()
        if component is None or restrictions is None:
            continue
        key = _restriction_key(restrictions)
        if key not in keys:
            keys.append(key)
            element: dict[str, Any] = {"price_components": []}
            fees.append([])
            if restrictions:
                element["restrictions"] = restrictions
            elements.append(element)
        element = elements[keys.index(key)]
        positions[(keys.index(key), len(element["price_components"]))] = index
        element["price_components"].append(component)
        fees[keys.index(key)].append(read.fee)
    definition = tariff_level(fields, errors)
    if errors:
        raise RowsError(errors)
    for element, element_fees in zip(elements, fees, strict=True):
        element[ELEMENT_FEE_KEY] = _label(element_fees)
    definition["elements"] = elements
    return definition, positions


def _label(fees: list[str]) -> str:
    """The element's label: its components' fee types in order. OCPI's parser allows 40
    characters: past that the later components go unlabelled (read back by their dimension)."""
    label = ""
    for fee in fees:
        longer = f"{label},{fee}" if label else fee
        if len(longer) > LABEL_MAX:
            break
        label = longer
    return label


def _restriction_key(restrictions: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        sorted(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in restrictions.items()
        )
    )


class _RowReader:
    """Reads one row's texts into an OCPI price component and restrictions."""

    def __init__(self, index: int, row: Mapping[str, str], errors: dict[str, str]) -> None:
        self.index, self.row, self.errors = index, row, errors
        self.fee = self.text("fee")
        if self.fee not in FEES:
            self.fail("fee", tr("Choose a fee type"))
        self.unit = self.text("unit") or (FEES[self.fee].units[0] if self.fee in FEES else "")
        if self.fee in FEES and self.unit not in FEES[self.fee].units:
            allowed = " or ".join(UNIT_LABELS[u] for u in FEES[self.fee].units)
            self.fail("unit", f"A {FEES[self.fee].label.lower()} is priced {allowed}")

    def text(self, name: str) -> str:
        return str(self.row.get(name, "") or "").strip()

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(f"rows[{self.index}].{name}", message)

    def number(self, name: str, message: str) -> Decimal | None:
        """A non-negative decimal typed in the field (a comma may separate decimals);
        `message` says what else was typed ("{value}")."""
        value = parse_decimal(self.text(name))
        if value is None and self.text(name):
            self.fail(name, tr(message, value=repr(self.text(name))))
        return value

    def component(self) -> dict[str, Any] | None:
        if self.fee not in FEES or self.unit not in FEES[self.fee].units:
            return None
        price = self.number("price", N_("The price must be a number like 0.35, not {value}"))
        if price is None and not self.text("price"):
            self.fail("price", tr("Enter a price (0 for free)"))
        vat = self.number("vat", N_("VAT must be a number like 0.35, not {value}"))
        if vat is not None and vat > 100:
            self.fail("vat", tr("VAT is a percentage from 0 to 100; leave it empty for no VAT"))
        dimension = dimension_of(self.fee, self.unit)
        step = self.step_size(dimension)
        if price is None or step is None or (vat is None and self.text("vat")):
            return None
        per_unit = price * _SIXTY if self.unit == PER_MINUTE else price
        component: dict[str, Any] = {
            "type": dimension.value,
            "price": per_unit,
            "step_size": step,
        }
        if vat is not None:
            component["vat"] = vat
        return component

    def step_size(self, dimension: Dimension) -> int | None:
        text = self.text("step_size")
        if dimension is Dimension.FLAT or not text:
            return 1
        if not text.isdigit() or int(text) < 1:
            self.fail(
                "step_size",
                tr("Step size is a whole number of Wh, at least 1")
                if dimension is Dimension.ENERGY
                else tr("Step size is a whole number of seconds, at least 1"),
            )
            return None
        return int(text)

    def restrictions(self) -> dict[str, Any] | None:
        before = len(self.errors)
        out: dict[str, Any] = {}
        self.clock(out)
        self.days(out)
        self.dates(out)
        self.range(
            out, "min_kwh", "max_kwh", N_("kWh must be a number like 0.35, not {value}"), Decimal(1)
        )
        self.range(
            out,
            "min_power",
            "max_power",
            N_("kW must be a number like 0.35, not {value}"),
            Decimal(1),
        )
        self.range(
            out,
            "min_duration",
            "max_duration",
            N_("Minutes must be a number like 0.35, not {value}"),
            _SIXTY,
        )
        self.reservation(out)
        return None if len(self.errors) > before else out

    def clock(self, out: dict[str, Any]) -> None:
        for name in ("start_time", "end_time"):
            text = self.text(name)
            if not text:
                continue
            match = _CLOCK.fullmatch(text)
            if match is None:
                self.fail(name, tr("A time of day like 18:00"))
            else:
                out[name] = f"{int(match[1]):02d}:{match[2]}"

    def days(self, out: dict[str, Any]) -> None:
        chosen = {d.strip().upper() for d in self.text("days").split(",") if d.strip()}
        unknown = chosen - {d.value for d in WEEK}
        if unknown:
            self.fail("days", tr("Unknown weekday {day}", day=repr(sorted(unknown)[0])))
        elif chosen:
            out["day_of_week"] = [d.value for d in WEEK if d.value in chosen]

    def dates(self, out: dict[str, Any]) -> None:
        found: dict[str, date] = {}
        for name in ("start_date", "end_date"):
            text = self.text(name)
            if not text:
                continue
            try:
                found[name] = date.fromisoformat(text)
            except ValueError:
                self.fail(name, tr("A date like 2026-01-31"))
                continue
            out[name] = found[name].isoformat()
        if len(found) == 2 and found["end_date"] <= found["start_date"]:
            self.fail("end_date", tr("The end date (not included) must come after the start date"))

    def range(self, out: dict[str, Any], low: str, high: str, message: str, scale: Decimal) -> None:
        values = {name: self.number(name, message) for name in (low, high)}
        for name, value in values.items():
            if value is None:
                continue
            scaled = value * scale
            if scale != 1 and scaled != scaled.to_integral_value():
                self.fail(name, tr("Whole seconds only (e.g. 1.5 minutes, not 1.51)"))
                continue
            out[name] = int(scaled) if scale != 1 else value
        lo, hi = values[low], values[high]
        if lo is not None and hi is not None and hi <= lo:
            self.fail(high, tr("The maximum (not included) must be above the minimum"))

    def reservation(self, out: dict[str, Any]) -> None:
        text = self.text("reservation").upper()
        if self.fee == RESERVATION:
            text = text or ReservationRestriction.RESERVATION.value
            if text not in {r.value for r in ReservationRestriction}:
                self.fail("reservation", tr("RESERVATION or RESERVATION_EXPIRES"))
                return
            out["reservation"] = text
        elif text:
            self.fail("reservation", tr("Only a reservation fee applies to reservations"))


__all__ = [
    "CAP_KEY",
    "GRACE_KEY",
    "ROUNDINGS",
    "ROUNDING_KEY",
    "TariffFields",
    "parse_decimal",
]
