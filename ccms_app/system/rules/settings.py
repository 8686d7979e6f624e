"""What the System settings may hold, and how a change reads in the audit trail (pure).

Network settings that come from the environment (`CCMS_HEARTBEAT_INTERVAL`, the retention
days) may be overridden by the operator: `OVERRIDES` names each one, its variable and its
bounds. A form sends strings; an empty one means "follow the environment again". Every
refusal is a `Message` naming the bound, so the operator reads it in their language.

Bounds: a heartbeat shorter than 10 s floods the server with nothing to say, longer than a
day hides a dead charger for a day (OCPP's HeartbeatInterval is in seconds); retention is
0 (keep for ever) or 1 to 3,650 days (ten years: beyond that keeping for ever is meant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ccms_app.core.i18n import N_, Message, _

HEARTBEAT = "heartbeat_interval"
MESSAGE_LOG_DAYS = "message_log_retention_days"
METER_SAMPLE_DAYS = "meter_sample_retention_days"
VALUE_SHOWN_MAX = 200  # characters of each side of a change kept in the audit entry
NUMBER_MAX_DIGITS = 9
EMPTY = "(empty)"  # how a blank value reads in the audit trail (stored in English)
DEFAULT = "(default)"  # after a value the environment sets, not the operator
# The trail's stored words, translated where the trail is shown.
TRAIL_WORDS = {EMPTY: N_("(empty)"), DEFAULT: N_("(default)")}


@dataclass(frozen=True)
class Override:
    """A network setting the environment sets and the operator may override."""

    key: str  # the `core.config.Settings` field, also the `system_setting` key
    variable: str  # the environment variable that is the default
    minimum: int
    maximum: int
    forever: bool  # 0 is allowed and means "keep for ever"


OVERRIDES: dict[str, Override] = {
    HEARTBEAT: Override(HEARTBEAT, "CCMS_HEARTBEAT_INTERVAL", 10, 86_400, forever=False),
    MESSAGE_LOG_DAYS: Override(
        MESSAGE_LOG_DAYS, "CCMS_MESSAGE_LOG_RETENTION_DAYS", 1, 3_650, forever=True
    ),
    METER_SAMPLE_DAYS: Override(
        METER_SAMPLE_DAYS, "CCMS_METER_SAMPLE_RETENTION_DAYS", 1, 3_650, forever=True
    ),
}

# What each setting is called in the audit trail (translated where shown).
LABELS: dict[str, str] = {
    "seller_name": N_("Name"),
    "seller_address": N_("Address"),
    "seller_vat_id": N_("VAT id"),
    "seller_email": N_("Contact e-mail"),
    "currency": N_("Currency"),
    "time_zone": N_("Time zone"),
    "language": N_("Language of receipts, invoices and e-mails to drivers"),
    "default_tariff": N_("Default tariff"),
    "recharge_amounts": N_("Recharge amounts"),
    "memberships_enabled": N_("Membership plans offered"),
    HEARTBEAT: N_("Heartbeat interval (s)"),
    MESSAGE_LOG_DAYS: N_("OCPP message log kept (days)"),
    METER_SAMPLE_DAYS: N_("Meter samples kept (days)"),
    "unknown_charge_points": N_("Unknown charge points"),
    "charger_auth_required": N_("Every charge point must authenticate"),
    "duplicate_connections": N_("Second connections"),
}


class SettingsInputError(ValueError):
    """The form has errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, Message]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


def _bounds(spec: Override, raw: str) -> Message:
    if spec.forever:
        return _(
            "Give 0 (keep for ever) or a number of days from {minimum} to {maximum} (got {value}).",
            minimum=spec.minimum,
            maximum=spec.maximum,
            value=raw,
        )
    return _(
        "Give a number of seconds from {minimum} to {maximum} (got {value}).",
        minimum=spec.minimum,
        maximum=spec.maximum,
        value=raw,
    )


def parse_override(key: str, raw: str) -> int | None:
    """The operator's value for `key` as stored: None for "" (follow the environment), else
    a whole number within the bounds; SettingsInputError names the field otherwise."""
    spec = OVERRIDES[key]
    text = str(raw).strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > NUMBER_MAX_DIGITS:
        raise SettingsInputError({key: _bounds(spec, text[:20])})
    value = int(text)
    if value == 0 and spec.forever:
        return 0
    if not spec.minimum <= value <= spec.maximum:
        raise SettingsInputError({key: _bounds(spec, text)})
    return value


def parse_overrides(form: Mapping[str, str], keys: tuple[str, ...]) -> dict[str, int | None]:
    """Every field of `keys` the form holds, checked together (all errors at once)."""
    values: dict[str, int | None] = {}
    errors: dict[str, Message] = {}
    for key in keys:
        if key not in form:
            continue
        try:
            values[key] = parse_override(key, form[key])
        except SettingsInputError as exc:
            errors.update(exc.errors)
    if errors:
        raise SettingsInputError(errors)
    return values


def effective(key: str, stored: str | None, default: int) -> int:
    """The value in force: the operator's stored one when it is still valid, else the
    environment's (a stored value out of today's bounds must not stop a charger's boot)."""
    if stored is None:
        return default
    try:
        value = parse_override(key, stored)
    except SettingsInputError:
        return default
    return default if value is None else value


def shown(value: object) -> str:
    """A value as the audit trail shows it: "" reads as "(empty)", long text is cut."""
    text = str(value if value is not None else "").strip()
    if not text:
        return EMPTY
    if len(text) > VALUE_SHOWN_MAX:
        return text[: VALUE_SHOWN_MAX - 1] + "…"
    return text


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, str]:
    """What changed, per setting: "before -> after" (settings that kept their value are
    left out, so saving an untouched section writes nothing to the audit trail)."""
    return {
        key: f"{shown(before.get(key))} -> {shown(value)}"
        for key, value in after.items()
        if shown(before.get(key)) != shown(value)
    }
