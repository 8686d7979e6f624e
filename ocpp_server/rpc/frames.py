"""The OCPP-J envelope: parse a websocket message into a CALL / CALLRESULT / CALLERROR, and
serialise ours. The same for OCPP 1.6 and 2.0.1; the library's message classes are reused.

Error codes raised here use the names of OCPP-J 2.0.1 (which the ocpp library uses too); a
`ProtocolVersion` spells them for its version before anything is sent (1.6: FormationViolation).

- not valid JSON (or not UTF-8)                        -> FormatViolation
- valid JSON but not an OCPP-J frame: not an array,
  wrong element count, MessageTypeId not 2/3/4,
  UniqueId or Action not a string                      -> ProtocolError (the frame is incomplete
                                                          or not the RPC structure; the payload
                                                          itself was never looked at)
- a CALL whose payload is not a JSON object            -> FormatViolation
The UniqueId is echoed when it can be read (a string in position 1), otherwise "-1".
An unknown MessageTypeId is answered too, without looking at the rest (OCPP-J 1.6 section
4.1.3 says the payload SHALL be ignored).
A malformed CALLRESULT/CALLERROR is never answered (one must not reply to a reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from ocpp.messages import Call, CallError, CallResult, MessageType

from ocpp_server.rpc import codec

UNKNOWN_MESSAGE_ID = "-1"
FORMAT_VIOLATION = "FormatViolation"
PROTOCOL_ERROR = "ProtocolError"

Message: TypeAlias = Call | CallResult | CallError


class FrameError(Exception):
    """A frame that cannot be routed, with the CALLERROR it deserves (if any)."""

    def __init__(
        self,
        code: str,
        description: str,
        message_id: str = UNKNOWN_MESSAGE_ID,
        message_type: int | None = None,
        reply: bool = True,
        action: str = "",
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.message_id = message_id
        self.message_type = message_type
        self.reply = reply
        self.action = action


def parse_frame(raw: str | bytes) -> Message:
    """Turn one websocket message into a library Call / CallResult / CallError."""
    try:
        data = codec.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError(FORMAT_VIOLATION, "Frame is not valid JSON") from None
    if not isinstance(data, list) or not data:
        raise FrameError(PROTOCOL_ERROR, "Frame is not a non-empty JSON array")
    type_id = data[0]
    message_id = data[1] if len(data) > 1 and isinstance(data[1], str) else UNKNOWN_MESSAGE_ID
    if type(type_id) is not int or type_id not in (2, 3, 4):
        raise FrameError(PROTOCOL_ERROR, f"Unknown MessageTypeId {type_id!r}", message_id)
    if type_id == MessageType.Call:
        return _parse_call(data, message_id)
    if type_id == MessageType.CallResult:
        return _parse_call_result(data, message_id)
    return _parse_call_error(data, message_id)


def _parse_call(data: list[Any], message_id: str) -> Call:
    action = data[2] if len(data) > 2 and isinstance(data[2], str) else ""

    def fail(code: str, why: str, msg_id: str = message_id) -> FrameError:
        return FrameError(code, why, msg_id, MessageType.Call, action=action)

    if len(data) != 4:
        raise fail(PROTOCOL_ERROR, f"A CALL has 4 elements, got {len(data)}")
    if not isinstance(data[1], str):
        raise fail(PROTOCOL_ERROR, "UniqueId must be a string", UNKNOWN_MESSAGE_ID)
    if not isinstance(data[2], str):
        raise fail(PROTOCOL_ERROR, "Action must be a string")
    if not isinstance(data[3], dict):
        raise fail(FORMAT_VIOLATION, "Payload must be a JSON object")
    return Call(data[1], data[2], data[3])


def _parse_call_result(data: list[Any], message_id: str) -> CallResult:
    if len(data) != 3 or not isinstance(data[1], str) or not isinstance(data[2], dict):
        raise FrameError(
            PROTOCOL_ERROR,
            "A CALLRESULT is [3, UniqueId, {payload}]",
            message_id,
            MessageType.CallResult,
            reply=False,
        )
    return CallResult(data[1], data[2])


def _parse_call_error(data: list[Any], message_id: str) -> CallError:
    valid = (
        len(data) == 5
        and isinstance(data[1], str)
        and isinstance(data[2], str)
        and isinstance(data[3], str)
        and isinstance(data[4], dict)
    )
    if not valid:
        raise FrameError(
            PROTOCOL_ERROR,
            "A CALLERROR is [4, UniqueId, errorCode, errorDescription, {errorDetails}]",
            message_id,
            MessageType.CallError,
            reply=False,
        )
    return CallError(data[1], data[2], data[3], data[4])


def call_frame(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    return codec.dumps([MessageType.Call, unique_id, action, payload])


def call_result_frame(unique_id: str, payload: dict[str, Any]) -> str:
    return codec.dumps([MessageType.CallResult, unique_id, payload])


def call_error_frame(
    message_id: str, code: str, description: str = "", details: dict[str, Any] | None = None
) -> str:
    """A CALLERROR frame; `code` must already be spelled for the connection's OCPP version."""
    return codec.dumps([MessageType.CallError, message_id, code, description, details or {}])


@dataclass(frozen=True)
class FrameSummary:
    """What the message log needs to know about a frame."""

    message_type: int | None
    message_id: str = ""
    action: str = ""
    error_code: str = ""


def summarize(raw: str) -> FrameSummary:
    """Best-effort summary of a serialised frame."""
    try:
        data = codec.loads(raw)
    except ValueError:
        return FrameSummary(None)
    if not isinstance(data, list) or len(data) < 2 or data[0] not in (2, 3, 4):
        return FrameSummary(None)
    message_id = str(data[1])
    if data[0] == MessageType.Call and len(data) > 2:
        return FrameSummary(2, message_id, action=str(data[2]))
    if data[0] == MessageType.CallError and len(data) > 2:
        return FrameSummary(4, message_id, error_code=str(data[2]))
    return FrameSummary(int(data[0]), message_id)
