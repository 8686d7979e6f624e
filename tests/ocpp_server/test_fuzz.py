"""Property-based fuzzing of incoming frames (hypothesis), over one real websocket to the real
OcppServer + ChargerEventService + migrated SQLite database.

Properties, for every generated bad frame:
- a frame that can be a CALL gets a CALLERROR with an OCPP 1.6 error code, echoing the frame's
  message id when it has one ("-1" otherwise); an unparseable CALLRESULT/CALLERROR gets nothing
  (one never answers a reply);
- the connection stays usable: a Heartbeat sent right after is answered;
- stored business data (sessions, meter samples, connectors, status history, charge point
  status, id tags) is exactly as before.

The strategies: arbitrary text and bytes; random JSON; JSON arrays of wrong shapes; well-shaped
CALLs with random actions and payloads; and CALLs built from a valid payload of each
charge-point action with one field mutated against the action's OCPP 1.6 JSON schema (wrong
type, missing required field, extra field, string over its maxLength, value outside its enum,
empty array below minItems, integer no database column can hold, negative connector id, text
with a lone surrogate).

Reproducible in CI: derandomize=True and no example database. One websocket is opened per
test and reused by all of its examples (pytest-asyncio runs every example on the test's loop).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import ocpp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from sqlmodel import Session, select
from websockets.asyncio.client import ClientConnection

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.core import db
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector, StatusEvent
from tests.fixtures.ocpp import open_websocket

CP = "CP-FUZZ"
T0 = "2025-03-01T10:00:00Z"
OCPP16_ERROR_CODES = {
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
SCHEMA_DIR = Path(ocpp.__file__).parent / "v16" / "schemas"
ALL_V16_ACTIONS = {p.stem for p in SCHEMA_DIR.glob("*.json") if not p.stem.endswith("Response")}
SAMPLED = {
    "value": "1234",
    "context": "Sample.Periodic",
    "format": "Raw",
    "measurand": "Energy.Active.Import.Register",
    "phase": "L1",
    "location": "Outlet",
    "unit": "Wh",
}
# A valid payload of every CALL a charge point sends, with every optional field set (each
# field is a place to mutate). Only mutated copies are ever sent.
VALID: dict[str, dict[str, Any]] = {
    "Authorize": {"idTag": "GOOD"},
    "BootNotification": {
        "chargePointVendor": "Acme",
        "chargePointModel": "Volt 22",
        "chargePointSerialNumber": "S1",
        "chargeBoxSerialNumber": "B1",
        "firmwareVersion": "1.0",
        "iccid": "8944",
        "imsi": "2400",
        "meterType": "M",
        "meterSerialNumber": "MS1",
    },
    "DataTransfer": {"vendorId": "acme", "messageId": "m1", "data": "payload"},
    "DiagnosticsStatusNotification": {"status": "Uploaded"},
    "FirmwareStatusNotification": {"status": "Installed"},
    "Heartbeat": {},
    "MeterValues": {
        "connectorId": 1,
        "transactionId": 1,
        "meterValue": [{"timestamp": T0, "sampledValue": [SAMPLED]}],
    },
    "StartTransaction": {
        "connectorId": 1,
        "idTag": "GOOD",
        "meterStart": 0,
        "reservationId": 7,
        "timestamp": T0,
    },
    "StatusNotification": {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "info": "ok",
        "timestamp": T0,
        "vendorId": "acme",
        "vendorErrorCode": "E0",
    },
    "StopTransaction": {
        "transactionId": 1,
        "meterStop": 2000,
        "timestamp": T0,
        "idTag": "GOOD",
        "reason": "Local",
        "transactionData": [{"timestamp": T0, "sampledValue": [SAMPLED]}],
    },
}
CHARGE_POINT_ACTIONS = frozenset(VALID)
SCHEMAS = {action: json.loads((SCHEMA_DIR / f"{action}.json").read_text()) for action in VALID}
VALIDATORS = {action: Draft4Validator(schema) for action, schema in SCHEMAS.items()}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
_alive_ids = itertools.count()


# --- the property ------------------------------------------------------------------------


def business_data() -> dict[str, list[str]]:
    """Everything a bad frame must not change (last_seen_at moves with every Heartbeat)."""
    with db.read_session() as s:
        data = {
            model.__name__: sorted(
                json.dumps(row.model_dump(), default=str, sort_keys=True)
                for row in s.exec(select(model))
            )
            for model in (ChargingSession, MeterSample, StatusEvent, Connector, IdTag)
        }
        data["ChargePoint"] = sorted(
            json.dumps(cp.model_dump(exclude={"last_seen_at"}), default=str, sort_keys=True)
            for cp in s.exec(select(ChargePoint))
        )
    return data


def decoded(frame: str | bytes) -> Any:
    """The frame's JSON as the server reads it, or a marker when it is not JSON."""
    try:
        return json.loads(frame)
    except ValueError:  # includes UnicodeDecodeError
        return NotJson


class NotJson:
    """Marker: the frame is not JSON at all."""


def is_reply_frame(data: Any) -> bool:
    """[3, ...] and [4, ...] are replies: never answered, even when malformed."""
    return isinstance(data, list) and bool(data) and type(data[0]) is int and data[0] in (3, 4)


def might_be_valid_call(data: Any) -> bool:
    """A CALL of an action the server handles whose payload passes the action's OCPP 1.6
    schema: a good frame, so excluded from the bad ones."""
    return (
        isinstance(data, list)
        and len(data) == 4
        and type(data[0]) is int
        and data[0] == 2
        and isinstance(data[1], str)
        and isinstance(data[2], str)  # a list or dict here is not a name (nor hashable)
        and data[2] in CHARGE_POINT_ACTIONS
        and isinstance(data[3], dict)
        and VALIDATORS[data[2]].is_valid(data[3])
        and within_ccms_policy(data[3])
    )


def within_ccms_policy(value: Any, key: str = "") -> bool:
    """CCMS's rules on top of the schema (docs/data-policy.md): integers fit a 64-bit column,
    connector ids are not negative, text is valid Unicode (no lone surrogates)."""
    if isinstance(value, dict):
        return all(within_ccms_policy(k) and within_ccms_policy(v, k) for k, v in value.items())
    if isinstance(value, list):
        return all(within_ccms_policy(v, key) for v in value)
    if type(value) is int:
        return -(2**63) <= value < 2**63 and (key != "connectorId" or value >= 0)
    if isinstance(value, str):
        return not any("\ud800" <= char <= "\udfff" for char in value)
    return True


async def receive(websocket: ClientConnection) -> list[Any]:
    async with asyncio.timeout(5):
        reply = json.loads(await websocket.recv())
    assert isinstance(reply, list)
    return reply


async def assert_bad_frame_handled(
    websocket: ClientConnection, frame: str | bytes, baseline: dict[str, list[str]]
) -> list[Any] | None:
    """Send `frame` and a Heartbeat right behind it; check all three properties. Returns the
    CALLERROR (None when the frame deserved no answer)."""
    data = decoded(frame)
    assert not might_be_valid_call(data), "strategy produced a frame that may be valid"
    alive = f"alive-{next(_alive_ids)}"
    await websocket.send(frame)
    await websocket.send(json.dumps([2, alive, "Heartbeat", {}]))
    first = await receive(websocket)
    error = None
    if not is_reply_frame(data):
        error, first = first, await receive(websocket)
        assert len(error) == 5 and error[0] == 4, error
        expected_id = (
            data[1]
            if isinstance(data, list) and len(data) > 1 and isinstance(data[1], str)
            else "-1"
        )
        assert error[1] == expected_id
        assert error[2] in OCPP16_ERROR_CODES
        assert isinstance(error[3], str) and isinstance(error[4], dict)
    assert first[:2] == [3, alive] and "currentTime" in first[2], first  # still usable
    assert business_data() == baseline
    return error


# --- the connection under test ---------------------------------------------------------


SETUP = [
    ["BootNotification", {"chargePointVendor": "Acme", "chargePointModel": "Volt 22"}],
    ["StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"}],
    ["StartTransaction", {"connectorId": 1, "idTag": "GOOD", "meterStart": 0, "timestamp": T0}],
    ["MeterValues", {**VALID["MeterValues"]}],
]


@pytest.fixture
async def fuzzed(
    ocpp_url: str, session: Session, organisation: Organisation
) -> AsyncIterator[tuple[ClientConnection, dict[str, list[str]]]]:
    """A registered charge point with a running transaction, its open websocket, and the
    business data every example must leave as it is."""
    session.add(
        ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    )
    session.add(IdTag(id_tag="GOOD", organisation_id=organisation.id))
    session.commit()
    async with open_websocket(ocpp_url, CP) as websocket:
        for n, (action, payload) in enumerate(SETUP):
            await websocket.send(json.dumps([2, f"setup-{n}", action, payload]))
            assert (await receive(websocket))[0] == 3
        baseline = business_data()
        assert len(baseline["ChargingSession"]) == 1 and baseline["MeterSample"]
        yield websocket, baseline


# --- strategies ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
message_ids = st.text(max_size=36) | st.sampled_from(["1", "-1", "", "0" * 36, "id-\udc00"])
json_objects = st.dictionaries(st.text(max_size=12), json_values, max_size=5)


def _huge_text(length: int) -> str:
    return ("Ω" + "x" * 63) * (length // 64) + "x" * (length % 64)


def wrong_type_values(schema_type: str | None) -> st.SearchStrategy[Any]:
    """JSON values whose type is not `schema_type` (draft-04: bool is no integer)."""
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if schema_type != "array":
        options.append(st.lists(st.integers(), max_size=3))
    if schema_type != "object":
        options.append(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
    if schema_type != "string":
        options.append(st.text(max_size=30))
    if schema_type not in ("integer", "number"):
        options.append(st.integers(-(2**70), 2**70))
    if schema_type != "number":
        options.append(
            st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
        )
    if schema_type != "boolean":
        options.append(st.booleans())
    return st.one_of(options)


Path_ = tuple[str | int, ...]


def mutation_sites(schema: dict[str, Any], value: Any, path: Path_ = ()) -> Iterator[tuple]:
    """(path, schema, value) of every object, array and field in a valid payload."""
    yield path, schema, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from mutation_sites(schema["properties"][key], child, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from mutation_sites(schema["items"], item, (*path, index))


def set_at(payload: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return payload


@st.composite
def mutated_calls(draw: st.DrawFn) -> list[Any]:
    """A CALL of a charge-point action whose payload breaks its schema (or CCMS's integer
    policy) in exactly one place."""
    action = draw(st.sampled_from(sorted(VALID)))
    payload = copy.deepcopy(VALID[action])
    path, schema, value = draw(st.sampled_from(list(mutation_sites(SCHEMAS[action], payload))))
    kinds = ["wrong_type"]
    if isinstance(value, dict):
        assert schema.get("additionalProperties") is False
        kinds.append("extra_field")
        if schema.get("required"):
            kinds.append("missing_required")
    if isinstance(value, list) and schema.get("minItems", 0) > 0:
        kinds.append("empty_array")
    if "maxLength" in schema:
        kinds.append("too_long")
    if "enum" in schema:
        kinds.append("not_in_enum")
    if schema.get("type") == "integer":
        kinds.append("integer_out_of_range")
    if schema.get("type") == "string" and "enum" not in schema:
        kinds.append("lone_surrogate")
    kind = draw(st.sampled_from(kinds))
    if kind == "wrong_type":
        payload = set_at(payload, path, draw(wrong_type_values(schema.get("type"))))
    elif kind == "extra_field":
        extra = draw(st.text(max_size=12).filter(lambda k: k not in schema["properties"]))
        value[extra] = draw(json_values)
    elif kind == "missing_required":
        del value[draw(st.sampled_from(schema["required"]))]
    elif kind == "empty_array":
        value.clear()
    elif kind == "too_long":
        length = draw(st.integers(schema["maxLength"] + 1, 60_000))
        payload = set_at(payload, path, _huge_text(length))
    elif kind == "lone_surrogate":
        surrogate = draw(st.characters(categories=["Cs"]))
        payload = set_at(payload, path, value[: draw(st.integers(0, len(value)))] + surrogate)
    elif kind == "not_in_enum":
        text = draw(st.text(max_size=30).filter(lambda t: t not in schema["enum"]))
        payload = set_at(payload, path, text)
    else:
        too_big = st.integers(2**63, 2**80) | st.integers(-(2**80), -(2**63) - 1)
        numbers = too_big | st.integers(-(2**63), -1) if path[-1] == "connectorId" else too_big
        payload = set_at(payload, path, draw(numbers))
    return [2, draw(message_ids), action, payload]


@st.composite
def random_action_calls(draw: st.DrawFn) -> list[Any]:
    """Well-shaped CALLs: unknown actions, actions a charge point must not send, and charge
    point actions whose random payload carries a field the schema forbids."""
    action = draw(st.text(max_size=30) | st.sampled_from(sorted(ALL_V16_ACTIONS)))
    payload = draw(json_objects)
    if action in CHARGE_POINT_ACTIONS:
        payload["fuzz"] = draw(json_values)  # additionalProperties is false everywhere
    return [2, draw(message_ids), action, payload]


@st.composite
def wrong_shapes(draw: st.DrawFn) -> list[Any]:
    head = draw(st.sampled_from([2, 3, 4, 0, 1, 5, -2, "2", 2.0, True, None]) | json_values)
    frame = [head, *draw(st.lists(json_values, max_size=5))]
    assume(not might_be_valid_call(frame))
    return frame


def as_frame(data: Any) -> str:
    return json.dumps(data)


# --- the tests -------------------------------------------------------------------------


@FUZZ
@given(frame=st.text(max_size=200) | st.binary(max_size=200))
async def test_arbitrary_text_and_bytes(fuzzed, frame: str | bytes) -> None:
    assume(not might_be_valid_call(decoded(frame)))
    await assert_bad_frame_handled(fuzzed[0], frame, fuzzed[1])


@FUZZ
@given(data=json_values | wrong_shapes())
async def test_random_json_and_wrong_shapes(fuzzed, data: Any) -> None:
    assume(not might_be_valid_call(data))
    await assert_bad_frame_handled(fuzzed[0], as_frame(data), fuzzed[1])


@FUZZ
@given(frame=random_action_calls())
async def test_calls_with_random_actions(fuzzed, frame: list[Any]) -> None:
    error = await assert_bad_frame_handled(fuzzed[0], as_frame(frame), fuzzed[1])
    assert error is not None
    if frame[2] not in ALL_V16_ACTIONS and within_ccms_policy(frame):
        assert error[2] == "NotImplemented"


@FUZZ
@given(frame=mutated_calls())
async def test_calls_with_a_mutated_field(fuzzed, frame: list[Any]) -> None:
    error = await assert_bad_frame_handled(fuzzed[0], as_frame(frame), fuzzed[1])
    assert error is not None
    assert error[2] != "InternalError", error  # a bad payload is the charger's error, not ours


async def test_text_that_is_not_unicode_is_a_formation_violation(fuzzed) -> None:
    frame = '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"A\\ud800","meterStart":0,'
    frame += f'"timestamp":"{T0}"}}]'
    error = await assert_bad_frame_handled(fuzzed[0], frame, fuzzed[1])
    assert error is not None and error[:3] == [4, "s1", "FormationViolation"]
