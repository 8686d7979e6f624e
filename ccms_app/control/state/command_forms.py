"""Which fields each operator command asks for: the command forms are built from this.

A form holds every value as text (what inputs give); `command_params` turns the values of
one action into the parameters the command service validates (ccms_app.control.rules.commands), so
the service stays the single place that says what is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccms_app.control.rules.commands import TRIGGERABLE_MESSAGES

# Field kinds: text | textarea | number | choice (fixed options) | connector (>= 1, from the
# charge point) | connector0 (0 = whole charge point, or a connector) | transaction (running).


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    default: str = ""
    placeholder: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class CommandSpec:
    action: str
    label: str
    fields: tuple[FieldSpec, ...] = ()
    bulk: bool = False  # offered for a selection of charge points too


_CONNECTOR = FieldSpec("connector_id", "Connector", "connector")
_WHOLE_OR_CONNECTOR = FieldSpec(
    "connector_id", "Connector (0 = the whole charge point)", "connector0", default="0"
)
_ID_TAG = FieldSpec("id_tag", "Id tag", placeholder="RFID card or app id tag", max_length=20)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("RemoteStartTransaction", "Remote start", (_CONNECTOR, _ID_TAG)),
    CommandSpec(
        "RemoteStopTransaction",
        "Remote stop",
        (FieldSpec("transaction_id", "Transaction", "transaction"),),
    ),
    CommandSpec(
        "Reset",
        "Reset",
        (FieldSpec("type", "Reset type", "choice", ("Soft", "Hard"), "Soft"),),
        bulk=True,
    ),
    CommandSpec("UnlockConnector", "Unlock connector", (_CONNECTOR,)),
    CommandSpec(
        "ChangeAvailability",
        "Change availability",
        (
            _WHOLE_OR_CONNECTOR,
            FieldSpec("type", "Availability", "choice", ("Operative", "Inoperative"), "Operative"),
        ),
        bulk=True,
    ),
    CommandSpec(
        "ChangeConfiguration",
        "Change configuration",
        (
            FieldSpec("key", "Key", placeholder="e.g. HeartbeatInterval", max_length=50),
            FieldSpec("value", "Value", max_length=500),
        ),
    ),
    CommandSpec(
        "GetConfiguration",
        "Get configuration",
        (FieldSpec("keys", "Keys (comma separated; empty = all)", placeholder="all keys"),),
    ),
    CommandSpec("ClearCache", "Clear authorization cache", bulk=True),
    CommandSpec(
        "DataTransfer",
        "Data transfer",
        (
            FieldSpec("vendor_id", "Vendor id", max_length=255),
            FieldSpec("message_id", "Message id (optional)", max_length=50),
            FieldSpec("data", "Data (optional)", "textarea"),
        ),
    ),
    CommandSpec(
        "TriggerMessage",
        "Trigger message",
        (
            FieldSpec(
                "requested_message",
                "Message",
                "choice",
                tuple(TRIGGERABLE_MESSAGES),
                "StatusNotification",
            ),
            FieldSpec("connector_id", "Connector (optional)", "number", placeholder="any"),
        ),
        bulk=True,
    ),
    CommandSpec(
        "ReserveNow",
        "Reserve now",
        (
            _WHOLE_OR_CONNECTOR,
            _ID_TAG,
            FieldSpec("expires_in_minutes", "Expires in (minutes)", "number", default="60"),
            FieldSpec("parent_id_tag", "Parent id tag (optional)", max_length=20),
        ),
    ),
    CommandSpec(
        "CancelReservation",
        "Cancel reservation",
        (FieldSpec("reservation_id", "Reservation id", "number"),),
    ),
)

SPECS: dict[str, CommandSpec] = {spec.action: spec for spec in COMMANDS}
ACTIONS: list[str] = [spec.action for spec in COMMANDS]
BULK_ACTIONS: list[str] = [spec.action for spec in COMMANDS if spec.bulk]
LABELS: dict[str, str] = {spec.action: spec.label for spec in COMMANDS}


def default_values(action: str) -> dict[str, str]:
    """A fresh form for `action`: each field at its default."""
    return {f.name: f.default for f in SPECS[action].fields}


def command_params(action: str, values: dict[str, str]) -> dict[str, Any]:
    """The action's fields from the form values; empty optional fields are left out.

    A transaction choice reads "41 (connector 2)": only the id is sent.
    """
    params: dict[str, Any] = {}
    for f in SPECS[action].fields:
        value = str(values.get(f.name, f.default) or "")
        if f.kind == "transaction":
            value = value.split(" ")[0]
        if value.strip() or (f.kind == "textarea" and value):
            params[f.name] = value if f.kind == "textarea" else value.strip()
    return params
