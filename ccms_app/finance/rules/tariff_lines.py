"""Cost lines of a priced session: usage per element run (with OCPI step_size), and the
adjustment lines of the idle fee cap and min/max price. See `tariff_engine` for the rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from ccms_app.finance.rules.tariff_split import Piece, exact_sum
from ccms_app.finance.rules.tariff_totals import Cell, to_decimal
from ccms_app.finance.rules.tariff_types import CostLine, Dimension, PriceComponent

BUCKET = {
    Dimension.ENERGY: "energy",
    Dimension.TIME: "time",
    Dimension.PARKING_TIME: "parking",
    Dimension.FLAT: "fixed",
}
HOUR_US = 3_600_000_000
US = 1_000_000


@dataclass(slots=True)
class Entry:
    """A piece's quantity of one dimension, priced by one element."""

    stream: str  # ENERGY, TIME, PARKING_TIME or RESERVATION_TIME (step_size is per stream)
    dimension: Dimension
    piece: Piece
    element_index: int
    components: tuple[PriceComponent, ...]
    fee: str
    quantity: Fraction | int  # kWh (ENERGY) or microseconds (TIME, PARKING_TIME)


def _unit(entry: Entry) -> int:
    """One kWh or one hour in the entry's quantity unit (energy units, microseconds)."""
    return entry.piece.ctx.energy_scale if entry.dimension == Dimension.ENERGY else HOUR_US


def _step_unit(entry: Entry) -> int:
    """One step_size unit in the entry's quantity unit: 1 Wh or 1 s."""
    return entry.piece.ctx.energy_scale // 1000 if entry.dimension == Dimension.ENERGY else US


def _total(entries: list[Entry]) -> Fraction | int:
    return exact_sum(e.quantity for e in entries)


def _extras(entries: list[Entry]) -> list[Fraction | int]:
    """Per component of the stream's last element: quantity added by its step_size."""
    total = _total(entries)
    last = entries[-1]
    found: list[Fraction | int] = []
    for component in last.components:
        step = component.step_size * _step_unit(last)
        found.append(math.ceil(total / step) * step - total if step > 0 else 0)
    return found


def usage_lines(entries: list[Entry], notes: list[str]) -> list[CostLine]:
    streams: dict[str, list[Entry]] = {}
    for entry in entries:
        streams.setdefault(entry.stream, []).append(entry)
    time_entries = streams.get("TIME", [])
    parking_entries = streams.get("PARKING_TIME", [])
    if time_entries and parking_entries:
        covered = _extras(time_entries)[0]
        charging_end = time_entries[-1].piece.end
        billed_until = charging_end + timedelta(microseconds=int(covered))
        trailing = [e for e in parking_entries if e.piece.start >= charging_end]
        if trailing and trailing[-1].piece.end <= billed_until:
            streams["PARKING_TIME"] = [e for e in parking_entries if e.piece.start < charging_end]
            notes.append("parking within the charging time billed by step_size not billed")
    lines: list[CostLine] = []
    for stream in ("RESERVATION_TIME", "ENERGY", "TIME", "PARKING_TIME"):
        if streams.get(stream):
            lines.extend(_stream_lines(streams[stream]))
    return lines


def _stream_lines(entries: list[Entry]) -> list[CostLine]:
    """Contiguous entries of one element become one line per component; the last one
    carries the step_size extra."""
    runs: list[list[Entry]] = []
    for entry in entries:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous.element_index == entry.element_index
            and previous.piece.end == entry.piece.start
        ):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    extras = _extras(entries)
    lines: list[CostLine] = []
    for number, run in enumerate(runs):
        quantity = _total(run)
        first, last = run[0], run[-1]
        for position, component in enumerate(first.components):
            extra = extras[position] if number == len(runs) - 1 else 0
            unit = _unit(first)
            lines.append(
                CostLine(
                    start=first.piece.start,
                    end=last.piece.end,
                    dimension=first.dimension,
                    element_index=first.element_index,
                    fee=first.fee,
                    quantity=to_decimal(Fraction(quantity) / unit),
                    billed_quantity=to_decimal(Fraction(quantity + extra) / unit),
                    unit_price=component.price,
                    vat=component.vat,
                    amount_excl_vat=to_decimal(
                        Fraction(quantity + extra) / unit * Fraction(component.price)
                    ),
                )
            )
    return lines


def adjustment_lines(
    changes: dict[Cell, Fraction], fee: str, start: datetime, end: datetime
) -> list[CostLine]:
    by_bucket = {bucket: dimension for dimension, bucket in BUCKET.items()}
    zero = to_decimal(Fraction(0))
    return [
        CostLine(
            start=start,
            end=end,
            dimension=by_bucket[bucket],
            element_index=-1,
            fee=fee,
            quantity=zero,
            billed_quantity=zero,
            unit_price=zero,
            vat=vat,
            amount_excl_vat=to_decimal(change),
        )
        for (bucket, vat), change in changes.items()
    ]
