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
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from ccms_app.analytics.figures import Narrowing, charging_by
from ccms_app.analytics.rules.usage import TimeUse, period_us, total
from ccms_app.core.db import read_session
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.port_events import Port, ports
from ccms_app.maintenance.reports.uptime_sum import PortKey, summed_parts, windows_between
from ccms_app.maintenance.rules.uptime_parts import (
    micros,
)
from ccms_app.network.models import ChargePoint, Station


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
    [since, until): the maintenance uptime sums over that window (rolled-up days read, the
    rest computed from the history), before closed hours or excluded alarms are taken out."""
    found: dict[PortKey, int] = {(p.charge_point_id, p.connector_id): 0 for p in selected}
    if until <= since or not selected:
        return found
    parts = summed_parts(list(selected), until, windows_between(since, until))
    for key, summed in parts.items():
        found[key] = micros(summed.outage)
    return found
