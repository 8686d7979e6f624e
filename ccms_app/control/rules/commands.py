"""Operator commands to charge points: checking the operator's input and reading the reply.

Validation happens here, before anything is sent, so a typo never reaches a charger and the
operator gets a message that says which field is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ocpp.v16 import call
from ocpp.v16.enums import AvailabilityType, ResetType, UpdateType

from ccms_app.control.models import CommandStatus
from ccms_app.core.i18n import tr
from ocpp_server.smart_charging.profiles import ChargingProfile, ProfileError, Purpose
from ocpp_server.smart_charging.to_ocpp import profile_to_ocpp
from ocpp_server.smart_charging.validation import read_profile, validate_profile

ID_TAG_MAX = 20

# Reply statuses that mean the charge point will do it (Scheduled: after the running session;
# RebootRequired: ChangeConfiguration stored, applied at the next reboot). Every other status
# (Rejected, NotSupported, NotImplemented, UnknownVendorId, Occupied, ...) is a refusal.
_ACCEPTED_REPLIES = {"Accepted", "Unlocked", "Scheduled", "RebootRequired"}

CONFIG_KEY_MAX = 50
CONFIG_VALUE_MAX = 500
VENDOR_ID_MAX = 255
MESSAGE_ID_MAX = 50
# Every message OCPP 1.6 TriggerMessage may ask for.
TRIGGERABLE_MESSAGES = [
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
]


class CommandInputError(ValueError):
    """The operator's command parameters are invalid; the message says which and why."""


def _int(params: dict[str, Any], name: str, *, minimum: int, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise CommandInputError(tr("{name} is required", name=name))
        return None
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise CommandInputError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise CommandInputError(
            tr(
                "{name} must be {minimum} or more, got {value}",
                name=name,
                minimum=minimum,
                value=value,
            )
        )
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
        raise CommandInputError(tr("id_tag is required"))
    if len(id_tag) > ID_TAG_MAX:
        raise CommandInputError(
            tr("id_tag must be at most {id_tag_max} characters", id_tag_max=ID_TAG_MAX)
        )
    connector_id = _int(params, "connector_id", minimum=1, required=False)
    raw_profile = params.get("charging_profile")
    profile = None
    if raw_profile is not None:  # a TxProfile for the transaction it starts (no transactionId)
        checked = _charging_profile(raw_profile, connector_id or 1, remote_start=True)
        profile = profile_to_ocpp(checked)
    return call.RemoteStartTransaction(
        id_tag=id_tag, connector_id=connector_id, charging_profile=profile
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


def _text(
    params: dict[str, Any], name: str, *, maximum: int, required: bool = True, strip: bool = True
) -> str | None:
    raw = params.get(name)
    text = "" if raw is None else str(raw)
    text = text.strip() if strip else text
    if not text:
        if required:
            raise CommandInputError(tr("{name} is required", name=name))
        return None
    if len(text) > maximum:
        raise CommandInputError(
            tr(
                "{name} must be at most {maximum} characters, got {count}",
                name=name,
                maximum=maximum,
                count=len(text),
            )
        )
    return text


def _keys(raw: Any) -> list[str] | None:
    """Configuration keys from a list or a comma/line separated string; None means all keys."""
    items = raw.replace("\n", ",").split(",") if isinstance(raw, str) else list(raw or [])
    keys: list[str] = []
    for item in (str(i).strip() for i in items):
        if len(item) > CONFIG_KEY_MAX:
            raise CommandInputError(f"key {item[:20]!r}... is longer than {CONFIG_KEY_MAX}")
        if item and item not in keys:
            keys.append(item)
    return keys or None


def _ocpp_datetime(params: dict[str, Any], name: str) -> str:
    """A timezone-aware datetime (or ISO 8601 text) as OCPP dateTime in UTC."""
    raw = params.get(name)
    if isinstance(raw, str) and raw.strip():
        try:
            raw = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise CommandInputError(
                tr("{name} must be an ISO 8601 date and time", name=name)
            ) from exc
    if not isinstance(raw, datetime):
        raise CommandInputError(tr("{name} is required", name=name))
    if raw.tzinfo is None:
        raise CommandInputError(tr("{name} must include a time zone", name=name))
    return raw.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _change_configuration(params: dict[str, Any]) -> call.ChangeConfiguration:
    key = _text(params, "key", maximum=CONFIG_KEY_MAX)
    value = _text(params, "value", maximum=CONFIG_VALUE_MAX, required=False, strip=False)
    return call.ChangeConfiguration(key=key, value=value or "")


def _get_configuration(params: dict[str, Any]) -> call.GetConfiguration:
    return call.GetConfiguration(key=_keys(params.get("keys")))


def _clear_cache(params: dict[str, Any]) -> call.ClearCache:
    return call.ClearCache()


def _data_transfer(params: dict[str, Any]) -> call.DataTransfer:
    return call.DataTransfer(
        vendor_id=_text(params, "vendor_id", maximum=VENDOR_ID_MAX),
        message_id=_text(params, "message_id", maximum=MESSAGE_ID_MAX, required=False),
        data=_text(params, "data", maximum=1_000_000, required=False, strip=False),
    )


def _trigger_message(params: dict[str, Any]) -> call.TriggerMessage:
    return call.TriggerMessage(
        requested_message=_choice(params, "requested_message", TRIGGERABLE_MESSAGES),
        connector_id=_int(params, "connector_id", minimum=1, required=False),
    )


def _id_tag(params: dict[str, Any], name: str, *, required: bool) -> str | None:
    return _text(params, name, maximum=ID_TAG_MAX, required=required)


def _reserve_now(params: dict[str, Any]) -> call.ReserveNow:
    return call.ReserveNow(
        connector_id=_int(params, "connector_id", minimum=0),
        expiry_date=_ocpp_datetime(params, "expiry_date"),
        id_tag=_id_tag(params, "id_tag", required=True),
        reservation_id=_int(params, "reservation_id", minimum=0),
        parent_id_tag=_id_tag(params, "parent_id_tag", required=False),
    )


def _cancel_reservation(params: dict[str, Any]) -> call.CancelReservation:
    return call.CancelReservation(reservation_id=_int(params, "reservation_id", minimum=0))


# --- Firmware Management -----------------------------------------------------------------

LOCATION_MAX = 512  # OCPP 1.6 gives anyURI no maximum; longer URLs are a typo, not a server
LOCATION_SCHEMES = ("http", "https", "ftp", "ftps", "sftp")


def _location(params: dict[str, Any]) -> str:
    """An absolute URL a charge point can fetch from or upload to."""
    text = _text(params, "location", maximum=LOCATION_MAX) or ""
    parts = urlsplit(text)
    if parts.scheme.lower() not in LOCATION_SCHEMES or not parts.netloc or " " in text:
        raise CommandInputError(
            f"location must be an absolute {'/'.join(LOCATION_SCHEMES)} URL, got {text!r}"
        )
    return text


def _optional_datetime(params: dict[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _ocpp_datetime(params, name)


def _update_firmware(params: dict[str, Any]) -> call.UpdateFirmware:
    return call.UpdateFirmware(
        location=_location(params),
        retrieve_date=_ocpp_datetime(params, "retrieve_date"),
        retries=_int(params, "retries", minimum=0, required=False),
        retry_interval=_int(params, "retry_interval", minimum=0, required=False),
    )


def _get_diagnostics(params: dict[str, Any]) -> call.GetDiagnostics:
    start = _optional_datetime(params, "start_time")
    stop = _optional_datetime(params, "stop_time")
    if start and stop and start > stop:  # same fixed-width UTC format: text order is time order
        raise CommandInputError(tr("start_time must not be after stop_time"))
    return call.GetDiagnostics(
        location=_location(params),
        retries=_int(params, "retries", minimum=0, required=False),
        retry_interval=_int(params, "retry_interval", minimum=0, required=False),
        start_time=start,
        stop_time=stop,
    )


# --- Local Auth List Management ------------------------------------------------------------

UPDATE_TYPES = ["Full", "Differential"]
AUTHORIZATION_STATUSES = ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"]


def _id_tag_info(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CommandInputError(tr("{where}.id_tag_info must be an object", where=where))
    info: dict[str, Any] = {"status": _choice(raw, "status", AUTHORIZATION_STATUSES)}
    if raw.get("expiry_date") not in (None, ""):
        info["expiry_date"] = _ocpp_datetime(raw, "expiry_date")
    parent = _id_tag(raw, "parent_id_tag", required=False)
    if parent:
        info["parent_id_tag"] = parent
    return info


def _authorization_data(raw: Any, where: str, full: bool) -> dict[str, Any]:
    """One AuthorizationData entry; without id_tag_info it removes the id tag (differential)."""
    if not isinstance(raw, dict):
        raise CommandInputError(tr("{where} must be an object with an id_tag", where=where))
    try:
        entry: dict[str, Any] = {"id_tag": _id_tag(raw, "id_tag", required=True)}
        if raw.get("id_tag_info") is not None:
            entry["id_tag_info"] = _id_tag_info(raw["id_tag_info"], where)
    except CommandInputError as exc:
        raise CommandInputError(tr("{where}: {exc}", where=where, exc=exc)) from None
    if full and "id_tag_info" not in entry:
        raise CommandInputError(
            tr("{where}: a full update needs id_tag_info for every id tag", where=where)
        )
    return entry


def _send_local_list(params: dict[str, Any]) -> call.SendLocalList:
    update_type = _choice(params, "update_type", UPDATE_TYPES)
    raw = params.get("local_authorization_list") or []
    if not isinstance(raw, list | tuple):
        raise CommandInputError(tr("local_authorization_list must be a list"))
    entries = [
        _authorization_data(item, f"local_authorization_list[{i}]", update_type == "Full")
        for i, item in enumerate(raw)
    ]
    seen: set[str] = set()
    for entry in entries:  # OCPP id tags are case-insensitive: one entry per tag
        key = entry["id_tag"].lower()
        if key in seen:
            raise CommandInputError(f"id tag {entry['id_tag']!r} is in the list twice")
        seen.add(key)
    return call.SendLocalList(
        list_version=_int(params, "list_version", minimum=0),
        update_type=UpdateType(update_type),
        local_authorization_list=entries,
    )


def _get_local_list_version(params: dict[str, Any]) -> call.GetLocalListVersion:
    return call.GetLocalListVersion()


# --- Smart Charging ----------------------------------------------------------------------


def _charging_profile(
    raw: Any, connector_id: int, *, remote_start: bool = False
) -> ChargingProfile:
    """A ChargingProfile, or its snake_case dict, checked against the OCPP 1.6 rules."""
    try:
        if isinstance(raw, ChargingProfile):
            validate_profile(raw, connector_id, remote_start=remote_start)
            return raw
        if not isinstance(raw, dict):
            raise CommandInputError(tr("charging profile is required"))
        return read_profile(raw, connector_id, remote_start=remote_start)
    except ProfileError as exc:
        raise CommandInputError(str(exc)) from None


def _set_charging_profile(params: dict[str, Any]) -> call.SetChargingProfile:
    connector_id = _int(params, "connector_id", minimum=0) or 0
    profile = _charging_profile(params.get("cs_charging_profiles"), connector_id)
    return call.SetChargingProfile(
        connector_id=connector_id,
        cs_charging_profiles=profile_to_ocpp(profile),
    )


def _clear_charging_profile(params: dict[str, Any]) -> call.ClearChargingProfile:
    """By id, or by any of connector / purpose / stack level; nothing given clears them all."""
    purpose = params.get("charging_profile_purpose")
    return call.ClearChargingProfile(
        id=_int(params, "id", minimum=0, required=False),
        connector_id=_int(params, "connector_id", minimum=0, required=False),
        charging_profile_purpose=(
            None
            if purpose in (None, "")
            else _choice(params, "charging_profile_purpose", [p.value for p in Purpose])
        ),
        stack_level=_int(params, "stack_level", minimum=0, required=False),
    )


def _get_composite_schedule(params: dict[str, Any]) -> call.GetCompositeSchedule:
    unit = params.get("charging_rate_unit")
    return call.GetCompositeSchedule(
        connector_id=_int(params, "connector_id", minimum=0),
        duration=_int(params, "duration", minimum=1),
        charging_rate_unit=(
            None if unit in (None, "") else _choice(params, "charging_rate_unit", ["W", "A"])
        ),
    )


BUILDERS = {
    "RemoteStartTransaction": _remote_start,
    "RemoteStopTransaction": _remote_stop,
    "Reset": _reset,
    "UnlockConnector": _unlock,
    "ChangeAvailability": _change_availability,
    "ChangeConfiguration": _change_configuration,
    "GetConfiguration": _get_configuration,
    "ClearCache": _clear_cache,
    "DataTransfer": _data_transfer,
    "TriggerMessage": _trigger_message,
    "ReserveNow": _reserve_now,
    "CancelReservation": _cancel_reservation,
    "UpdateFirmware": _update_firmware,
    "GetDiagnostics": _get_diagnostics,
    "SendLocalList": _send_local_list,
    "GetLocalListVersion": _get_local_list_version,
    "SetChargingProfile": _set_charging_profile,
    "ClearChargingProfile": _clear_charging_profile,
    "GetCompositeSchedule": _get_composite_schedule,
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
    """Command status and reply status text from a charge point's CALLRESULT.

    A reply without a status field (GetConfiguration) is the answer itself: accepted, "".
    """
    if not hasattr(reply, "status"):
        return CommandStatus.ACCEPTED, ""
    raw = getattr(reply, "status", None)
    text = str(getattr(raw, "value", raw))
    status = CommandStatus.ACCEPTED if text in _ACCEPTED_REPLIES else CommandStatus.REJECTED
    return status, text
