"""ocpp_server.rpc.schemas: the precompiled validators accept exactly what the full jsonschema
validator accepts, for every OCPP 1.6 schema, and a failure still gets its 1.6 CALLERROR code.

Payloads are generated from each schema (hypothesis): mostly near-valid, with wrong types,
missing and extra fields, unknown enum values, strings around their maxLength, booleans where
numbers belong and numbers beyond 64 bits."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from ocpp_server.rpc.schemas import PayloadError, UnknownSchemaError, compile_fast
from ocpp_server.v16.version import SCHEMA_DIR, SCHEMAS

SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json"))
DECIMAL_FILES = {"SetChargingProfile.json", "RemoteStartTransaction.json"}
DECIMAL_FILES |= {"GetCompositeScheduleResponse.json"}
ANY_JSON = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just([])


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from([*schema["enum"], "Bogus", schema["enum"][0].lower()])
    top = schema.get("maxLength", 30)
    near_limit = st.tuples(st.sampled_from("aé"), st.integers(max(0, top - 1), top + 1))
    return near_limit.map(lambda part: part[0] * part[1]) | st.text(max_size=3)


def _object(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    props = schema.get("properties", {})
    fields = {name: st.none() | payloads(sub) for name, sub in props.items()}
    extra = st.dictionaries(st.sampled_from(["colour", "x"]), ANY_JSON, max_size=1)
    return st.tuples(st.fixed_dictionaries(fields), extra).map(
        lambda parts: {k: v for k, v in {**parts[0], **parts[1]}.items() if v is not None}
    )


def payloads(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Near-valid values for `schema`, with a share of wrong ones."""
    kind = schema.get("type")
    wrong = st.booleans() | st.text(max_size=2) | st.floats(allow_nan=False) | st.just({})
    if kind == "object":
        right = _object(schema)
    elif kind == "array":
        right = st.lists(payloads(schema.get("items", {})), max_size=3)
    elif kind == "string":
        right = _string(schema)
    elif kind == "integer":
        right = st.integers(-3, 10) | st.integers(min_value=2**63 - 1, max_value=2**70)
    elif kind == "number":
        right = st.integers(-3, 100) | st.floats(-10, 1000, allow_nan=False) | st.just(0.5)
    elif kind == "boolean":
        right = st.booleans()
    else:
        right = ANY_JSON
    return st.one_of(right, right, right, wrong)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.stem)
def test_fast_validator_agrees_with_the_full_one(path: Any) -> None:
    decimal = path.name in DECIMAL_FILES
    schema = json.loads(path.read_text(), parse_float=Decimal if decimal else float)
    full = Draft4Validator(schema)
    fast = compile_fast(schema)

    @settings(max_examples=60, derandomize=True, database=None, deadline=None)
    @given(payloads(schema))
    def agree(payload: Any) -> None:
        try:
            fast(payload)
            fast_ok = True
        except Exception:
            fast_ok = False
        if decimal and not fast_ok:
            return  # multipleOf on binary floats: these schemas always use the full validator
        assert fast_ok == full.is_valid(payload), payload

    agree()


def test_meter_values_sampled_value_may_have_a_format_field() -> None:
    payload = {
        "connectorId": 1,
        "meterValue": [
            {"timestamp": "not a time", "sampledValue": [{"value": "1", "format": "Raw"}]}
        ],
    }
    assert SCHEMAS.check_call("MeterValues", payload) is payload


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (
            {"connectorId": "1", "errorCode": "NoError", "status": "Available"},
            "TypeConstraintViolation",
        ),
        (
            {"connectorId": 1, "errorCode": "Oops", "status": "Available"},
            "PropertyConstraintViolation",
        ),
        ({"connectorId": 1, "status": "Available"}, "OccurenceConstraintViolation"),
        (
            {"connectorId": 1, "errorCode": "NoError", "status": "Available", "x": 1},
            "FormationViolation",
        ),
    ],
)
def test_a_failure_gets_its_16_code(payload: dict[str, Any], code: str) -> None:
    with pytest.raises(PayloadError) as failed:
        SCHEMAS.check_call("StatusNotification", payload)
    assert failed.value.code == code


def test_decimal_reply_is_returned_decimal_parsed() -> None:
    reply = {
        "status": "Accepted",
        "connectorId": 1,
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.1}],
        },
    }
    checked = SCHEMAS.check_call_result("GetCompositeSchedule", reply)
    assert checked["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == Decimal("16.1")


def test_unknown_action_has_no_schema() -> None:
    with pytest.raises(UnknownSchemaError):
        SCHEMAS.check_call("../../etc/passwd", {})
    with pytest.raises(UnknownSchemaError):
        SCHEMAS.check_call("NoSuchAction", {})
