"""Statistics, section 2: charging orders, energy and amount per day, month or year of a
chosen range, the same range one month earlier, the totals per station and per charge
point, and the list of the sessions behind them with a CSV whose rows add up to the chart.

The figures come from `analytics.figures` (the roll-up plus what it has not seen yet); how
a session counts is `rules/spread.py`: its energy in the hours it was delivered, its order and
amount (final cost incl. VAT, as Finance counts revenue) in the hour it ended. The range is
whole days in the operator's zone; a month or year only partly inside it is cut to the days
chosen (its label says which), so every grouping covers exactly the same instants.

The session list holds every session that counts in the range: ended ones whose order or
some energy falls in it, and running ones. Each row says what of it counts in the range
(its order, its energy there, its amount), computed by the same rule, so the rows of the CSV
add up to the chart's totals: a session from 23:30 to 00:30 over the range's start is listed
with the half of its energy after midnight and its order. Sessions that lasted longer than
`LOOKBACK` are not looked for (the stale-session policy ends sessions after 72 hours).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from ccms_app.analytics.figures import Narrowing, Series, Totals, charging_by, charging_series
from ccms_app.analytics.rollup import COUNTED_COSTS, EndedSession, register_readings, shares_of
from ccms_app.analytics.rules.comparison import month_end, previous_range
from ccms_app.analytics.rules.spread import HOUR, HourShare, hour_of, spread
from ccms_app.analytics.wording import count_text, part_text
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.display import MISSING
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListSpec
from ccms_app.core.money import format_minor
from ccms_app.finance.history.rows import duration_text, kwh_text, local_time, money_text
from ccms_app.finance.history.spec import HISTORY_EXPORT, HISTORY_LIST
from ccms_app.finance.models import CostState
from ccms_app.finance.rules.revenue import Bucket, PeriodKind, buckets_between, local_midnight
from ccms_app.network.models import ChargePoint, Station

LOOKBACK = timedelta(days=31)  # the longest session looked for in the list
MAX_BUCKETS = {PeriodKind.DAYS: 366, PeriodKind.MONTHS: 120, PeriodKind.YEARS: 30}
RANKED = 10  # stations / charge points shown in each ranking
CHUNK = 500  # sessions whose counted figures are computed together (the CSV)


class RangeError(ValueError):
    """A range the chart cannot show (too many bars)."""


@dataclass(frozen=True)
class Window:
    """[since, until): the chosen days in the operator's zone, as UTC instants."""

    first: date
    last: date
    since: datetime
    until: datetime


def window_of(first: date, last: date, zone: str) -> Window:
    if last < first:
        first, last = last, first
    return Window(
        first, last, local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    )


# --- buckets ---------------------------------------------------------------------------------


def chart_buckets(kind: PeriodKind, window: Window, zone: str) -> tuple[Bucket, ...]:
    """The days, months or years of the window, oldest first, the first and last cut to the
    window (a cut month reads "15-31 Oct 2026")."""
    found = buckets_between(kind, window.first, window.last, zone)
    if len(found) > MAX_BUCKETS[kind]:
        count, most = count_text(len(found)), count_text(MAX_BUCKETS[kind])
        if kind is PeriodKind.DAYS:
            text = tr(
                "{count} days are too many bars: choose at most {most}, or group by a longer "
                "period",
                count=count,
                most=most,
            )
        elif kind is PeriodKind.MONTHS:
            text = tr(
                "{count} months are too many bars: choose at most {most}, or group by a longer "
                "period",
                count=count,
                most=most,
            )
        else:
            text = tr(
                "{count} years are too many bars: choose at most {most}, or group by a longer "
                "period",
                count=count,
                most=most,
            )
        raise RangeError(text)
    return tuple(_cut(bucket, kind, window) for bucket in found)


def _bucket_days(bucket: Bucket, kind: PeriodKind) -> tuple[date, date]:
    if kind is PeriodKind.DAYS:
        day = date.fromisoformat(bucket.key)
        return day, day
    if kind is PeriodKind.MONTHS:
        first = date.fromisoformat(f"{bucket.key}-01")
        return first, month_end(first)
    year = int(bucket.key)
    return date(year, 1, 1), date(year, 12, 31)


def _cut(bucket: Bucket, kind: PeriodKind, window: Window) -> Bucket:
    start, end = max(bucket.start, window.since), min(bucket.end, window.until)
    if (start, end) == (bucket.start, bucket.end):
        return bucket
    first, last = _bucket_days(bucket, kind)
    first, last = max(first, window.first), min(last, window.last)
    return Bucket(bucket.key, part_text(first, last, kind is PeriodKind.MONTHS), start, end)


# --- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One station or charge point of a ranking, with its figures over the range."""

    id: int | None
    name: str
    totals: Totals


@dataclass(frozen=True)
class ChargingStatistics:
    kind: PeriodKind
    window: Window
    previous: Window  # the same range one month earlier
    series: Series
    previous_totals: Totals
    by_station: tuple[Ranked, ...]  # the first RANKED, most energy first
    stations_counted: int  # how many stations have figures in the range
    by_charge_point: tuple[Ranked, ...]
    charge_points_counted: int

    def currencies(self, preferred: str) -> tuple[str, ...]:
        """The currencies with amounts in either range, `preferred` first (always there)."""
        found = set(self.series.total.amounts) | set(self.previous_totals.amounts)
        return (preferred, *sorted(found - {preferred, ""}))


def charging_statistics(
    narrowing: Narrowing,
    kind: PeriodKind,
    window: Window,
    zone: str,
    now: datetime,
) -> ChargingStatistics:
    """Everything section 2 shows but the session list, from one read transaction."""
    within = chart_buckets(kind, window, zone)
    before = window_of(*previous_range(window.first, window.last), zone)
    whole_before = (Bucket("previous", "", before.since, before.until),)
    with read_session() as session:
        series = charging_series(session, narrowing, within, now)
        previous = charging_series(session, narrowing, whole_before, now).total
        stations = charging_by(session, narrowing, "station", window.since, window.until, now)
        points = charging_by(session, narrowing, "charge_point", window.since, window.until, now)
        by_station = _ranked(session, stations, Station, col(Station.name), tr("No station"))
        by_point = _ranked(session, points, ChargePoint, col(ChargePoint.identity), tr("Unknown"))
    return ChargingStatistics(
        kind=kind,
        window=window,
        previous=before,
        series=series,
        previous_totals=previous,
        by_station=by_station,
        stations_counted=len(stations),
        by_charge_point=by_point,
        charge_points_counted=len(points),
    )


def _rank_key(item: tuple[int | None, Totals]) -> tuple[int, int, int]:
    key, totals = item
    return (-totals.energy_wh, -totals.orders, key if key is not None else -1)


def _ranked(
    session: Session,
    found: dict[int | None, Totals],
    table: type[Station] | type[ChargePoint],
    name: Any,
    unnamed: str,
) -> tuple[Ranked, ...]:
    """The first RANKED by energy (then orders), with their names."""
    first = sorted(found.items(), key=_rank_key)[:RANKED]
    ids = [key for key, _ in first if key is not None]
    names: dict[int, str] = {}
    if ids:
        rows = session.execute(select(col(table.id), name).where(col(table.id).in_(ids))).all()
        names = {int(i): str(n) for i, n in rows}
    return tuple(
        Ranked(key, names.get(key, unnamed) if key is not None else unnamed, totals)
        for key, totals in first
    )


# --- the sessions behind the figures ---------------------------------------------------------


def hour_ceiling(moment: datetime) -> datetime:
    """The first whole UTC hour at or after `moment`: hour rows count where they start, so
    a range counts the hours starting inside it (the same instant in whole-hour zones)."""
    floor = hour_of(moment)
    return floor if floor == moment else floor + HOUR


_DETAIL_KEYS = (
    "id",
    "station",
    "charge_point",
    "connector_id",
    "start_time",
    "stop_time",
    "energy_wh",
    "status",
    "cost_state",
    "currency",
    "total_incl_minor",
    "payment_method",
)
_EXTRA = (
    ListColumn("charge_point_id", "Charge point id", ChargingSession.charge_point_id),
    ListColumn("meter_start_wh", "Meter start (Wh)", ChargingSession.meter_start_wh),
    ListColumn("meter_updated_at", "Meter read at", ChargingSession.meter_updated_at),
)


def _details(spec: ListSpec) -> ListSpec:
    """The charging history's columns the list needs, and what counting a session needs."""
    kept = tuple(c for c in spec.columns if c.key in _DETAIL_KEYS)
    return dataclasses.replace(spec, name="charging sessions", columns=(*kept, *_EXTRA))


SESSION_DETAILS = _details(HISTORY_LIST)  # a page: each value a subquery, for its rows only
SESSION_DETAILS_EXPORT = _details(HISTORY_EXPORT)  # every row: joins


def _narrowed_sessions(narrowing: Narrowing) -> list[ColumnElement[bool]]:
    """The narrowest of charge point, station, area (as `analytics.figures` narrows)."""
    if narrowing.charge_point_id is not None:
        return [col(ChargingSession.charge_point_id) == narrowing.charge_point_id]
    points = select(col(ChargePoint.id))
    if narrowing.station_id is not None:
        points = points.where(col(ChargePoint.station_id) == narrowing.station_id)
    elif narrowing.area_id is not None:
        stations = select(col(Station.id)).where(col(Station.area_id) == narrowing.area_id)
        points = points.where(col(ChargePoint.station_id).in_(stations))
    else:
        return []
    return [col(ChargingSession.charge_point_id).in_(points)]


def session_conditions(
    narrowing: Narrowing, window: Window, now: datetime
) -> list[ColumnElement[bool]]:
    """Sessions that count in the window: ended ones whose order (the hour they ended) or some
    energy falls in it, running ones that started before its end (while it has begun)."""
    since, until = hour_ceiling(window.since), hour_ceiling(window.until)
    started = col(ChargingSession.start_time)
    stopped = col(ChargingSession.stop_time)
    ended = and_(
        col(ChargingSession.status) == SessionStatus.COMPLETED.value,
        stopped.is_not(None),
        started >= since - LOOKBACK,
        started < until,
        or_(stopped >= since, started >= since),  # a stop before its start counts at the start
    )
    terms = [ended]
    if now > since:
        terms.append(
            and_(col(ChargingSession.status) == SessionStatus.ACTIVE.value, started < until)
        )
    return [or_(*terms), *_narrowed_sessions(narrowing)]


def _within(spec: ListSpec, conditions: Sequence[ColumnElement[bool]]) -> ListSpec:
    base = spec.base
    return dataclasses.replace(spec, base=lambda: base().where(*conditions))


@dataclass(frozen=True)
class Counted:
    """What one session puts in the window: its order (0 or 1), energy and amount."""

    orders: int = 0
    energy_wh: int = 0
    amount_incl_minor: int = 0
    currency: str = ""


def _final(row: Mapping[str, Any]) -> bool:
    return row.get("cost_state") in COUNTED_COSTS


def _ended(row: Mapping[str, Any]) -> EndedSession:
    final = _final(row)
    return EndedSession(
        id=int(row["id"]),
        organisation_id=0,
        charge_point_id=int(row.get("charge_point_id") or 0),
        start=row["start_time"],
        stop=row["stop_time"],
        energy_wh=int(row.get("energy_wh") or 0),
        meter_start_wh=int(row.get("meter_start_wh") or 0),
        currency=str(row.get("currency") or "") if final else "",
        amount_excl_minor=0,
        amount_incl_minor=int(row.get("total_incl_minor") or 0) if final else 0,
    )


def _sum_in(shares: Iterable[HourShare], window: Window, currency: str) -> Counted:
    inside = [s for s in shares if window.since <= s.hour < window.until]
    amount = sum(s.amount_incl_minor for s in inside)
    return Counted(
        orders=sum(s.orders for s in inside),
        energy_wh=sum(s.energy_wh for s in inside),
        amount_incl_minor=amount,
        currency=currency if any(s.orders for s in inside) else "",
    )


def _inside(row: Mapping[str, Any], since: datetime, until: datetime) -> bool:
    """An ended session wholly inside: all of it counts, nothing to spread."""
    start, stop = row["start_time"], row.get("stop_time")
    return (
        row.get("status") == SessionStatus.COMPLETED.value
        and stop is not None
        and start >= since
        and max(start, stop) < until
    )


def counted_figures(
    session: Session, rows: Sequence[Mapping[str, Any]], window: Window, now: datetime
) -> dict[int, Counted]:
    """Each session's part of the window, by `rules/spread.py` as the figures count it; the
    register readings are read only for the sessions over one of the window's edges."""
    since, until = hour_ceiling(window.since), hour_ceiling(window.until)
    found: dict[int, Counted] = {}
    over_edge: list[EndedSession] = []
    for row in rows:
        sid = int(row["id"])
        if _inside(row, since, until):
            final = _final(row)
            found[sid] = Counted(
                orders=1,
                energy_wh=max(0, int(row.get("energy_wh") or 0)),
                amount_incl_minor=int(row.get("total_incl_minor") or 0) if final else 0,
                currency=str(row.get("currency") or "") if final else "",
            )
        elif row.get("status") == SessionStatus.COMPLETED.value and row.get("stop_time"):
            over_edge.append(_ended(row))
        elif row.get("status") == SessionStatus.ACTIVE.value:
            found[sid] = _running(row, window, now)
    readings = register_readings(session, over_edge)
    for ended in over_edge:
        shares = shares_of(ended, readings.get(ended.id, ()))
        found[ended.id] = _sum_in(shares, window, ended.currency)
    return found


def _running(row: Mapping[str, Any], window: Window, now: datetime) -> Counted:
    """A running session's energy so far, spread as the figures spread it (no order yet)."""
    start, energy = row["start_time"], int(row.get("energy_wh") or 0)
    updated = row.get("meter_updated_at")
    measured = [(updated, float(energy))] if updated is not None else []
    return _sum_in(spread(start, max(now, start), energy, measured, ended=False), window, "")


# --- rows as the page and the CSV show them ----------------------------------------------------


def kwh_exact(wh: int) -> str:
    """Watt-hours as kWh with three decimals: exact, so a column adds up to the Wh."""
    return f"{Decimal(wh) / 1000:.3f}"


def fee_text(row: Mapping[str, Any]) -> str:
    """The final cost incl. VAT; "running", "in review" or "not billed" when there is none
    (in the reader's language: the CSV, downloaded outside an event, in English)."""
    state = row.get("cost_state")
    if state == CostState.FINAL and row.get("currency"):
        return money_text(row.get("total_incl_minor"), row.get("currency"))
    if row.get("status") == SessionStatus.ACTIVE.value:
        return tr("running")
    if state == CostState.REVIEW:
        return tr("in review")
    return tr("not billed")


def _counted_text(counted: Counted) -> str:
    parts = [f"{kwh_text(counted.energy_wh)} kWh"]
    if counted.orders:
        # i18n: what of a session counts in the range: its (charging) order
        parts.append(tr("order"))
    if counted.currency:
        parts.append(money_text(counted.amount_incl_minor, counted.currency))
    return " · ".join(parts)


def detail_row(
    row: Mapping[str, Any], counted: Counted, zone: str, now: datetime
) -> dict[str, str]:
    """One session: times in the operator's zone, kWh, the fee, and what counts in range."""
    currency = counted.currency
    return {
        "id": str(row.get("id") or ""),
        "station": str(row.get("station") or "") or MISSING,
        "charge_point": str(row.get("charge_point") or ""),
        "connector_id": str(row.get("connector_id") or ""),
        "start_time": local_time(row.get("start_time"), zone),
        "stop_time": local_time(row.get("stop_time"), zone) or tr("running"),
        "duration": duration_text(row.get("start_time"), row.get("stop_time"), now),
        "energy_wh": kwh_text(row.get("energy_wh")),
        "fee": fee_text(row),
        "payment_method": str(row.get("payment_method") or "") or MISSING,
        "counted": _counted_text(counted),
        "counted_orders": str(counted.orders),
        "counted_energy": kwh_exact(counted.energy_wh),
        "counted_amount": format_minor(counted.amount_incl_minor, currency, False)
        if currency
        else "",
        "counted_currency": currency,
    }


def export_columns(zone: str) -> tuple[tuple[str, str], ...]:
    return (
        ("id", "Session"),
        ("station", "Station"),
        ("charge_point", "Charge point"),
        ("connector_id", "Connector"),
        ("start_time", f"Start ({zone})"),
        ("stop_time", f"End ({zone})"),
        ("duration", "Duration"),
        ("energy_wh", "Energy (kWh)"),
        ("fee", "Fee incl. VAT"),
        ("payment_method", "Payment method"),
        ("counted_orders", "Orders in range"),
        ("counted_energy", "Energy in range (kWh)"),
        ("counted_amount", "Amount in range incl. VAT"),
        ("counted_currency", "Currency"),
    )


@dataclass(frozen=True)
class DetailScope:
    """Which sessions the list holds: the page's narrowing and window, and `now` (running
    sessions count up to it)."""

    narrowing: Narrowing
    window: Window
    zone: str
    now: datetime

    def conditions(self) -> list[ColumnElement[bool]]:
        return session_conditions(self.narrowing, self.window, self.now)


def session_details_page(
    query: ListQuery, scope: Collection[int], details: DetailScope
) -> ListPage:
    """One page of the sessions that count in the window, newest start first by default,
    each as the page shows it."""
    spec = _within(SESSION_DETAILS, details.conditions())
    page = listing.fetch_page(spec, query, scope)
    with read_session() as session:
        counted = counted_figures(session, page.rows, details.window, details.now)
    rows = [
        detail_row(row, counted.get(int(row["id"]), Counted()), details.zone, details.now)
        for row in page.rows
    ]
    return dataclasses.replace(page, rows=rows)


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _export_rows(rows: Iterator[dict[str, Any]], details: DetailScope) -> Iterator[dict[str, str]]:
    for chunk in _chunks(rows, CHUNK):
        with read_session() as session:
            counted = counted_figures(session, chunk, details.window, details.now)
        for row in chunk:
            shown = counted.get(int(row["id"]), Counted())
            yield detail_row(row, shown, details.zone, details.now)


def session_details_csv(query: ListQuery, scope: Collection[int], details: DetailScope) -> str:
    """Every session of the list (all pages, list order) with what counts of it in the
    window: the "in range" columns add up to the chart's totals."""
    spec = _within(SESSION_DETAILS_EXPORT, details.conditions())
    rows = listing.iter_rows(spec, query, scope)
    return listing.to_csv(export_columns(details.zone), _export_rows(rows, details))
