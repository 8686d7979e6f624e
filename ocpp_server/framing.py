"""OCPP-J 1.6 framing: parse frames, validate CALL payloads, build CALLERRORs.

Why not the ocpp library's `unpack`/`validate_payload`: the library (2.1.0) only logs a frame it
cannot parse and answers nothing, spells two error codes the OCPP 2.0.1 way ("FormatViolation",
"OccurrenceConstraintViolation") and maps a missing required field to ProtocolError and a bad
enum value to FormatViolation. A 1.6 charge point must get 1.6 codes, so this module owns the
decisions (the library's message classes are reused):

Frame level (the RPC envelope, OCPP-J 1.6 section 4):
- not valid JSON (or not UTF-8)                        -> FormationViolation
- valid JSON but not an OCPP-J frame: not an array,
  wrong element count, MessageTypeId not 2/3/4,
  UniqueId or Action not a string                      -> ProtocolError (the frame is incomplete
                                                          or not the RPC structure; the payload
                                                          itself was never looked at)
- a CALL whose payload is not a JSON object            -> FormationViolation
The UniqueId is echoed when it can be read (a string in position 1), otherwise "-1".
An unknown MessageTypeId is answered too, without looking at the rest (section 4.1.3 says
the payload SHALL be ignored).
A malformed CALLRESULT/CALLERROR is never answered (one must not reply to a reply).

Payload level (JSON schema of the action, keyword of the failing rule):
- type, minLength, maxLength                           -> TypeConstraintViolation
                                                          (CiStringNType is a type in 1.6)
- enum, minimum, maximum, pattern, format, multipleOf  -> PropertyConstraintViolation
- required, minItems, maxItems                         -> OccurenceConstraintViolation
- additionalProperties and anything else               -> FormationViolation
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeAlias

from jsonschema.exceptions import best_match
from ocpp.messages import Call, CallError, CallResult, MessageType, get_validator

OCPP_VERSION = "1.6"
UNKNOWN_MESSAGE_ID = "-1"

# The CallError codes OCPP-J 1.6 defines (section 4.2.3), with its historic spellings.
OCPP16_ERROR_CODES = frozenset(
    {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }
)
_TO_V16_SPELLING = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
}

_SCHEMA_KEYWORD_CODES = {
    "type": "TypeConstraintViolation",
    "minLength": "TypeConstraintViolation",
    "maxLength": "TypeConstraintViolation",
    "enum": "PropertyConstraintViolation",
    "minimum": "PropertyConstraintViolation",
    "maximum": "PropertyConstraintViolation",
    "exclusiveMinimum": "PropertyConstraintViolation",
    "exclusiveMaximum": "PropertyConstraintViolation",
    "pattern": "PropertyConstraintViolation",
    "format": "PropertyConstraintViolation",
    "multipleOf": "PropertyConstraintViolation",
    "required": "OccurenceConstraintViolation",
    "minItems": "OccurenceConstraintViolation",
    "maxItems": "OccurenceConstraintViolation",
}

Message: TypeAlias = Call | CallResult | CallError


def v16_error_code(code: str) -> str:
    """The OCPP 1.6 spelling of an error code; codes 1.6 does not know become GenericError."""
    code = _TO_V16_SPELLING.get(code, code)
    return code if code in OCPP16_ERROR_CODES else "GenericError"


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


class PayloadError(Exception):
    """A payload broke its action's JSON schema."""

    def __init__(self, code: str, description: str, path: str = "") -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.path = path


def parse_frame(raw: str | bytes) -> Message:
    """Turn one websocket message into a library Call / CallResult / CallError."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("FormationViolation", "Frame is not valid JSON") from None
    if not isinstance(data, list) or not data:
        raise FrameError("ProtocolError", "Frame is not a non-empty JSON array")
    type_id = data[0]
    message_id = data[1] if len(data) > 1 and isinstance(data[1], str) else UNKNOWN_MESSAGE_ID
    if type(type_id) is not int or type_id not in (2, 3, 4):
        raise FrameError("ProtocolError", f"Unknown MessageTypeId {type_id!r}", message_id)
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
        raise fail("ProtocolError", f"A CALL has 4 elements, got {len(data)}")
    if not isinstance(data[1], str):
        raise fail("ProtocolError", "UniqueId must be a string", UNKNOWN_MESSAGE_ID)
    if not isinstance(data[2], str):
        raise fail("ProtocolError", "Action must be a string")
    if not isinstance(data[3], dict):
        raise fail("FormationViolation", "Payload must be a JSON object")
    return Call(data[1], data[2], data[3])


def _parse_call_result(data: list[Any], message_id: str) -> CallResult:
    if len(data) != 3 or not isinstance(data[1], str) or not isinstance(data[2], dict):
        raise FrameError(
            "ProtocolError",
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
            "ProtocolError",
            "A CALLERROR is [4, UniqueId, errorCode, errorDescription, {errorDetails}]",
            message_id,
            MessageType.CallError,
            reply=False,
        )
    return CallError(data[1], data[2], data[3], data[4])


def validate_call_payload(action: str, payload: dict[str, Any]) -> None:
    """Check a CALL payload against the action's OCPP 1.6 schema; raise PayloadError."""
    _validate(get_validator(MessageType.Call, action, OCPP_VERSION), payload)


def validate_call_result_payload(action: str, payload: dict[str, Any]) -> None:
    """Check one of our own replies, so a bug never reaches a charge point as a bad reply."""
    _validate(get_validator(MessageType.CallResult, action, OCPP_VERSION), payload)


def _validate(validator: Any, payload: dict[str, Any]) -> None:
    error = best_match(validator.iter_errors(payload))
    if error is None:
        return
    code = _SCHEMA_KEYWORD_CODES.get(str(error.validator), "FormationViolation")
    path = "/".join(str(part) for part in error.absolute_path)
    raise PayloadError(code, error.message[:200], path)


def call_error_frame(
    message_id: str, code: str, description: str = "", details: dict[str, Any] | None = None
) -> str:
    """A CALLERROR frame in OCPP 1.6 spelling."""
    return json.dumps(
        [MessageType.CallError, message_id, v16_error_code(code), description, details or {}],
        separators=(",", ":"),
    )


@dataclass(frozen=True)
class FrameSummary:
    """What the message log needs to know about a frame we already serialised."""

    message_type: int | None
    message_id: str = ""
    action: str = ""
    error_code: str = ""


def summarize(raw: str) -> FrameSummary:
    """Best-effort summary of a serialised frame (for frames the library sends itself)."""
    try:
        data = json.loads(raw)
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
