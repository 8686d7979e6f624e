"""One session of the charging history: its facts, its cost with the breakdown the pricing
wrote (`SessionCost.breakdown`: lines per price component and period), which tariff version
applied and why, and its power / energy curve from the meter samples.

The curve is read in one indexed range (`ix_meter_sample_session_time`) and thinned on the
server to at most `MAX_POINTS` per series, so a day-long session sampled every few seconds
sends the browser a chart, not its samples. A session of another organisation is not found.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import col, select

from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import exponent, format_money, round_minor
from ccms_app.core.types import utc_now
from ccms_app.finance.history.rows import in_reader_numbers, local_time, money_text, shown_row
from ccms_app.finance.history.spec import HISTORY_LIST
from ccms_app.finance.models import CostState, SessionCost, Tariff, TariffVersion
from ccms_app.finance.rules.pricing_policy import note_text
from ccms_app.finance.tariff_assignments import reason_text

MAX_POINTS = 500
ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
UNITS = {"ENERGY": "kWh", "TIME": "h", "PARKING_TIME": "h", "FLAT": "session"}
# A line's quantity and unit price by its unit, as people read them (whole messages).
QUANTITIES = {
    "kWh": N_("{quantity} kWh"),
    "h": N_("{quantity} h"),
    "session": N_("{quantity} session"),
}
UNIT_PRICES = {
    "kWh": N_("{price} {currency}/kWh"),
    "h": N_("{price} {currency}/h"),
    "session": N_("{price} {currency}/session"),
}
# The fee types a breakdown line names (finance.rules.fee_types' keys), as people read them.
FEE_WORDS = {
    "energy": N_("energy"),
    "service": N_("service"),
    "start": N_("start"),
    "time": N_("time"),
    "reservation": N_("reservation"),
    "idle": N_("idle"),
}
DIMENSION_LABELS = {
    "ENERGY": N_("Energy"),
    "TIME": N_("Charging time"),
    "PARKING_TIME": N_("Parking (idle)"),
    "FLAT": N_("Flat fee"),
}


Sample = tuple[datetime, str, str | None, float]  # time, measurand, phase, value


class HistoryNotFound(LookupError):
    """No such session in the caller's organisations."""


@dataclass(frozen=True)
class CostLineView:
    """One priced piece, as text for the page and the API."""

    dimension: str
    fee: str
    period: str  # start - end in the station's zone
    quantity: str
    unit_price: str
    vat: str  # "19 %" or "" when no VAT applies
    amount: str  # excl. VAT, rounded to the minor unit for display


@dataclass(frozen=True)
class CostView:
    state: str
    state_label: str
    currency: str
    total_excl: str
    vat: str
    total_incl: str
    energy_excl: str
    time_excl: str
    parking_excl: str
    fixed_excl: str
    total_incl_minor: int
    tariff: str  # "Standard (version 3, valid from ...)" or ""
    tariff_reason: str
    note: str  # the pricing policy's words when held for review
    payment_method: str
    priced_at: str
    lines: tuple[CostLineView, ...] = ()


@dataclass(frozen=True)
class Curve:
    """Power (kW) and energy delivered (kWh) over time, at most MAX_POINTS each."""

    power_times: list[datetime] = field(default_factory=list)
    power_kw: list[float] = field(default_factory=list)
    energy_times: list[datetime] = field(default_factory=list)
    energy_kwh: list[float] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.power_times and not self.energy_times


@dataclass(frozen=True)
class HistoryDetail:
    session_id: int
    facts: dict[str, str]  # the list row as shown (station, charge point, times, ...)
    timezone: str
    cost: CostView | None
    curve: Curve


def session_detail(scope: Collection[int], session_id: int) -> HistoryDetail:
    """The session, its cost and its curve; HistoryNotFound outside `scope`."""
    row = listing.fetch_one(HISTORY_LIST, session_id, scope)
    if row is None:
        raise HistoryNotFound(
            tr("no charging session {session_id} in your network", session_id=session_id)
        )
    zone = str(row.get("timezone") or "UTC")
    with read_session() as session:
        cost = session.get(SessionCost, session_id)
        tariff_text = _tariff_text(session, cost, zone) if cost is not None else ""
        samples = _samples(session, session_id)
        charged = session.get(ChargingSession, session_id)
        meter_start = charged.meter_start_wh if charged is not None else 0
    facts = shown_row(row, utc_now())
    return HistoryDetail(
        session_id=session_id,
        facts=facts,
        timezone=zone,
        cost=None if cost is None else cost_view(cost, tariff_text, zone),
        curve=curve(samples, meter_start),
    )


def _tariff_text(session: Any, cost: SessionCost, zone: str) -> str:
    if cost.tariff_id is None:
        return ""
    tariff = session.get(Tariff, cost.tariff_id)
    name = tariff.name if tariff is not None else tr("tariff {id}", id=cost.tariff_id)
    version = (
        session.get(TariffVersion, cost.tariff_version_id)
        if cost.tariff_version_id is not None
        else None
    )
    if version is None:
        return name
    return tr(
        "{name} (version {number}, valid from {valid_from})",
        name=name,
        number=version.number,
        valid_from=local_time(version.valid_from, zone),
    )


def _samples(session: Any, session_id: int) -> list[Sample]:
    statement = (
        select(MeterSample.timestamp, MeterSample.measurand, MeterSample.phase, MeterSample.value)
        .where(
            col(MeterSample.session_id) == session_id,
            col(MeterSample.measurand).in_([ENERGY, POWER]),
            col(MeterSample.value).is_not(None),
        )
        .order_by(col(MeterSample.timestamp))
    )
    return [(t, m, p, float(v)) for t, m, p, v in session.exec(statement).all() if v is not None]


# --- the cost ----------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _plain(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros ("0.35", "19", "1.5")."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


def _price(value: Decimal, currency: str) -> str:
    """A unit price with at least the currency's decimals ("0.40", "0.2345")."""
    places = max(exponent(currency), -int(value.normalize().as_tuple().exponent))
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def fee_text(fee: str) -> str:
    """A line's fee types ("energy,service") in the reader's words; other labels as stored."""
    return ",".join(tr(FEE_WORDS[part]) if part in FEE_WORDS else part for part in fee.split(","))


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def line_view(line: dict[str, Any], currency: str, zone: str) -> CostLineView:
    """One breakdown line (cost_json's shape, Decimals as text) for display."""
    dimension = str(line.get("dimension") or "")
    unit = UNITS.get(dimension, "")
    start, end = _when(line.get("start")), _when(line.get("end"))
    quantity = _decimal(line.get("billed_quantity", line.get("quantity")))
    price = _decimal(line.get("unit_price"))
    vat = _decimal(line.get("vat"))
    amount = _decimal(line.get("amount_excl_vat"))
    quantity_text = "" if quantity is None else in_reader_numbers(_plain(quantity))
    if quantity is not None and unit in QUANTITIES:
        quantity_text = tr(QUANTITIES[unit], quantity=quantity_text)
    price_text = ""
    if price is not None:
        number = in_reader_numbers(_price(price, currency))
        price_text = (
            tr(UNIT_PRICES[unit], price=number, currency=currency)
            if unit in UNIT_PRICES
            else f"{number} {currency}/{unit}"
        )
    return CostLineView(
        dimension=DIMENSION_LABELS.get(dimension, dimension.title()),
        fee=fee_text(str(line.get("fee") or "")),
        period=f"{local_time(start, zone)} - {local_time(end, zone)}" if start else "",
        quantity=quantity_text,
        unit_price=price_text,
        vat="" if vat is None else f"{in_reader_numbers(_plain(vat))} %",
        amount="" if amount is None else format_money(round_minor(amount, currency), currency),
    )


def breakdown_lines(breakdown: str, currency: str, zone: str) -> tuple[CostLineView, ...]:
    """The stored breakdown's lines; none when it is empty or unreadable (the totals stay)."""
    return tuple(line_view(line, currency, zone) for line in stored_lines(breakdown))


def cost_view(cost: SessionCost, tariff: str, zone: str) -> CostView:
    currency = cost.currency

    def money(minor: int) -> str:
        return money_text(minor, currency)

    return CostView(
        state=cost.state,
        state_label=COST_STATE_TEXT.get(cost.state, cost.state),
        currency=currency,
        total_excl=money(cost.total_excl_minor),
        vat=money(cost.vat_minor),
        total_incl=money(cost.total_incl_minor),
        energy_excl=money(cost.energy_excl_minor),
        time_excl=money(cost.time_excl_minor),
        parking_excl=money(cost.parking_excl_minor),
        fixed_excl=money(cost.fixed_excl_minor),
        total_incl_minor=cost.total_incl_minor,
        tariff=tariff,
        tariff_reason=reason_text(cost.tariff_reason),
        note=note_text(cost.note),
        payment_method=cost.payment_method,
        priced_at=local_time(cost.priced_at, zone),
        lines=breakdown_lines(cost.breakdown, currency, zone),
    )


COST_STATE_TEXT: dict[str, str] = {
    CostState.RUNNING: N_("Running: the cost so far"),
    CostState.FINAL: N_("Priced"),
    CostState.REVIEW: N_("Held for review"),
    CostState.UNPRICED: N_("Unpriced: no tariff applies"),
}


# --- the curve ---------------------------------------------------------------------------


def curve(samples: Sequence[Sample], meter_start_wh: int) -> Curve:
    """Power in kW (the total row, or the phases summed when only phases were sent) and the
    energy delivered since the start in kWh, each thinned to MAX_POINTS."""
    totals = [(t, v) for t, m, p, v in samples if m == POWER and not p]
    if not totals:
        by_time: dict[datetime, float] = {}
        for t, m, _p, v in samples:
            if m == POWER:
                by_time[t] = by_time.get(t, 0.0) + v
        totals = sorted(by_time.items())
    energy = [(t, v) for t, m, p, v in samples if m == ENERGY and not p]
    power = thin(totals, MAX_POINTS)
    delivered = thin(energy, MAX_POINTS)
    return Curve(
        power_times=[t for t, _ in power],
        power_kw=[round(v / 1000, 3) for _, v in power],
        energy_times=[t for t, _ in delivered],
        energy_kwh=[round(max(0.0, v - meter_start_wh) / 1000, 3) for _, v in delivered],
    )


def thin(points: Sequence[tuple[datetime, float]], limit: int) -> list[tuple[datetime, float]]:
    """At most `limit` points: equal runs of samples, each as its last time and its mean
    value (a peak shows as the run's average, the shape stays); the last sample is kept."""
    if len(points) <= limit:
        return list(points)
    size = -(-len(points) // limit)
    thinned = []
    for start in range(0, len(points), size):
        run = points[start : start + size]
        thinned.append((run[-1][0], sum(v for _, v in run) / len(run)))
    return thinned


# --- for the REST API: the stored values, not their display -----------------------------


def stored_cost(
    scope: Collection[int], session_id: int
) -> tuple[dict[str, Any], SessionCost | None]:
    """The session as the list has it and its cost row (None before pricing); HistoryNotFound
    outside `scope`."""
    row = listing.fetch_one(HISTORY_LIST, session_id, scope)
    if row is None:
        raise HistoryNotFound(
            tr("no charging session {session_id} in this key's scope", session_id=session_id)
        )
    with read_session() as session:
        return row, session.get(SessionCost, session_id)


def stored_lines(breakdown: str) -> list[dict[str, Any]]:
    """The breakdown's lines as stored (decimals as text); none when unreadable."""
    try:
        data = json.loads(breakdown or "{}")
    except ValueError:
        return []
    lines = data.get("lines") if isinstance(data, dict) else None
    return [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
