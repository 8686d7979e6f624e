"""Signing a delivery: `CCMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The HMAC is keyed with the subscription's secret and taken over `"<t>." + body` (the raw
bytes sent), as Stripe does: the timestamp inside the signed text lets a receiver refuse a
replay, and `v1` names the scheme so a later one can be sent beside it. The package
docstring (`ccms_app.webhooks`) is the receiver's recipe; `verify` is the same recipe in code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ccms_app.core.i18n import tr

SIGNATURE_HEADER = "CCMS-Signature"
EVENT_ID_HEADER = "CCMS-Event-Id"
EVENT_TYPE_HEADER = "CCMS-Event-Type"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"
TOLERANCE_S = 300  # how far a receiver should accept `t` from its own clock
MIN_SECRET_CHARS = 16
MAX_SECRET_CHARS = 128


def new_secret() -> str:
    """256 random bits, recognisable as a webhook secret (secret scanners, logs)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def validate_secret(value: str) -> str:
    """An operator's own secret: long enough to resist guessing, printable ASCII without
    spaces (it is typed into another system's configuration). ValueError says what is wrong."""
    if not MIN_SECRET_CHARS <= len(value) <= MAX_SECRET_CHARS:
        raise ValueError(
            tr(
                "A secret has {min_secret_chars} to {max_secret_chars} "
                "characters; leave it empty and CCMS makes one.",
                min_secret_chars=MIN_SECRET_CHARS,
                max_secret_chars=MAX_SECRET_CHARS,
            )
        )
    if not all("!" <= ch <= "~" for ch in value):
        raise ValueError(tr("Use printable ASCII characters without spaces in a secret."))
    return value


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>." + body` keyed with `secret`."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def parse_header(value: str) -> tuple[int, list[str]] | None:
    """`t` and every `v1` of a signature header; None when it is not one."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        name, _, item = part.strip().partition("=")
        if name == "t" and item.isdigit():
            timestamp = int(item)
        elif name == SCHEME and item:
            signatures.append(item)
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify(
    secret: str, header: str, body: bytes, now: float, tolerance: float = TOLERANCE_S
) -> bool:
    """Whether `header` signs `body` with `secret`, within `tolerance` seconds of `now`."""
    parsed = parse_header(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
