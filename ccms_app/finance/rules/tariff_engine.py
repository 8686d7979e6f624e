"""Price a charging session with an OCPI 2.2.1 Tariff: `price_session(tariff, timeline)`.

Pure and exact: quantities and amounts are exact rationals (fractions.Fraction, built from
the Decimal inputs) until the single rounding in `tariff_totals`; no float anywhere.

How a session is priced (OCPI 2.2.1 mod_tariffs / mod_cdrs, CCMS choices marked "CCMS"):

1. The timeline is cut where any restriction can change its answer (`tariff_split`): local
   clock/date boundaries (DST-correct), kWh thresholds (energy spread linearly over the
   period), duration thresholds, end of the idle grace.
2. Per piece and per dimension, the FIRST element (tariff order) that has a price component
   of that dimension and whose restrictions all hold prices it. None: that dimension is free
   there. ENERGY accrues from the period's energy, TIME in CHARGING periods, PARKING_TIME in
   PARKING periods. All components of that dimension in the chosen element are billed (the
   editor puts e.g. an energy price and a service fee per kWh in one element).
3. Reservation (OCPI ReservationRestrictionType): RESERVATION periods are priced only by
   elements with a `reservation` restriction and session periods only by elements without
   one. A reservation that expired without a session (timeline.reservation_expired) looks
   at RESERVATION_EXPIRES elements first, then RESERVATION ones (OCPI: the expired time is
   priced by the RESERVATION_EXPIRES TIME component when there is one).
4. FLAT: once per session, from the first element with a FLAT component whose restrictions
   hold at the session's start (energy 0, duration 0, the first period's power and current);
   likewise once per reservation at its start. CCMS: "the driver agrees at plug-in".
5. step_size (OCPI PriceComponent note + mod_cdrs): applied ONCE per session per dimension
   (ENERGY in Wh, TIME and PARKING_TIME in seconds, reservation TIME apart), on the session's
   total quantity of that dimension, with the step of the component(s) of the LAST element
   that priced it; the extra is billed at that last element's price ("switching to
   different Tariff Element" examples: 5 + 10 min = 15 billed, 25 + 20 min = 45 billed).
   A component with step_size 0 is not rounded. OCPI's worked examples disagree on TIME
   followed by PARKING_TIME (issue ocpi/ocpi#396): CCMS rounds both dimensions (the Complex
   Tariff example: 147 -> 150 min charging, 42 -> 45 min parking) and, as the step_size
   example #1 says, does not bill parking that ends inside the charging time the TIME
   step already billed (10 min charging billed as 15 covers 2 min of parking after it).
6. CCMS idle fee: the first tariff.idle_grace_seconds of parking in the session are not
   billed (they still count as parking time in the CDR); the PARKING_TIME cost excl. VAT is
   capped at tariff.idle_fee_cap (VAT follows).
7. min_price / max_price, VAT and the single rounding: see `tariff_totals`.

Units in CostLine: quantity and billed_quantity in kWh (ENERGY), hours (TIME, PARKING_TIME)
or 1 (FLAT); unit_price as in the tariff; amount_excl_vat unrounded (exact when it has a
finite decimal expansion, else 28 significant digits; totals use the exact rationals).
Adjustment lines (idle fee cap, min/max price) have element_index -1, quantity 0 and the
change of that (dimension, VAT rate) as amount.

SessionCost.total_time_hours is OCPI's CDR total_time: the whole session (charging and
parking, reservation excluded); total_parking_hours the parking part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo

from ccms_app.finance.rules.tariff_lines import (
    BUCKET,
    HOUR_US,
    US,
    Entry,
    adjustment_lines,
    usage_lines,
)
from ccms_app.finance.rules.tariff_periods import charging_periods
from ccms_app.finance.rules.tariff_restrictions import (
    CompiledRestrictions,
    PieceContext,
    clock_times,
    compile_restrictions,
    restrictions_hold,
)
from ccms_app.finance.rules.tariff_split import (
    Piece,
    SplitPlan,
    check_timeline,
    split_timeline,
)
from ccms_app.finance.rules.tariff_totals import (
    Cell,
    cap_parking,
    limit_excl,
    round_totals,
    to_decimal,
    vat_cells,
)
from ccms_app.finance.rules.tariff_types import (
    CostLine,
    Dimension,
    PeriodKind,
    PriceComponent,
    ReservationRestriction,
    SessionCost,
    SessionTimeline,
    Tariff,
    TariffElement,
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An element as the chooser sees it: restrictions compiled, components by dimension."""

    index: int
    element: TariffElement
    restrictions: CompiledRestrictions | None
    components: dict[Dimension, tuple[PriceComponent, ...]]


Candidates = tuple[_Candidate, ...]


@dataclass(frozen=True, slots=True)
class _TariffIndex:
    plan: SplitPlan
    zone: ZoneInfo
    session: Candidates
    reservation: Candidates
    expired: Candidates


@lru_cache(maxsize=256)
def _index(tariff: Tariff) -> _TariffIndex:
    restrictions = [e.restrictions for e in tariff.elements if e.restrictions is not None]
    kwh = {Fraction(v) for r in restrictions for v in (r.min_kwh, r.max_kwh) if v is not None}
    durations = {
        Fraction(v) for r in restrictions for v in (r.min_duration, r.max_duration) if v is not None
    }
    indexed = tuple(
        _Candidate(
            index,
            element,
            compile_restrictions(element.restrictions),
            {
                dimension: tuple(c for c in element.price_components if c.type == dimension)
                for dimension in Dimension
            },
        )
        for index, element in enumerate(tariff.elements)
    )

    def with_reservation(kind: ReservationRestriction | None) -> Candidates:
        return tuple(
            c
            for c in indexed
            if (c.element.restrictions.reservation if c.element.restrictions else None) == kind
        )

    reservation = with_reservation(ReservationRestriction.RESERVATION)
    return _TariffIndex(
        plan=SplitPlan(
            clock_times=clock_times(restrictions),
            kwh_thresholds=tuple(sorted(kwh)),
            duration_thresholds_us=tuple(sorted(int(d) * US for d in durations)),
            idle_grace_us=tariff.idle_grace_seconds * US,
        ),
        zone=ZoneInfo(tariff.time_zone),
        session=with_reservation(None),
        reservation=reservation,
        expired=with_reservation(ReservationRestriction.RESERVATION_EXPIRES) + reservation,
    )


def _choose(
    candidates: Candidates, dimension: Dimension, ctx: PieceContext
) -> tuple[int, TariffElement, tuple[PriceComponent, ...]] | None:
    for candidate in candidates:
        components = candidate.components[dimension]
        if components and restrictions_hold(candidate.restrictions, ctx):
            return candidate.index, candidate.element, components
    return None


def _fee(element: TariffElement) -> str:
    reserved = element.restrictions is not None and element.restrictions.reservation is not None
    return element.fee or ("reservation" if reserved else "")


def price_session(tariff: Tariff, timeline: SessionTimeline) -> SessionCost:
    """What the session costs under the tariff (see the module docstring for the rules)."""
    check_timeline(timeline)
    try:
        index = _index(tariff)
    except TypeError:  # an unhashable tariff (lists instead of tuples): index it uncached
        index = _index.__wrapped__(tariff)
    pieces = split_timeline(timeline, index.plan, index.zone)
    reservation_candidates = index.expired if timeline.reservation_expired else index.reservation
    entries, chosen = _price_pieces(pieces, index, reservation_candidates, tariff)
    notes: list[str] = []
    lines = usage_lines(entries, notes)
    lines = sorted(_flat_lines(timeline, index, reservation_candidates) + lines, key=_start)
    cells: dict[Cell, Fraction] = {}
    for line in lines:
        key = (BUCKET[line.dimension], line.vat)
        cells[key] = cells.get(key, Fraction(0)) + Fraction(line.amount_excl_vat)
    session_start, session_end = _bounds(timeline)
    adjustments = cap_parking(cells, tariff.idle_fee_cap)
    if adjustments:
        notes.append("idle fee cap applied")
    lines += adjustment_lines(adjustments, "idle_fee_cap", session_start, session_end)
    limited, limit = limit_excl(cells, tariff.min_price, tariff.max_price, _only_rate(tariff))
    if limit:
        notes.append(f"{limit} applied")
    lines += adjustment_lines(limited, limit or "", session_start, session_end)
    vats, vat_note = vat_cells(cells, tariff.min_price, tariff.max_price)
    if vat_note:
        notes.append(f"{vat_note} applied")
    totals = round_totals(cells, vats, tariff.currency, tariff.rounding)
    return SessionCost(
        currency=tariff.currency,
        total=totals.total,
        energy=totals.buckets["energy"],
        time=totals.buckets["time"],
        parking=totals.buckets["parking"],
        fixed=totals.buckets["fixed"],
        vat_by_rate=totals.vat_by_rate,
        total_energy_kwh=sum(
            (p.energy_kwh for p in timeline.periods if p.kind != PeriodKind.RESERVATION),
            start=Decimal(0),
        ),
        total_time_hours=to_decimal(Fraction(_micros(pieces, session=True), HOUR_US)),
        total_parking_hours=to_decimal(Fraction(_micros(pieces, kind=PeriodKind.PARKING), HOUR_US)),
        lines=tuple(lines),
        charging_periods=charging_periods(pieces, chosen),
        notes=tuple(notes),
    )


def _price_pieces(
    pieces: list[Piece], index: _TariffIndex, reservation: Candidates, tariff: Tariff
) -> tuple[list[Entry], list[dict[Dimension, int]]]:
    """Every piece's priced quantities, and per piece the element of each dimension."""
    entries: list[Entry] = []
    chosen: list[dict[Dimension, int]] = []
    grace = tariff.idle_grace_seconds * US
    for piece in pieces:
        picked: dict[Dimension, int] = {}
        for stream, dimension, quantity in _accruals(piece, grace):
            candidates = reservation if piece.kind == PeriodKind.RESERVATION else index.session
            found = _choose(candidates, dimension, piece.ctx)
            if found is None:
                continue
            element_index, element, components = found
            picked[dimension] = element_index
            entries.append(
                Entry(stream, dimension, piece, element_index, components, _fee(element), quantity)
            )
        chosen.append(picked)
    return entries, chosen


def _accruals(piece: Piece, grace_us: int) -> list[tuple[str, Dimension, Fraction | int]]:
    span = piece.span_us
    if piece.kind == PeriodKind.RESERVATION:
        return [("RESERVATION_TIME", Dimension.TIME, span)] if span else []
    found: list[tuple[str, Dimension, Fraction | int]] = []
    if piece.energy_units:
        found.append(("ENERGY", Dimension.ENERGY, piece.energy_units))
    if span and piece.kind == PeriodKind.CHARGING:
        found.append(("TIME", Dimension.TIME, span))
    if span and piece.kind == PeriodKind.PARKING and piece.parking_before_us >= grace_us:
        found.append(("PARKING_TIME", Dimension.PARKING_TIME, span))
    return found


def _flat_lines(
    timeline: SessionTimeline, index: _TariffIndex, reservation: Candidates
) -> list[CostLine]:
    lines: list[CostLine] = []
    periods = timeline.periods
    reserved = [p for p in periods if p.kind == PeriodKind.RESERVATION]
    session = [p for p in periods if p.kind != PeriodKind.RESERVATION]
    groups = [(reserved, reservation), (session, index.session)]
    for group_number, (group, candidates) in enumerate(groups):
        if not group:
            continue
        ctx = PieceContext(
            local=group[0].start.astimezone(index.zone),
            energy_before_units=0,
            energy_scale=1,
            elapsed_us=0,
            period=group[0],
        )
        found = _choose(candidates, Dimension.FLAT, ctx)
        if found is None:
            continue
        element_index, element, components = found
        end = session[0].start if group_number == 0 and session else timeline.end
        lines.extend(
            CostLine(
                start=group[0].start,
                end=end,
                dimension=Dimension.FLAT,
                element_index=element_index,
                fee=_fee(element),
                quantity=to_decimal(Fraction(1)),
                billed_quantity=to_decimal(Fraction(1)),
                unit_price=component.price,
                vat=component.vat,
                amount_excl_vat=component.price,
            )
            for component in components
        )
    return lines


_TIMED = frozenset({Dimension.TIME, Dimension.PARKING_TIME})


def grows_with_time(tariff: Tariff) -> bool:
    """Whether a running session's cost can change with the clock alone, no energy metered.

    Energy is priced by the element that applied when it was delivered, so a tariff of energy
    prices (whatever their time-of-day restrictions) and unrestricted flat fees prices a
    running session the same until new energy arrives. Time and parking prices grow with
    the clock; a flat fee under restrictions, or any element with a duration limit, may
    start or stop applying as the session runs on: those count as growing."""
    for element in tariff.elements:
        restrictions = element.restrictions
        dimensions = {component.type for component in element.price_components}
        if not dimensions.isdisjoint(_TIMED):
            return True
        if restrictions is None:
            continue
        if restrictions.min_duration is not None or restrictions.max_duration is not None:
            return True
        if Dimension.FLAT in dimensions:
            return True
    return False


def _only_rate(tariff: Tariff) -> Decimal | None:
    rates = {c.vat for e in tariff.elements for c in e.price_components}
    return rates.pop() if len(rates) == 1 else None


def _start(line: CostLine) -> datetime:
    return line.start


def _bounds(timeline: SessionTimeline) -> tuple[datetime, datetime]:
    if not timeline.periods:
        return timeline.end, timeline.end
    return timeline.periods[0].start, timeline.end


def _micros(
    pieces: list[Piece], *, session: bool = False, kind: PeriodKind | None = None
) -> Fraction | int:
    total: Fraction | int = 0
    for piece in pieces:
        if (session and piece.kind != PeriodKind.RESERVATION) or piece.kind == kind:
            total += piece.span_us
    return total
