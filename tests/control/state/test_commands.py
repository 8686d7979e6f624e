"""The command dialog turns the operator's picks into the command service's parameters."""

from __future__ import annotations

import pytest

from ccms_app.control.rules.commands import build_request
from ccms_app.control.state.commands import CommandState, _outcome_text


@pytest.fixture
def dialog() -> CommandState:
    state = CommandState()
    state.charge_point_id = 1
    state.connector_id = "2"
    state.id_tag = "CARD-7"
    state.transaction_id = "41 (connector 2)"
    state.reset_type = "Hard"
    state.availability = "Inoperative"
    state.availability_connector = "0"
    return state


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("RemoteStartTransaction", {"connector_id": "2", "id_tag": "CARD-7"}),
        ("RemoteStopTransaction", {"transaction_id": "41"}),
        ("Reset", {"type": "Hard"}),
        ("UnlockConnector", {"connector_id": "2"}),
        ("ChangeAvailability", {"connector_id": "0", "type": "Inoperative"}),
    ],
)
def test_each_action_sends_what_the_service_accepts(
    dialog: CommandState, action: str, params: dict[str, str]
) -> None:
    dialog.action = action
    assert dialog._params() == params
    build_request(action, dialog._params())  # the command service's validation accepts it


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        ("accepted", "", "Reset accepted by the charge point."),
        ("failed", "CALLERROR NotSupported", "Reset failed (CALLERROR NotSupported)."),
        (
            "rejected",
            "charge point answered Rejected",
            "Reset rejected by the charge point (charge point answered Rejected).",
        ),
        ("timed_out", "no answer", "Reset got no answer (timed out)."),
        (
            "offline",
            "charge point is not connected",
            "Reset not delivered: the charge point is offline.",
        ),
    ],
)
def test_outcome_messages(status: str, error: str, text: str) -> None:
    assert _outcome_text("Reset", status, error) == text
