"""The uptime report's sums per connector from the daily roll-up plus live pieces.

For a report as of `as_of` (`rules/uptime_parts` says why this is exact):
- whole UTC days from the first whole day of the NEVI window up to today are summed in SQL
  from `uptime_day` (NEVI columns for days in the NEVI window, UK columns for days in the
  calendar year), only rows whose `hours_key` is the port's current one;
- computed live from the history: the partial day at the window's start, today so far, and
  any day not rolled up (yet, or any more: a stale key, a late write being repaired);
- NEVI exclusions of rolled-up days: the outage inside an excluded alarm and not in closed
  hours, computed live over the alarm's period only (`excluded_extra`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.core.db import read_session
from ccms_app.core.sql_sums import int_sum
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.opening import station_hours
from ccms_app.maintenance.reports.port_events import (
    ChargePointHistory,
    Port,
    excluded_periods,
    histories,
)
from ccms_app.maintenance.rules.intervals import Interval, clip, merge, subtract
from ccms_app.maintenance.rules.port_timeline import port_timeline
from ccms_app.maintenance.rules.reliability import ReliabilityFigures, calendar_year
from ccms_app.maintenance.rules.uptime import nevi_window
from ccms_app.maintenance.rules.uptime_parts import (
    DAY,
    UptimeParts,
    day_of,
    day_start,
    excluded_extra,
    first_whole_day,
    hours_key,
    missing_runs,
    overlap,
    piece_parts,
)

PortKey = tuple[int, int]  # charge point id, connector id
US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Windows:
    as_of: datetime
    nevi: Interval
    uk: Interval
    first_day: date  # the first day read from the roll-up (the NEVI window's first whole day)
    end_day: date  # the day of as_of: rolled-up days end before it

    @property
    def rolled(self) -> Interval:
        return (day_start(self.first_day), day_start(self.end_day))

    def edges(self) -> list[Interval]:
        """Computed live for every port: the window's start up to the first whole day, and
        today up to `as_of`."""
        head = (min(self.nevi[0], self.uk[0]), self.rolled[0])
        tail = (self.rolled[1], self.as_of)
        return [piece for piece in (head, tail) if piece[1] > piece[0]]


def windows(as_of: datetime) -> Windows:
    nevi = nevi_window(as_of)
    return Windows(as_of, nevi, calendar_year(as_of), first_whole_day(nevi[0]), day_of(as_of))


def measured(port: Port, w: Windows) -> Interval:
    """UK: the year so far, since the charge point was created."""
    return (max(w.uk[0], port.created_at), w.as_of)


def port_key(port: Port) -> int:
    return hours_key(port.timezone, port.opening_hours, port.created_at)


def windows_between(start: datetime, as_of: datetime) -> Windows:
    """A chosen window [start, as_of) in place of NEVI's trailing year (the UK window the
    same): for analytics' availability over any range of days."""
    window: Interval = (start, as_of)
    return Windows(as_of, window, window, first_whole_day(start), day_of(as_of))


def summed_parts(
    selected: list[Port], as_of: datetime, w: Windows | None = None
) -> dict[PortKey, UptimeParts]:
    """Each selected port's sums over the report's windows (`w`: other windows, e.g.
    `windows_between`; rolled-up days are read, the rest computed from the history)."""
    w = w or windows(as_of)
    stored, present = _stored(selected, w)
    live: dict[PortKey, list[Interval]] = {}
    for port in selected:
        key = (port.charge_point_id, port.connector_id)
        pieces = list(w.edges())
        if key in present:  # not every day rolled up: the missing ones live
            for first, last in missing_runs(present[key], w.first_day, w.end_day - DAY):
                pieces.append((day_start(first), day_start(last + DAY)))
        live[key] = merge(pieces)
    excluded = excluded_periods({p.charge_point_id for p in selected}, w.nevi)
    totals = {key: stored.get(key, UptimeParts()) for key in live}
    for key, parts in _live_parts(selected, live, excluded, w).items():
        totals[key] += parts
    for key, extra in _excluded_extra(selected, live, excluded, w).items():
        totals[key] += UptimeParts(excused=extra)
    return totals


def _stored(
    selected: list[Port], w: Windows
) -> tuple[dict[PortKey, UptimeParts], dict[PortKey, set[date]]]:
    """Sums of the valid rows per port, and for ports missing some days the days present."""
    days = (w.end_day - w.first_day).days
    if days <= 0 or not selected:
        return {}, {}
    ids = sorted({p.charge_point_id for p in selected})
    keys = {(p.charge_point_id, p.connector_id): port_key(p) for p in selected}
    group = (col(UptimeDay.charge_point_id), col(UptimeDay.connector_id), col(UptimeDay.hours_key))
    nevi_rows = (  # every rolled-up day is inside the NEVI window
        select(
            *group,
            func.count(),
            func.min(UptimeDay.day),
            func.max(UptimeDay.day),
            int_sum(UptimeDay.outage_us),
            int_sum(UptimeDay.closed_outage_us),
        )
        .where(col(UptimeDay.charge_point_id).in_(ids))
        .where(col(UptimeDay.day) >= w.first_day, col(UptimeDay.day) < w.end_day)
        .group_by(*group)
    )
    uk_rows = (  # the days of the calendar year (rolled up)
        select(
            *group,
            int_sum(UptimeDay.working_us),
            int_sum(UptimeDay.ineligible_us),
            int_sum(UptimeDay.not_working_us),
        )
        .where(col(UptimeDay.charge_point_id).in_(ids))
        .where(col(UptimeDay.day) >= max(w.first_day, day_of(w.uk[0])))
        .where(col(UptimeDay.day) < w.end_day)
        .group_by(*group)
    )
    stored: dict[PortKey, UptimeParts] = {}
    present: dict[PortKey, set[date]] = {}
    holes: list[PortKey] = []
    with read_session() as session:
        uk: dict[PortKey, ReliabilityFigures] = {}
        for cp, connector, key, working, ineligible, broken in session.execute(uk_rows):
            if keys.get((cp, connector)) == key:
                uk[(cp, connector)] = ReliabilityFigures(working * US, ineligible * US, broken * US)
        for cp, connector, key, count, low, high, out, closed in session.execute(nevi_rows):
            if keys.get((cp, connector)) != key:
                continue  # stale (the station's hours changed) or not a selected port
            found = uk.get((cp, connector), ReliabilityFigures())
            stored[(cp, connector)] = UptimeParts(out * US, closed * US, found)
            if count == days:
                continue
            if count == (high - low).days + 1:  # one run of days: the rest is missing
                present[(cp, connector)] = set(_span(low, high))
            else:
                holes.append((cp, connector))
        for key in keys:
            if key not in stored:
                present[key] = set()
        if holes:
            present.update(_present_days(session, holes, keys, w))
    return stored, present


def _span(low: date, high: date) -> list[date]:
    return [low + DAY * n for n in range((high - low).days + 1)]


def _present_days(
    session: Session, holes: list[PortKey], keys: dict[PortKey, int], w: Windows
) -> dict[PortKey, set[date]]:
    """The days present for ports whose rows have holes (rare: a repair in progress)."""
    found: dict[PortKey, set[date]] = {key: set() for key in holes}
    rows = select(
        col(UptimeDay.charge_point_id),
        col(UptimeDay.connector_id),
        col(UptimeDay.hours_key),
        col(UptimeDay.day),
    ).where(
        col(UptimeDay.charge_point_id).in_(sorted({cp for cp, _c in holes})),
        col(UptimeDay.day) >= w.first_day,
        col(UptimeDay.day) < w.end_day,
    )
    for cp, connector, key, day in session.execute(rows):
        if (cp, connector) in found and keys[(cp, connector)] == key:
            found[(cp, connector)].add(day)
    return found


def _by_piece(
    selected: Iterable[Port], pieces: dict[PortKey, list[Interval]]
) -> dict[Interval, list[Port]]:
    grouped: dict[Interval, list[Port]] = defaultdict(list)
    for port in selected:
        for piece in pieces.get((port.charge_point_id, port.connector_id), []):
            grouped[piece].append(port)
    return grouped


def _live_parts(
    selected: list[Port],
    live: dict[PortKey, list[Interval]],
    excluded: dict[int, ChargePointHistory],
    w: Windows,
) -> dict[PortKey, UptimeParts]:
    found: dict[PortKey, UptimeParts] = defaultdict(UptimeParts)
    for piece, group in _by_piece(selected, live).items():
        history = histories({p.charge_point_id for p in group}, piece)
        for port in group:
            seen = history.get(port.charge_point_id) or ChargePointHistory()
            segments = port_timeline(port.connector_id, piece, seen.statuses, seen.links)
            nevi_piece = overlap(piece, w.nevi)
            closed = [] if nevi_piece is None else _hours(port, nevi_piece, closed=True)
            uk_piece = overlap(piece, measured(port, w))
            opened = [] if uk_piece is None else _hours(port, uk_piece, closed=False)
            alarms = _excluded_for(excluded, port)
            parts = piece_parts(segments, piece, w.nevi, measured(port, w), alarms + closed, opened)
            found[(port.charge_point_id, port.connector_id)] += parts
    return found


def _excluded_extra(
    selected: list[Port],
    live: dict[PortKey, list[Interval]],
    excluded: dict[int, ChargePointHistory],
    w: Windows,
) -> dict[PortKey, timedelta]:
    """Excluded alarms over rolled-up days (the live pieces applied them already)."""
    rolled_nevi = overlap(w.rolled, w.nevi)
    spans: dict[PortKey, list[Interval]] = {}
    for port in selected:
        key = (port.charge_point_id, port.connector_id)
        alarms = _excluded_for(excluded, port)
        if rolled_nevi is None or not alarms:
            continue
        rolled = subtract([rolled_nevi], live[key])
        inside = [part for r in rolled for part in clip(alarms, r)]
        if inside:
            spans[key] = merge(inside)
    bounding = {key: [(found[0][0], found[-1][1])] for key, found in spans.items()}
    extra: dict[PortKey, timedelta] = defaultdict(timedelta)
    for span, group in _by_piece(selected, bounding).items():
        history = histories({p.charge_point_id for p in group}, span)
        for port in group:
            key = (port.charge_point_id, port.connector_id)
            seen = history.get(port.charge_point_id) or ChargePointHistory()
            segments = port_timeline(port.connector_id, span, seen.statuses, seen.links)
            closed = _hours(port, span, closed=True)
            extra[key] += excluded_extra(segments, span, spans[key], closed)
    return extra


def _excluded_for(excluded: dict[int, ChargePointHistory], port: Port) -> list[Interval]:
    found = excluded.get(port.charge_point_id)
    return [] if found is None else found.excluded_for(port.connector_id)


def _hours(port: Port, window: Interval, closed: bool) -> list[Interval]:
    return station_hours(port.opening_hours, port.timezone, window, closed)
