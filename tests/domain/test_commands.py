import pytest
from ocpp.v16 import call, call_result
from ocpp.v16.enums import (
    AvailabilityStatus,
    AvailabilityType,
    RemoteStartStopStatus,
    ResetType,
    UnlockStatus,
)

from ccms_app.domain.commands import CommandInputError, build_request, reply_status
from ccms_app.models import CommandStatus


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
