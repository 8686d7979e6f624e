"""What an API key looks like: `ccms_` and 43 URL-safe characters (256 random bits).

The prefix makes a leaked key easy to recognise (secret scanners, logs); the list shows the
first characters so an operator can tell keys apart without the key itself.
"""

from __future__ import annotations

import secrets

from ccms_app.core.i18n import tr

KEY_PREFIX = "ccms_"
SHOWN_CHARACTERS = 12  # "ccms_" and 7 characters of the secret
MAX_NAME_CHARS = 120


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def shown_prefix(key: str) -> str:
    return key[:SHOWN_CHARACTERS]


def looks_like_key(value: str) -> bool:
    """Worth a database lookup: the right prefix and a plausible length."""
    return value.startswith(KEY_PREFIX) and 20 <= len(value) <= 100 and value.isascii()


def validate_name(name: str) -> str:
    """The cleaned key name; ValueError saying what is wrong."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError(tr("Give the key a name that says who uses it (e.g. ERP export)."))
    if len(cleaned) > MAX_NAME_CHARS:
        raise ValueError(
            tr("A key name has at most {max_name_chars} characters.", max_name_chars=MAX_NAME_CHARS)
        )
    return cleaned
