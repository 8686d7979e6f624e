"""OCPP-J 1.6 framing in one place: the envelope (ocpp_server.rpc.frames) with the 1.6
CALLERROR spellings (ocpp_server.v16.errors) and the 1.6 schemas (ocpp_server.v16.version).

Why not the ocpp library's `unpack`/`validate_payload`: the library (2.1.0) only logs a frame it
cannot parse and answers nothing, spells two error codes the OCPP 2.0.1 way and maps a
missing required field to ProtocolError and a bad enum value to FormatViolation; a 1.6 charge
point gets 1.6 codes. The frame-level rules are in ocpp_server.rpc.frames, the payload-level
ones in ocpp_server.v16.errors.
"""

from __future__ import annotations

from typing import Any

from ocpp_server.rpc import frames
from ocpp_server.rpc.frames import (
    UNKNOWN_MESSAGE_ID,
    FrameError,
    FrameSummary,
    Message,
    parse_frame,
    summarize,
)
from ocpp_server.rpc.schemas import PayloadError
from ocpp_server.v16.errors import OCPP16_ERROR_CODES, v16_error_code
from ocpp_server.v16.version import SCHEMAS

OCPP_VERSION = "1.6"

__all__ = [
    "OCPP16_ERROR_CODES",
    "OCPP_VERSION",
    "UNKNOWN_MESSAGE_ID",
    "FrameError",
    "FrameSummary",
    "Message",
    "PayloadError",
    "call_error_frame",
    "parse_frame",
    "summarize",
    "v16_error_code",
    "validate_call_payload",
    "validate_call_result_payload",
]


def validate_call_payload(action: str, payload: dict[str, Any]) -> None:
    """Check a CALL payload against the action's OCPP 1.6 schema; raise PayloadError."""
    SCHEMAS.check_call(action, payload)


def validate_call_result_payload(action: str, payload: dict[str, Any]) -> None:
    """Check a CALLRESULT payload against the action's OCPP 1.6 schema; raise PayloadError."""
    SCHEMAS.check_call_result(action, payload)


def call_error_frame(
    message_id: str, code: str, description: str = "", details: dict[str, Any] | None = None
) -> str:
    """A CALLERROR frame in OCPP 1.6 spelling."""
    return frames.call_error_frame(message_id, v16_error_code(code), description, details)
