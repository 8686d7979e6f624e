"""OCPP 1.6 payloads (camelCase JSON) <-> the ocpp library's v16 dataclasses (snake_case).

A reply's keys are converted exactly as the library converts them (its public
snake_to_camel_case), but each distinct key only once: the library runs regular expressions
per key per message, which cost more than the rest of a CALL. Only a dataclass's own field
names and the schema's keys reach the cache; it is bounded anyway. (Charger CALLs are read
without a conversion: ocpp_server.v16.mappers.)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.v16 import call_result

_CACHE_MAX = 4096
_CAMEL: dict[str, str] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _camel_key(key: str) -> str:
    found = _CAMEL.get(key)
    if found is None:
        found = next(iter(snake_to_camel_case({key: None})))
        if len(_CAMEL) < _CACHE_MAX:
            _CAMEL[key] = found
    return found


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_camel(value: Any) -> Any:
    """A reply dataclass as its camelCase payload without None values: the same as the
    library's snake_to_camel_case(remove_nones(serialize_as_dict(value)))."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ((name, getattr(value, name)) for name in _field_names(type(value)))
        return {_camel_key(name): to_camel(item) for name, item in fields if item is not None}
    if isinstance(value, dict):
        return {_camel_key(key): to_camel(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [to_camel(item) for item in value if item is not None]
    return value


def request_to_call(request: Any) -> tuple[str, dict[str, Any]]:
    """A CommandPort request (a v16 `call.*` dataclass) as its action and CALL payload,
    converted by the library's own functions (commands are rare; exactness matters more)."""
    payload = remove_nones(snake_to_camel_case(serialize_as_dict(request)))
    assert isinstance(payload, dict)
    return type(request).__name__, payload


def typed_result(action: str, payload: dict[str, Any]) -> Any:
    """The charge point's CALLRESULT payload as the v16 `call_result.<action>` dataclass."""
    return getattr(call_result, action)(**camel_to_snake_case(payload))
