from datetime import datetime, timedelta, timezone

import pytest
from ocpp.v16 import call, call_result
from ocpp.v16.enums import (
    AvailabilityStatus,
    AvailabilityType,
    RemoteStartStopStatus,
    ResetType,
    UnlockStatus,
)

from ccms_app.control.models import CommandStatus
from ccms_app.control.rules.commands import (
    TRIGGERABLE_MESSAGES,
    CommandInputError,
    build_request,
    reply_status,
)


def test_builds_typed_requests() -> None:
    assert build_request("RemoteStartTransaction", {"id_tag": " TAG1 ", "connector_id": "2"}) == (
        call.RemoteStartTransaction(id_tag="TAG1", connector_id=2)
    )
    assert build_request("RemoteStartTransaction", {"id_tag": "TAG1", "connector_id": ""}) == (
        call.RemoteStartTransaction(id_tag="TAG1")
    )
    assert build_request("RemoteStopTransaction", {"transaction_id": 7}) == (
        call.RemoteStopTransaction(transaction_id=7)
    )
    assert build_request("Reset", {"type": "hard"}) == call.Reset(type=ResetType.hard)
    assert build_request("UnlockConnector", {"connector_id": 1}) == call.UnlockConnector(1)
    assert build_request("ChangeAvailability", {"connector_id": 0, "type": "Inoperative"}) == (
        call.ChangeAvailability(connector_id=0, type=AvailabilityType.inoperative)
    )


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("RemoteStartTransaction", {}, "id_tag is required"),
        ("RemoteStartTransaction", {"id_tag": "X" * 21}, "at most 20"),
        ("RemoteStartTransaction", {"id_tag": "A", "connector_id": "0"}, "connector_id must be 1"),
        ("RemoteStopTransaction", {"transaction_id": "abc"}, "whole number"),
        ("Reset", {"type": "Warm"}, "type must be one of Soft, Hard"),
        ("UnlockConnector", {}, "connector_id is required"),
        ("ChangeAvailability", {"connector_id": 1, "type": "off"}, "Operative, Inoperative"),
        ("FlashLights", {}, "unsupported command"),
    ],
)
def test_bad_input_says_what_is_wrong(action: str, params: dict, message: str) -> None:
    with pytest.raises(CommandInputError, match=message):
        build_request(action, params)


def test_reply_status() -> None:
    accepted = call_result.RemoteStartTransaction(status=RemoteStartStopStatus.accepted)
    assert reply_status(accepted) == (CommandStatus.ACCEPTED, "Accepted")
    assert reply_status(call_result.UnlockConnector(status=UnlockStatus.unlock_failed)) == (
        CommandStatus.REJECTED,
        "UnlockFailed",
    )
    scheduled = call_result.ChangeAvailability(status=AvailabilityStatus.scheduled)
    assert reply_status(scheduled)[0] == CommandStatus.ACCEPTED


def test_builds_core_reservation_and_trigger_requests() -> None:
    assert build_request("ChangeConfiguration", {"key": " HeartbeatInterval ", "value": "60"}) == (
        call.ChangeConfiguration(key="HeartbeatInterval", value="60")
    )
    assert build_request("ChangeConfiguration", {"key": "Label", "value": ""}) == (
        call.ChangeConfiguration(key="Label", value="")
    )
    assert build_request("GetConfiguration", {}) == call.GetConfiguration()
    assert build_request("GetConfiguration", {"keys": "A, B\nA,,"}) == (
        call.GetConfiguration(key=["A", "B"])
    )
    assert build_request("GetConfiguration", {"keys": ["X"]}) == call.GetConfiguration(key=["X"])
    assert build_request("ClearCache", {}) == call.ClearCache()
    assert build_request("DataTransfer", {"vendor_id": "Acme", "data": " {} "}) == (
        call.DataTransfer(vendor_id="Acme", data=" {} ")
    )
    for message in TRIGGERABLE_MESSAGES:
        assert build_request("TriggerMessage", {"requested_message": message.lower()}) == (
            call.TriggerMessage(requested_message=message)
        )
    assert build_request(
        "TriggerMessage", {"requested_message": "MeterValues", "connector_id": "2"}
    ) == call.TriggerMessage(requested_message="MeterValues", connector_id=2)
    expiry = datetime(2030, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    assert build_request(
        "ReserveNow",
        {"connector_id": 1, "expiry_date": expiry, "id_tag": "TAG1", "reservation_id": 7},
    ) == call.ReserveNow(
        connector_id=1, expiry_date="2030-05-01T12:30:00.000Z", id_tag="TAG1", reservation_id=7
    )
    assert build_request("CancelReservation", {"reservation_id": "7"}) == (
        call.CancelReservation(reservation_id=7)
    )


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("ChangeConfiguration", {"value": "1"}, "key is required"),
        ("ChangeConfiguration", {"key": "K" * 51, "value": "1"}, "key must be at most 50"),
        ("ChangeConfiguration", {"key": "K", "value": "v" * 501}, "value must be at most 500"),
        ("GetConfiguration", {"keys": ["K" * 51]}, "longer than 50"),
        ("DataTransfer", {"message_id": "M"}, "vendor_id is required"),
        ("DataTransfer", {"vendor_id": "V" * 256}, "vendor_id must be at most 255"),
        ("DataTransfer", {"vendor_id": "V", "message_id": "M" * 51}, "message_id must be at most"),
        ("TriggerMessage", {"requested_message": "Authorize"}, "BootNotification, Diagnostics"),
        (
            "TriggerMessage",
            {"requested_message": "MeterValues", "connector_id": 0},
            "connector_id must be 1",
        ),
        (
            "ReserveNow",
            {"connector_id": 1, "id_tag": "T", "reservation_id": 1},
            "expiry_date is required",
        ),
        (
            "ReserveNow",
            {
                "connector_id": 1,
                "id_tag": "T",
                "reservation_id": 1,
                "expiry_date": datetime(2030, 1, 1),
            },
            "must include a time zone",
        ),
        (
            "ReserveNow",
            {"connector_id": 1, "id_tag": "T", "reservation_id": 1, "expiry_date": "tomorrow"},
            "ISO 8601",
        ),
        (
            "ReserveNow",
            {"connector_id": 1, "reservation_id": 1, "expiry_date": "2030-01-01T00:00Z"},
            "id_tag is required",
        ),
        (
            "ReserveNow",
            {
                "connector_id": -1,
                "id_tag": "T",
                "reservation_id": 1,
                "expiry_date": "2030-01-01T00:00Z",
            },
            "connector_id must be 0 or more",
        ),
        ("CancelReservation", {}, "reservation_id is required"),
    ],
)
def test_bad_core_input_says_what_is_wrong(action: str, params: dict, message: str) -> None:
    with pytest.raises(CommandInputError, match=message):
        build_request(action, params)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (call_result.ChangeConfiguration(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.ChangeConfiguration(status="RebootRequired"), CommandStatus.ACCEPTED),
        (call_result.ChangeConfiguration(status="Rejected"), CommandStatus.REJECTED),
        (call_result.ChangeConfiguration(status="NotSupported"), CommandStatus.REJECTED),
        (call_result.ClearCache(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.ClearCache(status="Rejected"), CommandStatus.REJECTED),
        (call_result.DataTransfer(status="Accepted", data="x"), CommandStatus.ACCEPTED),
        (call_result.DataTransfer(status="Rejected"), CommandStatus.REJECTED),
        (call_result.DataTransfer(status="UnknownMessageId"), CommandStatus.REJECTED),
        (call_result.DataTransfer(status="UnknownVendorId"), CommandStatus.REJECTED),
        (call_result.TriggerMessage(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.TriggerMessage(status="Rejected"), CommandStatus.REJECTED),
        (call_result.TriggerMessage(status="NotImplemented"), CommandStatus.REJECTED),
        (call_result.ReserveNow(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.ReserveNow(status="Faulted"), CommandStatus.REJECTED),
        (call_result.ReserveNow(status="Occupied"), CommandStatus.REJECTED),
        (call_result.ReserveNow(status="Rejected"), CommandStatus.REJECTED),
        (call_result.ReserveNow(status="Unavailable"), CommandStatus.REJECTED),
        (call_result.CancelReservation(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.CancelReservation(status="Rejected"), CommandStatus.REJECTED),
        (call_result.GetConfiguration(configuration_key=[]), CommandStatus.ACCEPTED),
    ],
)
def test_reply_status_of_core_and_reservation_replies(reply, expected) -> None:
    status, text = reply_status(reply)
    assert status == expected
    assert text == getattr(reply, "status", "")


# --- Smart Charging ---------------------------------------------------------------------------

TX_DEFAULT = {
    "charging_profile_id": 3,
    "stack_level": 1,
    "charging_profile_purpose": "TxDefaultProfile",
    "charging_profile_kind": "Relative",
    "charging_schedule": {
        "charging_rate_unit": "W",
        "charging_schedule_period": [{"start_period": 0, "limit": "7400"}],
    },
}


def test_builds_smart_charging_requests() -> None:
    request = build_request(
        "SetChargingProfile", {"connector_id": "1", "cs_charging_profiles": TX_DEFAULT}
    )
    assert request == call.SetChargingProfile(
        connector_id=1,
        cs_charging_profiles={
            "charging_profile_id": 3,
            "stack_level": 1,
            "charging_profile_purpose": "TxDefaultProfile",
            "charging_profile_kind": "Relative",
            "charging_schedule": {
                "charging_rate_unit": "W",
                "charging_schedule_period": [{"start_period": 0, "limit": 7400.0}],
            },
        },
    )
    assert build_request("ClearChargingProfile", {}) == call.ClearChargingProfile()
    assert build_request("ClearChargingProfile", {"id": "3"}) == call.ClearChargingProfile(id=3)
    assert build_request(
        "ClearChargingProfile",
        {"connector_id": 0, "charging_profile_purpose": "txdefaultprofile", "stack_level": 1},
    ) == call.ClearChargingProfile(
        connector_id=0, charging_profile_purpose="TxDefaultProfile", stack_level=1
    )
    assert build_request(
        "GetCompositeSchedule", {"connector_id": 1, "duration": "3600", "charging_rate_unit": "w"}
    ) == call.GetCompositeSchedule(connector_id=1, duration=3600, charging_rate_unit="W")
    assert build_request("GetCompositeSchedule", {"connector_id": 0, "duration": 60}) == (
        call.GetCompositeSchedule(connector_id=0, duration=60)
    )


def test_remote_start_may_carry_a_tx_profile() -> None:
    profile = {**TX_DEFAULT, "charging_profile_purpose": "TxProfile"}
    request = build_request(
        "RemoteStartTransaction", {"id_tag": "TAG1", "connector_id": 2, "charging_profile": profile}
    )
    assert request.charging_profile["charging_profile_purpose"] == "TxProfile"
    assert request.charging_profile["charging_schedule"]["charging_schedule_period"] == [
        {"start_period": 0, "limit": 7400.0}
    ]
    with pytest.raises(CommandInputError, match="must be TxProfile in RemoteStartTransaction"):
        build_request("RemoteStartTransaction", {"id_tag": "T", "charging_profile": TX_DEFAULT})


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("SetChargingProfile", {"connector_id": 1}, "charging profile is required"),
        ("SetChargingProfile", {"cs_charging_profiles": TX_DEFAULT}, "connector_id is required"),
        (
            "SetChargingProfile",
            {
                "connector_id": 1,
                "cs_charging_profiles": {**TX_DEFAULT, "charging_profile_purpose": "TxProfile"},
            },
            "transactionId is required for a TxProfile",
        ),
        (
            "SetChargingProfile",
            {"connector_id": 1, "cs_charging_profiles": {**TX_DEFAULT, "stack_level": -2}},
            "stackLevel must be 0 or more",
        ),
        ("ClearChargingProfile", {"charging_profile_purpose": "Max"}, "TxDefaultProfile"),
        ("ClearChargingProfile", {"stack_level": -1}, "stack_level must be 0 or more"),
        ("GetCompositeSchedule", {"connector_id": 1}, "duration is required"),
        ("GetCompositeSchedule", {"connector_id": 1, "duration": 0}, "duration must be 1 or more"),
        (
            "GetCompositeSchedule",
            {"connector_id": 1, "duration": 60, "charging_rate_unit": "kW"},
            "charging_rate_unit must be one of W, A",
        ),
    ],
)
def test_bad_smart_charging_input_says_what_is_wrong(
    action: str, params: dict, message: str
) -> None:
    with pytest.raises(CommandInputError, match=message):
        build_request(action, params)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (call_result.SetChargingProfile(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.SetChargingProfile(status="Rejected"), CommandStatus.REJECTED),
        (call_result.SetChargingProfile(status="NotSupported"), CommandStatus.REJECTED),
        (call_result.ClearChargingProfile(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.ClearChargingProfile(status="Unknown"), CommandStatus.REJECTED),
        (call_result.GetCompositeSchedule(status="Accepted"), CommandStatus.ACCEPTED),
        (call_result.GetCompositeSchedule(status="Rejected"), CommandStatus.REJECTED),
    ],
)
def test_reply_status_of_smart_charging_replies(reply, expected) -> None:
    assert reply_status(reply)[0] == expected
