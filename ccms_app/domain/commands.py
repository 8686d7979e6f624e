"""Operator commands to charge points: checking the operator's input and reading the reply.

Validation happens here, before anything is sent, so a typo never reaches a charger and the
operator gets a message that says which field is wrong.
"""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import AvailabilityType, ResetType

from ccms_app.models.enums import CommandStatus

ID_TAG_MAX = 20

# Reply statuses that mean the charge point will do it (Scheduled: after the running session).
_ACCEPTED_REPLIES = {"Accepted", "Unlocked", "Scheduled"}


class CommandInputError(ValueError):
    """The operator's command parameters are invalid; the message says which and why."""


def _int(params: dict[str, Any], name: str, *, minimum: int, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise CommandInputError(f"{name} is required")
        return None
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise CommandInputError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise CommandInputError(f"{name} must be {minimum} or more, got {value}")
    return value


def _choice(params: dict[str, Any], name: str, allowed: list[str]) -> str:
    raw = str(params.get(name) or "").strip()
    for option in allowed:
        if raw.lower() == option.lower():
            return option
    raise CommandInputError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")


def _remote_start(params: dict[str, Any]) -> call.RemoteStartTransaction:
    id_tag = str(params.get("id_tag") or "").strip()
    if not id_tag:
        raise CommandInputError("id_tag is required")
    if len(id_tag) > ID_TAG_MAX:
        raise CommandInputError(f"id_tag must be at most {ID_TAG_MAX} characters")
    return call.RemoteStartTransaction(
        id_tag=id_tag, connector_id=_int(params, "connector_id", minimum=1, required=False)
    )


def _remote_stop(params: dict[str, Any]) -> call.RemoteStopTransaction:
    return call.RemoteStopTransaction(transaction_id=_int(params, "transaction_id", minimum=0))


def _reset(params: dict[str, Any]) -> call.Reset:
    return call.Reset(type=ResetType(_choice(params, "type", ["Soft", "Hard"])))


def _unlock(params: dict[str, Any]) -> call.UnlockConnector:
    return call.UnlockConnector(connector_id=_int(params, "connector_id", minimum=1))


def _change_availability(params: dict[str, Any]) -> call.ChangeAvailability:
    return call.ChangeAvailability(
        connector_id=_int(params, "connector_id", minimum=0),
        type=AvailabilityType(_choice(params, "type", ["Operative", "Inoperative"])),
    )


BUILDERS = {
    "RemoteStartTransaction": _remote_start,
    "RemoteStopTransaction": _remote_stop,
    "Reset": _reset,
    "UnlockConnector": _unlock,
    "ChangeAvailability": _change_availability,
}

SUPPORTED_ACTIONS = tuple(BUILDERS)


def build_request(action: str, params: dict[str, Any]) -> Any:
    """The typed OCPP request for `action`, or CommandInputError."""
    builder = BUILDERS.get(action)
    if builder is None:
        raise CommandInputError(
            f"unsupported command {action!r}; supported: {', '.join(SUPPORTED_ACTIONS)}"
        )
    return builder(params)


def reply_status(reply: Any) -> tuple[CommandStatus, str]:
    """Command status and reply status text from a charge point's CALLRESULT."""
    raw = getattr(reply, "status", None)
    text = str(getattr(raw, "value", raw))
    status = CommandStatus.ACCEPTED if text in _ACCEPTED_REPLIES else CommandStatus.REJECTED
    return status, text
