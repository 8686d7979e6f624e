"""Payload validation against an OCPP version's JSON schemas, compiled once per action.

The hot path is a fastjsonschema validator compiled from the schema file the first time an
action is seen (a MeterValues payload is checked in a few microseconds instead of ~100 us with
jsonschema). Only when it rejects a payload does the full jsonschema Draft 4 validator run:
it decides (so a payload is valid exactly when jsonschema says so, as before) and its best
match names the failing rule, which the version maps to its CALLERROR code.

The schema is rewritten into an equivalent one before compiling (`compile_fast`: no `format`,
which the full validator never checked, and string enums as set lookups). Schemas with
`multipleOf` on decimals (1.6: charging limits) are left to the full validator on a
Decimal-parsed payload, as the ocpp library does: binary floats are no multiples of 0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

from ocpp_server.rpc import codec

CALL = 2
CALL_RESULT = 3
_ERROR_TEXT_MAX = 200

FastValidator = Callable[[Any], Any]


class PayloadError(Exception):
    """A payload broke its action's JSON schema (code already in the version's spelling)."""

    def __init__(self, code: str, description: str, path: str = "") -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.path = path


class UnknownSchemaError(LookupError):
    """The version has no schema for this action (and message type)."""


_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions"})


class _FastSchema:
    """Rewrites a schema into an equivalent one fastjsonschema runs quickly.

    - `format` is dropped: the full validator (no format checker) never checked it;
    - an `enum` of strings becomes a custom format backed by a frozenset (fastjsonschema
      compares an enum value by value, 22 comparisons for a 1.6 measurand);
    - `additionalProperties` beside `"type": "string"` is dropped (it applies to objects only;
      the 1.6 schemas put it on every enum field).
    """

    def __init__(self) -> None:
        self.formats: dict[str, Callable[[str], bool]] = {}

    def rewrite(self, schema: Any) -> Any:
        if isinstance(schema, list):
            return [self.rewrite(item) for item in schema]
        if not isinstance(schema, dict):
            return schema
        result: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "format" and isinstance(value, str):
                continue
            if key in _NAME_MAPS and isinstance(value, dict):
                result[key] = {name: self.rewrite(sub) for name, sub in value.items()}
            else:
                result[key] = self.rewrite(value)
        return self._string_enum(result)

    def _string_enum(self, schema: dict[str, Any]) -> dict[str, Any]:
        values = schema.get("enum")
        is_string = schema.get("type", "string") == "string"
        if not (is_string and isinstance(values, list) and values):
            return schema
        if not all(isinstance(value, str) for value in values):
            return schema
        name = f"ccms-enum-{len(self.formats)}"
        self.formats[name] = frozenset(values).__contains__
        schema = {k: v for k, v in schema.items() if k not in ("enum", "additionalProperties")}
        return {**schema, "type": "string", "format": name}


def compile_fast(schema: dict[str, Any]) -> FastValidator:
    """A fastjsonschema validator accepting exactly what Draft4Validator(schema) accepts
    (without a format checker), for the schema constructs the OCPP schemas use."""
    fast = _FastSchema()
    rewritten = fast.rewrite(schema)
    return fastjsonschema.compile(rewritten, formats=fast.formats)


@dataclass(frozen=True)
class _Compiled:
    full: Draft4Validator
    fast: FastValidator | None  # None: decimal schema, the full validator always decides


class SchemaSet:
    """The JSON schemas of one OCPP version, read from a directory of the ocpp library.

    `file_name(message_type, action)` names an action's schema file; `keyword_codes` maps the
    failing JSON-schema keyword to the version's CALLERROR code (`default_code` otherwise);
    `decimal_schemas` are the (message type, action) pairs validated on Decimal numbers.
    Validators are compiled on first use and kept for the life of the process.
    """

    def __init__(
        self,
        directory: Path,
        file_name: Callable[[int, str], str],
        keyword_codes: Mapping[str, str],
        default_code: str,
        decimal_schemas: frozenset[tuple[int, str]] = frozenset(),
    ) -> None:
        self.directory = directory
        self.file_name = file_name
        self.keyword_codes = keyword_codes
        self.default_code = default_code
        self.decimal_schemas = decimal_schemas
        self._compiled: dict[tuple[int, str], _Compiled] = {}

    def check_call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Raise PayloadError unless `payload` fits the CALL schema; return the payload."""
        return self._check(CALL, action, payload)

    def check_call_result(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Raise PayloadError unless `payload` fits the CALLRESULT schema; return the payload
        (Decimal-parsed for a decimal schema, as the ocpp library hands it over)."""
        return self._check(CALL_RESULT, action, payload)

    def _check(self, message_type: int, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        compiled = self._compiled.get((message_type, action)) or self._compile(message_type, action)
        if compiled.fast is not None:
            try:
                compiled.fast(payload)
                return payload
            except fastjsonschema.JsonSchemaException:
                pass  # the full validator decides and names the rule
        else:
            payload = json.loads(codec.dumps(payload), parse_float=Decimal)
        error = best_match(compiled.full.iter_errors(payload))
        if error is None:
            return payload
        code = self.keyword_codes.get(str(error.validator), self.default_code)
        path = "/".join(str(part) for part in error.absolute_path)
        raise PayloadError(code, error.message[:_ERROR_TEXT_MAX], path)

    def _compile(self, message_type: int, action: str) -> _Compiled:
        """Compile once; an action without a schema file raises UnknownSchemaError."""
        path = self.directory / self.file_name(message_type, action)
        if not action.isidentifier() or not path.is_file():
            raise UnknownSchemaError(f"no schema for {action!r}")
        text = path.read_text(encoding="utf-8-sig")
        if (message_type, action) in self.decimal_schemas:
            compiled = _Compiled(Draft4Validator(json.loads(text, parse_float=Decimal)), None)
        else:
            schema = json.loads(text)
            compiled = _Compiled(Draft4Validator(schema), compile_fast(schema))
        self._compiled[(message_type, action)] = compiled
        return compiled
