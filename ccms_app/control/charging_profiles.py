"""Smart Charging: install, clear and inspect charging profiles on charge points.

A profile is a row first (status requested, its OCPP chargingProfileId assigned here), then a
SetChargingProfile command whose answer sets its status: accepted | rejected, or failed |
timed_out | offline. An accepted profile replaces the charge point's earlier one with the same
id, or with the same stack level and purpose on the same connector (status replaced), as the
charge point itself does. A ClearChargingProfile marks what it matched as cleared. A TxProfile
whose transaction ended is shown as ended: the charge point dropped it with the transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.control import commands
from ccms_app.control.commands import CommandView, UnknownChargePointError, send_command
from ccms_app.control.models import (
    CommandStatus,
    CompositeScheduleResult,
    ProfileStatus,
    StoredChargingProfile,
)
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector
from ocpp_server.charging_profiles import (
    ChargingProfile,
    CompositeSchedule,
    InstalledProfile,
    ProfileError,
    Purpose,
    RateUnit,
    composite_from_ocpp,
    composite_schedule,
    periods_to_ocpp,
    profile_from_ocpp,
    validate_profile,
)

log = logging.getLogger(__name__)

ENDED = "ended"  # shown for an accepted TxProfile whose transaction is over
EXPIRED = "expired"  # shown for an accepted profile past its validTo


class ProfileInputError(CommandInputError):
    """The profile or request is not acceptable; the message names the field."""


@dataclass(frozen=True)
class ProfileView:
    id: int  # the row's id (the OCPP id is profile.charging_profile_id)
    charge_point_id: int
    charge_point_identity: str
    connector_id: int
    profile: ChargingProfile
    status: str  # as stored (ProfileStatus)
    detail: str
    transaction_ended: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    command: CommandView | None = None  # the SetChargingProfile this call just sent

    @property
    def shown_status(self) -> str:
        """What the operator sees: the stored status, or ended / expired for an accepted one."""
        if self.status != ProfileStatus.ACCEPTED:
            return self.status
        if self.transaction_ended:
            return ENDED
        valid_to = self.profile.valid_to
        return EXPIRED if valid_to is not None and valid_to <= utc_now() else self.status

    @property
    def is_active(self) -> bool:
        """Installed on the charge point and still in force (or yet to start)."""
        return self.shown_status == ProfileStatus.ACCEPTED


@dataclass(frozen=True)
class ClearResult:
    command: CommandView
    cleared: list[ProfileView]


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


# --- rows <-> profiles ------------------------------------------------------------------------


def _row_profile(row: StoredChargingProfile) -> ChargingProfile:
    return profile_from_ocpp(
        {
            "charging_profile_id": row.charging_profile_id,
            "stack_level": row.stack_level,
            "charging_profile_purpose": row.purpose,
            "charging_profile_kind": row.kind,
            "recurrency_kind": row.recurrency_kind,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "transaction_id": row.transaction_id,
            "charging_schedule": {
                "charging_rate_unit": row.charging_rate_unit,
                "duration": row.duration,
                "start_schedule": row.start_schedule,
                "charging_schedule_period": json.loads(row.periods_json),
                "min_charging_rate": row.min_charging_rate,
            },
        }
    )


def _fill_row(row: StoredChargingProfile, profile: ChargingProfile) -> None:
    schedule = profile.schedule
    row.charging_profile_id = profile.charging_profile_id
    row.stack_level = profile.stack_level
    row.purpose = profile.purpose.value
    row.kind = profile.kind.value
    row.recurrency_kind = profile.recurrency_kind.value if profile.recurrency_kind else None
    row.valid_from, row.valid_to = profile.valid_from, profile.valid_to
    row.transaction_id = profile.transaction_id
    row.charging_rate_unit = schedule.charging_rate_unit.value
    row.duration = schedule.duration
    row.start_schedule = schedule.start_schedule
    row.periods_json = json.dumps(periods_to_ocpp(schedule.periods))
    rate = schedule.min_charging_rate
    row.min_charging_rate = float(rate) if rate is not None else None


def _view(
    row: StoredChargingProfile,
    identity: str,
    session_status: str | None,
    command: CommandView | None = None,
) -> ProfileView:
    return ProfileView(
        id=row.id,
        charge_point_id=row.charge_point_id,
        charge_point_identity=identity,
        connector_id=row.connector_id,
        profile=_row_profile(row),
        status=row.status,
        detail=row.detail,
        transaction_ended=(
            row.purpose == Purpose.TX and session_status not in (None, SessionStatus.ACTIVE)
        ),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        command=command,
    )


def _views(session: Session, rows: list[StoredChargingProfile]) -> list[ProfileView]:
    identities: dict[int, str] = {}
    views = []
    for row in rows:
        if row.charge_point_id not in identities:
            identities[row.charge_point_id] = session.get(ChargePoint, row.charge_point_id).identity
        tx = session.get(ChargingSession, row.transaction_id) if row.transaction_id else None
        views.append(_view(row, identities[row.charge_point_id], tx.status if tx else None))
    return views


# --- set --------------------------------------------------------------------------------------


def _connector_number(raw: Any, name: str = "connector_id") -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ProfileInputError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ProfileInputError(f"{name} must be 0 or more, got {value}")
    return value


def _draft(profile_spec: Mapping[str, Any] | ChargingProfile, connector_id: int) -> ChargingProfile:
    """The operator's profile, read and checked; chargingProfileId 0 means "assign one"."""
    try:
        if isinstance(profile_spec, ChargingProfile):
            profile = profile_spec
        else:
            profile = profile_from_ocpp({"charging_profile_id": 0, **dict(profile_spec)})
        validate_profile(profile, connector_id)
    except ProfileError as exc:
        raise ProfileInputError(str(exc)) from None
    return profile


def _check_target(
    session: Session, cp: ChargePoint, connector_id: int, profile: ChargingProfile
) -> None:
    known = session.exec(
        select(Connector.connector_id).where(Connector.charge_point_id == cp.id)
    ).all()
    if connector_id > 0 and known and connector_id not in known:
        raise ProfileInputError(f"{cp.identity} has no connector {connector_id}")
    if profile.purpose != Purpose.TX:
        return
    tx = session.get(ChargingSession, profile.transaction_id)
    if (
        tx is None
        or tx.charge_point_id != cp.id
        or tx.connector_id != connector_id
        or tx.status != SessionStatus.ACTIVE
    ):
        raise ProfileInputError(
            f"transactionId {profile.transaction_id} is not running on connector "
            f"{connector_id} of {cp.identity}"
        )


def _next_profile_id(session: Session, charge_point_id: int) -> int:
    highest = session.exec(
        select(func.max(StoredChargingProfile.charging_profile_id)).where(
            StoredChargingProfile.charge_point_id == charge_point_id
        )
    ).one()
    return (highest or 0) + 1


def _create(
    charge_point_id: int, connector_id: int, draft: ChargingProfile, requested_by: str
) -> tuple[int, ChargingProfile]:
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(f"charge point {charge_point_id} does not exist")
        _check_target(session, cp, connector_id, draft)
        profile = draft
        if draft.charging_profile_id <= 0:
            new_id = _next_profile_id(session, cp.id)
            profile = dataclasses.replace(draft, charging_profile_id=new_id)
        row = StoredChargingProfile(
            organisation_id=cp.organisation_id,
            charge_point_id=cp.id,
            connector_id=connector_id,
            created_by=requested_by,
        )
        _fill_row(row, profile)
        session.add(row)
        session.flush()
        return row.id, profile


def _outcome(command: CommandView) -> tuple[str, str]:
    if command.status == CommandStatus.ACCEPTED:
        return ProfileStatus.ACCEPTED, ""
    return str(command.status), command.error


def _replace_earlier(session: Session, row: StoredChargingProfile, now: datetime) -> None:
    """What the charge point replaced with this profile (OCPP 1.6 SetChargingProfile)."""
    earlier = session.exec(
        select(StoredChargingProfile).where(
            StoredChargingProfile.charge_point_id == row.charge_point_id,
            StoredChargingProfile.status == ProfileStatus.ACCEPTED,
            StoredChargingProfile.id != row.id,
        )
    ).all()
    for old in earlier:
        same_id = old.charging_profile_id == row.charging_profile_id
        same_slot = (old.connector_id, old.stack_level, old.purpose) == (
            row.connector_id,
            row.stack_level,
            row.purpose,
        )
        if same_id or same_slot:
            old.status, old.updated_at = ProfileStatus.REPLACED, now
            old.detail = f"replaced by chargingProfileId {row.charging_profile_id}"
            session.add(old)


def _settle(row_id: int, command: CommandView | None, status: str, detail: str) -> ProfileView:
    now = utc_now()
    with session_scope() as session:
        row = session.get(StoredChargingProfile, row_id)
        row.status, row.detail, row.updated_at = status, detail[:300], now
        row.command_id = command.id if command and command.id else row.command_id
        session.add(row)
        if status == ProfileStatus.ACCEPTED:
            _replace_earlier(session, row, now)
        session.flush()
        view = _views(session, [row])[0]
        return dataclasses.replace(view, command=command)


async def set_profile(
    charge_point_id: int,
    connector_id: int,
    profile_spec: Mapping[str, Any] | ChargingProfile,
    requested_by: str,
    timeout: float | None = None,
) -> ProfileView:
    """Validate, record (assigning a chargingProfileId unless the spec has one), send
    SetChargingProfile and store the answer.

    `profile_spec` is a ChargingProfile or its snake_case OCPP dict (as profile_to_ocpp
    writes it). Raises ProfileInputError (a CommandInputError naming the field) or
    UnknownChargePointError before anything is recorded or sent.
    """
    connector_id = _connector_number(connector_id)
    draft = _draft(profile_spec, connector_id)
    row_id, profile = await asyncio.to_thread(
        _create, charge_point_id, connector_id, draft, requested_by
    )
    params = {"connector_id": connector_id, "cs_charging_profiles": profile}
    try:
        command = await send_command(
            charge_point_id, "SetChargingProfile", params, requested_by, timeout
        )
    except Exception as exc:
        await asyncio.to_thread(_settle, row_id, None, ProfileStatus.FAILED, f"not sent: {exc}")
        raise
    status, detail = _outcome(command)
    view = await asyncio.to_thread(_settle, row_id, command, status, detail)
    log.info(
        "charging profile answered",
        extra={
            "cp": charge_point_id,
            "connector_id": connector_id,
            "charging_profile_id": profile.charging_profile_id,
            "status": view.status,
            "by": requested_by,
        },
    )
    return view


# --- clear ------------------------------------------------------------------------------------


def _clear_params(
    charging_profile_id: int | None,
    connector_id: int | None,
    purpose: str | None,
    stack_level: int | None,
) -> dict[str, Any]:
    params = {
        "id": charging_profile_id,
        "connector_id": connector_id,
        "charging_profile_purpose": purpose,
        "stack_level": stack_level,
    }
    return {k: v for k, v in params.items() if v not in (None, "")}


def _mark_cleared(charge_point_id: int, params: dict[str, Any], detail: str) -> list[ProfileView]:
    """Accepted rows the ClearChargingProfile matched become cleared."""
    query = select(StoredChargingProfile).where(
        StoredChargingProfile.charge_point_id == charge_point_id,
        StoredChargingProfile.status == ProfileStatus.ACCEPTED,
    )
    if "id" in params:
        query = query.where(StoredChargingProfile.charging_profile_id == int(params["id"]))
    else:
        if "connector_id" in params:
            query = query.where(StoredChargingProfile.connector_id == int(params["connector_id"]))
        if "charging_profile_purpose" in params:
            purpose = str(params["charging_profile_purpose"])
            query = query.where(func.lower(StoredChargingProfile.purpose) == purpose.lower())
        if "stack_level" in params:
            query = query.where(StoredChargingProfile.stack_level == int(params["stack_level"]))
    now = utc_now()
    with session_scope() as session:
        rows = list(session.exec(query).all())
        for row in rows:
            row.status, row.detail, row.updated_at = ProfileStatus.CLEARED, detail, now
            session.add(row)
        session.flush()
        return _views(session, rows)


async def clear_profiles(
    charge_point_id: int,
    *,
    requested_by: str,
    charging_profile_id: int | None = None,
    connector_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
    timeout: float | None = None,
) -> ClearResult:
    """ClearChargingProfile by OCPP id, or by any of connector / purpose / stack level (none:
    every profile). Accepted -> the matching rows are cleared; Unknown (the charge point had
    none of them) -> they are cleared too, since the charge point does not hold them."""
    params = _clear_params(charging_profile_id, connector_id, purpose, stack_level)
    command = await send_command(
        charge_point_id, "ClearChargingProfile", params, requested_by, timeout
    )
    answer = json.loads(command.response or "{}").get("status", "")
    cleared: list[ProfileView] = []
    if command.status == CommandStatus.ACCEPTED or answer == "Unknown":
        detail = "cleared" if answer != "Unknown" else "the charge point did not hold it"
        cleared = await asyncio.to_thread(_mark_cleared, charge_point_id, params, detail)
    log.info(
        "charging profiles cleared",
        extra={"cp": charge_point_id, "answer": answer, "cleared": len(cleared)},
    )
    return ClearResult(command=command, cleared=cleared)


# --- composite schedules ----------------------------------------------------------------------


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
        id=row.id,
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
        cp = session.get(ChargePoint, charge_point_id)
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
    connector_id: int,
    duration: int,
    unit: str | None,
    requested_by: str,
    timeout: float | None = None,
) -> CompositeView:
    """Ask the charge point for its schedule on `connector_id` (0: the whole charge point) for
    the next `duration` seconds in `unit` (W, A, or None: the charge point's choice); the
    answer is stored and returned."""
    params: dict[str, Any] = {
        "connector_id": _connector_number(connector_id),
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


# --- lists ------------------------------------------------------------------------------------


def list_profiles(charge_point_id: int, active_only: bool = True) -> list[ProfileView]:
    """A charge point's profiles, newest first; active_only: installed and in force."""
    query = select(StoredChargingProfile).where(
        StoredChargingProfile.charge_point_id == charge_point_id
    )
    if active_only:
        query = query.where(StoredChargingProfile.status == ProfileStatus.ACCEPTED)
    query = query.order_by(
        col(StoredChargingProfile.created_at).desc(), col(StoredChargingProfile.id).desc()
    )
    with read_session() as session:
        views = _views(session, list(session.exec(query).all()))
    return [v for v in views if v.is_active] if active_only else views


def profile_summary(profile: ChargingProfile) -> str:
    """ "0 min 7400 W, 30 min 3700 W" for tables."""
    unit = profile.schedule.charging_rate_unit.value
    return ", ".join(
        f"{_offset(p.start_period)} {p.limit.normalize():f} {unit}"
        for p in profile.schedule.periods
    )


def _offset(seconds: int) -> str:
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
