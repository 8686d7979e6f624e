"""What a billing document says, decided without a database: its lines, VAT per rate, totals,
its number and the month it covers.

Numbers: one series per issuing organisation and kind, written prefix + at least six digits:
"R-000042" (receipt), "INV-000042" (invoice), "CN-000042" (credit note). A series past
999,999 simply grows a digit ("R-1000000").

Receipt lines: the session's cost lines (finance.rules.cost_json's breakdown) grouped per
price component, i.e. same dimension, fee, unit price and VAT rate; each group's exact amount
is rounded once. The session's own total (rounded by the engine, with minimum / maximum price
and the idle fee cap applied) stays the document's total: when the rounded lines do not add
up to it, an "Adjustment" line says by how much, so the lines always sum to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from ccms_app.core.display import time_zone
from ccms_app.core.money import round_minor
from ccms_app.finance.rules.tariff_types import Dimension

NUMBER_PREFIXES: dict[str, str] = {"receipt": "R", "invoice": "INV", "credit_note": "CN"}
NUMBER_DIGITS = 6

ROUNDINGS: dict[str, str] = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}

UNITS: dict[str, str] = {
    Dimension.ENERGY: "kWh",
    Dimension.TIME: "h",
    Dimension.PARKING_TIME: "h",
    Dimension.FLAT: "session",
}
DIMENSION_NAMES: dict[str, str] = {
    Dimension.ENERGY: "energy",
    Dimension.TIME: "charging time",
    Dimension.PARKING_TIME: "parking time",
    Dimension.FLAT: "fee per session",
}
ADJUSTMENT = "Adjustment (minimum / maximum price, cap, rounding)"
NO_LINES = "Charging session"


def document_number(kind: str, sequence_no: int) -> str:
    """ "R-000042" for receipt 42; the prefixes are NUMBER_PREFIXES."""
    return f"{NUMBER_PREFIXES[kind]}-{sequence_no:0{NUMBER_DIGITS}d}"


def rounding_mode(name: str) -> str:
    """The decimal rounding constant of a billing profile's rounding ("half_up" if unknown)."""
    return ROUNDINGS.get(name, ROUND_HALF_UP)


@dataclass(frozen=True)
class BreakdownLine:
    """One cost line of a session's breakdown, as the document needs it."""

    dimension: str
    fee: str
    billed_quantity: Decimal
    unit_price: Decimal
    vat: Decimal | None
    amount_excl_vat: Decimal


@dataclass(frozen=True)
class DocumentLine:
    """One printed line; amounts excl. VAT in minor units."""

    description: str
    quantity: Decimal | None
    unit: str
    unit_price: Decimal | None  # excl. VAT per unit; None: not one price (an invoice line)
    vat: Decimal | None  # percent; None: no VAT applies
    amount_minor: int
    day: str = ""  # the local date of an invoice line (its session's stop)


@dataclass(frozen=True)
class VatRow:
    rate: Decimal | None
    base_minor: int
    vat_minor: int


@dataclass(frozen=True)
class Totals:
    excl_minor: int
    vat_minor: int
    incl_minor: int


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _rate(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def breakdown_lines(breakdown: Mapping[str, Any]) -> list[BreakdownLine]:
    """The cost lines of a SessionCost.breakdown dict (Decimals kept as strings there)."""
    return [
        BreakdownLine(
            dimension=str(line.get("dimension", "")),
            fee=str(line.get("fee") or ""),
            billed_quantity=_decimal(line.get("billed_quantity", line.get("quantity"))),
            unit_price=_decimal(line.get("unit_price")),
            vat=_rate(line.get("vat")),
            amount_excl_vat=_decimal(line.get("amount_excl_vat")),
        )
        for line in breakdown.get("lines", [])
    ]


def breakdown_vat(breakdown: Mapping[str, Any]) -> list[tuple[Decimal | None, int]]:
    """The breakdown's VAT per rate: [(percent or None, minor units)], from cost_json's
    [{"rate", "vat_minor"}] (or plain [rate, minor] pairs)."""
    found: list[tuple[Decimal | None, int]] = []
    for item in breakdown.get("vat_by_rate", []):
        if isinstance(item, Mapping):
            found.append((_rate(item.get("rate")), int(item.get("vat_minor", 0))))
        else:
            rate, minor = item
            found.append((_rate(rate), int(minor)))
    return found


def breakdown_notes(breakdown: Mapping[str, Any]) -> list[str]:
    """What the pricing noted (e.g. "min_price applied")."""
    return [str(note) for note in breakdown.get("notes", []) if note]


def describe_component(dimension: str, fee: str) -> str:
    """ "Energy", "Idle (parking time)", "Start (fee per session)": the fee label first."""
    name = DIMENSION_NAMES.get(dimension, dimension.lower().replace("_", " "))
    if not fee or fee.lower() == name or fee.lower() == dimension.lower():
        return name.capitalize()
    return f"{fee.capitalize()} ({name})"


def component_lines(
    lines: Iterable[BreakdownLine], currency: str, total_excl_minor: int, rounding: str
) -> list[DocumentLine]:
    """Lines per price component, in order of first use, summing to `total_excl_minor`."""
    groups: dict[tuple[str, str, Decimal, Decimal | None], list[BreakdownLine]] = {}
    for line in lines:
        groups.setdefault((line.dimension, line.fee, line.unit_price, line.vat), []).append(line)
    result = [
        DocumentLine(
            description=describe_component(dimension, fee),
            quantity=sum((m.billed_quantity for m in members), Decimal(0)),
            unit=UNITS.get(dimension, ""),
            unit_price=unit_price,
            vat=vat,
            amount_minor=round_minor(
                sum((m.amount_excl_vat for m in members), Decimal(0)), currency, rounding
            ),
        )
        for (dimension, fee, unit_price, vat), members in groups.items()
    ]
    difference = total_excl_minor - sum(line.amount_minor for line in result)
    if difference and not result:  # a cost without lines: one line for the session
        return [DocumentLine(NO_LINES, None, "", None, None, difference)]
    if difference:
        rates = {line.vat for line in result}
        only_rate = next(iter(rates)) if len(rates) == 1 else None
        result.append(DocumentLine(ADJUSTMENT, None, "", None, only_rate, difference))
    return result


def vat_rows(
    lines: Sequence[DocumentLine], vat_by_rate: Sequence[tuple[Decimal | None, int]]
) -> list[VatRow]:
    """Per VAT rate: the lines' base and the VAT the cost says; rates ascending, none last."""
    base: dict[Decimal | None, int] = {}
    for line in lines:
        base[line.vat] = base.get(line.vat, 0) + line.amount_minor
    vat: dict[Decimal | None, int] = {}
    for rate, minor in vat_by_rate:
        vat[rate] = vat.get(rate, 0) + minor
    rates = sorted(set(base) | set(vat), key=_rate_order)
    return [VatRow(rate, base.get(rate, 0), vat.get(rate, 0)) for rate in rates]


def merge_vat_rows(groups: Iterable[Sequence[VatRow]]) -> list[VatRow]:
    """Several sessions' VAT rows added up per rate (an invoice's VAT table)."""
    base: dict[Decimal | None, int] = {}
    vat: dict[Decimal | None, int] = {}
    for rows in groups:
        for row in rows:
            base[row.rate] = base.get(row.rate, 0) + row.base_minor
            vat[row.rate] = vat.get(row.rate, 0) + row.vat_minor
    return [VatRow(rate, base[rate], vat[rate]) for rate in sorted(base, key=_rate_order)]


def _rate_order(rate: Decimal | None) -> tuple[int, Decimal]:
    return (1, Decimal(0)) if rate is None else (0, rate)


def vat_label(rates: Iterable[Decimal | None]) -> str:
    """ "19 %", "7 %, 19 %" or "" (no VAT applies)."""
    known = sorted({rate for rate in rates if rate is not None})
    return ", ".join(f"{format_decimal(rate)} %" for rate in known)


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 19, 7.5, 0.2875."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def sum_totals(totals: Iterable[Totals]) -> Totals:
    items = list(totals)
    return Totals(
        sum(t.excl_minor for t in items),
        sum(t.vat_minor for t in items),
        sum(t.incl_minor for t in items),
    )


def negated_line(line: DocumentLine) -> DocumentLine:
    quantity = -line.quantity if line.quantity is not None else None
    return replace(line, quantity=quantity, amount_minor=-line.amount_minor)


def negated_vat(row: VatRow) -> VatRow:
    return VatRow(row.rate, -row.base_minor, -row.vat_minor)


def negated_totals(totals: Totals) -> Totals:
    return Totals(-totals.excl_minor, -totals.vat_minor, -totals.incl_minor)


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of `month` in `zone`, in UTC."""
    tz = time_zone(zone)
    first = date(month.year, month.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(following, time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def previous_month(now: datetime, zone: str) -> date:
    """The first day of the month before the one `now` falls in, in `zone`."""
    local = now.astimezone(time_zone(zone)).date()
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return date(year, month, 1)


def local_text(moment: datetime | None, zone: str, with_time: bool = True) -> str:
    """ "2026-03-01 14:05 CET" (or just the date): a document's time in its zone."""
    if moment is None:
        return ""
    local = moment.astimezone(time_zone(zone))
    return local.strftime("%Y-%m-%d %H:%M %Z" if with_time else "%Y-%m-%d")


def energy_kwh(energy_wh: int) -> Decimal:
    """Wh as kWh, exact (12345 -> 12.345)."""
    return Decimal(energy_wh).scaleb(-3)
