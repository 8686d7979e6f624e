"""The OCPP message log: every frame in and out, stored raw.

Frames are not awaited: they ride along with the next group-commit batch as one multi-row
INSERT (DbWriter.insert_later). A CALL's frame is queued before its handler's unit, so it is
committed no later than the business data the reply confirms.
"""

from __future__ import annotations

from typing import Any

from ccms_app.control.models import OcppMessage
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.rows import table_of
from ccms_app.core.types import utc_now
from ocpp_server.ports import FrameRecord

MESSAGE_TABLE = table_of(OcppMessage)


def frame_values(frame: FrameRecord) -> dict[str, Any]:
    """The ocpp_message row for one frame (columns as OcppMessage declares them)."""
    return {
        "charge_point_identity": frame.identity[:64],
        "direction": frame.direction,
        "message_type": frame.message_type,
        "message_id": frame.message_id[:64],
        "action": frame.action[:64],
        "payload": frame.raw,
        "error_code": frame.error_code[:64],
        "created_at": frame.at or utc_now(),
    }


def log_frame(writer: DbWriter, frame: FrameRecord) -> None:
    writer.insert_later(MESSAGE_TABLE, frame_values(frame))
