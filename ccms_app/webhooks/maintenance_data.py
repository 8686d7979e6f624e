"""The `data` of alarm and work order webhook events, read from their rows.

The bus event names the row and what happened (maintenance.alarms / work_orders publish it
after their commit); the receiver gets the row's facts as they stand when the dispatcher
reads them (a status that moved on since is the newer one; `status` of the bus event is what
the event was about).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from ccms_app.accounts.models import OperatorAccount
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.webhooks.rules.payloads import iso


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _email(session: Session, account_id: int | None) -> str:
    account = session.get(OperatorAccount, account_id) if account_id else None
    return account.email if account is not None else ""


def alarm_data(session: Session, event_type: str, bus: Mapping[str, Any]) -> dict[str, Any]:
    """alarm.raised / alarm.closed / alarm.changed."""
    alarm_id = _integer(bus.get("alarm_id"))
    row = session.get(Alarm, alarm_id) if alarm_id is not None else None
    data: dict[str, Any] = {
        "alarm_id": alarm_id,
        "connector_id": bus.get("connector_id"),
        "cause": bus.get("cause", ""),
        "severity": bus.get("severity", ""),
        "status": bus.get("status", ""),
    }
    if row is None:
        return data
    data |= {
        "connector_id": row.connector_id,
        "error_code": row.error_code,
        "info": row.info,
        "vendor_id": row.vendor_id,
        "vendor_error_code": row.vendor_error_code,
        "readable_cause": row.readable_cause,
        "detail": row.detail,
        "occurrences": row.occurrences,
        "fault_started_at": iso(row.fault_started_at),
        "raised_at": iso(row.first_raised_at),
    }
    if event_type == "alarm.closed":
        data |= {
            "closed_at": iso(row.closed_at),
            "closed_by": row.closed_by,
            "close_reason": row.close_reason,
            "recovered_at": iso(row.recovered_at),
            "downtime_s": row.downtime_s,
        }
    if event_type == "alarm.changed":
        data |= {
            "acknowledged_at": iso(row.acknowledged_at),
            "acknowledged_by": row.acknowledged_by,
            "assignee": _email(session, row.assignee_account_id),
        }
    return data


def work_order_data(session: Session, event_type: str, bus: Mapping[str, Any]) -> dict[str, Any]:
    """work_order.created / work_order.status_changed."""
    work_order_id = _integer(bus.get("work_order_id"))
    row = session.get(WorkOrder, work_order_id) if work_order_id is not None else None
    data: dict[str, Any] = {"work_order_id": work_order_id, "status": bus.get("status", "")}
    if event_type == "work_order.status_changed":
        data["from_status"] = bus.get("from_status", "")
    if row is None:
        return data
    data |= {
        "title": row.title,
        "priority": row.priority,
        "source": row.source,
        "connector_id": row.connector_id,
        "alarm_id": row.alarm_id,
        "assignee": _email(session, row.assignee_account_id),
        "due_at": iso(row.due_at),
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
    }
    if event_type == "work_order.status_changed":
        data |= {
            "resolved_at": iso(row.resolved_at),
            "verified_at": iso(row.verified_at),
            "closed_at": iso(row.closed_at),
        }
    return data
