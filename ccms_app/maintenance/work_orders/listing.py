"""The work order list (web page, REST API, CSV export): one row per work order with its
charge point, station and assignee, filters on status, priority, source, assignee, station,
charge point, alarm and "overdue" (past due and still active)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Select, and_, case, func, not_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.maintenance.rules.work_order_status import ACTIVE_STATUSES
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import ChargePoint, Station

_Assignee = aliased(OperatorAccount, name="assignee")
_ACTIVE = col(WorkOrder.status).in_(sorted(ACTIVE_STATUSES))

# Shown per row: past due by the database's clock (the filter below binds CCMS's clock).
_OVERDUE_NOW = case(
    (and_(_ACTIVE, col(WorkOrder.due_at) < func.current_timestamp()), True),
    else_=False,
).cast(Boolean)


def _overdue(value: Any) -> ColumnElement[bool]:
    past_due = and_(_ACTIVE, col(WorkOrder.due_at).is_not(None), col(WorkOrder.due_at) < utc_now())
    return past_due if value else not_(past_due)


def _base() -> Select[Any]:
    return (
        select(WorkOrder)
        .join(ChargePoint, col(ChargePoint.id) == WorkOrder.charge_point_id)
        .outerjoin(Station, col(Station.id) == WorkOrder.station_id)
        .outerjoin(_Assignee, col(_Assignee.id) == WorkOrder.assignee_account_id)
    )


_ASSIGNEE_NAME = func.coalesce(func.nullif(_Assignee.full_name, ""), _Assignee.email)

WORK_ORDER_LIST = ListSpec(
    name="work orders",
    base=_base,
    zone=Station.timezone,  # a work order's times in its station's zone
    columns=(
        ListColumn("id", "Id", WorkOrder.id),
        ListColumn("title", "Title", WorkOrder.title, searchable=True),
        ListColumn("status", "Status", WorkOrder.status, filterable=True),
        ListColumn("priority", "Priority", WorkOrder.priority, filterable=True),
        ListColumn("source", "Source", WorkOrder.source, filterable=True),
        ListColumn("charge_point", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn(
            "charge_point_id", "Charge point id", WorkOrder.charge_point_id, filterable=True
        ),
        ListColumn("connector_id", "Connector", WorkOrder.connector_id),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("station_id", "Station id", WorkOrder.station_id, filterable=True),
        ListColumn("assignee", "Assignee", _ASSIGNEE_NAME, searchable=True),
        ListColumn(
            "assignee_account_id", "Assignee id", WorkOrder.assignee_account_id, filterable=True
        ),
        ListColumn("alarm_id", "Alarm", WorkOrder.alarm_id, filterable=True),
        ListColumn("plan_id", "Plan", WorkOrder.plan_id, filterable=True),
        ListColumn("due_at", "Due (UTC)", WorkOrder.due_at),
        ListColumn(
            "overdue", "Overdue", _OVERDUE_NOW, filterable=True, sortable=False, filter=_overdue
        ),
        ListColumn("created_at", "Created (UTC)", WorkOrder.created_at),
        ListColumn("created_by", "Created by", WorkOrder.created_by),
        ListColumn("updated_at", "Updated (UTC)", WorkOrder.updated_at),
        ListColumn("started_at", "Started (UTC)", WorkOrder.started_at),
        ListColumn("resolved_at", "Resolved (UTC)", WorkOrder.resolved_at),
        ListColumn("verified_at", "Verified (UTC)", WorkOrder.verified_at),
        ListColumn("closed_at", "Closed (UTC)", WorkOrder.closed_at),
        ListColumn("time_spent_min", "Time spent (min)", WorkOrder.time_spent_min),
        ListColumn(
            "organisation_id", "Organisation id", WorkOrder.organisation_id, filterable=True
        ),
    ),
    organisation_column=WorkOrder.organisation_id,
    id_column=WorkOrder.id,
    default_sort="due_at",
)
