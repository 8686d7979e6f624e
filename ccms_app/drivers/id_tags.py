"""RFID cards / id tags: issue, edit (owner, expiry, parent), block, unblock, delete; the list.

Rules:
- An id tag is OCPP's CiString20 (core.identifiers.validate_id_tag), unique case-insensitively
  across the network (a charge point cannot tell two spellings apart). It is never renamed:
  sessions refer to it by value.
- A card belongs to a driver, or to a user group (a group card), or to nobody yet; not both.
- The parent id tag must be an existing card, not the card itself, and must not make a cycle.
- A card used in charging sessions is never deleted (it is history): block it instead.
- Blocking or unblocking takes effect on the next Authorize / StartTransaction (read live)
  and marks local authorization lists holding the card for their next sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.identifiers import FieldError, validate_id_tag
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.types import UTCDateTime, utc_now
from ccms_app.drivers.authorization import owner_blocked_clause
from ccms_app.drivers.common import (
    Errors,
    RefusedError,
    Scope,
    UserInputError,
    id_tags_changed,
    text,
    visible,
)
from ccms_app.drivers.id_tag_lookup import find_id_tag
from ccms_app.drivers.models import (
    Driver,
    IdTag,
    IdTagStatus,
    LocalAuthList,
    LocalAuthListEntry,
    UserGroup,
)
from ccms_app.drivers.rules.authorization import ACCEPTED, BLOCKED, EXPIRED, id_tag_status
from ccms_app.network.provisioning import expiry_to_utc

log = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 200
MAX_PARENT_DEPTH = 100  # a longer parent chain is a data error; stop walking it


@dataclass(frozen=True)
class IdTagInput:
    """What the card form sends. `expiry` is a date "YYYY-MM-DD" (valid to the end of that
    day in `zone`: the operator's for the web form, UTC for the API) or "" for never;
    `parent_id_tag` "" for none. `id_tag` is ignored on edit."""

    id_tag: str = ""
    expiry: str = ""
    parent_id_tag: str = ""
    driver_id: int | None = None
    group_id: int | None = None
    description: str = ""
    concurrent_transactions: bool = False  # a fleet card: several transactions at once
    zone: str = "UTC"  # whose day `expiry` is


@dataclass(frozen=True)
class IdTagView:
    id: int
    organisation_id: int
    id_tag: str
    status: str  # what the operator set: active | blocked
    authorization: str  # what Authorize answers now (ConcurrentTx aside): Accepted, Blocked ...
    expiry_date: datetime | None
    parent_id_tag: str | None
    driver_id: int | None
    driver_name: str
    group_id: int | None
    group_name: str
    description: str
    created_at: datetime
    concurrent_transactions: bool = False


def _get(session: Session, scope: Scope, pk: int) -> IdTag:
    tag = session.get(IdTag, pk)
    visible(scope, tag.organisation_id if tag else None, "id tag", pk)
    assert tag is not None
    return tag


def _view(session: Session, tag: IdTag) -> IdTagView:
    owner_blocked = session.exec(
        select(owner_blocked_clause()).select_from(IdTag).where(IdTag.id == tag.id)
    ).one()
    driver = session.get(Driver, tag.driver_id) if tag.driver_id else None
    group = session.get(UserGroup, tag.group_id) if tag.group_id else None
    assert tag.id is not None
    return IdTagView(
        id=tag.id,
        organisation_id=tag.organisation_id,
        id_tag=tag.id_tag,
        status=tag.status,
        authorization=id_tag_status(
            known=True,
            blocked=tag.status == IdTagStatus.BLOCKED,
            expiry=tag.expiry_date,
            now=utc_now(),
            owner_blocked=bool(owner_blocked),
        ),
        expiry_date=tag.expiry_date,
        parent_id_tag=tag.parent_id_tag,
        driver_id=tag.driver_id,
        driver_name=driver.name if driver else "",
        group_id=tag.group_id,
        group_name=group.name if group else "",
        description=tag.description,
        created_at=tag.created_at,
        concurrent_transactions=tag.concurrent_transactions,
    )


# --- validation -----------------------------------------------------------------------------


def _expiry(
    errors: Errors, value: str | date | None, current: datetime | None, zone: str
) -> datetime | None:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors.add("expiry", tr("{value} is not a date (YYYY-MM-DD)", value=repr(value)))
            return None
    expiry = expiry_to_utc(value, zone)
    # A past expiry is refused unless it is the card's current one (an unchanged form).
    if expiry is not None and expiry <= utc_now() and expiry != current:
        errors.add("expiry", tr("The expiry date is in the past; block the card instead"))
    return expiry


def _owner(session: Session, scope: Scope, errors: Errors, data: IdTagInput) -> None:
    if data.driver_id and data.group_id:
        errors.add("owner", tr("A card belongs to a driver or to a group, not both"))
        return
    if data.driver_id:
        driver = session.get(Driver, data.driver_id)
        if driver is None or not scope.covers(driver.organisation_id):
            errors.add("owner", tr("Driver {key} not found", key=data.driver_id))
    if data.group_id:
        group = session.get(UserGroup, data.group_id)
        if group is None or not scope.covers(group.organisation_id):
            errors.add("owner", tr("Group {key} not found", key=data.group_id))


def _parent(session: Session, scope: Scope, errors: Errors, value: str, own_tag: str) -> str | None:
    """The parent's id tag as stored, after checking it exists, is not the card and that the
    parent chain does not lead back to the card."""
    value = value.strip()
    if not value:
        return None
    parent = find_id_tag(session, value)
    if parent is None or not scope.covers(parent.organisation_id):
        errors.add(
            "parent_id_tag",
            tr("No card {value}; the parent must be an existing card", value=repr(value)),
        )
        return None
    if own_tag and parent.id_tag.lower() == own_tag.lower():
        errors.add("parent_id_tag", tr("A card cannot be its own parent"))
        return None
    seen, current = {parent.id_tag.lower()}, parent
    for _ in range(MAX_PARENT_DEPTH):
        if not current.parent_id_tag:
            break
        if own_tag and current.parent_id_tag.lower() == own_tag.lower():
            errors.add(
                "parent_id_tag",
                tr(
                    "{parent} already has {id_tag} above it as parent; that would be a cycle",
                    parent=parent.id_tag,
                    id_tag=own_tag,
                ),
            )
            return None
        nxt = find_id_tag(session, current.parent_id_tag)
        if nxt is None or nxt.id_tag.lower() in seen:
            break
        seen.add(nxt.id_tag.lower())
        current = nxt
    return parent.id_tag


def _new_tag(session: Session, errors: Errors, value: str) -> str:
    if not value:
        errors.add("id_tag", tr("Id tag is required"))
        return value
    try:
        validate_id_tag(value)
    except FieldError as exc:
        errors.add("id_tag", "Id tag" + str(exc).removeprefix("id_tag"))
        return value
    existing = find_id_tag(session, value)
    if existing is not None:
        errors.add(
            "id_tag",
            tr("Card {id_tag} already exists (id tags ignore case)", id_tag=existing.id_tag),
        )
    return value


# --- use cases ------------------------------------------------------------------------------


def get_id_tag(scope: Scope, pk: int) -> IdTagView:
    with read_session() as session:
        return _view(session, _get(session, scope, pk))


def issue_id_tag(scope: Scope, data: IdTagInput) -> IdTagView:
    """A new active card of the operator's organisation, optionally assigned to its owner."""
    try:
        view = _issue(scope, data)
    except IntegrityError as exc:  # the same tag inserted meanwhile (PostgreSQL: no write lock)
        message = tr("Card {id_tag} already exists", id_tag=data.id_tag.strip())
        raise UserInputError({"id_tag": message}) from exc
    log.info("id tag issued", extra={"id_tag": view.id_tag})
    return view


def _issue(scope: Scope, data: IdTagInput) -> IdTagView:
    with session_scope() as session:
        errors = Errors()
        tag_value = _new_tag(session, errors, data.id_tag.strip())
        expiry = _expiry(errors, data.expiry, None, data.zone)
        parent = _parent(session, scope, errors, data.parent_id_tag, tag_value)
        _owner(session, scope, errors, data)
        description = text(errors, "description", data.description, DESCRIPTION_MAX_LENGTH)
        errors.raise_if_any()
        tag = IdTag(
            organisation_id=scope.organisation_id,
            id_tag=tag_value,
            expiry_date=expiry,
            parent_id_tag=parent,
            driver_id=data.driver_id or None,
            group_id=data.group_id or None,
            description=description,
            concurrent_transactions=data.concurrent_transactions,
        )
        session.add(tag)
        session.flush()
        return _view(session, tag)


def update_id_tag(scope: Scope, pk: int, data: IdTagInput) -> IdTagView:
    """Change owner, expiry, parent and description (never the id tag itself)."""
    with session_scope() as session:
        tag = _get(session, scope, pk)
        errors = Errors()
        expiry = _expiry(errors, data.expiry, tag.expiry_date, data.zone)
        parent = _parent(session, scope, errors, data.parent_id_tag, tag.id_tag)
        _owner(session, scope, errors, data)
        description = text(errors, "description", data.description, DESCRIPTION_MAX_LENGTH)
        errors.raise_if_any()
        info_changed = (tag.expiry_date, tag.parent_id_tag) != (expiry, parent) or (
            tag.driver_id,
            tag.group_id,
        ) != (data.driver_id or None, data.group_id or None)
        tag.expiry_date, tag.parent_id_tag, tag.description = expiry, parent, description
        tag.driver_id, tag.group_id = data.driver_id or None, data.group_id or None
        tag.concurrent_transactions = data.concurrent_transactions
        session.add(tag)
        session.flush()
        if info_changed:
            id_tags_changed(session, [tag.id])
        return _view(session, tag)


def _set_status(scope: Scope, pk: int, status: IdTagStatus) -> IdTagView:
    with session_scope() as session:
        tag = _get(session, scope, pk)
        if tag.status != status:
            tag.status = status
            session.add(tag)
            session.flush()
            id_tags_changed(session, [tag.id])
        view = _view(session, tag)
    log.info("id tag status set", extra={"id_tag": view.id_tag, "status": str(status)})
    return view


def block_id_tag(scope: Scope, pk: int) -> IdTagView:
    """The card answers Blocked from the next Authorize on."""
    return _set_status(scope, pk, IdTagStatus.BLOCKED)


def unblock_id_tag(scope: Scope, pk: int) -> IdTagView:
    return _set_status(scope, pk, IdTagStatus.ACTIVE)


def delete_id_tag(scope: Scope, pk: int) -> str:
    """Delete a card nobody charged with, that is no other card's parent and in no local
    list. Otherwise RefusedError saying what to do (usually: block it). Returns the id tag."""
    with session_scope() as session:
        tag = _get(session, scope, pk)
        _refuse_delete(session, tag)
        id_tags_changed(session, [tag.id])
        session.delete(tag)
    log.info("id tag deleted", extra={"id_tag": tag.id_tag})
    return tag.id_tag


def _refuse_delete(session: Session, tag: IdTag) -> None:
    key = tag.id_tag.lower()
    sessions = session.exec(
        select(func.count(col(ChargingSession.id))).where(
            (func.lower(ChargingSession.id_tag) == key)
            | (func.lower(ChargingSession.stop_id_tag) == key)
        )
    ).one()
    if sessions:
        raise RefusedError(
            tr(
                "{id_tag} was used in {sessions} charging session(s) and "
                "stays for the history; block it instead",
                id_tag=tag.id_tag,
                sessions=sessions,
            )
        )
    children = session.exec(
        select(IdTag.id_tag).where(func.lower(IdTag.parent_id_tag) == key).limit(3)
    ).all()
    if children:
        raise RefusedError(
            tr(
                "{id_tag} is the parent of {children}; change their parent first",
                id_tag=tag.id_tag,
                children=", ".join(children),
            )
        )
    lists = session.exec(
        select(LocalAuthList.name)
        .join(LocalAuthListEntry, col(LocalAuthListEntry.list_id) == LocalAuthList.id)
        .where(LocalAuthListEntry.id_tag_id == tag.id)
        .limit(3)
    ).all()
    if lists:
        raise RefusedError(
            tr(
                "{id_tag} is in the local authorization list(s) {lists}; remove it there first",
                id_tag=tag.id_tag,
                lists=", ".join(lists),
            )
        )


def count_id_tags(scope: Scope) -> dict[str, int]:
    """Cards in scope: total and blocked."""
    with read_session() as session:
        rows = session.exec(
            select(IdTag.status, func.count(col(IdTag.id)))
            .where(col(IdTag.organisation_id).in_(list(scope.organisation_ids)))
            .group_by(IdTag.status)
        ).all()
    counts = dict(rows)
    return {"total": sum(counts.values()), "blocked": counts.get(IdTagStatus.BLOCKED, 0)}


# --- the list -------------------------------------------------------------------------------

OWNER_DRIVER, OWNER_GROUP, OWNER_NONE = "driver", "group", "none"


def _owner_kind() -> ColumnElement[str]:
    return case(
        (col(IdTag.driver_id).is_not(None), literal(OWNER_DRIVER)),
        (col(IdTag.group_id).is_not(None), literal(OWNER_GROUP)),
        else_=literal(OWNER_NONE),
    )


def _owner_name() -> ColumnElement[str]:
    """The driver's or group's name. Scalar subqueries, not joins: they run only for the rows
    a page shows, and the COUNT of a list needs no join at all."""
    driver = sa_select(col(Driver.name)).where(col(Driver.id) == IdTag.driver_id).correlate(IdTag)
    group = (
        sa_select(col(UserGroup.name)).where(col(UserGroup.id) == IdTag.group_id).correlate(IdTag)
    )
    return func.coalesce(driver.scalar_subquery(), group.scalar_subquery(), "")


def _owner_matches(pattern: str) -> ColumnElement[bool]:
    """Search by owner name: find matching drivers and groups once, then their cards by the
    indexed driver_id / group_id (not a name subquery per card)."""
    drivers = sa_select(col(Driver.id)).where(func.lower(Driver.name).like(pattern, escape="\\"))
    groups = sa_select(col(UserGroup.id)).where(
        func.lower(UserGroup.name).like(pattern, escape="\\")
    )
    return or_(col(IdTag.driver_id).in_(drivers), col(IdTag.group_id).in_(groups))


def _authorization() -> ColumnElement[str]:
    """What Authorize answers now (ConcurrentTx aside), as SQL; `now` is bound per query."""
    now = bindparam("now", callable_=utc_now, type_=UTCDateTime())
    return case(
        (col(IdTag.status) == IdTagStatus.BLOCKED, literal(BLOCKED)),
        (owner_blocked_clause(), literal(BLOCKED)),
        (col(IdTag.expiry_date) <= now, literal(EXPIRED)),
        else_=literal(ACCEPTED),
    )


def _id_tag_base() -> Select[Any]:
    return sa_select(IdTag).join(Organisation, col(Organisation.id) == IdTag.organisation_id)


ID_TAG_LIST = ListSpec(
    name="id tags",
    base=_id_tag_base,
    columns=(
        ListColumn("id", "ID", IdTag.id),
        ListColumn("id_tag", "Id tag", IdTag.id_tag, searchable=True),
        ListColumn("status", "Status", IdTag.status, filterable=True),
        ListColumn("authorization", "Authorize", _authorization(), filterable=True),
        ListColumn("owner_kind", "Owner type", _owner_kind(), filterable=True),
        ListColumn("owner", "Owner", _owner_name(), searchable=True, search=_owner_matches),
        ListColumn("driver_id", "Driver ID", IdTag.driver_id, filterable=True, sortable=False),
        ListColumn("group_id", "Group ID", IdTag.group_id, filterable=True, sortable=False),
        ListColumn("expiry_date", "Expires", IdTag.expiry_date),
        ListColumn("parent_id_tag", "Parent", IdTag.parent_id_tag, searchable=True),
        ListColumn("description", "Description", IdTag.description, searchable=True),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
    ),
    organisation_column=IdTag.organisation_id,
    id_column=IdTag.id,
    default_sort="id_tag",
)
