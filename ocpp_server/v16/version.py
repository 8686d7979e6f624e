"""OCPP 1.6J as a ProtocolVersion: its actions, schemas, error spellings and payload mapping.

The schemas are the ocpp library's bundled 1.6 JSON schemas (ocpp/v16/schemas: `X.json` for a
CALL, `XResponse.json` for its CALLRESULT). Charging limits (multipleOf 0.1) are validated on
Decimal numbers, as the library does: SetChargingProfile and RemoteStartTransaction CALLs and
GetCompositeSchedule replies.
"""

from __future__ import annotations

from pathlib import Path

import ocpp
from ocpp.v16.enums import Action

from ocpp_server.rpc.protocol import ProtocolVersion
from ocpp_server.rpc.schemas import CALL, CALL_RESULT, SchemaSet
from ocpp_server.v16.errors import SCHEMA_DEFAULT_CODE, SCHEMA_KEYWORD_CODES, v16_error_code
from ocpp_server.v16.payloads import request_to_call, typed_result

SUBPROTOCOL = "ocpp1.6"
SCHEMA_DIR = Path(ocpp.__file__).parent / "v16" / "schemas"


def schema_file(message_type: int, action: str) -> str:
    return f"{action}Response.json" if message_type == CALL_RESULT else f"{action}.json"


SCHEMAS = SchemaSet(
    directory=SCHEMA_DIR,
    file_name=schema_file,
    keyword_codes=SCHEMA_KEYWORD_CODES,
    default_code=SCHEMA_DEFAULT_CODE,
    decimal_schemas=frozenset(
        {
            (CALL, "SetChargingProfile"),
            (CALL, "RemoteStartTransaction"),
            (CALL_RESULT, "GetCompositeSchedule"),
        }
    ),
)

V16 = ProtocolVersion(
    name="1.6",
    subprotocol=SUBPROTOCOL,
    actions=frozenset(action.value for action in Action),
    schemas=SCHEMAS,
    spell=v16_error_code,
    request_to_call=request_to_call,
    typed_result=typed_result,
)
