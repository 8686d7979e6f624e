"""SetChargingProfile and ClearChargingProfile, each recorded with the charge point's answer.

A profile is a row first (status requested, its OCPP chargingProfileId assigned here), then a
SetChargingProfile command whose answer sets its status: accepted | rejected, or failed |
timed_out | offline. An accepted profile replaces the charge point's earlier one with the same
id, or with the same stack level and purpose on the same connector (status replaced), as the
charge point itself does. A ClearChargingProfile marks what it matched as cleared.
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

from sqlmodel import Session, func, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.control.commands import CommandView, UnknownChargePointError, send_command
from ccms_app.control.models import CommandStatus, ProfileStatus, StoredChargingProfile
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.smart_charging.profile_views import (
    ProfileView,
    profile_columns,
    profile_views,
)
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import existing, stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector
from ocpp_server.smart_charging.parsing import profile_from_ocpp
from ocpp_server.smart_charging.profiles import ChargingProfile, ProfileError, Purpose
from ocpp_server.smart_charging.validation import validate_profile

log = logging.getLogger(__name__)


class ProfileInputError(CommandInputError):
    """The profile or request is not acceptable; the message names the field."""


@dataclass(frozen=True)
class ClearResult:
    command: CommandView
    cleared: list[ProfileView]


def connector_number(raw: Any, name: str = "connector_id") -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ProfileInputError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ProfileInputError(tr("{name} must be 0 or more, got {value}", name=name, value=value))
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
        raise ProfileInputError(
            tr(
                "{identity} has no connector {connector_id}",
                identity=cp.identity,
                connector_id=connector_id,
            )
        )
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
            tr(
                "transactionId {transaction_id} is not running on "
                "connector {connector_id} of {identity}",
                transaction_id=profile.transaction_id,
                connector_id=connector_id,
                identity=cp.identity,
            )
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
            raise UnknownChargePointError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        _check_target(session, cp, connector_id, draft)
        profile = draft
        cp_id = stored_id(cp.id)
        if draft.charging_profile_id <= 0:
            new_id = _next_profile_id(session, cp_id)
            profile = dataclasses.replace(draft, charging_profile_id=new_id)
        row = StoredChargingProfile(
            organisation_id=cp.organisation_id,
            charge_point_id=cp_id,
            connector_id=connector_id,
            created_by=requested_by,
            **profile_columns(profile),
        )
        session.add(row)
        session.flush()
        return stored_id(row.id), profile


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
        row = existing(session, StoredChargingProfile, row_id)
        row.status, row.detail, row.updated_at = status, detail[:300], now
        row.command_id = command.id if command and command.id else row.command_id
        session.add(row)
        if status == ProfileStatus.ACCEPTED:
            _replace_earlier(session, row, now)
        session.flush()
        view = profile_views(session, [row])[0]
        return dataclasses.replace(view, command=command)


async def set_profile(
    charge_point_id: int,
    connector_id: int | str,
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
    connector_id = connector_number(connector_id)
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
        return profile_views(session, rows)


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
