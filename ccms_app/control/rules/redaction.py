"""Secrets a charge point's configuration holds, kept out of everything CCMS stores.

OCPP 1.6 Security Profile 1/2 sets a charger's Basic-auth password with
ChangeConfiguration(AuthorizationKey). The key is write-only (a charger should not report it;
some do in GetConfiguration). Its value must not reach the OCPP message log, the command
records or the stored configuration, where every operator with access could read it.
Configuration keys compare case-insensitively, as chargers treat them.
"""

from __future__ import annotations

import json
from typing import Any

SECRET_KEYS = frozenset({"authorizationkey"})
REDACTED = "<redacted>"


def may_hold_secret(raw: str) -> bool:
    """The cheap test on every logged frame before anything is parsed (a substring of the
    lowered text: a sixth of what a case-insensitive regex search costs on a MeterValues)."""
    return "authorizationkey" in raw.lower()


def is_secret(key: object) -> bool:
    return isinstance(key, str) and key.lower() in SECRET_KEYS


def redact(value: Any) -> Any:
    """`value` with the value of every secret {"key": ..., "value": ...} pair replaced (the
    shape of a ChangeConfiguration request and of GetConfiguration's configurationKey)."""
    if isinstance(value, dict):
        redacted = {k: redact(v) for k, v in value.items()}
        if is_secret(value.get("key")) and redacted.get("value") is not None:
            redacted["value"] = REDACTED
        return redacted
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def redact_text(raw: str) -> str:
    """A JSON text (an OCPP-J frame, a stored payload) without secrets; text that mentions a
    secret key but cannot be read as JSON is replaced whole rather than kept."""
    if not may_hold_secret(raw):
        return raw
    try:
        parsed = json.loads(raw)
    except ValueError:
        return REDACTED
    cleaned = redact(parsed)
    return raw if cleaned == parsed else json.dumps(cleaned, separators=(",", ":"))
