"""JSON for OCPP-J frames: orjson on the hot path, the standard json module as the judge.

orjson is several times faster than json but differs from it on some input: it refuses NaN,
Infinity, lone surrogate escapes ("\\ud800"), byte order marks and non-UTF-8 bytes (json
decodes bytes as UTF-16/32 too) and turns integers beyond 64 bits into floats. Any frame orjson
refuses, and any frame holding a run of 19 or more digits, is parsed again by json, so what a
charge point gets for odd input (and what the sink sees) is exactly what json alone gave.
Serialising falls back to json the same way (integers beyond 64 bits, lone surrogates, NaN).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGITS = b"0" * 19
_NULL = b"null"


def _might_be_big_integer(raw: str | bytes) -> bool:
    """True when the frame has 19+ digits in a row: an integer orjson may turn into a float.
    (Every digit becomes "0", then one substring search: a few times faster than a regex.)"""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return _LONG_DIGITS in data.translate(_DIGITS_AS_ZERO)


class NestingError(ValueError):
    """A frame nested deeper than any OCPP message (orjson stops at 1,024 levels, json at the
    interpreter's recursion limit, with a RecursionError that is no ValueError)."""


def loads(raw: str | bytes) -> Any:
    """Parse one frame; raises what json.loads raises (ValueError, UnicodeDecodeError), and
    NestingError (a ValueError) for a frame nested too deeply to parse."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _json_loads(raw)
    if _might_be_big_integer(raw):
        return _json_loads(raw)
    return data


def _json_loads(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except RecursionError:
        raise NestingError("the frame is nested too deeply") from None


def _default(value: Any) -> Any:
    """Decimals (charging limits) as the ocpp library writes them: a float with 1 decimal."""
    if isinstance(value, Decimal):
        return float(f"{float(value):.1f}")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(data: Any) -> str:
    """Compact JSON text of a frame (UTF-8 text, not \\u escapes, when orjson can write it).

    orjson writes NaN and Infinity as null: output holding null is written by json again
    (payloads rarely hold a real null; Nones are removed from replies)."""
    try:
        text = orjson.dumps(data, default=_default)
        if _NULL not in text:
            return text.decode()
    except (TypeError, orjson.JSONEncodeError):
        pass
    return json.dumps(data, separators=(",", ":"), default=_default)


def canonical(data: Any) -> bytes:
    """Equal for equal data whatever the key order or spacing (to recognise a resent CALL)."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        if _NULL not in text:
            return text
    except (TypeError, orjson.JSONEncodeError):
        pass
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def is_unicode(data: Any) -> bool:
    """False when `data` holds a lone surrogate (e.g. from "\\ud800"): valid JSON, but no
    UTF-8 text, so no database column, can hold it."""
    try:
        orjson.dumps(data)
        return True
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True
