"""OCPI CDR ChargingPeriods from the priced pieces of a session.

A new ChargingPeriod starts where the car's state changes (charging / parking /
reservation) or where the element pricing any dimension changes (a price switch at 18:00,
a kWh tier, the end of the idle grace); neighbouring pieces with the same state and
elements are merged, even across the input periods (OCPI asks for a period at least at
every change relevant to the cost). Volumes: ENERGY kWh, TIME / PARKING_TIME /
RESERVATION_TIME hours, MAX/MIN_POWER kW and MAX/MIN_CURRENT A (the extremes reported by
the merged input periods, when any reported them).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ccms_app.finance.rules.tariff_split import Piece, exact_sum
from ccms_app.finance.rules.tariff_totals import to_decimal
from ccms_app.finance.rules.tariff_types import ChargingPeriodOut, Dimension, PeriodKind

_TIME_DIMENSION = {
    PeriodKind.CHARGING: "TIME",
    PeriodKind.PARKING: "PARKING_TIME",
    PeriodKind.RESERVATION: "RESERVATION_TIME",
}
_MAIN_DIMENSIONS = {
    PeriodKind.CHARGING: (Dimension.ENERGY, Dimension.TIME),
    PeriodKind.PARKING: (Dimension.PARKING_TIME, Dimension.ENERGY),
    PeriodKind.RESERVATION: (Dimension.TIME,),
}


def charging_periods(
    pieces: list[Piece], chosen: list[dict[Dimension, int]]
) -> tuple[ChargingPeriodOut, ...]:
    """Merge pieces into CDR ChargingPeriods (see the module docstring)."""
    groups: list[list[int]] = []
    keys: list[tuple[object, ...]] = []
    for number, piece in enumerate(pieces):
        key = (piece.kind, tuple(sorted(chosen[number].items())))
        previous = pieces[groups[-1][-1]] if groups else None
        if previous is not None and keys[-1] == key and previous.end == piece.start:
            groups[-1].append(number)
        else:
            groups.append([number])
            keys.append(key)
    return tuple(_period(pieces, chosen, group) for group in groups)


def _period(
    pieces: list[Piece], chosen: list[dict[Dimension, int]], group: list[int]
) -> ChargingPeriodOut:
    members = [pieces[i] for i in group]
    first = members[0]
    span_us = exact_sum(p.span_us for p in members)
    energy = Fraction(exact_sum(p.energy_units for p in members), first.ctx.energy_scale)
    dimensions: list[tuple[str, Decimal]] = []
    if first.kind == PeriodKind.CHARGING or energy:
        dimensions.append(("ENERGY", to_decimal(energy)))
    dimensions.append((_TIME_DIMENSION[first.kind], to_decimal(Fraction(span_us, 3_600_000_000))))
    dimensions.extend(_reported(members))
    picked = chosen[group[0]]
    element = next((picked[d] for d in _MAIN_DIMENSIONS[first.kind] if d in picked), None)
    return ChargingPeriodOut(start=first.start, dimensions=tuple(dimensions), element_index=element)


def _reported(members: list[Piece]) -> list[tuple[str, Decimal]]:
    periods = {id(p.ctx.period): p.ctx.period for p in members}.values()
    found: list[tuple[str, Decimal]] = []
    for name, high_low in (
        ("POWER", [(p.max_power_kw, p.min_power_kw) for p in periods]),
        ("CURRENT", [(p.max_current_a, p.min_current_a) for p in periods]),
    ):
        highs = [h if h is not None else low for h, low in high_low if (h, low) != (None, None)]
        lows = [low if low is not None else h for h, low in high_low if (h, low) != (None, None)]
        if highs:
            found.append((f"MAX_{name}", max(v for v in highs if v is not None)))
            found.append((f"MIN_{name}", min(v for v in lows if v is not None)))
    return found
