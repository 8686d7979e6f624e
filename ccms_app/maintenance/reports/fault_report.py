"""The fault repair report: one row per work order with its charge point, station, problem,
alarm (cause, error code, when the fault began and ended), status, maintenance person,
created / started / resolved / closed times and the time spent.

`FAULT_REPORT_LIST` serves the web list and the REST API alike (filters: station, area,
charge point, status, priority, cause, assignee; search: charge point, station, title,
problem, assignee). The period is on the creation time: `narrowed` adds it (the web page's
From / To days, the API's created_at_from / created_at_to). Rows are shown with their times
in the station's zone (`shown_row`); the CSV export keeps UTC, as every export does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core import listing
from ccms_app.core.display import MISSING, format_time
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListSpec
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.reports.filters import ReportFilter, in_period
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.stored_text import description_text, title_text
from ccms_app.maintenance.rules.work_order_status import LABELS as STATUS_LABELS
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import ChargePoint, Station

_Person = aliased(OperatorAccount, name="maintenance_person")
_PERSON_NAME = func.coalesce(func.nullif(_Person.full_name, ""), _Person.email)
TIME_KEYS = (
    "fault_started_at",
    "recovered_at",
    "created_at",
    "started_at",
    "resolved_at",
    "closed_at",
    "due_at",
)


def _base() -> Select[Any]:
    return (
        select(WorkOrder)
        .join(ChargePoint, col(ChargePoint.id) == WorkOrder.charge_point_id)
        .outerjoin(Station, col(Station.id) == WorkOrder.station_id)
        .outerjoin(_Person, col(_Person.id) == WorkOrder.assignee_account_id)
        .outerjoin(Alarm, col(Alarm.id) == WorkOrder.alarm_id)
    )


FAULT_REPORT_LIST = ListSpec(
    name="fault repair report",
    base=_base,
    columns=(
        ListColumn("id", "Work order", WorkOrder.id),
        ListColumn("charge_point", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn(
            "charge_point_id", "Charge point id", WorkOrder.charge_point_id, filterable=True
        ),
        ListColumn("connector_id", "Connector", WorkOrder.connector_id),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("station_id", "Station id", WorkOrder.station_id, filterable=True),
        ListColumn("area_id", "Area id", Station.area_id, filterable=True, sortable=False),
        ListColumn("title", "Title", WorkOrder.title, searchable=True),
        ListColumn(
            "description", "Problem", WorkOrder.description, searchable=True, sortable=False
        ),
        ListColumn("cause", "Alarm cause", Alarm.cause, filterable=True),
        ListColumn("error_code", "Error code", Alarm.error_code, sortable=False),
        ListColumn("fault_started_at", "Fault began (UTC)", Alarm.fault_started_at),
        ListColumn("recovered_at", "Recovered (UTC)", Alarm.recovered_at),
        ListColumn("status", "Status", WorkOrder.status, filterable=True),
        ListColumn("priority", "Priority", WorkOrder.priority, filterable=True),
        ListColumn("assignee", "Maintenance person", _PERSON_NAME, searchable=True),
        ListColumn(
            "assignee_account_id",
            "Maintenance person id",
            WorkOrder.assignee_account_id,
            filterable=True,
        ),
        ListColumn("created_at", "Created (UTC)", WorkOrder.created_at),
        ListColumn("started_at", "Started (UTC)", WorkOrder.started_at),
        ListColumn("resolved_at", "Resolved (UTC)", WorkOrder.resolved_at),
        ListColumn("closed_at", "Closed (UTC)", WorkOrder.closed_at),
        ListColumn("due_at", "Due (UTC)", WorkOrder.due_at),
        ListColumn("time_spent_min", "Time spent (min)", WorkOrder.time_spent_min),
        ListColumn("timezone", "Station time zone", Station.timezone, sortable=False),
    ),
    organisation_column=WorkOrder.organisation_id,
    id_column=WorkOrder.id,
    default_sort="created_at",
)


def narrowed(report: ReportFilter) -> ListSpec:
    """The report limited to work orders created in the filter's period."""
    conditions = in_period(col(WorkOrder.created_at), report)
    if not conditions:
        return FAULT_REPORT_LIST
    return dataclasses.replace(
        FAULT_REPORT_LIST, base=lambda: FAULT_REPORT_LIST.base().where(*conditions)
    )


def _query(query: ListQuery, report: ReportFilter) -> ListQuery:
    """The form's station and area become the list's filters."""
    filters = dict(query.filters)
    if report.station_id is not None:
        filters["station_id"] = report.station_id
    if report.area_id is not None:
        filters["area_id"] = report.area_id
    return dataclasses.replace(query, filters=filters)


def fault_report_page(query: ListQuery, report: ReportFilter, scope: Collection[int]) -> ListPage:
    return listing.fetch_page(narrowed(report), _query(query, report), scope)


def fault_report_csv(query: ListQuery, report: ReportFilter, scope: Collection[int]) -> str:
    return listing.export_csv(narrowed(report), _query(query, report), scope)


def repair_minutes(row: dict[str, Any]) -> int | None:
    """From the work order's creation to its resolution (or closing), whole minutes."""
    created, done = row.get("created_at"), row.get("resolved_at") or row.get("closed_at")
    if created is None or done is None:
        return None
    return max(0, int((done - created).total_seconds() // 60))


def shown_row(row: dict[str, Any], now: datetime) -> dict[str, str]:
    """One row as the page shows it: times in the station's zone, labels for codes."""
    zone = row.get("timezone") or "UTC"
    shown = {key: "" if value is None else str(value) for key, value in row.items()}
    for key in TIME_KEYS:
        shown[key] = format_time(row.get(key), zone, now) if row.get(key) else ""
    shown["title"] = title_text(str(row.get("title") or ""))
    shown["description"] = description_text(str(row.get("description") or ""))
    shown["status_label"] = STATUS_LABELS.get(row.get("status") or "", row.get("status") or "")
    cause = row.get("cause") or ""
    shown["cause_label"] = CAUSE_LABELS.get(cause, cause) if cause else N_("Manual / plan")
    repair = repair_minutes(row)
    shown["repair"] = MISSING if repair is None else duration_text(repair * 60)
    shown["time_spent"] = duration_text(int(row.get("time_spent_min") or 0) * 60)
    return shown


def duration_text(seconds: float | int | None) -> str:
    """ "2 d 3 h", "3 h 20 min", "12 min", "45 s"; a dash for none."""
    if seconds is None:
        return MISSING
    whole = int(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    if days:
        return tr("{days} d {hours} h", days=days, hours=hours)
    if hours:
        return tr("{hours} h {minutes} min", hours=hours, minutes=mins)
    if mins:
        return tr("{minutes} min", minutes=mins)
    return tr("{seconds} s", seconds=secs)
