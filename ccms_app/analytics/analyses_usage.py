"""Usage rate (charging time / available time) per station and charge point, and
availability per station and connector, over a range: definitions in `rules/usage.py`.

Charging time comes from the charging roll-up (`figures.charging_by`, per charge point).
Time out of service is the maintenance uptime report's outage (offline, Faulted,
Unavailable: `maintenance.rules.uptime.DOWN_STATES`) per connector, summed from its daily
roll-up (`uptime_day.outage_us`) for the whole UTC days of the range and computed from the
status history for the rest: the partial days at both ends, today, and any day not rolled up
yet (as `maintenance.reports.uptime_sum` does for its own windows). A day row's outage does
not depend on the station's opening hours, so rows whose `hours_key` is stale still count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.analytics.figures import Narrowing, charging_by
from ccms_app.analytics.rules.usage import TimeUse, period_us, total
from ccms_app.core.db import read_session
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.port_events import ChargePointHistory, Port, histories, ports
from ccms_app.maintenance.rules.intervals import Interval, clip, length, merge
from ccms_app.maintenance.rules.port_timeline import intervals_in, port_timeline
from ccms_app.maintenance.rules.uptime import DOWN_STATES
from ccms_app.maintenance.rules.uptime_parts import (
    DAY,
    day_of,
    day_start,
    first_whole_day,
    micros,
    missing_runs,
)
from ccms_app.network.models import ChargePoint, Station

PortKey = tuple[int, int]  # charge point id, connector id


@dataclass(frozen=True)
class ConnectorUse:
    port: Port
    use: TimeUse  # charging_us 0: charging time is rolled up per charge point only


@dataclass(frozen=True)
class GroupUse:
    """A station or a charge point."""

    id: int
    name: str  # the station's name, the charge point's identity
    station: str  # a charge point's station ("" for a station itself or none)
    connectors: int
    use: TimeUse


@dataclass(frozen=True)
class UsageReport:
    since: datetime
    until: datetime  # not past now
    stations: list[GroupUse]
    charge_points: list[GroupUse]
    connectors: list[ConnectorUse]
    network: TimeUse


def usage_report(
    scope: Collection[int], since: datetime, until: datetime, now: datetime
) -> UsageReport:
    """Every station, charge point and connector in scope over [since, min(until, now))."""
    until = max(since, min(until, now))
    selected = ports(ReportFilter(), scope) if scope else []
    outage = connector_outage(selected, since, until)
    connectors = [
        ConnectorUse(
            port,
            TimeUse(
                period_us(since, until, port.created_at),
                outage.get((port.charge_point_id, port.connector_id), 0),
            ),
        )
        for port in selected
    ]
    with read_session() as session:
        charging = (
            charging_by(session, Narrowing(frozenset(scope)), "charge_point", since, until, now)
            if scope
            else {}
        )
        names = _charge_points(session, scope)
    by_cp: dict[int, list[ConnectorUse]] = defaultdict(list)
    for found in connectors:
        by_cp[found.port.charge_point_id].append(found)
    charge_points = [
        GroupUse(
            cp,
            identity,
            station,
            len(by_cp.get(cp, [])),
            total(c.use for c in by_cp.get(cp, []))
            + TimeUse(charging_us=charging[cp].charging_us if cp in charging else 0),
        )
        for cp, (identity, _sid, station) in names.items()
        if cp in by_cp or cp in charging
    ]
    stations = _stations(charge_points, names)
    return UsageReport(
        since,
        until,
        stations,
        charge_points,
        connectors,
        total(g.use for g in charge_points),
    )


def _charge_points(
    session: Session, scope: Collection[int]
) -> dict[int, tuple[str, int | None, str]]:
    """id -> (identity, station id, station name) of the charge points in scope."""
    if not scope:
        return {}
    rows = session.execute(
        select(
            col(ChargePoint.id),
            col(ChargePoint.identity),
            col(ChargePoint.station_id),
            func.coalesce(col(Station.name), ""),
        )
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
        .where(col(ChargePoint.organisation_id).in_(sorted(scope)))
    ).all()
    return {
        int(cp): (str(identity), None if sid is None else int(sid), str(name))
        for cp, identity, sid, name in rows
    }


def _stations(
    charge_points: Iterable[GroupUse], names: dict[int, tuple[str, int | None, str]]
) -> list[GroupUse]:
    """The charge points' sums per station (charge points without a station are left out)."""
    grouped: dict[int, list[GroupUse]] = defaultdict(list)
    for found in charge_points:
        station_id = names[found.id][1]
        if station_id is not None:
            grouped[station_id].append(found)
    return [
        GroupUse(
            station_id,
            members[0].station,
            "",
            sum(m.connectors for m in members),
            total(m.use for m in members),
        )
        for station_id, members in grouped.items()
    ]


# --- time out of service per connector --------------------------------------------------------


def connector_outage(
    selected: Sequence[Port], since: datetime, until: datetime
) -> dict[PortKey, int]:
    """Microseconds each connector was out of service (offline, Faulted, Unavailable) in
    [since, until): the roll-up's whole UTC days plus the rest computed from the history."""
    found: dict[PortKey, int] = {(p.charge_point_id, p.connector_id): 0 for p in selected}
    if until <= since or not selected:
        return found
    first_day, end_day = first_whole_day(since), day_of(until)
    pieces: dict[PortKey, list[Interval]] = {}
    if end_day > first_day:
        stored, present = _stored(selected, first_day, end_day)
        found.update(stored)
        edges = [(since, day_start(first_day)), (day_start(end_day), until)]
        for key in found:
            missing = [
                (day_start(first), day_start(last + DAY))
                for first, last in missing_runs(present.get(key, ()), first_day, end_day - DAY)
            ] if key in present else []  # fmt: skip
            pieces[key] = merge([*edges, *missing])
    else:
        pieces = {key: [(since, until)] for key in found}
    for key, outage in _live_outage(selected, pieces).items():
        found[key] += outage
    return found


def _stored(
    selected: Sequence[Port], first_day: date, end_day: date
) -> tuple[dict[PortKey, int], dict[PortKey, set[date]]]:
    """Outage summed over the rolled-up days in [first_day, end_day) per connector, and, for
    connectors missing some of those days, the days present."""
    days = (end_day - first_day).days
    ids = sorted({p.charge_point_id for p in selected})
    wanted = {(p.charge_point_id, p.connector_id) for p in selected}
    key = (col(UptimeDay.charge_point_id), col(UptimeDay.connector_id))
    in_range = (
        col(UptimeDay.charge_point_id).in_(ids),
        col(UptimeDay.day) >= first_day,
        col(UptimeDay.day) < end_day,
    )
    stored: dict[PortKey, int] = {}
    present: dict[PortKey, set[date]] = {k: set() for k in wanted}
    holes: list[PortKey] = []
    with read_session() as session:
        rows = session.execute(
            select(
                *key,
                func.count(),
                func.min(UptimeDay.day),
                func.max(UptimeDay.day),
                func.sum(UptimeDay.outage_us),
            )
            .where(*in_range)
            .group_by(*key)
        ).all()
        for cp, connector, count, low, high, outage in rows:
            port = (int(cp), int(connector))
            if port not in wanted:
                continue
            stored[port] = int(outage or 0)
            if count == days:
                del present[port]
            elif count == (high - low).days + 1:  # one run of days: the rest is missing
                present[port] = {low + DAY * n for n in range(count)}
            else:
                holes.append(port)
        if holes:
            for cp, connector, day in session.execute(
                select(*key, col(UptimeDay.day)).where(
                    *in_range, col(UptimeDay.charge_point_id).in_(sorted({h[0] for h in holes}))
                )
            ).all():
                if (cp, connector) in holes:
                    present[(cp, connector)].add(day)
    return stored, present


def _live_outage(
    selected: Sequence[Port], pieces: dict[PortKey, list[Interval]]
) -> dict[PortKey, int]:
    """Outage in each connector's pieces, from one history read per distinct piece."""
    grouped: dict[Interval, list[Port]] = defaultdict(list)
    for port in selected:
        for piece in pieces.get((port.charge_point_id, port.connector_id), []):
            if piece[1] > piece[0]:
                grouped[piece].append(port)
    found: dict[PortKey, int] = defaultdict(int)
    for piece, group in grouped.items():
        history = histories({p.charge_point_id for p in group}, piece)
        for port in group:
            seen = history.get(port.charge_point_id) or ChargePointHistory()
            segments = port_timeline(port.connector_id, piece, seen.statuses, seen.links)
            down = clip(intervals_in(segments, DOWN_STATES), piece)
            found[(port.charge_point_id, port.connector_id)] += micros(length(down))
    return found
