"""OCPP-J 1.6 CALLERROR codes (section 4.2.3), with its historic spellings.

The ocpp library (2.1.0) spells two codes the OCPP 2.0.1 way ("FormatViolation",
"OccurrenceConstraintViolation"), maps a missing required field to ProtocolError and a bad
enum value to FormatViolation. A 1.6 charge point gets 1.6 codes:

Payload level (JSON schema of the action, keyword of the failing rule):
- type, minLength, maxLength                           -> TypeConstraintViolation
                                                          (CiStringNType is a type in 1.6)
- enum, minimum, maximum, pattern, format, multipleOf  -> PropertyConstraintViolation
- required, minItems, maxItems                         -> OccurenceConstraintViolation
- additionalProperties and anything else               -> FormationViolation
"""

from __future__ import annotations

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

SCHEMA_KEYWORD_CODES = {
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
SCHEMA_DEFAULT_CODE = "FormationViolation"


def v16_error_code(code: str) -> str:
    """The OCPP 1.6 spelling of an error code; codes 1.6 does not know become GenericError."""
    code = _TO_V16_SPELLING.get(code, code)
    return code if code in OCPP16_ERROR_CODES else "GenericError"
