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
            tr(
                "identity {identity} is {count} characters long; at most {limit} are allowed",
                identity=repr(identity),
                count=len(identity),
                limit=IDENTITY_MAX_LENGTH,
            ),
            "identity",
        )
    bad = sorted({ch for ch in identity if not _IDENTITY_RE.fullmatch(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise FieldError(
            tr(
                "identity {identity} contains {characters}; only letters A-Z a-z, digits and "
                "- _ . : are allowed (the identity is the last segment of the websocket URL)",
                identity=repr(identity),
                characters=shown,
            ),
            "identity",
        )
    if identity in (".", ".."):
        raise FieldError(
            tr("identity {identity} is not a usable URL segment", identity=repr(identity)),
            "identity",
        )
    return identity


def validate_id_tag(id_tag: str, field: str = "id_tag") -> str:
    """An OCPP 1.6 idTag (CiString20): 1-20 printable ASCII characters, no edge spaces."""
    if not id_tag:
        raise FieldError(tr("{field} is empty", field=field), field)
    if len(id_tag) > ID_TAG_MAX_LENGTH:
        raise FieldError(
            tr(
                "{field} {id_tag} is {count} characters long; OCPP allows at most {limit}",
                field=field,
                id_tag=repr(id_tag),
                count=len(id_tag),
                limit=ID_TAG_MAX_LENGTH,
            ),
            field,
        )
    bad = sorted({ch for ch in id_tag if not " " <= ch <= "~"})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise FieldError(
            tr(
                "{field} {id_tag} contains {characters}; OCPP allows printable ASCII only",
                field=field,
                id_tag=repr(id_tag),
                characters=shown,
            ),
            field,
        )
    if id_tag != id_tag.strip():
        raise FieldError(
            tr("{field} {id_tag} starts or ends with a space", field=field, id_tag=repr(id_tag)),
            field,
        )
    return id_tag
