"""Stored charging profiles as the operator sees them (with ended / expired), and back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.control.commands import CommandView
from ccms_app.control.models import ProfileStatus, StoredChargingProfile
from ccms_app.core.db import read_session
from ccms_app.core.rows import existing, stored_id
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint
from ocpp_server.smart_charging.parsing import profile_from_ocpp
from ocpp_server.smart_charging.profiles import ChargingProfile, Purpose
from ocpp_server.smart_charging.to_ocpp import periods_to_ocpp

ENDED = "ended"  # shown for an accepted TxProfile whose transaction is over
EXPIRED = "expired"  # shown for an accepted profile past its validTo


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


def profile_columns(profile: ChargingProfile) -> dict[str, Any]:
    """The StoredChargingProfile columns that hold `profile`."""
    schedule = profile.schedule
    rate = schedule.min_charging_rate
    return {
        "charging_profile_id": profile.charging_profile_id,
        "stack_level": profile.stack_level,
        "purpose": profile.purpose.value,
        "kind": profile.kind.value,
        "recurrency_kind": profile.recurrency_kind.value if profile.recurrency_kind else None,
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "transaction_id": profile.transaction_id,
        "charging_rate_unit": schedule.charging_rate_unit.value,
        "duration": schedule.duration,
        "start_schedule": schedule.start_schedule,
        "periods_json": json.dumps(periods_to_ocpp(schedule.periods)),
        "min_charging_rate": float(rate) if rate is not None else None,
    }


def _profile_view(
    row: StoredChargingProfile,
    identity: str,
    session_status: str | None,
    command: CommandView | None = None,
) -> ProfileView:
    return ProfileView(
        id=stored_id(row.id),
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


def profile_views(session: Session, rows: list[StoredChargingProfile]) -> list[ProfileView]:
    identities: dict[int, str] = {}
    views = []
    for row in rows:
        if row.charge_point_id not in identities:
            cp = existing(session, ChargePoint, row.charge_point_id)
            identities[row.charge_point_id] = cp.identity
        tx = session.get(ChargingSession, row.transaction_id) if row.transaction_id else None
        views.append(_profile_view(row, identities[row.charge_point_id], tx.status if tx else None))
    return views


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
        views = profile_views(session, list(session.exec(query).all()))
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
