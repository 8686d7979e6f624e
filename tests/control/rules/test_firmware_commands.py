"""UpdateFirmware and GetDiagnostics: what an operator may send, and the typed request built."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from ocpp.v16 import call, call_result

from ccms_app.control.models import CommandStatus
from ccms_app.control.rules.commands import CommandInputError, build_request, reply_status

URL = "http://ccms.example:3000/firmware/abc-fw-2.0.0.bin"
AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_update_firmware_request() -> None:
    request = build_request(
        "UpdateFirmware",
        {"location": f" {URL} ", "retrieve_date": AT, "retries": "3", "retry_interval": 60},
    )
    assert request == call.UpdateFirmware(
        location=URL, retrieve_date="2026-03-01T12:30:00.000Z", retries=3, retry_interval=60
    )


def test_update_firmware_optional_fields_and_local_time() -> None:
    local = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    request = build_request(
        "UpdateFirmware", {"location": "ftp://files.example/fw.bin", "retrieve_date": local}
    )
    assert request == call.UpdateFirmware(
        location="ftp://files.example/fw.bin", retrieve_date="2026-03-01T12:30:00.000Z"
    )


def test_get_diagnostics_request() -> None:
    request = build_request(
        "GetDiagnostics",
        {
            "location": "http://ccms.example:3000/diagnostics/CP-1/",
            "start_time": "2026-03-01T00:00:00Z",
            "stop_time": AT,
            "retries": 1,
            "retry_interval": "",
        },
    )
    assert request == call.GetDiagnostics(
        location="http://ccms.example:3000/diagnostics/CP-1/",
        retries=1,
        start_time="2026-03-01T00:00:00.000Z",
        stop_time="2026-03-01T12:30:00.000Z",
    )
    assert build_request("GetDiagnostics", {"location": "https://x.example/up"}) == (
        call.GetDiagnostics(location="https://x.example/up")
    )


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("UpdateFirmware", {"retrieve_date": AT}, "location is required"),
        ("UpdateFirmware", {"location": "fw.bin", "retrieve_date": AT}, "absolute"),
        ("UpdateFirmware", {"location": "file:///etc/passwd", "retrieve_date": AT}, "absolute"),
        ("UpdateFirmware", {"location": "http:///no-host", "retrieve_date": AT}, "absolute"),
        ("UpdateFirmware", {"location": "http://a b/fw", "retrieve_date": AT}, "absolute"),
        ("UpdateFirmware", {"location": "http://h/" + "x" * 600, "retrieve_date": AT}, "512"),
        ("UpdateFirmware", {"location": URL}, "retrieve_date is required"),
        (
            "UpdateFirmware",
            {"location": URL, "retrieve_date": "2026-03-01T12:00:00"},
            "time zone",
        ),
        ("UpdateFirmware", {"location": URL, "retrieve_date": "tomorrow"}, "ISO 8601"),
        (
            "UpdateFirmware",
            {"location": URL, "retrieve_date": AT, "retries": -1},
            "retries must be 0 or more",
        ),
        (
            "UpdateFirmware",
            {"location": URL, "retrieve_date": AT, "retry_interval": "soon"},
            "retry_interval must be a whole number",
        ),
        ("GetDiagnostics", {}, "location is required"),
        (
            "GetDiagnostics",
            {"location": URL, "start_time": AT, "stop_time": AT - timedelta(hours=1)},
            "start_time must not be after stop_time",
        ),
        ("GetDiagnostics", {"location": URL, "stop_time": "yesterday"}, "ISO 8601"),
    ],
)
def test_invalid_input_is_refused(action: str, params: dict, message: str) -> None:
    with pytest.raises(CommandInputError, match=message):
        build_request(action, params)


def test_replies_without_status_are_accepted() -> None:
    assert reply_status(call_result.UpdateFirmware()) == (CommandStatus.ACCEPTED, "")
    assert reply_status(call_result.GetDiagnostics(file_name="diag.log"))[0] == (
        CommandStatus.ACCEPTED
    )
