"""Pure parts of the protocol layer: frame parsing, error spelling, handshake checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from ocpp.messages import Call, CallError, CallResult
from websockets.datastructures import Headers

from ocpp_server.convert import ocpp_datetime
from ocpp_server.framing import (
    FrameError,
    PayloadError,
    parse_frame,
    summarize,
    v16_error_code,
    validate_call_payload,
)
from ocpp_server.handshake import identity_from_path, offered_subprotocols


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("FormatViolation", "FormationViolation"),
        ("OccurrenceConstraintViolation", "OccurenceConstraintViolation"),
        ("NotImplemented", "NotImplemented"),
        ("MessageTypeNotSupported", "GenericError"),  # 2.0.1 only
    ],
)
def test_error_codes_use_ocpp16_spelling(code: str, expected: str) -> None:
    assert v16_error_code(code) == expected


def test_parse_frame_returns_library_messages() -> None:
    parsed_call = parse_frame('[2,"1","Heartbeat",{}]')
    assert isinstance(parsed_call, Call)
    assert (parsed_call.unique_id, parsed_call.action, parsed_call.payload) == (
        "1",
        "Heartbeat",
        {},
    )
    assert isinstance(parse_frame('[3,"1",{"a":1}]'), CallResult)
    error = parse_frame('[4,"1","GenericError","",{}]')
    assert isinstance(error, CallError)
    assert error.error_code == "GenericError"


@pytest.mark.parametrize(
    ("raw", "reply"),
    [('[3,"1"]', False), ('[4,"1","GenericError"]', False), ('[2,"1","Heartbeat"]', True)],
)
def test_malformed_replies_are_not_answered(raw: str, reply: bool) -> None:
    with pytest.raises(FrameError) as failed:
        parse_frame(raw)
    assert failed.value.reply is reply
    assert failed.value.message_id == "1"


def test_schema_error_names_the_failing_field() -> None:
    payload = {"connectorId": 1, "meterValue": [{"timestamp": "x", "sampledValue": [{}]}]}
    with pytest.raises(PayloadError) as failed:
        validate_call_payload("MeterValues", payload)
    assert failed.value.code == "OccurenceConstraintViolation"
    assert failed.value.path == "meterValue/0/sampledValue/0"


def test_summarize_outgoing_frames() -> None:
    assert summarize('[2,"7","Reset",{"type":"Soft"}]').action == "Reset"
    assert summarize('[4,"7","NotSupported","",{}]').error_code == "NotSupported"
    assert summarize("nonsense").message_type is None


@pytest.mark.parametrize(
    ("path", "identity"),
    [
        ("/ocpp/CP-001", "CP-001"),
        ("/CP-001", "CP-001"),
        ("/ocpp/CP-001/", "CP-001"),
        ("/ocpp/RDAM%20123?token=x", "RDAM 123"),
        ("/", ""),
    ],
)
def test_identity_from_path(path: str, identity: str) -> None:
    assert identity_from_path(path) == identity


def test_offered_subprotocols_reads_every_header() -> None:
    headers = Headers(
        [("Sec-WebSocket-Protocol", "ocpp2.0.1, ocpp1.6"), ("Sec-WebSocket-Protocol", "x")]
    )
    assert offered_subprotocols(headers) == ["ocpp2.0.1", "ocpp1.6", "x"]
    assert offered_subprotocols(Headers([("Sec-WebSocket-Protocol", ",,;")])) == []


def test_ocpp_datetime_is_utc_with_milliseconds() -> None:
    local = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert ocpp_datetime(local) == "2025-06-01T10:00:00.123Z"
    assert ocpp_datetime(datetime(2025, 6, 1)) == "2025-06-01T00:00:00.000Z"
    assert ocpp_datetime(datetime(2025, 6, 1, tzinfo=UTC)).endswith("Z")
