"""The `data` of each webhook event: what the bus said, completed from the database.

The event bus carries only what the live pages need (a session id, a command id, a data
issue's kind). A receiver wants the facts: the session's id tag and meter readings, the
command's action and error, the issue's detail. They are read after the commit that
published the event, by the dispatcher in a worker thread, never on the charger's path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargerDataIssue, ChargingSession
from ccms_app.control.models import ChargePointCommand
from ccms_app.webhooks.maintenance_data import alarm_data, work_order_data
from ccms_app.webhooks.rules.payloads import iso


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _session_data(session: Session, bus: Mapping[str, Any], stopped: bool) -> dict[str, Any]:
    transaction_id = _integer(bus.get("transaction_id"))
    row = session.get(ChargingSession, transaction_id) if transaction_id is not None else None
    data: dict[str, Any] = {
        "transaction_id": transaction_id,
        "connector_id": bus.get("connector_id"),
    }
    if row is None:
        return data
    data |= {
        "id_tag": row.id_tag,
        "start_time": iso(row.start_time),
        "meter_start_wh": row.meter_start_wh,
    }
    if stopped:
        data |= {
            "stop_time": iso(row.stop_time),
            "meter_stop_wh": row.meter_stop_wh,
            "energy_wh": row.energy_wh,
            "stop_reason": row.stop_reason,
            "closed_by_ccms": bool(bus.get("closed_by_policy")),
        }
    return data


def _command_data(session: Session, bus: Mapping[str, Any]) -> dict[str, Any]:
    command_id = _integer(bus.get("command_id"))
    row = session.get(ChargePointCommand, command_id) if command_id is not None else None
    return {
        "command_id": command_id,
        "action": bus.get("action", ""),
        "status": bus.get("status", ""),
        "error": row.error if row is not None else "",
    }


def _issue_data(
    session: Session, bus: Mapping[str, Any], charge_point_id: int | None
) -> dict[str, Any]:
    kind = str(bus.get("data_issue", ""))
    row = session.exec(
        select(ChargerDataIssue)
        .where(
            ChargerDataIssue.charge_point_id == charge_point_id,
            ChargerDataIssue.kind == kind,
        )
        .order_by(col(ChargerDataIssue.id).desc())
        .limit(1)
    ).first()
    return {
        "kind": kind,
        "issue_id": row.id if row is not None else None,
        "detail": row.detail if row is not None else "",
    }


def event_data(
    session: Session, event_type: str, bus: Mapping[str, Any], charge_point_id: int | None
) -> dict[str, Any]:
    """The payload's `data` for one event (`bus`: the NetworkEvent's data)."""
    if event_type == "charge_point.status_changed":
        return {key: bus.get(key) for key in ("connector_id", "status", "error_code")}
    if event_type in ("session.started", "session.stopped"):
        return _session_data(session, bus, stopped=event_type == "session.stopped")
    if event_type == "command.finished":
        return _command_data(session, bus)
    if event_type == "data_issue.raised":
        return _issue_data(session, bus, charge_point_id)
    if event_type.startswith("alarm."):
        return alarm_data(session, event_type, bus)
    if event_type.startswith("work_order."):
        return work_order_data(session, event_type, bus)
    return {}
