"""Which fields each operator command asks for: the command forms are built from this.

A form holds every value as text (what inputs give); `command_params` turns the values of
one action into the parameters the command service validates (ccms_app.control.rules.commands), so
the service stays the single place that says what is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccms_app.control.rules.commands import TRIGGERABLE_MESSAGES
from ccms_app.core.i18n import N_, gettext, reader_language

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


_CONNECTOR = FieldSpec("connector_id", N_("Connector"), "connector")
_WHOLE_OR_CONNECTOR = FieldSpec(
    "connector_id", N_("Connector (0 = the whole charge point)"), "connector0", default="0"
)
# No default: the form starts on a free connector (ChargePointInfo.connector_to_reserve).
_RESERVED_CONNECTOR = FieldSpec("connector_id", N_("Connector (0 = any)"), "connector0")
_ID_TAG = FieldSpec(
    "id_tag", N_("Id tag"), placeholder=N_("RFID card or app id tag"), max_length=20
)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("RemoteStartTransaction", N_("Remote start"), (_CONNECTOR, _ID_TAG)),
    CommandSpec(
        "RemoteStopTransaction",
        N_("Remote stop"),
        (FieldSpec("transaction_id", N_("Transaction"), "transaction"),),
    ),
    CommandSpec(
        "Reset",
        N_("Reset"),
        (FieldSpec("type", N_("Reset type"), "choice", ("Soft", "Hard"), "Soft"),),
        bulk=True,
    ),
    CommandSpec("UnlockConnector", N_("Unlock connector"), (_CONNECTOR,)),
    CommandSpec(
        "ChangeAvailability",
        N_("Change availability"),
        (
            _WHOLE_OR_CONNECTOR,
            FieldSpec(
                "type", N_("Availability"), "choice", ("Operative", "Inoperative"), "Operative"
            ),
        ),
        bulk=True,
    ),
    CommandSpec(
        "ChangeConfiguration",
        N_("Change configuration"),
        (
            FieldSpec("key", N_("Key"), placeholder=N_("e.g. HeartbeatInterval"), max_length=50),
            FieldSpec("value", N_("Value"), max_length=500),
        ),
    ),
    CommandSpec(
        "GetConfiguration",
        N_("Get configuration"),
        (FieldSpec("keys", N_("Keys (comma separated; empty = all)"), placeholder=N_("all keys")),),
    ),
    CommandSpec("ClearCache", N_("Clear authorization cache"), bulk=True),
    CommandSpec(
        "DataTransfer",
        N_("Data transfer"),
        (
            FieldSpec("vendor_id", N_("Vendor id"), max_length=255),
            FieldSpec("message_id", N_("Message id (optional)"), max_length=50),
            FieldSpec("data", N_("Data (optional)"), "textarea"),
        ),
    ),
    CommandSpec(
        "TriggerMessage",
        N_("Trigger message"),
        (
            FieldSpec(
                "requested_message",
                N_("Message"),
                "choice",
                tuple(TRIGGERABLE_MESSAGES),
                "StatusNotification",
            ),
            FieldSpec("connector_id", N_("Connector (optional)"), "number", placeholder=N_("any")),
        ),
        bulk=True,
    ),
    CommandSpec(
        "ReserveNow",
        N_("Reserve now"),
        (
            _RESERVED_CONNECTOR,
            _ID_TAG,
            FieldSpec("expires_in_minutes", N_("Expires in (minutes)"), "number", default="60"),
            FieldSpec("parent_id_tag", N_("Parent id tag (optional)"), max_length=20),
        ),
    ),
    CommandSpec(
        "CancelReservation",
        N_("Cancel reservation"),
        (FieldSpec("reservation_id", N_("Reservation id"), "number"),),
    ),
)

SPECS: dict[str, CommandSpec] = {spec.action: spec for spec in COMMANDS}
ACTIONS: list[str] = [spec.action for spec in COMMANDS]
BULK_ACTIONS: list[str] = [spec.action for spec in COMMANDS if spec.bulk]
LABELS: dict[str, str] = {spec.action: spec.label for spec in COMMANDS}  # message ids

# A command's status (control.models.CommandStatus) as the pages show it (`t_var`: the value
# is the message id, so English shows the value itself).
COMMAND_STATUS_NAMES: dict[str, str] = {
    "requested": N_("requested"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
    "timed_out": N_("timed_out"),
    "offline": N_("offline"),
}
# The outcome of a command as one sentence per status; `{command}` is its label.
OUTCOMES: dict[str, str] = {
    "accepted": N_("{command} accepted by the charge point."),
    "rejected": N_("{command} rejected by the charge point."),
    "timed_out": N_("{command} got no answer (timed out)."),
    "offline": N_("{command} not delivered: the charge point is offline."),
    "failed": N_("{command} failed."),
}
EXPLAINED_OUTCOMES: dict[str, str] = {  # with the charge point's or the service's reason
    "rejected": N_("{command} rejected by the charge point ({error})."),
    "failed": N_("{command} failed ({error})."),
}


def words(msgid: str, **values: Any) -> str:
    """A message id held in a table (`N_`) in the reader's language, values filled in."""
    return gettext(reader_language(), msgid, **values)


def command_label(action: str) -> str:
    """The command's name in the reader's language (an unknown action: its OCPP name)."""
    return words(LABELS[action]) if action in LABELS else action


def command_outcome(label: str, status: str, error: str) -> str:
    """What happened to a command, in the reader's language; `label` is already worded."""
    if error and status in EXPLAINED_OUTCOMES:  # the others say it already
        return words(EXPLAINED_OUTCOMES[status], command=label, error=error)
    if status in OUTCOMES:
        return words(OUTCOMES[status], command=label)
    return words(N_("{command} {status}."), command=label, status=status)


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
