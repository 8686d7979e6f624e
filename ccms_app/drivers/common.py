"""What the users services (drivers, groups, id tags, vehicles) share: the operator's scope,
field validation that reports every error at once, and the refusal errors the pages show."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.drivers.local_lists.marks import mark_id_tags_changed_in
from ccms_app.drivers.models import IdTag

log = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 320
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE_RE = re.compile(r"\+?[0-9 ()./-]+")


class UserInputError(ValueError):
    """The form has errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


class NotFoundError(LookupError):
    """No such row in the operator's scope (rows of other organisations are not found either)."""


class RefusedError(ValueError):
    """The action is not allowed in the row's current state; the message says what to do."""


@dataclass(frozen=True)
class Scope:
    """Who acts: the operator's organisation (owner of what it creates) and every organisation
    it may see and edit (itself and its sub-operators)."""

    organisation_id: int
    organisation_ids: frozenset[int]

    @classmethod
    def of(cls, organisation_id: int) -> Scope:
        return cls(organisation_id, organisation_scope(organisation_id))

    def covers(self, organisation_id: int | None) -> bool:
        return organisation_id in self.organisation_ids


@dataclass
class Errors:
    """Collects field errors; the first error of a field wins."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def raise_if_any(self) -> None:
        if self.fields:
            raise UserInputError(self.fields)


# "<field> is required" of the required fields (the others: "{field} is required").
_REQUIRED = {
    "name": N_("Name is required"),
    "make": N_("Make is required"),
    "model": N_("Model is required"),
}
# "<what> <key> not found", by what `visible` is told.
_NOT_FOUND = {
    "driver": N_("driver {key} not found"),
    "group": N_("group {key} not found"),
    "id tag": N_("id tag {key} not found"),
    "vehicle": N_("vehicle {key} not found"),
}


def text(errors: Errors, name: str, value: str, max_length: int, *, required: bool = False) -> str:
    """The value without edge spaces; records an error when missing or too long (messages in
    the reader's language)."""
    value = (value or "").strip()
    if required and not value:
        label = name.replace("_", " ").capitalize()
        errors.add(
            name,
            tr(_REQUIRED[name]) if name in _REQUIRED else tr("{field} is required", field=label),
        )
    elif len(value) > max_length:
        errors.add(
            name,
            tr(
                "At most {maximum} characters ({count} given)", maximum=max_length, count=len(value)
            ),
        )
    elif any(not ch.isprintable() for ch in value):
        errors.add(name, tr("Contains control characters"))
    return value


def email(errors: Errors, name: str, value: str, *, required: bool = False) -> str:
    value = text(errors, name, value, EMAIL_MAX_LENGTH, required=required)
    if value and name not in errors and not _EMAIL_RE.fullmatch(value):
        errors.add(name, tr("{value} is not an email address", value=repr(value)))
    return value


def phone(errors: Errors, name: str, value: str, max_length: int) -> str:
    value = text(errors, name, value, max_length)
    if value and name not in errors:
        digits = sum(ch.isdigit() for ch in value)
        if not _PHONE_RE.fullmatch(value) or digits < 5:
            errors.add(name, tr("Use digits, spaces and + ( ) - . /, e.g. +31 20 123 4567"))
    return value


def visible(scope: Scope, organisation_id: int | None, what: str, key: object) -> None:
    """NotFoundError unless the row (of `organisation_id`) is in the operator's scope."""
    if not scope.covers(organisation_id):
        if what in _NOT_FOUND:
            raise NotFoundError(tr(_NOT_FOUND[what], key=key))
        raise NotFoundError(tr("{what} {key} not found", what=what, key=key))


def id_tags_changed(session: Session, id_tag_ids: Collection[int | None]) -> None:
    """In the caller's transaction: these cards' IdTagInfo (status, expiry, parent) may have
    changed, so local authorization lists holding them are marked for the next sync. Call it
    before deleting a card. Authorize needs nothing: it reads the id tag table live."""
    ids = sorted({i for i in id_tag_ids if i is not None})
    if not ids:
        return
    tags = session.exec(select(IdTag.id_tag).where(col(IdTag.id).in_(ids))).all()
    marked = mark_id_tags_changed_in(session, list(tags))
    log.info("id tags changed", extra={"count": len(ids), "charge_points_marked": marked})
