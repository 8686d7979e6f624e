"""OCPP 1.6 payloads (camelCase JSON) <-> the ocpp library's v16 dataclasses (snake_case).

The keys are converted exactly as the library converts them (its public camel_to_snake_case /
snake_to_camel_case), but each distinct key only once: the library runs two regular
expressions per key per message, which cost more than the rest of a MeterValues CALL. Nested
parts stay dicts and lists, as the library hands them to its handlers (`meter_value`,
`sampled_value`, `transaction_data` ...). A payload has passed its schema before it is
converted, so only the schema's keys reach the caches; they are bounded anyway.
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
_NESTED = (dict, list)
_SNAKE: dict[str, str] = {}
_CAMEL: dict[str, str] = {}
_SNAKE_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _snake_key(key: str) -> str:
    found = _SNAKE.get(key)
    if found is None:
        found = next(iter(camel_to_snake_case({key: None})))
        if len(_SNAKE) < _CACHE_MAX:
            _SNAKE[key] = found
    return found


def _camel_key(key: str) -> str:
    found = _CAMEL.get(key)
    if found is None:
        found = next(iter(snake_to_camel_case({key: None})))
        if len(_CAMEL) < _CACHE_MAX:
            _CAMEL[key] = found
    return found


def _snake_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    found = _SNAKE_KEYS.get(keys)
    if found is None:
        found = tuple(_snake_key(key) for key in keys)
        if len(_SNAKE_KEYS) < _CACHE_MAX:
            _SNAKE_KEYS[keys] = found
    return found


def to_snake(data: Any) -> Any:
    """camel_to_snake_case(data), with the key conversions cached (per key set: the objects
    of one schema share a few)."""
    if isinstance(data, dict):
        values = [
            to_snake(value) if isinstance(value, dict | list) else value for value in data.values()
        ]
        return dict(zip(_snake_keys(tuple(data)), values, strict=True))
    if isinstance(data, list):
        return [to_snake(value) if isinstance(value, dict | list) else value for value in data]
    return data


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
