"""Maintenance statistics for an operation area, a station and a period: work orders total /
completed / pending / overdue, fault count by cause (the pie chart), and MTTR / MTBF per
vendor and model (`rules/mttr.py` defines them exactly).

Bounded at network size: the counts are one aggregate query each; MTTR / MTBF read one row
per failure alarm of the period (plus those still open at its start) and one per charge
point, only the columns the rules need.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlmodel import col

from ccms_app.core.db import read_session
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.reports.filters import (
    ReportFilter,
    charge_point_conditions,
    period_of,
)
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.mttr import (
    FAILURE_CAUSES,
    Failure,
    GroupFigures,
    InService,
    figures_by_group,
)
from ccms_app.maintenance.rules.work_order_status import ACTIVE_STATUSES
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderStatus
from ccms_app.network.models import ChargePoint

COMPLETED = (WorkOrderStatus.RESOLVED.value, WorkOrderStatus.CLOSED.value)


@dataclass(frozen=True)
class WorkOrderCounts:
    total: int
    completed: int  # resolved (waiting for verification) or closed
    pending: int  # open, assigned, in progress, on hold
    overdue: int  # pending and past its due time


@dataclass(frozen=True)
class CauseCount:
    cause: str
    label: str
    count: int


@dataclass(frozen=True)
class Statistics:
    since: datetime
    until: datetime
    work_orders: WorkOrderCounts
    faults_by_cause: list[CauseCount]
    by_model: list[GroupFigures]


def statistics(report: ReportFilter, scope: Collection[int], now: datetime) -> Statistics:
    """Everything the statistics section shows, for one filter."""
    since, until = period_of(report, now)
    return Statistics(
        since=since,
        until=until,
        work_orders=work_order_counts(report, scope, now),
        faults_by_cause=faults_by_cause(report, scope, now),
        by_model=figures_by_model(report, scope, now),
    )


def work_order_counts(
    report: ReportFilter, scope: Collection[int], now: datetime
) -> WorkOrderCounts:
    """Work orders created in the period, of charge points the filter selects."""
    since, until = period_of(report, now)
    active = col(WorkOrder.status).in_(sorted(ACTIVE_STATUSES))
    overdue = active & col(WorkOrder.due_at).is_not(None) & (col(WorkOrder.due_at) < now)
    statement = (
        select(
            func.count(),
            func.coalesce(func.sum(case((col(WorkOrder.status).in_(COMPLETED), 1), else_=0)), 0),
            func.coalesce(func.sum(case((active, 1), else_=0)), 0),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .select_from(WorkOrder)
        .join(ChargePoint, col(ChargePoint.id) == WorkOrder.charge_point_id)
        .where(col(WorkOrder.organisation_id).in_(sorted(scope)))
        .where(*charge_point_conditions(report, scope))
        .where(col(WorkOrder.created_at) >= since, col(WorkOrder.created_at) < until)
    )
    with read_session() as session:
        total, completed, pending, late = session.execute(statement).one()
    return WorkOrderCounts(int(total), int(completed), int(pending), int(late))


def faults_by_cause(
    report: ReportFilter, scope: Collection[int], now: datetime
) -> list[CauseCount]:
    """Alarms whose fault began in the period, per cause, most first."""
    since, until = period_of(report, now)
    statement = (
        select(col(Alarm.cause), func.count())
        .join(ChargePoint, col(ChargePoint.id) == Alarm.charge_point_id)
        .where(col(Alarm.organisation_id).in_(sorted(scope)))
        .where(*charge_point_conditions(report, scope))
        .where(col(Alarm.fault_started_at) >= since, col(Alarm.fault_started_at) < until)
        .group_by(col(Alarm.cause))
    )
    with read_session() as session:
        counted = [(str(cause), int(count)) for cause, count in session.execute(statement)]
    counted.sort(key=lambda item: (-item[1], item[0]))
    return [CauseCount(cause, CAUSE_LABELS.get(cause, cause), count) for cause, count in counted]


def figures_by_model(
    report: ReportFilter, scope: Collection[int], now: datetime
) -> list[GroupFigures]:
    """MTTR and MTBF inputs per vendor and model over the period."""
    since, until = period_of(report, now)
    recovery = func.coalesce(col(Alarm.recovered_at), col(Alarm.closed_at))
    failures_statement = (
        select(
            col(ChargePoint.vendor),
            col(ChargePoint.model),
            col(Alarm.charge_point_id),
            col(Alarm.fault_started_at),
            recovery,
        )
        .join(ChargePoint, col(ChargePoint.id) == Alarm.charge_point_id)
        .where(col(Alarm.organisation_id).in_(sorted(scope)))
        .where(*charge_point_conditions(report, scope))
        .where(col(Alarm.cause).in_(FAILURE_CAUSES))
        .where(col(Alarm.fault_started_at) < until)
        .where(or_(recovery.is_(None), recovery > since))
    )
    charge_points_statement = (
        select(
            col(ChargePoint.vendor),
            col(ChargePoint.model),
            col(ChargePoint.id),
            col(ChargePoint.created_at),
        )
        .where(*charge_point_conditions(report, scope))
        .where(col(ChargePoint.created_at) < until)
    )
    with read_session() as session:
        failures = [
            Failure((vendor, model), cp_id, started, recovered)
            for vendor, model, cp_id, started, recovered in session.execute(failures_statement)
        ]
        charge_points = [
            InService((vendor, model), cp_id, created)
            for vendor, model, cp_id, created in session.execute(charge_points_statement)
        ]
    return figures_by_group(charge_points, failures, (since, until))
