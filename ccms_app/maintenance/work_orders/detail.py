"""One work order as its page and the API show it: the order, its charge point, station and
alarm, the timeline (history entries), photos, parts and time; and "my work orders"."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.rules.sla import is_overdue, priority_rank
from ccms_app.maintenance.rules.work_order_status import (
    ACTIVE_STATUSES,
    UNFINISHED_STATUSES,
    available_actions,
)
from ccms_app.maintenance.work_orders import photos, staff
from ccms_app.maintenance.work_orders.common import reading
from ccms_app.maintenance.work_orders.models import (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPart,
    WorkOrderTime,
)
from ccms_app.network.models import ChargePoint, Connector, Station


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    kind: str
    from_status: str
    to_status: str
    text: str


@dataclass(frozen=True)
class PartView:
    id: int
    part: str
    quantity: int
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class TimeView:
    id: int
    minutes: int
    note: str
    logged_by: str
    logged_at: datetime


@dataclass(frozen=True)
class AlarmSummary:
    id: int
    cause: str
    severity: str
    status: str
    error_code: str
    vendor_error_code: str
    readable_cause: str


@dataclass(frozen=True)
class WorkOrderDetail:
    id: int
    organisation_id: int
    title: str
    description: str
    priority: str
    status: str
    source: str
    charge_point_id: int
    charge_point: str  # identity
    charge_point_online: bool
    connector_id: int | None
    connector_ids: tuple[int, ...]
    station_id: int | None
    station: str
    timezone: str  # the station's (UTC without one): times are shown in it
    alarm: AlarmSummary | None
    plan_id: int | None
    assignee_account_id: int | None
    assignee: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    overdue: bool
    started_at: datetime | None
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    resolution: str
    time_spent_min: int
    actions: tuple[str, ...]  # what the caller may do now
    events: tuple[EventView, ...]  # newest first
    photos: tuple[photos.PhotoView, ...]
    parts: tuple[PartView, ...]
    times: tuple[TimeView, ...]


@dataclass(frozen=True)
class WorkOrderSummary:
    id: int
    title: str
    status: str
    priority: str
    charge_point: str
    station: str
    due_at: datetime | None
    overdue: bool
    zone: str = ""  # the station's time zone ("": none)


def _alarm(session: Session, alarm_id: int | None) -> AlarmSummary | None:
    alarm = session.get(Alarm, alarm_id) if alarm_id else None
    if alarm is None:
        return None
    return AlarmSummary(
        stored_id(alarm.id),
        alarm.cause,
        alarm.severity,
        alarm.status,
        alarm.error_code,
        alarm.vendor_error_code,
        alarm.readable_cause,
    )


_Child = TypeVar("_Child", WorkOrderEvent, WorkOrderPart, WorkOrderTime)


def _rows(
    session: Session, model: type[_Child], work_order_id: int, newest_first: bool = False
) -> list[_Child]:
    order = col(model.id).desc() if newest_first else col(model.id)
    statement = select(model).where(col(model.work_order_id) == work_order_id)
    return list(session.exec(statement.order_by(order)).all())


def get_work_order(caller: Caller, work_order_id: int) -> WorkOrderDetail:
    """The work order with everything its page shows; NotFoundError outside the scope."""
    with reading(caller, work_order_id, "work_order.view") as (session, row):
        return _detail(session, row, caller.account_id)


def _detail(session: Session, row: WorkOrder, account_id: int) -> WorkOrderDetail:
    work_order_id = stored_id(row.id)
    cp = session.get(ChargePoint, row.charge_point_id)
    station = session.get(Station, row.station_id) if row.station_id else None
    connectors = session.exec(
        select(Connector.connector_id)
        .where(col(Connector.charge_point_id) == row.charge_point_id)
        .order_by(col(Connector.connector_id))
    ).all()
    events = _rows(session, WorkOrderEvent, work_order_id, newest_first=True)
    parts = _rows(session, WorkOrderPart, work_order_id)
    times = _rows(session, WorkOrderTime, work_order_id)
    return WorkOrderDetail(
        id=work_order_id,
        organisation_id=row.organisation_id,
        title=row.title,
        description=row.description,
        priority=row.priority,
        status=row.status,
        source=row.source,
        charge_point_id=row.charge_point_id,
        charge_point=cp.identity if cp else "",
        charge_point_online=bool(cp and cp.is_online),
        connector_id=row.connector_id,
        connector_ids=tuple(int(c) for c in connectors if c),
        station_id=row.station_id,
        station=station.name if station else "",
        timezone=station.timezone if station else "UTC",
        alarm=_alarm(session, row.alarm_id),
        plan_id=row.plan_id,
        assignee_account_id=row.assignee_account_id,
        assignee=staff.account_label(session, row.assignee_account_id)
        if row.assignee_account_id
        else "",
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        due_at=row.due_at,
        overdue=is_overdue(row.due_at, row.status in ACTIVE_STATUSES, utc_now()),
        started_at=row.started_at,
        resolved_at=row.resolved_at,
        verified_at=row.verified_at,
        closed_at=row.closed_at,
        resolution=row.resolution,
        time_spent_min=row.time_spent_min,
        actions=tuple(available_actions(row.status, row.assignee_account_id, account_id)),
        events=tuple(
            EventView(stored_id(e.id), e.at, e.actor, e.kind, e.from_status, e.to_status, e.text)
            for e in events
        ),
        photos=tuple(photos.list_photos(work_order_id)),
        parts=tuple(
            PartView(stored_id(p.id), p.part, p.quantity, p.added_by, p.added_at) for p in parts
        ),
        times=tuple(
            TimeView(stored_id(t.id), t.minutes, t.note, t.logged_by, t.logged_at) for t in times
        ),
    )


def my_work_orders(
    account_id: int, scope: Collection[int], limit: int = 50
) -> list[WorkOrderSummary]:
    """The unfinished work orders assigned to `account_id`: most urgent first (priority,
    then due time)."""
    if not account_id:
        return []
    with read_session() as session:
        rows = session.exec(
            select(WorkOrder, ChargePoint.identity, Station.name, Station.timezone)
            .join(ChargePoint, col(ChargePoint.id) == WorkOrder.charge_point_id)
            .outerjoin(Station, col(Station.id) == WorkOrder.station_id)
            .where(
                col(WorkOrder.assignee_account_id) == account_id,
                col(WorkOrder.organisation_id).in_(list(scope)),
                col(WorkOrder.status).in_(sorted(UNFINISHED_STATUSES)),
            )
            .limit(500)
        ).all()
    now = utc_now()
    far = datetime.max.replace(tzinfo=now.tzinfo)
    ordered = sorted(
        rows, key=lambda r: (priority_rank(r[0].priority), r[0].due_at or far, r[0].id or 0)
    )
    return [
        WorkOrderSummary(
            id=stored_id(wo.id),
            title=wo.title,
            status=wo.status,
            priority=wo.priority,
            charge_point=identity,
            station=station or "",
            due_at=wo.due_at,
            overdue=is_overdue(wo.due_at, wo.status in ACTIVE_STATUSES, now),
            zone=zone or "",
        )
        for wo, identity, station, zone in ordered[:limit]
    ]


def station_choices(scope: Collection[int], limit: int = 200) -> list[tuple[int, str]]:
    """(id, name) of the scope's stations: the list's station filter."""
    with read_session() as session:
        rows = session.exec(
            select(Station.id, Station.name)
            .where(col(Station.organisation_id).in_(list(scope)))
            .order_by(col(Station.name))
            .limit(limit)
        ).all()
    return [(stored_id(i), name) for i, name in rows]
