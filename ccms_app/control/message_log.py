"""The OCPP message log: every frame in and out, stored raw."""

from __future__ import annotations

from sqlmodel import Session

from ccms_app.control.models import OcppMessage
from ccms_app.core.types import utc_now
from ocpp_server.ports import FrameRecord


def frame_row(frame: FrameRecord) -> OcppMessage:
    return OcppMessage(
        charge_point_identity=frame.identity[:64],
        direction=frame.direction,
        message_type=frame.message_type,
        message_id=frame.message_id[:64],
        action=frame.action[:64],
        payload=frame.raw,
        error_code=frame.error_code[:64],
        created_at=frame.at or utc_now(),
    )


def store_frames(session: Session, frames: list[FrameRecord]) -> None:
    session.add_all([frame_row(f) for f in frames])
