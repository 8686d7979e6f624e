"""From exact amounts to the minor-unit totals of a SessionCost: idle-fee cap, min/max price,
VAT, and the one rounding.

Amounts arrive as exact rationals per cell (bucket: energy/time/parking/fixed, VAT rate).

Rounding scheme (the only place money is rounded):
1. total excl. VAT = round(exact sum of all cells) with tariff.rounding;
2. total VAT = round(exact sum of every cell's VAT) with tariff.rounding (VAT is rounded
   once on the whole session, not per rate or per line: the OCPI complex example's
   10.00 EUR incl. VAT needs exactly this);
3. both rounded totals are shared out over the cells by largest remainder (floor each cell,
   hand the missing minor units to the largest fractions, earlier cells first on ties).
So, on the integers: total excl = energy + time + parking + fixed (excl); total VAT =
sum(vat_by_rate) = sum of the buckets' VAT; every bucket's incl = its excl + its VAT; and
total incl = total excl + total VAT.

Limits (OCPI min_price / max_price, see the Tariff object notes):
- excl. VAT: the exact excl total is clamped to [min_price.excl_vat, max_price.excl_vat];
  every cell is scaled by the same factor (so the breakdown keeps its shape). A min_price
  on a session that cost nothing becomes one fixed cell at the tariff's VAT rate (its only
  rate, else no VAT).
- incl. VAT: VAT follows the scaled cells at their rates; then, when the limit gives an
  incl_vat, the incl total is clamped to it too (never below the excl total) and the VAT of
  every cell is scaled to make up the difference. Without incl_vat, incl simply follows
  excl: the session's VAT on the limited amount. (The OCPI max_price example: 13.00 excl /
  14.35 incl becomes 10.00 / 11.00.)
- CCMS idle_fee_cap scales the parking cells the same way, before the limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from ccms_app.core.money import exponent, round_minor
from ccms_app.finance.rules.tariff_types import DimensionCost, Price

BUCKETS = ("energy", "time", "parking", "fixed")
Cell = tuple[str, Decimal | None]  # (bucket, VAT percent or None)


@dataclass(frozen=True, slots=True)
class Totals:
    total: DimensionCost
    buckets: dict[str, DimensionCost]
    vat_by_rate: tuple[tuple[Decimal | None, int], ...]


def to_decimal(value: Fraction | int) -> Decimal:
    """Exact when the value has a finite decimal expansion, else 28 significant digits."""
    num, den = value.numerator, value.denominator
    twos, fives, rest = 0, 0, den
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        digits = max(twos, fives)
        return Decimal(num * 10**digits // den).scaleb(-digits)
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(num) / Decimal(den)


def _precise(value: Fraction) -> Decimal:
    """60 significant digits: far more than any half-minor-unit tie could need."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value.numerator) / Decimal(value.denominator)


def scale_cells(
    cells: dict[Cell, Fraction], keys: list[Cell], factor: Fraction
) -> dict[Cell, Fraction]:
    """Multiply the chosen cells by `factor`; returns each cell's change (for the lines)."""
    deltas: dict[Cell, Fraction] = {}
    for key in keys:
        new = cells[key] * factor
        if new != cells[key]:
            deltas[key] = new - cells[key]
            cells[key] = new
    return deltas


def cap_parking(cells: dict[Cell, Fraction], cap: Decimal | None) -> dict[Cell, Fraction]:
    """CCMS idle fee cap on the parking cells (excl. VAT)."""
    keys = [key for key in cells if key[0] == "parking"]
    parking = sum((cells[key] for key in keys), Fraction(0))
    if cap is None or parking <= Fraction(cap):
        return {}
    return scale_cells(cells, keys, Fraction(cap) / parking)


def limit_excl(
    cells: dict[Cell, Fraction],
    min_price: Price | None,
    max_price: Price | None,
    only_rate: Decimal | None,
) -> tuple[dict[Cell, Fraction], str | None]:
    """Clamp the excl total to the limits; returns the cell changes and which limit bound."""
    total = sum(cells.values(), Fraction(0))
    if max_price is not None and total > Fraction(max_price.excl_vat):
        return scale_cells(cells, list(cells), Fraction(max_price.excl_vat) / total), "max_price"
    if min_price is not None and total < Fraction(min_price.excl_vat):
        target = Fraction(min_price.excl_vat)
        if total > 0:
            return scale_cells(cells, list(cells), target / total), "min_price"
        key: Cell = ("fixed", only_rate)
        cells[key] = cells.get(key, Fraction(0)) + target - total
        return {key: target - total}, "min_price"
    return {}, None


def vat_cells(
    cells: dict[Cell, Fraction], min_price: Price | None, max_price: Price | None
) -> tuple[dict[Cell, Fraction], str | None]:
    """Every cell's exact VAT, the incl total clamped to the limits' incl_vat when given."""
    vats = {
        key: cells[key] * Fraction(key[1]) / 100 if key[1] is not None else Fraction(0)
        for key in cells
    }
    excl = sum(cells.values(), Fraction(0))
    vat = sum(vats.values(), Fraction(0))
    incl = excl + vat
    target = incl
    if min_price is not None and min_price.incl_vat is not None:
        target = max(target, Fraction(min_price.incl_vat))
    if max_price is not None and max_price.incl_vat is not None:
        target = min(target, Fraction(max_price.incl_vat))
    target = max(target, excl)
    if target == incl or vat == 0:
        return vats, None
    factor = (target - excl) / vat
    return {key: value * factor for key, value in vats.items()}, "incl_vat limit"


def round_totals(
    cells: dict[Cell, Fraction], vats: dict[Cell, Fraction], currency: str, rounding: str
) -> Totals:
    """Round once (totals) and share out by largest remainder; see the module docstring."""
    keys = list(cells)
    scale = 10 ** exponent(currency)
    total_excl = round_minor(_precise(sum(cells.values(), Fraction(0))), currency, rounding)
    total_vat = round_minor(_precise(sum(vats.values(), Fraction(0))), currency, rounding)
    excl_minor = _share([cells[k] * scale for k in keys], total_excl)
    vat_minor = _share([vats[k] * scale for k in keys], total_vat)
    buckets: dict[str, DimensionCost] = {}
    for bucket in BUCKETS:
        excl = sum(m for k, m in zip(keys, excl_minor, strict=True) if k[0] == bucket)
        vat = sum(m for k, m in zip(keys, vat_minor, strict=True) if k[0] == bucket)
        buckets[bucket] = DimensionCost(excl_vat_minor=excl, incl_vat_minor=excl + vat)
    by_rate: dict[Decimal | None, int] = {}
    for key, minor in zip(keys, vat_minor, strict=True):
        by_rate[key[1]] = by_rate.get(key[1], 0) + minor
    ordered = sorted(by_rate.items(), key=lambda item: (item[0] is None, item[0] or 0))
    return Totals(
        total=DimensionCost(excl_vat_minor=total_excl, incl_vat_minor=total_excl + total_vat),
        buckets=buckets,
        vat_by_rate=tuple(ordered),
    )


def _share(values: list[Fraction], total: int) -> list[int]:
    """Integers, one per value, summing to `total`, each floor or ceil of its value."""
    floors = [math.floor(v) for v in values]
    missing = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    if missing >= 0:
        for i in order[:missing]:
            floors[i] += 1
        for i in range(missing - len(order)):  # cannot happen with a correct total; be safe
            floors[i % len(floors)] += 1
    else:
        for i in reversed(order[missing:]):
            floors[i] -= 1
    return floors
