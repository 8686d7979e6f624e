"""Alarms as a list (`ALARM_LIST`): Maintenance -> Alarms, its CSV export and GET /alarms
read through it, scoped by the alarm's organisation.

Filters: status ("active" = open or acknowledged), severity, cause, charge point (identity
or id), station, area, assignee (an account id, or "none"), excluded reason. The date range
is on when the alarm was first raised: the page sends days ("since" / "until", days in the
operator's zone: from its local midnight to the next, `day_range`), the API
`first_raised_at_from` / `_to` instants; both narrow the spec (`raised_within`). Severity
sorts most severe first (the words happen to sort that way: critical < major < minor <
warning).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core.db import read_session
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListQueryError, ListSpec
from ccms_app.core.local_time import local_midnight
from ccms_app.maintenance.alarms.models import Alarm, AlarmStatus
from ccms_app.maintenance.rules import alarm_admin
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.network.models import ChargePoint, OperationArea, Station

ACTIVE = "active"  # the status filter value for open or acknowledged
UNASSIGNED = "none"  # the assignee filter value for nobody
STATUS_LABELS: dict[str, str] = {
    ACTIVE: N_("Active (open or acknowledged)"),
    AlarmStatus.OPEN: N_("Open"),
    AlarmStatus.ACKNOWLEDGED: N_("Acknowledged"),
    AlarmStatus.CLOSED: N_("Closed"),
}
DATE_FILTERS = ("since", "until")


def _base() -> Select[Any]:
    return (
        select(Alarm)
        .join(ChargePoint, col(ChargePoint.id) == col(Alarm.charge_point_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
        .outerjoin(OperationArea, col(OperationArea.id) == col(Station.area_id))
        .outerjoin(OperatorAccount, col(OperatorAccount.id) == col(Alarm.assignee_account_id))
    )


def _number(value: Any, label: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise ListQueryError(f"{label} must be an id, got {str(value)[:40]!r}")
    return int(text)


def _status(value: Any) -> ColumnElement[bool]:
    if value == ACTIVE:
        return col(Alarm.status).in_([AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED])
    if value not in STATUS_LABELS:
        raise ListQueryError(
            f"Unknown status {str(value)[:40]!r}: choose {', '.join(STATUS_LABELS)}"
        )
    return col(Alarm.status) == value


def _severity(value: Any) -> ColumnElement[bool]:
    if value not in SEVERITY_ORDER:
        choices = ", ".join(SEVERITY_ORDER)
        raise ListQueryError(f"Unknown severity {str(value)[:40]!r}: choose {choices}")
    return col(Alarm.severity) == value


def _cause(value: Any) -> ColumnElement[bool]:
    if value not in CAUSE_LABELS:
        raise ListQueryError(f"Unknown cause {str(value)[:40]!r}: choose {', '.join(CAUSE_LABELS)}")
    return col(Alarm.cause) == value


def _assignee(value: Any) -> ColumnElement[bool]:
    if str(value) == UNASSIGNED:
        return col(Alarm.assignee_account_id).is_(None)
    return col(Alarm.assignee_account_id) == _number(value, "Assignee")


def _excluded(value: Any) -> ColumnElement[bool]:
    if str(value) == UNASSIGNED:
        return col(Alarm.excluded_reason) == ""
    if value not in alarm_admin.EXCLUSION_REASONS:
        raise ListQueryError(f"Unknown excluded reason {str(value)[:40]!r}")
    return col(Alarm.excluded_reason) == value


ALARM_LIST = ListSpec(
    name="alarms",
    base=_base,
    zone=Station.timezone,  # an alarm's times in its station's zone
    columns=(
        ListColumn("id", "Alarm", Alarm.id),
        ListColumn("status", "Status", Alarm.status, filterable=True, filter=_status),
        ListColumn("severity", "Severity", Alarm.severity, filterable=True, filter=_severity),
        ListColumn("cause", "Cause", Alarm.cause, filterable=True, filter=_cause),
        ListColumn(
            "charge_point", "Charge point", ChargePoint.identity, searchable=True, filterable=True
        ),
        ListColumn(
            "charge_point_id",
            "Charge point id",
            Alarm.charge_point_id,
            filterable=True,
            sortable=False,
            filter=lambda v: col(Alarm.charge_point_id) == _number(v, "Charge point id"),
        ),
        ListColumn("connector_id", "Connector", Alarm.connector_id, sortable=False),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn(
            "station_id",
            "Station id",
            ChargePoint.station_id,
            filterable=True,
            sortable=False,
            filter=lambda v: col(ChargePoint.station_id) == _number(v, "Station id"),
        ),
        ListColumn("area", "Area", OperationArea.name, sortable=False),
        ListColumn(
            "area_id",
            "Area id",
            Station.area_id,
            filterable=True,
            sortable=False,
            filter=lambda v: col(Station.area_id) == _number(v, "Area id"),
        ),
        ListColumn("error_code", "Error code", Alarm.error_code, searchable=True, sortable=False),
        ListColumn(
            "vendor_error_code",
            "Vendor error code",
            Alarm.vendor_error_code,
            searchable=True,
            sortable=False,
        ),
        ListColumn(
            "readable_cause",
            "Readable cause",
            Alarm.readable_cause,
            searchable=True,
            sortable=False,
        ),
        ListColumn("info", "Info", Alarm.info, sortable=False),
        ListColumn("detail", "Detail", Alarm.detail, searchable=True, sortable=False),
        ListColumn("occurrences", "Occurrences", Alarm.occurrences),
        ListColumn("fault_started_at", "Fault started (UTC)", Alarm.fault_started_at),
        ListColumn("first_raised_at", "Raised (UTC)", Alarm.first_raised_at),
        ListColumn("last_raised_at", "Last raised (UTC)", Alarm.last_raised_at),
        ListColumn("acknowledged_by", "Acknowledged by", Alarm.acknowledged_by, sortable=False),
        ListColumn(
            "assignee_account_id",
            "Assignee id",
            Alarm.assignee_account_id,
            filterable=True,
            sortable=False,
            filter=_assignee,
        ),
        ListColumn("assignee", "Assignee", OperatorAccount.email, searchable=True),
        ListColumn("recovered_at", "Recovered (UTC)", Alarm.recovered_at, sortable=False),
        ListColumn("closed_at", "Closed (UTC)", Alarm.closed_at),
        ListColumn("closed_by", "Closed by", Alarm.closed_by, sortable=False),
        ListColumn("close_reason", "Close reason", Alarm.close_reason, sortable=False),
        ListColumn("downtime_s", "Downtime (s)", Alarm.downtime_s),
        ListColumn(
            "excluded_reason",
            "Excluded reason",
            Alarm.excluded_reason,
            filterable=True,
            sortable=False,
            filter=_excluded,
        ),
        ListColumn(
            "organisation_id",
            "Organisation id",
            Alarm.organisation_id,
            filterable=True,
            sortable=False,
        ),
    ),
    organisation_column=Alarm.organisation_id,
    id_column=Alarm.id,
    default_sort="first_raised_at",
)


def _day(raw: str, label: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ListQueryError(f"{label} must be a date like 2026-01-31, got {text[:40]!r}") from None


def day_range(since: str, until: str, zone: str) -> tuple[datetime | None, datetime | None]:
    """Days the operator picked, as days in `zone` (the operator's): [the local midnight that
    starts `since`, the local midnight that ends `until`), in UTC. A day daylight saving
    shortens or lengthens is 23 or 25 hours long. Either bound may be empty (None)."""
    first, last = _day(since, "From"), _day(until, "To")
    if first is not None and last is not None and first > last:
        raise ListQueryError(tr("The From date is after the To date"))
    start = None if first is None else local_midnight(first, zone)
    end = None if last is None else local_midnight(last + timedelta(days=1), zone)
    return start, end


def raised_within(spec: ListSpec, since: datetime | None, until: datetime | None) -> ListSpec:
    """The spec whose alarms were first raised in [since, until)."""
    conditions = []
    if since is not None:
        conditions.append(col(Alarm.first_raised_at) >= since)
    if until is not None:
        conditions.append(col(Alarm.first_raised_at) < until)
    if not conditions:
        return spec
    base = spec.base
    return dataclasses.replace(spec, base=lambda: base().where(*conditions))


def page_filters(filters: Mapping[str, str], zone: str) -> tuple[ListSpec, dict[str, str]]:
    """The page's filters: the spec narrowed by its date range (days in `zone`, the
    operator's), and the other filters."""
    since, until = day_range(filters.get("since", ""), filters.get("until", ""), zone)
    rest = {k: v for k, v in filters.items() if k not in DATE_FILTERS and v}
    return raised_within(ALARM_LIST, since, until), rest


CHOICES_LIMIT = 200


def filter_choices(scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
    """The stations, areas and assignees an operator can filter the alarms by."""
    with read_session() as session:
        stations = session.exec(
            select(Station.id, Station.name)
            .where(col(Station.organisation_id).in_(list(scope)))
            .order_by(col(Station.name))
            .limit(CHOICES_LIMIT)
        ).all()
        areas = session.exec(
            select(OperationArea.id, OperationArea.name)
            .where(col(OperationArea.organisation_id).in_(list(scope)))
            .order_by(col(OperationArea.name))
            .limit(CHOICES_LIMIT)
        ).all()
        people = session.exec(
            select(OperatorAccount.id, OperatorAccount.email)
            .where(
                col(OperatorAccount.organisation_id).in_(list(scope)),
                col(OperatorAccount.is_active),
            )
            .order_by(col(OperatorAccount.email))
            .limit(CHOICES_LIMIT)
        ).all()
    return {
        "station_id": [(str(i), str(n)) for i, n in stations],
        "area_id": [(str(i), str(n)) for i, n in areas],
        "assignee_account_id": [(str(i), str(e)) for i, e in people],
    }
