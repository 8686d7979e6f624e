"""The charging roll-up: keeps `charging_hour` and `network_hour` equal to what the raw
sessions give (`rules/spread.py`), without ever scanning the sessions table.

Every run (each minute on the process scheduler, and on demand):
- sessions with an id beyond the cursor are new: an ended one is rolled up, an open one is
  remembered in `rollup_pending` and rolled up in the run after it ends (a session that stops
  hours or days later, or an offline charger's transactions uploaded late, are not missed);
- costs priced after the cursor's time (a final price, a re-price, a release from review)
  roll their session's stop hour up again;
- the cells a session touches are recomputed from every ended session of that charge point
  that touches them, then the organisation's hours from the charge point hours: a cell is
  always the exact sum of its sessions, whatever order the changes came in, so running a
  batch twice changes nothing.

`rebuild()` recomputes everything (after a restore, or for the benchmark); `figures.py` adds
what the roll-up has not seen yet, so the figures never wait for this job.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Select, Table, bindparam, delete, func, insert, select
from sqlmodel import Session, col

from ccms_app.analytics.models import (
    ChargingDay,
    ChargingHour,
    ChargingMonth,
    NetworkHour,
    RollupCursor,
    RollupPending,
)
from ccms_app.analytics.rules.decompose import month_of, next_month
from ccms_app.analytics.rules.spread import HOUR, HourShare, hour_of, spread
from ccms_app.charging.models import OPEN_STATUSES, ChargingSession, MeterSample, SessionStatus
from ccms_app.charging.rules.metering import ENERGY_REGISTER
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import table_of
from ccms_app.core.sql_sums import int_sum
from ccms_app.core.types import utc_now
from ccms_app.finance.models import CostState, SessionCost
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)
T = TypeVar("T")

ROLLUP_JOB = "charging-roll-up"
ROLLUP_INTERVAL = timedelta(minutes=1)
CURSOR = "charging"
BATCH = 5_000  # new sessions read per step
OVERLAP = 50  # session ids read again each run (see _new_sessions)
PRICE_OVERLAP = timedelta(minutes=2)
COUNTED_COSTS = (CostState.FINAL.value,)  # amounts are final costs, as Finance counts them
# The tables themselves, not the mapped classes: hour rows go in as one plain executemany
# (the ORM's bulk insert spends more time per row than SQLite does: a rebuild writes millions).
HOUR_TABLE = table_of(ChargingHour)
DAY_TABLE = table_of(ChargingDay)
MONTH_TABLE = table_of(ChargingMonth)
NETWORK_TABLE = table_of(NetworkHour)


@dataclass(frozen=True)
class EndedSession:
    """The columns of an ended session the roll-up reads, with its final cost if any."""

    id: int
    organisation_id: int
    charge_point_id: int
    start: datetime
    stop: datetime
    energy_wh: int
    meter_start_wh: int
    currency: str
    amount_excl_minor: int
    amount_incl_minor: int


@dataclass(frozen=True)
class Cells:
    """A charge point's hours to recompute: [first, last], both included."""

    charge_point_id: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class RunResult:
    sessions: int  # sessions rolled up (ended, or re-priced)
    cells: int  # charge point hours written
    pending: int  # sessions still open, waiting


# --- reading ---------------------------------------------------------------------------------

_ENDED_COLUMNS = (
    col(ChargingSession.id),
    col(ChargingSession.organisation_id),
    col(ChargingSession.charge_point_id),
    col(ChargingSession.start_time),
    col(ChargingSession.stop_time),
    col(ChargingSession.energy_wh),
    col(ChargingSession.meter_start_wh),
    col(SessionCost.currency),
    col(SessionCost.state),
    col(SessionCost.total_excl_minor),
    col(SessionCost.total_incl_minor),
)


def ended_sessions_query() -> Select[*tuple[Any, ...]]:
    """Ended sessions with their cost: the roll-up's and the raw computation's one source."""
    return (
        select(*_ENDED_COLUMNS)
        .outerjoin(SessionCost, col(SessionCost.session_id) == col(ChargingSession.id))
        .where(
            col(ChargingSession.status) == SessionStatus.COMPLETED.value,
            col(ChargingSession.stop_time).is_not(None),
        )
    )


def ended_of(rows: Iterable[Any]) -> list[EndedSession]:
    """EndedSession values of `ended_sessions_query()` rows; a cost counts only when final."""
    found = []
    for sid, org, cp, start, stop, energy, meter_start, currency, state, excl, incl in rows:
        counted = state in COUNTED_COSTS
        found.append(
            EndedSession(
                id=int(sid),
                organisation_id=int(org),
                charge_point_id=int(cp),
                start=start,
                stop=stop,
                energy_wh=int(energy or 0),
                meter_start_wh=int(meter_start or 0),
                currency=str(currency or "") if counted else "",
                amount_excl_minor=int(excl or 0) if counted else 0,
                amount_incl_minor=int(incl or 0) if counted else 0,
            )
        )
    return found


_REGISTER_READINGS = select(
    col(MeterSample.session_id), col(MeterSample.timestamp), col(MeterSample.value)
).where(
    col(MeterSample.session_id).in_(bindparam("ids", expanding=True)),
    col(MeterSample.measurand) == ENERGY_REGISTER,
    col(MeterSample.phase).is_(None),
    col(MeterSample.unit) == "Wh",
    col(MeterSample.value).is_not(None),
)


def register_readings(
    session: Session, sessions: Sequence[EndedSession]
) -> dict[int, list[tuple[datetime, float]]]:
    """Each session's energy register readings as (time, Wh since its start reading)."""
    starts = {s.id: s.meter_start_wh for s in sessions}
    found: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    ids = list(starts)
    for offset in range(0, len(ids), 500):
        rows = session.execute(_REGISTER_READINGS, {"ids": ids[offset : offset + 500]}).all()
        for sid, at, value in rows:
            found[int(sid)].append((at, float(value) - starts[int(sid)]))
    return found


# (since, until): only the hours starting in it
Window = tuple[datetime, datetime] | None


def shares_of(
    ended: EndedSession, readings: Sequence[tuple[datetime, float]], within: Window = None
) -> tuple[HourShare, ...]:
    return spread(
        ended.start,
        ended.stop,
        ended.energy_wh,
        readings,
        ended.amount_excl_minor,
        ended.amount_incl_minor,
        within=within,
    )


# (share, currency, charge point): a session's hour, for the figures computed live
SessionHour = tuple[HourShare, str, int]

RUNNING_COLUMNS = (
    col(ChargingSession.charge_point_id),
    col(ChargingSession.start_time),
    col(ChargingSession.energy_wh),
    col(ChargingSession.meter_updated_at),
)


def ended_hours(
    session: Session, ended: Sequence[EndedSession], within: Window = None
) -> list[SessionHour]:
    """The hours of ended sessions, read with their register readings."""
    readings = register_readings(session, ended)
    return [
        (share, s.currency, s.charge_point_id)
        for s in ended
        for share in shares_of(s, readings.get(s.id, ()), within)
    ]


def running_hours(rows: Iterable[Any], now: datetime, within: Window = None) -> list[SessionHour]:
    """The hours so far of running sessions (rows of RUNNING_COLUMNS): energy up to the last
    meter reading, time up to `now`, no order yet."""
    found: list[SessionHour] = []
    for cp, start, energy, updated in rows:
        measured = [(updated, float(energy or 0))] if updated is not None else []
        until = max(now, start)
        hours = spread(start, until, int(energy or 0), measured, ended=False, within=within)
        found.extend((share, "", int(cp)) for share in hours)
    return found


# --- the job ---------------------------------------------------------------------------------


class ChargingRollupJob:
    """One run: new and newly ended sessions, re-priced costs, their cells recomputed."""

    def __init__(self) -> None:
        # ids of the last OVERLAP this job has already seen: read again each run (a lower id
        # may commit after a higher one) but rolled up again only when new to this process
        self._tail: set[int] = set()

    def run(self, now: datetime | None = None) -> RunResult:
        started = time.perf_counter()
        now = now or utc_now()
        with read_session() as session:
            cursor = session.get(RollupCursor, CURSOR)
            last_id = -1 if cursor is None else cursor.last_session_id
            priced_since = None if cursor is None else cursor.last_priced_at
        if last_id < 0:  # the first run (a new install, or an upgrade with history): all at once
            return rebuild()
        with read_session() as session:
            read = _new_sessions(session, last_id)
            new = [(sid, st) for sid, st in read if sid > last_id or sid not in self._tail]
            pending = {
                int(i) for i in session.execute(select(col(RollupPending.session_id))).scalars()
            }
            priced, newest_price = _priced_since(session, priced_since)
            candidates = sorted({sid for sid, _status in new} | pending | priced)
            statuses = _statuses(session, candidates)
            ended_ids = [sid for sid in candidates if statuses.get(sid) == SessionStatus.COMPLETED]
            still_open = {sid for sid in candidates if statuses.get(sid) in OPEN_STATUSES}
            cells = _cells(_ended(session, ended_ids))
            rows, network = _recompute(session, cells)
        new_last_id = max([last_id, *(sid for sid, _ in new)])
        self._tail = {sid for sid, _ in read if sid > new_last_id - OVERLAP}
        with session_scope() as session:
            _write(session, cells, rows, network)
            _remember(session, pending, still_open)
            stored = session.get(RollupCursor, CURSOR) or RollupCursor(name=CURSOR)
            stored.last_session_id = new_last_id
            stored.last_priced_at = newest_price or priced_since
            stored.updated_at = now
            session.add(stored)
        result = RunResult(len(ended_ids), len(rows), len(still_open))
        if ended_ids:
            log.info(
                "charging roll-up",
                extra={
                    "sessions": result.sessions,
                    "cells": result.cells,
                    "pending": result.pending,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return result


def _new_sessions(session: Session, last_id: int) -> list[tuple[int, str]]:
    """Sessions after the cursor, and the last OVERLAP before it again: ids are handed out
    before their transactions commit, so one may become visible after a higher one."""
    rows = session.execute(
        select(col(ChargingSession.id), col(ChargingSession.status))
        .where(col(ChargingSession.id) > last_id - OVERLAP)
        .order_by(col(ChargingSession.id))
        .limit(BATCH)
    ).all()
    return [(int(i), str(s)) for i, s in rows]


def _priced_since(session: Session, since: datetime | None) -> tuple[set[int], datetime | None]:
    """Sessions whose cost changed since the cursor (minus PRICE_OVERLAP, for the same
    reason), and the newest price time seen. The first run takes every session as new."""
    newest = session.execute(select(func.max(col(SessionCost.priced_at)))).scalar()
    if since is None:
        return set(), newest
    rows = session.execute(
        select(col(SessionCost.session_id)).where(
            col(SessionCost.priced_at) > since - PRICE_OVERLAP
        )
    ).all()
    return {int(i) for (i,) in rows}, newest


def _statuses(session: Session, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for offset in range(0, len(ids), 500):
        rows = session.execute(
            select(col(ChargingSession.id), col(ChargingSession.status)).where(
                col(ChargingSession.id).in_(ids[offset : offset + 500])
            )
        ).all()
        found.update((int(i), str(s)) for i, s in rows)
    return found


def _ended(session: Session, ids: Sequence[int]) -> list[EndedSession]:
    found: list[EndedSession] = []
    for offset in range(0, len(ids), 500):
        query = ended_sessions_query().where(
            col(ChargingSession.id).in_(ids[offset : offset + 500])
        )
        found.extend(ended_of(session.execute(query).all()))
    return found


def _cells(sessions: Iterable[EndedSession]) -> list[Cells]:
    """Each charge point's touched hours, overlapping or adjacent ranges merged."""
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in sessions:
        spans[s.charge_point_id].append((hour_of(s.start), hour_of(max(s.start, s.stop))))
    return [
        Cells(cp, first, last)
        for cp, ranges in spans.items()
        for first, last in _merged(ranges, HOUR)
    ]


D = TypeVar("D", bound=date)


def _merged(ranges: list[tuple[D, D]], gap: timedelta) -> list[tuple[D, D]]:
    """`ranges` sorted, each merged with the next when that starts within `gap` of its end."""
    ranges = sorted(ranges)
    merged = []
    first, end = ranges[0]
    for lo, hi in ranges[1:]:
        if lo <= end + gap:
            end = max(end, hi)
        else:
            merged.append((first, end))
            first, end = lo, hi
    merged.append((first, end))
    return merged


# (charge point, hour, currency) -> row values
HourRows = dict[tuple[int, datetime, str], dict[str, Any]]


# The statements run once per cell, built once with bound parameters: building, coercing
# and keying a statement cost more than SQLite's answer, and a burst of sessions ending at
# once (a shift, a site coming back online) makes a cell per charge point.
_CELL_SESSIONS = ended_sessions_query().where(
    col(ChargingSession.charge_point_id) == bindparam("cp"),
    col(ChargingSession.start_time) < bindparam("until"),
    col(ChargingSession.stop_time) >= bindparam("first"),
)
_CELL_ORGANISATIONS = (
    select(HOUR_TABLE.c.organisation_id)
    .where(
        HOUR_TABLE.c.charge_point_id == bindparam("cp"),
        HOUR_TABLE.c.hour >= bindparam("first"),
        HOUR_TABLE.c.hour <= bindparam("last"),
    )
    .distinct()
)
_DELETE_CELL = delete(HOUR_TABLE).where(
    HOUR_TABLE.c.charge_point_id == bindparam("cp"),
    HOUR_TABLE.c.hour >= bindparam("first"),
    HOUR_TABLE.c.hour <= bindparam("last"),
)
_MONTHS_OF_HOURS = select(HOUR_TABLE).where(
    HOUR_TABLE.c.charge_point_id == bindparam("cp"),
    HOUR_TABLE.c.hour >= bindparam("since"),
    HOUR_TABLE.c.hour < bindparam("until"),
)
_DELETE_DAYS = delete(DAY_TABLE).where(
    DAY_TABLE.c.charge_point_id == bindparam("cp"),
    DAY_TABLE.c.day >= bindparam("first"),
    DAY_TABLE.c.day < bindparam("end"),
)
_DELETE_MONTHS = delete(MONTH_TABLE).where(
    MONTH_TABLE.c.charge_point_id == bindparam("cp"),
    MONTH_TABLE.c.month >= bindparam("first"),
    MONTH_TABLE.c.month < bindparam("end"),
)


def _recompute(
    session: Session, cells: Sequence[Cells]
) -> tuple[HourRows, set[tuple[int, datetime]]]:
    """The charge point hours of `cells` from their sessions, and the (organisation, hour)
    pairs whose network rows must follow."""
    rows: HourRows = {}
    touched: set[tuple[int, datetime]] = set()
    stations = _stations(session, {c.charge_point_id for c in cells})
    for cell in cells:
        bounds = {"cp": cell.charge_point_id, "until": cell.last + HOUR, "first": cell.first}
        sessions = ended_of(session.execute(_CELL_SESSIONS, bounds).all())
        readings = register_readings(session, sessions)
        for ended in sessions:
            for share in shares_of(ended, readings.get(ended.id, ())):
                if cell.first <= share.hour <= cell.last:
                    key = (cell.charge_point_id, share.hour, ended.currency)
                    add_share(rows.setdefault(key, _empty(ended, stations)), share)
                    touched.add((ended.organisation_id, share.hour))
        for org in {s.organisation_id for s in sessions} | _orgs_of(session, cell):
            hour = cell.first
            while hour <= cell.last:
                touched.add((org, hour))
                hour += HOUR
    return rows, touched


def _empty(ended: EndedSession, stations: dict[int, int | None]) -> dict[str, Any]:
    return {
        "organisation_id": ended.organisation_id,
        "station_id": stations.get(ended.charge_point_id),
        "orders": 0,
        "energy_wh": 0,
        "charging_us": 0,
        "amount_excl_minor": 0,
        "amount_incl_minor": 0,
    }


def add_share(into: dict[str, Any], share: HourShare) -> None:
    into["orders"] += share.orders
    into["energy_wh"] += share.energy_wh
    into["charging_us"] += share.charging_us
    into["amount_excl_minor"] += share.amount_excl_minor
    into["amount_incl_minor"] += share.amount_incl_minor


def _stations(session: Session, ids: set[int]) -> dict[int, int | None]:
    found: dict[int, int | None] = {}
    listed = list(ids)
    for offset in range(0, len(listed), 500):
        rows = session.execute(
            select(col(ChargePoint.id), col(ChargePoint.station_id)).where(
                col(ChargePoint.id).in_(listed[offset : offset + 500])
            )
        ).all()
        found.update((int(i), None if s is None else int(s)) for i, s in rows)
    return found


def _orgs_of(session: Session, cell: Cells) -> set[int]:
    """Organisations with rows in the cell now (a row may have to go)."""
    rows = session.execute(_CELL_ORGANISATIONS, _cell_bounds(cell)).all()
    return {int(org) for (org,) in rows}


def _cell_bounds(cell: Cells) -> dict[str, Any]:
    return {"cp": cell.charge_point_id, "first": cell.first, "last": cell.last}


def _write(
    session: Session, cells: Sequence[Cells], rows: HourRows, network: set[tuple[int, datetime]]
) -> None:
    if cells:
        session.execute(_DELETE_CELL, [_cell_bounds(cell) for cell in cells])
    values = [{**key_values(key), **row} for key, row in rows.items()]
    for chunk in _chunks(values, 500):
        session.execute(insert(HOUR_TABLE), chunk)
    by_org: dict[int, list[datetime]] = defaultdict(list)
    for org, hour in network:
        by_org[org].append(hour)
    for org, hours in by_org.items():
        for chunk_hours in _chunks(sorted(hours), 500):
            _network_hours(session, org, chunk_hours)
    _days_and_months(session, cells)


# (charge point, first month, the month after the last): the whole months around cells
MonthSpan = tuple[int, date, date]


def _days_and_months(session: Session, cells: Sequence[Cells]) -> None:
    """The charge points' days and months around `cells`, summed again from their hours (read
    in this transaction, after they were written); every span's old rows go in one delete
    and the new ones in one insert."""
    days: DateRows = {}
    months: DateRows = {}
    spans = month_spans(cells)
    for cp, first, end in spans:
        since = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
        until = datetime.combine(end, datetime.min.time(), tzinfo=UTC)
        hour_rows = session.execute(_MONTHS_OF_HOURS, {"cp": cp, "since": since, "until": until})
        rows: HourRows = {
            (r["charge_point_id"], r["hour"], r["currency"]): {k: r[k] for k in _ATTRIBUTES + SUMS}
            for r in hour_rows.mappings()
        }
        span_days, span_months = coarser(rows)
        days.update(span_days)
        months.update(span_months)
    if spans:
        bounds = [{"cp": cp, "first": first, "end": end} for cp, first, end in spans]
        session.execute(_DELETE_DAYS, bounds)
        session.execute(_DELETE_MONTHS, bounds)
    _insert(session, DAY_TABLE, "day", days)
    _insert(session, MONTH_TABLE, "month", months)


def month_spans(cells: Iterable[Cells]) -> list[MonthSpan]:
    """Each charge point's months around its cells, overlapping or touching spans merged, so
    no month's hours are read twice (the days and months are keyed anyway: a day two spans
    share is written once)."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for cell in cells:
        first = month_of(cell.first.date())
        found[cell.charge_point_id].append((first, next_month(month_of(cell.last.date()))))
    return [
        (cp, first, end)
        for cp, ranges in found.items()
        for first, end in _merged(ranges, timedelta(0))
    ]


_ATTRIBUTES = ("organisation_id", "station_id")
SUMS = ("orders", "energy_wh", "charging_us", "amount_excl_minor", "amount_incl_minor")
# (charge point, UTC day or month's first day, currency) -> row values
DateRows = dict[tuple[int, date, str], dict[str, Any]]


def coarser(rows: HourRows) -> tuple[DateRows, DateRows]:
    """Day and month rows of hour rows holding every hour of those days and months. A day's
    organisation and station are its last hour's (a charge point moved that day)."""
    days: DateRows = {}
    months: DateRows = {}
    for (cp, hour, currency), row in sorted(rows.items(), key=lambda item: item[0][1]):
        day = hour.astimezone(UTC).date()
        for into in (
            days.setdefault((cp, day, currency), dict.fromkeys(SUMS, 0)),
            months.setdefault((cp, month_of(day), currency), dict.fromkeys(SUMS, 0)),
        ):
            for name in SUMS:
                into[name] += row[name]
            into.update({name: row[name] for name in _ATTRIBUTES})
    return days, months


def _insert(session: Session, table: Table, when: str, rows: DateRows) -> None:
    values = [
        {"charge_point_id": cp, when: at, "currency": currency, **row}
        for (cp, at, currency), row in rows.items()
    ]
    for chunk in _chunks(values, 500):
        session.execute(insert(table), chunk)


def _network_hours(session: Session, org: int, hours: Sequence[datetime]) -> None:
    """The organisation's rows for `hours`, summed again from its charge point hours."""
    session.execute(
        delete(NetworkHour).where(
            col(NetworkHour.organisation_id) == org, col(NetworkHour.hour).in_(hours)
        )
    )
    sums = session.execute(
        select(
            col(ChargingHour.hour),
            col(ChargingHour.currency),
            func.sum(col(ChargingHour.orders)),
            func.sum(col(ChargingHour.energy_wh)),
            int_sum(col(ChargingHour.charging_us)),
            func.sum(col(ChargingHour.amount_excl_minor)),
            func.sum(col(ChargingHour.amount_incl_minor)),
        )
        .where(col(ChargingHour.organisation_id) == org, col(ChargingHour.hour).in_(hours))
        .group_by(col(ChargingHour.hour), col(ChargingHour.currency))
    ).all()
    values = [
        {
            "organisation_id": org,
            "hour": hour,
            "currency": currency,
            "orders": int(orders),
            "energy_wh": int(energy),
            "charging_us": int(charging),
            "amount_excl_minor": int(excl),
            "amount_incl_minor": int(incl),
        }
        for hour, currency, orders, energy, charging, excl, incl in sums
    ]
    if values:
        session.execute(insert(NETWORK_TABLE), values)


def _remember(session: Session, before: set[int], still_open: set[int]) -> None:
    gone = sorted(before - still_open)
    for chunk in _chunks(gone, 500):
        session.execute(delete(RollupPending).where(col(RollupPending.session_id).in_(chunk)))
    added = [{"session_id": sid} for sid in sorted(still_open - before)]
    for rows in _chunks(added, 500):
        session.execute(insert(RollupPending), rows)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


# --- rebuild ---------------------------------------------------------------------------------


def rebuild(charge_points_per_step: int = 200) -> RunResult:
    """Everything again from the sessions (after a restore, or for the benchmark): both
    tables emptied, then every charge point's ended sessions rolled up, a chunk of charge
    points per transaction, the network rows summed in SQL, the cursor set past the newest
    session and the open ones remembered. Runs while the job is stopped."""
    with session_scope() as session:
        for table in (
            ChargingHour,
            ChargingDay,
            ChargingMonth,
            NetworkHour,
            RollupPending,
            RollupCursor,
        ):
            session.execute(delete(table))
    with read_session() as session:
        charge_points = [int(i) for (i,) in session.execute(select(col(ChargePoint.id))).all()]
        last_id = int(session.execute(select(func.max(col(ChargingSession.id)))).scalar() or 0)
        newest_price = session.execute(select(func.max(col(SessionCost.priced_at)))).scalar()
        still_open = {
            int(i)
            for (i,) in session.execute(
                select(col(ChargingSession.id)).where(
                    col(ChargingSession.status).in_(OPEN_STATUSES)
                )
            ).all()
        }
    cells = 0
    for chunk in _chunks(charge_points, charge_points_per_step):
        with read_session() as session:
            rows = _charge_point_rows(session, chunk)
        days, months = coarser(rows)
        with session_scope() as session:
            for part in _chunks([{**key_values(key), **row} for key, row in rows.items()], 500):
                session.execute(insert(HOUR_TABLE), part)
            _insert(session, DAY_TABLE, "day", days)
            _insert(session, MONTH_TABLE, "month", months)
        cells += len(rows)
    with session_scope() as session:
        _sum_network(session)
        _remember(session, set(), still_open)
        session.add(
            RollupCursor(
                name=CURSOR,
                last_session_id=last_id,
                last_priced_at=newest_price,
                updated_at=utc_now(),
            )
        )
    return RunResult(0, cells, len(still_open))


def key_values(key: tuple[int, datetime, str]) -> dict[str, Any]:
    cp, hour, currency = key
    return {"charge_point_id": cp, "hour": hour, "currency": currency}


def _charge_point_rows(session: Session, charge_points: Sequence[int]) -> HourRows:
    """Every hour row of these charge points, from all their ended sessions."""
    stations = _stations(session, set(charge_points))
    sessions = ended_of(
        session.execute(
            ended_sessions_query().where(col(ChargingSession.charge_point_id).in_(charge_points))
        ).all()
    )
    readings = register_readings(session, sessions)
    rows: HourRows = {}
    for ended in sessions:
        for share in shares_of(ended, readings.get(ended.id, ())):
            key = (ended.charge_point_id, share.hour, ended.currency)
            add_share(rows.setdefault(key, _empty(ended, stations)), share)
    return rows


def _sum_network(session: Session) -> None:
    """Every organisation hour from the charge point hours, in one INSERT ... SELECT."""
    sums = select(
        col(ChargingHour.organisation_id),
        col(ChargingHour.hour),
        col(ChargingHour.currency),
        func.sum(col(ChargingHour.orders)),
        func.sum(col(ChargingHour.energy_wh)),
        int_sum(col(ChargingHour.charging_us)),
        func.sum(col(ChargingHour.amount_excl_minor)),
        func.sum(col(ChargingHour.amount_incl_minor)),
    ).group_by(
        col(ChargingHour.organisation_id), col(ChargingHour.hour), col(ChargingHour.currency)
    )
    names = [
        "organisation_id",
        "hour",
        "currency",
        "orders",
        "energy_wh",
        "charging_us",
        "amount_excl_minor",
        "amount_incl_minor",
    ]
    session.execute(insert(NetworkHour).from_select(names, sums))


def schedule_rollup(scheduler: BaseScheduler) -> None:
    scheduler.add_job(
        ChargingRollupJob().run,
        "interval",
        seconds=ROLLUP_INTERVAL.total_seconds(),
        id=ROLLUP_JOB,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
