"""The command forms ask for what the command service validates: a filled form of every action
passes ccms_app.control.rules.commands, and empty optional fields are left out."""

from __future__ import annotations

import pytest

from ccms_app.control.rules.commands import SUPPORTED_ACTIONS, build_request
from ccms_app.control.state.charge_point import (
    ChargePointDetailState,
    identity_from_path,
    outcome_text,
)
from ccms_app.control.state.command_forms import (
    ACTIONS,
    BULK_ACTIONS,
    SPECS,
    command_params,
    default_values,
)

SAMPLES = {
    "connector": "2",
    "connector0": "0",
    "transaction": "41 (connector 2)",
    "number": "3",
    "textarea": '{"a": 1}\n',
}
TEXT_SAMPLES = {"key": "HeartbeatInterval", "value": "60", "keys": "A, B", "vendor_id": "ACME"}
# Routed through their own service by the page (the reservation is stored first).
OWN_SERVICE = {"ReserveNow": {"expires_in_minutes"}}


def _filled(action: str) -> dict[str, str]:
    values = default_values(action)
    for f in SPECS[action].fields:
        if not values[f.name]:
            values[f.name] = SAMPLES.get(f.kind) or TEXT_SAMPLES.get(f.name, "TAG-1")
    return values


def test_the_command_center_commands_have_forms() -> None:
    """The Core, Reservation and Remote Trigger commands; firmware has its own pages."""
    assert set(ACTIONS) <= set(SUPPORTED_ACTIONS)
    assert set(ACTIONS) == {
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "Reset",
        "UnlockConnector",
        "ChangeAvailability",
        "ChangeConfiguration",
        "GetConfiguration",
        "ClearCache",
        "DataTransfer",
        "TriggerMessage",
        "ReserveNow",
        "CancelReservation",
    }
    assert set(BULK_ACTIONS) <= set(ACTIONS)
    assert {"Reset", "ChangeAvailability", "ClearCache", "TriggerMessage"} <= set(BULK_ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_filled_form_passes_the_command_service(action: str) -> None:
    params = command_params(action, _filled(action))
    if action == "ReserveNow":
        params = {k: v for k, v in params.items() if k not in OWN_SERVICE[action]}
        params |= {"reservation_id": 1, "expiry_date": "2030-01-01T00:00:00Z"}
    build_request(action, params)


def test_parameters_from_the_form() -> None:
    assert command_params("RemoteStopTransaction", {"transaction_id": "41 (connector 2)"}) == {
        "transaction_id": "41"
    }
    trigger = default_values("TriggerMessage")
    assert command_params("TriggerMessage", trigger) == {"requested_message": "StatusNotification"}
    data = command_params("DataTransfer", {"vendor_id": " ACME ", "message_id": "", "data": " x "})
    assert data == {"vendor_id": "ACME", "data": " x "}  # data is sent exactly as typed
    assert command_params("ClearCache", {}) == {}


def test_identity_from_the_url() -> None:
    assert identity_from_path("/charge-points/CP-1") == "CP-1"
    assert identity_from_path("/charge-points/CP%201/") == "CP 1"
    assert identity_from_path("/live") == ""


def test_outcome_messages() -> None:
    assert outcome_text("Reset", "accepted", "") == "Reset accepted by the charge point."
    assert (
        outcome_text("ReserveNow", "rejected", "charge point answered Occupied")
        == "Reserve now rejected by the charge point (charge point answered Occupied)."
    )
    assert outcome_text("ClearCache", "offline", "x") == (
        "Clear authorization cache not delivered: the charge point is offline."
    )


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("UnlockConnector", {"connector_id": "1"}),
        ("RemoteStopTransaction", {"transaction_id": "41 (connector 2)"}),
        # A free connector: many chargers reject ReserveNow on connector 0.
        ("ReserveNow", {"connector_id": "2"}),
        ("ChangeAvailability", {}),  # connector 0, the whole charge point, is its default
        ("Reset", {}),
    ],
)
def test_selects_start_on_the_charge_points_first_choice(
    action: str, expected: dict[str, str]
) -> None:
    state = ChargePointDetailState()
    state.connector_options = ["1", "2"]
    state.connector_to_reserve = "2"
    state.transaction_options = ["41 (connector 2)"]
    state.action = action
    assert state._first_choices() == expected
