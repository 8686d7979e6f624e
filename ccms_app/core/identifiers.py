"""OCPP identifiers: charge point identities and id tags, checked before anything is stored."""

from __future__ import annotations

import re

from ccms_app.core.i18n import tr

IDENTITY_MAX_LENGTH = 48
ID_TAG_MAX_LENGTH = 20  # OCPP 1.6 CiString20Type
_IDENTITY_RE = re.compile(r"[A-Za-z0-9._:-]+")


class FieldError(ValueError):
    """Bad input for one field; `field` names it (for form and CLI hints)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def validate_identity(identity: str) -> str:
    """An OCPP charge point identity: 1-48 URL-path-safe characters (letters, digits, -_.:)."""
    if not identity:
        raise FieldError(tr("identity is empty"), "identity")
    if len(identity) > IDENTITY_MAX_LENGTH:
        raise FieldError(
            f"identity {identity!r} is {len(identity)} characters long; "
            f"at most {IDENTITY_MAX_LENGTH} are allowed",
            "identity",
        )
    bad = sorted({ch for ch in identity if not _IDENTITY_RE.fullmatch(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise FieldError(
            f"identity {identity!r} contains {shown}; only letters A-Z a-z, digits and "
            "- _ . : are allowed (the identity is the last segment of the websocket URL)",
            "identity",
        )
    if identity in (".", ".."):
        raise FieldError(f"identity {identity!r} is not a usable URL segment", "identity")
    return identity


def validate_id_tag(id_tag: str, field: str = "id_tag") -> str:
    """An OCPP 1.6 idTag (CiString20): 1-20 printable ASCII characters, no edge spaces."""
    if not id_tag:
        raise FieldError(tr("{field} is empty", field=field), field)
    if len(id_tag) > ID_TAG_MAX_LENGTH:
        raise FieldError(
            f"{field} {id_tag!r} is {len(id_tag)} characters long; OCPP allows at most "
            f"{ID_TAG_MAX_LENGTH}",
            field,
        )
    bad = sorted({ch for ch in id_tag if not " " <= ch <= "~"})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise FieldError(
            f"{field} {id_tag!r} contains {shown}; OCPP allows printable ASCII only", field
        )
    if id_tag != id_tag.strip():
        raise FieldError(f"{field} {id_tag!r} starts or ends with a space", field)
    return id_tag
