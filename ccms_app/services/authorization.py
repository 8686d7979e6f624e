"""Id tag checks for Authorize and StartTransaction, read from the id tag table."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select

from ccms_app.domain.authorization import id_tag_status
from ccms_app.models import (
    ChargePoint,
    ChargingSession,
    IdTag,
    IdTagStatus,
    RegistrationState,
    SessionStatus,
)
from ocpp_server.ports import IdTagInfo


def check_id_tag(
    session: Session,
    id_tag: str,
    charge_point: ChargePoint | None,
    now: datetime,
    ignore_session_id: int | None = None,
) -> IdTagInfo:
    """IdTagInfo for `id_tag` on `charge_point`, including ConcurrentTx when the tag is already
    charging elsewhere (a session other than `ignore_session_id`)."""
    # OCPP IdTokens are case-insensitive.
    tag = session.exec(select(IdTag).where(func.lower(IdTag.id_tag) == id_tag.lower())).first()
    busy = False
    if tag is not None:
        query = select(ChargingSession.id).where(
            func.lower(ChargingSession.id_tag) == id_tag.lower(),
            ChargingSession.status == SessionStatus.ACTIVE,
        )
        if ignore_session_id is not None:
            query = query.where(ChargingSession.id != ignore_session_id)
        busy = session.exec(query).first() is not None
    status = id_tag_status(
        known=tag is not None,
        blocked=tag is not None and tag.status == IdTagStatus.BLOCKED,
        expiry=tag.expiry_date if tag else None,
        now=now,
        in_other_transaction=busy,
        charge_point_registered=charge_point is not None
        and charge_point.registration_state == RegistrationState.REGISTERED,
    )
    return IdTagInfo(
        status=status,
        expiry_date=tag.expiry_date if tag else None,
        parent_id_tag=tag.parent_id_tag if tag else None,
    )
