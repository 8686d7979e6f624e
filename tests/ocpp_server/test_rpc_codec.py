"""ocpp_server.rpc.codec: orjson where it agrees with json, json wherever it might not.

A charge point must see exactly what the standard json module gave before orjson was used:
the same parse (big integers stay integers, NaN and lone surrogates parse, UTF-16 bytes
decode) and the same errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocpp.v16.enums import RegistrationStatus

from ocpp_server.rpc import codec

ODD_BUT_JSON = [
    "123456789012345678901234567890",  # beyond 64 bits: orjson gives a float
    "[18446744073709551615, -9223372036854775809]",
    "[1, NaN, Infinity, -Infinity]",
    '"\\ud800"',  # lone surrogate escape
    "1E400",
    '{"a": 1, "a": 2}',
]


@pytest.mark.parametrize("text", ODD_BUT_JSON)
def test_loads_is_json_loads_on_odd_input(text: str) -> None:
    expected = json.loads(text)
    parsed = codec.loads(text)
    assert repr(parsed) == repr(expected)  # repr: NaN != NaN, 1 == 1.0
    assert repr(codec.loads(text.encode("utf-8", "surrogatepass"))) == repr(expected)


def test_loads_decodes_bytes_as_json_does() -> None:
    frame = '[2,"1","Heartbeat",{}]'
    assert codec.loads(frame.encode("utf-16")) == json.loads(frame.encode("utf-16"))


@pytest.mark.parametrize("text", ["", "{not json", "\ufeff[1]", "[1,]", '"\x01"'])
def test_loads_rejects_what_json_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        codec.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, derandomize=True, database=None)
@given(json_values)
def test_round_trip_matches_json(value: Any) -> None:
    text = json.dumps(value)
    assert repr(codec.loads(text)) == repr(json.loads(text))
    assert json.loads(codec.dumps(value)) == json.loads(text)


def test_dumps_writes_decimals_and_enums_as_the_ocpp_library_does() -> None:
    status = RegistrationStatus.accepted
    frame = codec.dumps([2, "1", "X", {"limit": Decimal("16.25"), "status": status}])
    assert json.loads(frame) == [2, "1", "X", {"limit": 16.2, "status": "Accepted"}]


def test_dumps_falls_back_for_what_orjson_cannot_write() -> None:
    assert json.loads(codec.dumps({"n": 10**30, "s": "\ud800"})) == {"n": 10**30, "s": "\ud800"}


def test_is_unicode_spots_lone_surrogates() -> None:
    assert codec.is_unicode(["1", "DataTransfer", {"vendorId": "é", "n": 10**30}])
    assert not codec.is_unicode(["1", "DataTransfer", {"vendorId": "\ud800"}])


def test_canonical_ignores_key_order() -> None:
    assert codec.canonical({"a": 1, "b": [{"y": 1, "x": 2}]}) == codec.canonical(
        {"b": [{"x": 2, "y": 1}], "a": 1}
    )
