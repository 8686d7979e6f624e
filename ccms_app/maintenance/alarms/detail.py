"""One alarm as its page and GET /alarms/{id} show it: the list row (charge point, station,
area, assignee), the timeline of what happened to it, and its work orders.

Reading needs maintenance:view (the gate checks it); an alarm outside the caller's
organisation scope does not exist for it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from ccms_app.accounts.roles import NotFoundError
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.maintenance.alarms.listing import ALARM_LIST
from ccms_app.maintenance.alarms.models import AlarmActivity
from ccms_app.maintenance.work_orders.models import WorkOrder

ACTIVITY_LIMIT = 500  # the newest; an alarm repeating for months keeps counting, not rows
WORK_ORDER_LIMIT = 50


@dataclass(frozen=True)
class ActivityView:
    id: int
    at: datetime
    actor: str  # "" = CCMS
    kind: str
    text: str


@dataclass(frozen=True)
class WorkOrderRef:
    id: int
    title: str
    status: str
    priority: str
    created_at: datetime


@dataclass(frozen=True)
class AlarmDetail:
    row: dict[str, Any]  # the alarm as ALARM_LIST shows it
    activity: list[ActivityView]  # oldest first
    work_orders: list[WorkOrderRef]  # newest first

    @property
    def id(self) -> int:
        return int(self.row["id"])


def alarm_row(alarm_id: int, scope: Collection[int], with_zone: bool = False) -> dict[str, Any]:
    row = listing.fetch_one(ALARM_LIST, alarm_id, scope, with_zone)
    if row is None:
        raise NotFoundError(tr("No alarm {alarm_id} in your organisation.", alarm_id=alarm_id))
    return row


def alarm_detail(alarm_id: int, scope: Collection[int], with_zone: bool = False) -> AlarmDetail:
    """The alarm, its timeline and its work orders; NotFoundError outside `scope`.
    `with_zone`: the row carries its station's zone (listing.ROW_ZONE), for a page."""
    row = alarm_row(alarm_id, scope, with_zone)
    with read_session() as session:
        activity = session.exec(
            select(AlarmActivity)
            .where(col(AlarmActivity.alarm_id) == alarm_id)
            .order_by(col(AlarmActivity.at).desc(), col(AlarmActivity.id).desc())
            .limit(ACTIVITY_LIMIT)
        ).all()
        orders = session.exec(
            select(WorkOrder)
            .where(col(WorkOrder.alarm_id) == alarm_id)
            .order_by(col(WorkOrder.created_at).desc(), col(WorkOrder.id).desc())
            .limit(WORK_ORDER_LIMIT)
        ).all()
    return AlarmDetail(
        row=row,
        activity=[
            ActivityView(a.id or 0, a.at, a.actor, a.kind, a.text) for a in reversed(activity)
        ],
        work_orders=[
            WorkOrderRef(w.id or 0, w.title, w.status, w.priority, w.created_at) for w in orders
        ],
    )
