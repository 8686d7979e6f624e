"""Charge point identities the server accepts, checked at the handshake before anything else.

The identity is the last segment of the websocket URL and names the charge point everywhere
(database, logs, the operator's pages). The rules are OCPP 2.0.1's for a charging station
identity (identifierString, at most 48 characters: a-z A-Z 0-9 * - _ = : + | @ .), which 1.6
chargers meet in practice; anything else (spaces, a NUL, a "/" smuggled in as %2F, "..") is
either a misconfigured charger or someone probing, and is refused with the reason.
"""

from __future__ import annotations

import string

MAX_LENGTH = 48
ALLOWED = frozenset(string.ascii_letters + string.digits + "*-_=:+|@.")


def identity_problem(identity: str) -> str | None:
    """Why `identity` cannot be a charge point identity, or None when it can."""
    if not identity:
        return "no charge point identity in the URL path"
    if len(identity) > MAX_LENGTH:
        return f"identity is {len(identity)} characters long; at most {MAX_LENGTH} are allowed"
    if identity.strip(".") == "":
        return "identity is a path segment, not a name"
    bad = sorted({c for c in identity if c not in ALLOWED})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        return (
            f"identity holds characters not allowed ({shown}); allowed: letters, digits, *-_=:+|@."
        )
    return None
