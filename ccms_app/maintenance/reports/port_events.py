"""What the uptime report reads: the connectors a filter selects, and for their charge points
the status and connection changes of a window (plus the state each starts the window in)
and the periods an operator excluded from uptime.

Bounded at network size:
- status events are read from the window only, and only the rows where a connector's
  class (`port_timeline.status_class`: working, inoperative, out of order, unknown)
  changes, decided in SQL by a window function (LAG): a session's Preparing -> Charging ->
  Finishing -> Available never leaves the database;
- the state before the window is one indexed look-up per connector (and connector 0), on
  (charge_point_id, received_at) for statuses and (charge_point_id, occurred_at) for links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import Case, ColumnElement
from sqlmodel import Session, col

from ccms_app.core.db import read_session
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.reports.filters import ReportFilter, charge_point_conditions
from ccms_app.maintenance.rules.intervals import Interval
from ccms_app.maintenance.rules.port_timeline import (
    STATUS_CLASSES,
    LinkChange,
    PortState,
    StatusChange,
)
from ccms_app.network.models import ChargePoint, ChargePointEvent, Connector, Station, StatusEvent

LINK_KINDS = ("connected", "disconnected")


@dataclass(frozen=True)
class Port:
    charge_point_id: int
    identity: str
    vendor: str
    model: str
    connector_id: int
    max_power_w: int | None  # the connector's, else the charge point's rated power
    created_at: datetime
    station_id: int | None
    station: str
    timezone: str
    opening_hours: str


@dataclass
class ChargePointHistory:
    statuses: list[StatusChange] = field(default_factory=list)
    links: list[LinkChange] = field(default_factory=list)
    excluded: dict[int, list[Interval]] = field(default_factory=dict)  # connector -> periods

    def excluded_for(self, connector_id: int) -> list[Interval]:
        """Periods excluded for the connector: its own and the whole charge point's."""
        return [*self.excluded.get(0, []), *self.excluded.get(connector_id, [])]


def ports(report: ReportFilter, scope: Collection[int]) -> list[Port]:
    """Every connector (charging port) of the charge points the filter selects."""
    return _ports(charge_point_conditions(report, scope))


def all_ports() -> list[Port]:
    """Every connector of every organisation (the uptime roll-up job)."""
    return _ports([])


def _ports(conditions: list[ColumnElement[bool]]) -> list[Port]:
    statement = (
        select(
            col(Connector.charge_point_id),
            col(ChargePoint.identity),
            col(ChargePoint.vendor),
            col(ChargePoint.model),
            col(Connector.connector_id),
            func.coalesce(col(Connector.max_power_w), col(ChargePoint.max_power_w)),
            col(ChargePoint.created_at),
            col(ChargePoint.station_id),
            func.coalesce(col(Station.name), ""),
            func.coalesce(col(Station.timezone), "UTC"),
            func.coalesce(col(Station.opening_hours), "24/7"),
        )
        .join(ChargePoint, col(ChargePoint.id) == Connector.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(*conditions)
        .order_by(col(ChargePoint.identity), col(Connector.connector_id))
    )
    with read_session() as session:
        return [Port(*row) for row in session.execute(statement)]


def _class_sql() -> Case[Any]:
    return case(
        {status: state.value for status, state in STATUS_CLASSES.items()},
        value=col(StatusEvent.status),
        else_=PortState.UNKNOWN.value,
    )


def histories(charge_point_ids: Collection[int], window: Interval) -> dict[int, ChargePointHistory]:
    """Per charge point: its status and link changes up to the window's end (the last before
    the window, then the class changes inside it) and its excluded periods."""
    found: dict[int, ChargePointHistory] = defaultdict(ChargePointHistory)
    if not charge_point_ids:
        return found
    ids = sorted(charge_point_ids)
    with read_session() as session:
        for cp_id, connector_id, status, at in session.execute(_statuses_before(ids, window[0])):
            if status is not None:
                found[cp_id].statuses.append(StatusChange(at, connector_id, status))
        for cp_id, connector_id, status, at in session.execute(_class_changes(ids, window)):
            found[cp_id].statuses.append(StatusChange(at, connector_id, status))
        for cp_id, kind, at in session.execute(_links(ids, window)):
            if kind is not None:
                found[cp_id].links.append(LinkChange(at, kind == "connected"))
        _add_excluded(session, found, ids, window)
    return found


def excluded_periods(
    charge_point_ids: Collection[int], window: Interval
) -> dict[int, ChargePointHistory]:
    """Per charge point: only its excluded periods overlapping `window` (open ones end with
    it). Operators exclude few alarms, so this is small for any window."""
    found: dict[int, ChargePointHistory] = defaultdict(ChargePointHistory)
    if charge_point_ids:
        with read_session() as session:
            _add_excluded(session, found, sorted(charge_point_ids), window)
    return found


def _add_excluded(
    session: Session, found: dict[int, ChargePointHistory], ids: list[int], window: Interval
) -> None:
    for cp_id, connector_id, start, end in session.execute(_excluded(ids, window)):
        periods = found[cp_id].excluded.setdefault(connector_id, [])
        periods.append((start, end or window[1]))


def _statuses_before(ids: list[int], start: datetime) -> Select[Any]:
    """The last status of each connector (and connector 0) before `start`."""
    connectors = union_all(
        select(col(Connector.charge_point_id).label("cp"), col(Connector.connector_id).label("c"))
        .where(col(Connector.charge_point_id).in_(ids)),
        select(col(ChargePoint.id).label("cp"), literal(0).label("c"))
        .where(col(ChargePoint.id).in_(ids)),
    ).subquery()  # fmt: skip
    earlier = aliased(StatusEvent)
    last = (
        select(col(earlier.id))
        .where(
            col(earlier.charge_point_id) == connectors.c.cp,
            col(earlier.connector_id) == connectors.c.c,
            col(earlier.received_at) < start,
        )
        .order_by(col(earlier.received_at).desc(), col(earlier.id).desc())
        .limit(1)
        .correlate(connectors)
        .scalar_subquery()
    )
    return (
        select(
            connectors.c.cp,
            connectors.c.c,
            col(StatusEvent.status),
            col(StatusEvent.received_at),
        )
        .select_from(connectors)
        .outerjoin(StatusEvent, col(StatusEvent.id) == last)
    )


def _class_changes(ids: list[int], window: Interval) -> Select[Any]:
    """Status events inside the window where the connector's class changes."""
    klass = _class_sql()
    ordered = (
        select(
            col(StatusEvent.charge_point_id).label("cp"),
            col(StatusEvent.connector_id).label("c"),
            col(StatusEvent.status).label("status"),
            col(StatusEvent.received_at).label("at"),
            klass.label("k"),
            func.lag(klass)
            .over(
                partition_by=(col(StatusEvent.charge_point_id), col(StatusEvent.connector_id)),
                order_by=(col(StatusEvent.received_at), col(StatusEvent.id)),
            )
            .label("prev"),
        )
        .where(col(StatusEvent.charge_point_id).in_(ids))
        .where(col(StatusEvent.received_at) >= window[0], col(StatusEvent.received_at) < window[1])
        .subquery()
    )
    return select(ordered.c.cp, ordered.c.c, ordered.c.status, ordered.c.at).where(
        or_(ordered.c.prev.is_(None), ordered.c.prev != ordered.c.k)
    )


def _links(ids: list[int], window: Interval) -> CompoundSelect:
    """Connected / disconnected: the last before the window per charge point, then those in it."""
    earlier = aliased(ChargePointEvent)
    last = (
        select(col(earlier.id))
        .where(
            col(earlier.charge_point_id) == ChargePoint.id,
            col(earlier.kind).in_(LINK_KINDS),
            col(earlier.occurred_at) < window[0],
        )
        .order_by(col(earlier.occurred_at).desc(), col(earlier.id).desc())
        .limit(1)
        .correlate(ChargePoint)
        .scalar_subquery()
    )
    before = (
        select(col(ChargePoint.id), col(ChargePointEvent.kind), col(ChargePointEvent.occurred_at))
        .outerjoin(ChargePointEvent, col(ChargePointEvent.id) == last)
        .where(col(ChargePoint.id).in_(ids))
    )
    inside = select(
        col(ChargePointEvent.charge_point_id),
        col(ChargePointEvent.kind),
        col(ChargePointEvent.occurred_at),
    ).where(
        col(ChargePointEvent.charge_point_id).in_(ids),
        col(ChargePointEvent.kind).in_(LINK_KINDS),
        col(ChargePointEvent.occurred_at) >= window[0],
        col(ChargePointEvent.occurred_at) < window[1],
    )
    return union_all(before, inside)


def _excluded(ids: list[int], window: Interval) -> Select[int, int, datetime, datetime]:
    """Alarms an operator excluded from uptime, overlapping the window: fault start to
    recovery (or closing; open ones to the window's end)."""
    end = func.coalesce(col(Alarm.recovered_at), col(Alarm.closed_at))
    return select(
        col(Alarm.charge_point_id), col(Alarm.connector_id), col(Alarm.fault_started_at), end
    ).where(
        col(Alarm.charge_point_id).in_(ids),
        col(Alarm.excluded_reason) != "",
        col(Alarm.fault_started_at) < window[1],
        or_(end.is_(None), end > window[0]),
    )
