"""A stored tariff definition back as the editor's rows, and the OCPI parser's errors as rows'.

`definition_to_rows` is the inverse of `fee_types.rows_to_definition`: each price component
becomes a row (its fee type from the element's CCMS `fee` label, else guessed from the
dimension), prices per hour shown per minute when that is exact. A definition the rows cannot
hold without changing what it charges (made through the API: current restrictions, two
elements with the same restrictions, a reservation restriction on an energy price...) comes
back read-only with a note: the page shows its JSON instead of rows. The test is the round
trip itself: the rows must give back a tariff the engine prices identically.

`check_rows` runs both validations (the rows' own, then the OCPI parser's) and names every
wrong field as the editor shows it ("rows[3].price", "min_price").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from ccms_app.core.i18n import N_, tr
from ccms_app.finance.rules.fee_types import (
    CAP_KEY,
    ELEMENT_FEE_KEY,
    ENERGY,
    FEES,
    GRACE_KEY,
    IDLE,
    PER_HOUR,
    PER_KWH,
    PER_MINUTE,
    PER_SESSION,
    RESERVATION,
    ROUNDING_KEY,
    ROUNDINGS,
    START,
    TIME,
    RowsError,
    TariffFields,
    blank_row,
    build_definition,
    dimension_of,
)
from ccms_app.finance.rules.tariff_json import TariffError, parse_tariff
from ccms_app.finance.rules.tariff_types import Dimension
from ccms_app.finance.rules.tariff_types import Tariff as TariffDefinition

_SIXTY = Decimal(60)
_GUESS = {
    Dimension.ENERGY: ENERGY,
    Dimension.FLAT: START,
    Dimension.TIME: TIME,
    Dimension.PARKING_TIME: IDLE,
}
_RESTRICTION_ROW_FIELDS = {"day_of_week": "days"}
_ELEMENT_PATH = re.compile(r"elements[\[.](\d+)\]?\.(price_components[\[.](\d+)\]?\.)?(.*)")


@dataclass(frozen=True)
class EditorContent:
    """What the editor shows for a definition: rows and fields, or read-only with why."""

    rows: tuple[dict[str, str], ...]
    fields: TariffFields
    editable: bool = True
    note: str = ""


def definition_to_rows(definition: Mapping[str, Any]) -> EditorContent:
    """The editor's rows of a stored OCPI definition (see the module docstring)."""
    fields = _fields(definition)
    try:
        rows = tuple(_rows(definition))
    except _Unfit as exc:
        return EditorContent((), fields, False, str(exc))
    try:
        original = parse_tariff(dict(definition))
        again = parse_tariff(build_definition(rows, fields)[0])
    except (RowsError, TariffError):
        return EditorContent((), fields, False, tr(_READ_ONLY))
    if _unlabelled(original) != _unlabelled(again):
        return EditorContent((), fields, False, tr(_READ_ONLY))
    return EditorContent(rows, fields)


_READ_ONLY = N_(
    "This tariff was made through the API in a shape the editor's rows cannot show without "
    "changing its prices. It is shown as OCPI JSON; change it through the API, or make a new "
    "tariff here."
)


class _Unfit(ValueError):
    """The definition has something no row can hold."""


def _rows(definition: Mapping[str, Any]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for element in definition.get("elements") or []:
        components = element.get("price_components") or []
        if not components:
            raise _Unfit(tr("An element without price components cannot be shown as rows."))
        labels = str(element.get(ELEMENT_FEE_KEY) or "").split(",")
        restrictions = element.get("restrictions") or {}
        for position, component in enumerate(components):
            label = labels[position].strip() if position < len(labels) else ""
            rows.append(_row(component, restrictions, label))
    return rows


def _row(component: Mapping[str, Any], restrictions: Mapping[str, Any], label: str) -> dict:
    dimension = Dimension(str(component.get("type")))
    reserved = bool(restrictions.get("reservation"))
    fee, unit = _fee_and_unit(dimension, label, reserved)
    row = blank_row(fee)
    price = _decimal(component.get("price"))
    row["unit"], row["price"] = unit, _price_text(price)
    if unit == PER_MINUTE:
        per_minute = _per_minute(price)
        if per_minute is None:
            row["unit"] = PER_HOUR
        else:
            row["price"] = _price_text(per_minute)
    if component.get("vat") is not None:
        row["vat"] = _text(_decimal(component["vat"]))
    step = int(component.get("step_size", 1) or 0)
    row["step_size"] = "" if step == 1 or dimension is Dimension.FLAT else str(step)
    _restrictions_into(row, restrictions)
    return row


def _fee_and_unit(dimension: Dimension, label: str, reserved: bool) -> tuple[str, str]:
    """The fee type the label names when it can price this dimension, else the guess."""
    if label in FEES:
        for unit in FEES[label].units:
            if dimension_of(label, unit) is dimension:
                return label, PER_MINUTE if unit == PER_HOUR else unit
    if reserved and dimension in (Dimension.TIME, Dimension.FLAT):
        return RESERVATION, PER_SESSION if dimension is Dimension.FLAT else PER_MINUTE
    fee = _GUESS[dimension]
    unit = {ENERGY: PER_KWH, START: PER_SESSION}.get(fee, PER_MINUTE)
    return fee, unit


def _restrictions_into(row: dict[str, str], restrictions: Mapping[str, Any]) -> None:
    for name, value in restrictions.items():
        if value is None or value == []:
            continue
        if name in ("min_current", "max_current"):
            raise _Unfit(tr("Current (A) restrictions cannot be shown as rows."))
        if name in ("min_duration", "max_duration"):
            row[name] = _text(Decimal(int(value)) / _SIXTY)
        elif name == "day_of_week":
            row["days"] = ",".join(str(day) for day in value)
        elif name in row:
            row[_RESTRICTION_ROW_FIELDS.get(name, name)] = (
                _text(_decimal(value)) if name.startswith(("min_", "max_")) else str(value)
            )
        else:
            raise _Unfit(tr("The restriction {name} cannot be shown as rows.", name=name))
    if row["reservation"] and row["fee"] != RESERVATION:
        raise _Unfit(tr("A reservation restriction on this price cannot be shown as rows."))


def _fields(definition: Mapping[str, Any]) -> TariffFields:
    def price(name: str, part: str) -> str:
        value = (definition.get(name) or {}).get(part)
        return "" if value is None else _text(_decimal(value))

    grace = definition.get(GRACE_KEY)
    cap = definition.get(CAP_KEY)
    rounding = str(definition.get(ROUNDING_KEY) or "half_up").lower().removeprefix("round_")
    return TariffFields(
        currency=str(definition.get("currency") or "EUR"),
        min_price=price("min_price", "excl_vat"),
        min_price_incl=price("min_price", "incl_vat"),
        max_price=price("max_price", "excl_vat"),
        max_price_incl=price("max_price", "incl_vat"),
        idle_grace_minutes=_text(_decimal(grace)) if grace else "",
        idle_fee_cap="" if cap is None else _text(_decimal(cap)),
        rounding=rounding if rounding in ROUNDINGS else "half_up",
    )


def _unlabelled(tariff: TariffDefinition) -> TariffDefinition:
    """The tariff without what changes no price: the editor's labels, FLAT step sizes."""
    elements = tuple(
        dataclasses.replace(
            e,
            fee="",
            price_components=tuple(
                dataclasses.replace(c, step_size=1) if c.type is Dimension.FLAT else c
                for c in e.price_components
            ),
        )
        for e in tariff.elements
    )
    return dataclasses.replace(tariff, elements=elements)


def _per_minute(per_hour: Decimal) -> Decimal | None:
    """The exact price per minute of a price per hour, when it has one (at most 12 decimals)."""
    with localcontext() as context:
        context.prec = 60
        per_minute = per_hour / _SIXTY
        exact = per_minute * _SIXTY == per_hour
    exponent = per_minute.normalize().as_tuple().exponent
    return per_minute if exact and isinstance(exponent, int) and exponent >= -12 else None


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _text(value: Decimal) -> str:
    """A number as the editor shows it: no exponent, no trailing zeros ("0.3", "20")."""
    return format(value.normalize(), "f")


def _price_text(value: Decimal) -> str:
    """A price with at least two decimals ("0.30"), never rounded ("0.0125" stays)."""
    text = _text(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return format(value.quantize(Decimal("0.01")), "f") if decimals < 2 else text


# --- errors --------------------------------------------------------------------------------


def check_rows(
    rows: Sequence[Mapping[str, str]], fields: TariffFields, time_zone: str = "UTC"
) -> tuple[dict[str, Any], TariffDefinition]:
    """The definition of the rows and the engine's tariff, or RowsError naming every wrong
    field as the editor shows it (the OCPI parser's paths mapped back to rows)."""
    definition, positions = build_definition(rows, fields)
    try:
        return definition, parse_tariff(definition, time_zone=time_zone)
    except TariffError as exc:
        raise RowsError(map_errors(exc.errors, positions)) from exc


def map_errors(errors: Mapping[str, str], positions: Mapping[tuple[int, int], int]) -> dict:
    """OCPI paths ("elements[1].price_components[0].price") as row fields ("rows[3].price")."""
    mapped: dict[str, str] = {}
    for path, message in errors.items():
        mapped.setdefault(_row_path(path, positions), message)
    return mapped


def _row_path(path: str, positions: Mapping[tuple[int, int], int]) -> str:
    match = _ELEMENT_PATH.fullmatch(path)
    if match is None:
        return path.split(".")[0].split("[")[0] or path
    element = int(match[1])
    component = int(match[3]) if match[3] is not None else 0
    row = positions.get((element, component))
    if row is None:
        return "rows"
    field = match[4].split(".")[-1].split("[")[0]
    if field == "type":
        field = "fee"
    return f"rows[{row}].{_RESTRICTION_ROW_FIELDS.get(field, field)}"


# --- a row in words --------------------------------------------------------------------------


# The weekdays as a row's summary names them (DayOfWeek values).
DAY_NAMES = {
    "MONDAY": N_("Mon"),
    "TUESDAY": N_("Tue"),
    "WEDNESDAY": N_("Wed"),
    "THURSDAY": N_("Thu"),
    "FRIDAY": N_("Fri"),
    "SATURDAY": N_("Sat"),
    "SUNDAY": N_("Sun"),
}


def _day_name(day: str) -> str:
    return tr(DAY_NAMES[day]) if day in DAY_NAMES else day[:3].capitalize()


def describe_row(row: Mapping[str, str]) -> str:
    """When the row applies, in words (the reader's language): "18:00-22:00 · Mon-Fri · from
    20 kWh"; "always"."""
    text = {name: str(row.get(name, "") or "").strip() for name in row}
    parts = []
    if text.get("start_time") or text.get("end_time"):
        parts.append(f"{text.get('start_time') or '00:00'}-{text.get('end_time') or '24:00'}")
    if text.get("days"):
        parts.append(", ".join(_day_name(day) for day in text["days"].split(",") if day))
    for low, high, unit in (
        ("start_date", "end_date", ""),
        ("min_kwh", "max_kwh", " kWh"),
        ("min_power", "max_power", " kW"),
        ("min_duration", "max_duration", " min"),
    ):
        if text.get(low) and text.get(high):
            parts.append(f"{text[low]}-{text[high]}{unit}")
        elif text.get(low):
            parts.append(tr("from {value}", value=text[low] + unit))
        elif text.get(high):
            parts.append(tr("below {value}", value=text[high] + unit))
    if text.get("reservation") == "RESERVATION_EXPIRES":
        parts.append(tr("when a reservation expires unused"))
    elif text.get("fee") == RESERVATION:
        parts.append(tr("while reserved"))
    return " · ".join(parts) or tr("always")
