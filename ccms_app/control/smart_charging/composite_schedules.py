"""Composite schedules: what the charge point says it will apply (GetCompositeSchedule,
stored) and what CCMS expects from the profiles it accepted."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.control import commands
from ccms_app.control.commands import CommandView
from ccms_app.control.models import CommandStatus, CompositeScheduleResult
from ccms_app.control.smart_charging.profile_commands import connector_number
from ccms_app.control.smart_charging.profile_views import list_profiles
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import existing, stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ocpp_server.smart_charging.composite import (
    CompositeSchedule,
    composite_from_ocpp,
    composite_schedule,
)
from ocpp_server.smart_charging.profiles import InstalledProfile, ProfileError, RateUnit


@dataclass(frozen=True)
class CompositeView:
    id: int
    charge_point_id: int
    connector_id: int
    duration: int
    requested_unit: str | None
    status: str  # the command's status
    schedule: CompositeSchedule | None  # what the charge point answered, if it did
    detail: str
    requested_by: str
    created_at: datetime
    command: CommandView | None = None


def _read_answer(connector_id: int, command: CommandView) -> tuple[CompositeSchedule | None, str]:
    if command.status != CommandStatus.ACCEPTED:
        return None, command.error
    reply = json.loads(command.response or "{}")
    try:
        schedule = composite_from_ocpp(
            connector_id, reply.get("schedule_start"), reply.get("charging_schedule") or {}
        )
    except ProfileError as exc:
        return None, f"unreadable answer: {exc}"
    return schedule, ""


def _composite_view(row: CompositeScheduleResult, command: CommandView | None) -> CompositeView:
    schedule = None
    if row.schedule_start is not None and row.charging_rate_unit:
        schedule = composite_from_ocpp(
            row.connector_id,
            row.schedule_start,
            {
                "duration": row.schedule_duration,
                "charging_rate_unit": row.charging_rate_unit,
                "charging_schedule_period": json.loads(row.periods_json),
            },
        )
    return CompositeView(
        id=stored_id(row.id),
        charge_point_id=row.charge_point_id,
        connector_id=row.connector_id,
        duration=row.duration,
        requested_unit=row.requested_unit,
        status=row.status,
        schedule=schedule,
        detail="" if schedule or row.status != CommandStatus.ACCEPTED else "no schedule",
        requested_by=row.requested_by,
        created_at=row.created_at,
        command=command,
    )


def _store_composite(
    charge_point_id: int,
    params: dict[str, Any],
    command: CommandView,
    schedule: CompositeSchedule | None,
    requested_by: str,
) -> CompositeScheduleResult:
    with session_scope() as session:
        cp = existing(session, ChargePoint, charge_point_id)
        row = CompositeScheduleResult(
            organisation_id=cp.organisation_id,
            charge_point_id=charge_point_id,
            connector_id=params["connector_id"],
            duration=params["duration"],
            requested_unit=params.get("charging_rate_unit"),
            status=command.status,
            command_id=command.id or None,
            requested_by=requested_by,
        )
        if schedule is not None:
            row.schedule_start = schedule.start
            row.schedule_duration = schedule.duration
            row.charging_rate_unit = schedule.charging_rate_unit.value
            row.periods_json = json.dumps(
                [
                    {"start_period": p.start_period, "limit": float(p.limit or 0)}
                    for p in schedule.periods
                ]
            )
        session.add(row)
        session.flush()
        session.refresh(row)
        return row


async def get_composite_schedule(
    charge_point_id: int,
    connector_id: int | str,
    duration: int,
    unit: str | None,
    requested_by: str,
    timeout: float | None = None,
) -> CompositeView:
    """Ask the charge point for its schedule on `connector_id` (0: the whole charge point) for
    the next `duration` seconds in `unit` (W, A, or None: the charge point's choice); the
    answer is stored and returned."""
    params: dict[str, Any] = {
        "connector_id": connector_number(connector_id),
        "duration": duration,
        "charging_rate_unit": unit or None,
    }
    command = await commands.send_command(
        charge_point_id, "GetCompositeSchedule", params, requested_by, timeout=timeout
    )
    params["duration"] = int(str(duration).strip())
    schedule, detail = _read_answer(params["connector_id"], command)
    row = await asyncio.to_thread(
        _store_composite, charge_point_id, params, command, schedule, requested_by
    )
    view = _composite_view(row, command)
    return dataclasses.replace(view, detail=detail or view.detail)


def recent_composite_schedules(charge_point_id: int, limit: int = 5) -> list[CompositeView]:
    """The latest GetCompositeSchedule answers of a charge point, newest first."""
    with read_session() as session:
        rows = session.exec(
            select(CompositeScheduleResult)
            .where(CompositeScheduleResult.charge_point_id == charge_point_id)
            .order_by(
                col(CompositeScheduleResult.created_at).desc(),
                col(CompositeScheduleResult.id).desc(),
            )
            .limit(limit)
        ).all()
        return [_composite_view(row, None) for row in rows]


def expected_schedule(
    charge_point_id: int,
    connector_id: int,
    duration: int,
    unit: RateUnit = RateUnit.W,
    start: datetime | None = None,
) -> CompositeSchedule:
    """What CCMS expects the charge point to apply, from the profiles it accepted (and the
    transaction running on the connector, for TxProfile and Relative schedules)."""
    start = start or utc_now()
    installed = [
        InstalledProfile(v.connector_id, v.profile)
        for v in list_profiles(charge_point_id, active_only=True)
    ]
    with read_session() as session:
        tx = session.exec(
            select(ChargingSession).where(
                ChargingSession.charge_point_id == charge_point_id,
                ChargingSession.connector_id == connector_id,
                ChargingSession.status == SessionStatus.ACTIVE,
            )
        ).first()
    return composite_schedule(
        installed,
        connector_id,
        start,
        duration,
        unit,
        transaction_id=tx.id if tx else None,
        transaction_start=tx.start_time if tx else None,
    )
