"""Local authorization lists as the operator edits them: named lists of id tags, assigned to
charge points (the Users module builds its screens on these): create, read, rename, delete.

Every change to what a list holds or where it is assigned marks the charge points concerned
(drivers.local_lists.marks); the sync job pushes the change at its next run. Id tags are put in
lists by drivers.local_lists.entries, lists go to charge points by .assignments.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.marks import mark_charge_points_changed
from ccms_app.drivers.local_lists.specs import assigned_count, entry_count
from ccms_app.drivers.models import (
    IdTag,
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
)

NAME_MAX = 200
DESCRIPTION_MAX = 500


class LocalListError(CommandInputError):
    """A local list change the operator asked for is not possible; the message says why."""


@dataclass(frozen=True)
class LocalListView:
    id: int
    organisation_id: int
    name: str
    description: str
    id_tags: list[str]
    charge_point_ids: list[int]


@dataclass(frozen=True)
class LocalListSummary:
    id: int
    organisation_id: int
    organisation: str
    name: str
    description: str
    id_tag_count: int
    charge_point_count: int
    out_of_date_count: int
    # Organisations whose cards and charge points may go in this list (its owner's tree).
    member_scope: frozenset[int]


# --- shared by the list, entry and assignment use cases ----------------------------------------


def list_view(session: Session, row: LocalAuthList) -> LocalListView:
    """The list with all its id tags and charge points (for small lists and the API)."""
    list_id = stored_id(row.id)
    tags = session.exec(
        select(IdTag.id_tag)
        .join(LocalAuthListEntry, col(LocalAuthListEntry.id_tag_id) == col(IdTag.id))
        .where(col(LocalAuthListEntry.list_id) == list_id)
    ).all()
    return LocalListView(
        id=list_id,
        organisation_id=row.organisation_id,
        name=row.name,
        description=row.description,
        id_tags=sorted(tags, key=str.lower),
        charge_point_ids=sorted(assigned_ids(session, list_id)),
    )


def load_list(session: Session, list_id: int, scope: Collection[int] | None) -> LocalAuthList:
    """The list, if it exists in `scope` (None: any organisation); else LocalListError."""
    row = session.get(LocalAuthList, list_id)
    if row is None or (scope is not None and row.organisation_id not in scope):
        raise LocalListError(tr("local list {list_id} does not exist", list_id=list_id))
    return row


def assigned_ids(session: Session, list_id: int) -> list[int]:
    """The charge points the list is assigned to."""
    return list(
        session.exec(
            select(LocalAuthListAssignment.charge_point_id).where(
                col(LocalAuthListAssignment.list_id) == list_id
            )
        ).all()
    )


def list_changed(session: Session, row: LocalAuthList) -> None:
    """The list's id tags changed: every charge point it is assigned to syncs next."""
    row.updated_at = utc_now()
    session.add(row)
    mark_charge_points_changed(session, assigned_ids(session, stored_id(row.id)))


# --- the lists ---------------------------------------------------------------------------------


def create_list(organisation_id: int, name: str, description: str = "") -> LocalListView:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise LocalListError(
            tr("a list needs a name of 1 to {name_max} characters", name_max=NAME_MAX)
        )
    with session_scope() as session:
        taken = session.exec(
            select(LocalAuthList.id).where(
                col(LocalAuthList.organisation_id) == organisation_id,
                col(LocalAuthList.name) == name,
            )
        ).first()
        if taken is not None:
            raise LocalListError(tr("there is already a local list named {name}", name=repr(name)))
        row = LocalAuthList(
            organisation_id=organisation_id,
            name=name,
            description=(description or "")[:DESCRIPTION_MAX],
        )
        session.add(row)
        session.flush()
        return list_view(session, row)


def get_list(list_id: int, scope: Collection[int] | None = None) -> LocalListView:
    with read_session() as session:
        return list_view(session, load_list(session, list_id, scope))


def lists_for(organisation_ids: Collection[int]) -> list[LocalListView]:
    with read_session() as session:
        rows = session.exec(
            select(LocalAuthList)
            .where(col(LocalAuthList.organisation_id).in_(list(organisation_ids)))
            .order_by(col(LocalAuthList.name))
        ).all()
        return [list_view(session, r) for r in rows]


def list_summary(list_id: int, scope: Collection[int] | None = None) -> LocalListSummary:
    """One list's name and counts (without loading its id tags)."""
    with read_session() as session:
        row = load_list(session, list_id, scope)
        counts = session.execute(
            sa_select(col(Organisation.name), entry_count(), assigned_count(), assigned_count(True))
            .select_from(LocalAuthList)
            .join(Organisation, col(Organisation.id) == col(LocalAuthList.organisation_id))
            .where(col(LocalAuthList.id) == list_id)
        ).one()
        organisation, tags, cps, stale = counts
        return LocalListSummary(
            id=list_id,
            organisation_id=row.organisation_id,
            organisation=organisation,
            name=row.name,
            description=row.description,
            id_tag_count=tags,
            charge_point_count=cps,
            out_of_date_count=stale,
            member_scope=organisation_scope(row.organisation_id),
        )


def _checked_name(session: Session, organisation_id: int, name: str, own_id: int = 0) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise LocalListError(
            tr("a list needs a name of 1 to {name_max} characters", name_max=NAME_MAX)
        )
    taken = session.exec(
        select(LocalAuthList.id).where(
            col(LocalAuthList.organisation_id) == organisation_id,
            # SQLite's lower() folds ASCII only: the exact name is checked too, so "Ä" meets
            # the unique key here with a clear message instead of a database error.
            or_(func.lower(LocalAuthList.name) == name.lower(), col(LocalAuthList.name) == name),
            col(LocalAuthList.id) != own_id,
        )
    ).first()
    if taken is not None:
        raise LocalListError(tr("there is already a local list named {name}", name=repr(name)))
    return name


def update_list(
    list_id: int, name: str, description: str = "", scope: Collection[int] | None = None
) -> LocalListSummary:
    """Rename a list or change its description (its charge points' lists do not change)."""
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        row.name = _checked_name(session, row.organisation_id, name, list_id)
        row.description = (description or "").strip()[:DESCRIPTION_MAX]
        row.updated_at = utc_now()
        session.add(row)
    return list_summary(list_id, scope)


def delete_list(list_id: int, scope: Collection[int] | None = None) -> None:
    """Its charge points lose its id tags at their next sync."""
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        mark_charge_points_changed(session, assigned_ids(session, list_id))
        session.exec(delete(LocalAuthListEntry).where(col(LocalAuthListEntry.list_id) == list_id))
        session.exec(
            delete(LocalAuthListAssignment).where(col(LocalAuthListAssignment.list_id) == list_id)
        )
        session.delete(row)


def delete_unassigned_list(list_id: int, scope: Collection[int] | None = None) -> str:
    """Delete a list no charge point holds; returns its name. An assigned list is refused:
    deleting it would take its cards off charge points that may be offline, so the operator
    unassigns first, deliberately."""
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        assigned = len(assigned_ids(session, list_id))
        if assigned:
            raise LocalListError(
                tr(
                    "{name} is assigned to {count} charge point(s): unassign them first "
                    "(their lists then lose its id tags at the next sync)",
                    name=repr(row.name),
                    count=assigned,
                )
            )
        name = row.name
    delete_list(list_id, scope)
    return name
