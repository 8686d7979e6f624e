"""Local authorization lists as the operator edits them: named lists of id tags, assigned to
charge points (the Users module builds its screens on these), and the marks that tell the
sync job which charge points' lists changed.

Every change here marks the charge points concerned (their LocalListSyncState.change_count
goes up); services.local_lists pushes the change at its next run. Code that changes id tags
(block, expiry, parent, delete) calls `mark_id_tags_changed` / `mark_id_tags_changed_in`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, delete, func, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.domain.commands import CommandInputError
from ccms_app.models import ChargePoint, IdTag
from ccms_app.models.local_list import (
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    LocalListSentEntry,
    LocalListSyncState,
)
from ccms_app.models.types import utc_now
from ccms_app.services.organisations import organisation_scope


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


# --- marking charge points for a sync ---------------------------------------------------------


def sync_state_row(session: Session, charge_point_id: int) -> LocalListSyncState:
    state = session.exec(
        select(LocalListSyncState).where(LocalListSyncState.charge_point_id == charge_point_id)
    ).first()
    if state is None:
        state = LocalListSyncState(charge_point_id=charge_point_id)
        session.add(state)
        session.flush()
    return state


def mark_charge_points_changed(session: Session, charge_point_ids: Iterable[int]) -> int:
    """Their desired list may have changed: the next job run syncs them. Returns how many."""
    ids = sorted(set(charge_point_ids))
    now = utc_now()
    for charge_point_id in ids:
        state = sync_state_row(session, charge_point_id)
        state.change_count += 1
        state.updated_at = now
        session.add(state)
    return len(ids)


def _charge_points_holding(session: Session, id_tags: Collection[str]) -> set[int]:
    """Charge points whose desired or sent list contains one of `id_tags`."""
    keys = [t.lower() for t in id_tags]
    assigned = session.exec(
        select(LocalAuthListAssignment.charge_point_id)
        .join(
            LocalAuthListEntry, col(LocalAuthListEntry.list_id) == LocalAuthListAssignment.list_id
        )
        .join(IdTag, col(IdTag.id) == LocalAuthListEntry.id_tag_id)
        .where(func.lower(IdTag.id_tag).in_(keys))
    ).all()
    spellings = session.exec(select(IdTag.id_tag).where(func.lower(IdTag.id_tag).in_(keys))).all()
    sent = session.exec(
        select(LocalListSentEntry.charge_point_id).where(
            col(LocalListSentEntry.id_tag).in_(sorted({*id_tags, *spellings}))
        )
    ).all()
    return {*assigned, *sent}


def mark_id_tags_changed_in(session: Session, id_tags: Collection[str]) -> int:
    """In the caller's transaction: an id tag was blocked, unblocked, got a new expiry or
    parent, or was deleted. Call it before deleting the id tag row."""
    return mark_charge_points_changed(session, _charge_points_holding(session, id_tags))


def mark_id_tags_changed(id_tags: Collection[str]) -> int:
    """`mark_id_tags_changed_in` in its own transaction; returns the charge points marked."""
    with session_scope() as session:
        return mark_id_tags_changed_in(session, id_tags)


# --- lists (the Users module builds its screens on these) -----------------------------------


def _list_view(session: Session, row: LocalAuthList) -> LocalListView:
    tags = session.exec(
        select(IdTag.id_tag)
        .join(LocalAuthListEntry, col(LocalAuthListEntry.id_tag_id) == IdTag.id)
        .where(LocalAuthListEntry.list_id == row.id)
    ).all()
    cps = session.exec(
        select(LocalAuthListAssignment.charge_point_id).where(
            LocalAuthListAssignment.list_id == row.id
        )
    ).all()
    return LocalListView(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        description=row.description,
        id_tags=sorted(tags, key=str.lower),
        charge_point_ids=sorted(cps),
    )


def _load_list(session: Session, list_id: int, scope: Collection[int] | None) -> LocalAuthList:
    row = session.get(LocalAuthList, list_id)
    if row is None or (scope is not None and row.organisation_id not in scope):
        raise LocalListError(f"local list {list_id} does not exist")
    return row


def _assigned(session: Session, list_id: int) -> list[int]:
    return list(
        session.exec(
            select(LocalAuthListAssignment.charge_point_id).where(
                LocalAuthListAssignment.list_id == list_id
            )
        ).all()
    )


def create_list(organisation_id: int, name: str, description: str = "") -> LocalListView:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise LocalListError("a list needs a name of 1 to 200 characters")
    with session_scope() as session:
        taken = session.exec(
            select(LocalAuthList.id).where(
                LocalAuthList.organisation_id == organisation_id, LocalAuthList.name == name
            )
        ).first()
        if taken is not None:
            raise LocalListError(f"there is already a local list named {name!r}")
        row = LocalAuthList(
            organisation_id=organisation_id, name=name, description=(description or "")[:500]
        )
        session.add(row)
        session.flush()
        return _list_view(session, row)


def get_list(list_id: int, scope: Collection[int] | None = None) -> LocalListView:
    with read_session() as session:
        return _list_view(session, _load_list(session, list_id, scope))


def lists_for(organisation_ids: Collection[int]) -> list[LocalListView]:
    with read_session() as session:
        rows = session.exec(
            select(LocalAuthList)
            .where(col(LocalAuthList.organisation_id).in_(list(organisation_ids)))
            .order_by(LocalAuthList.name)
        ).all()
        return [_list_view(session, r) for r in rows]


def _tag_rows(session: Session, row: LocalAuthList, id_tags: Collection[str]) -> list[IdTag]:
    keys = {t.strip().lower() for t in id_tags if t and t.strip()}
    scope = organisation_scope(row.organisation_id)
    found = session.exec(
        select(IdTag).where(
            func.lower(IdTag.id_tag).in_(sorted(keys)), col(IdTag.organisation_id).in_(list(scope))
        )
    ).all()
    missing = keys - {t.id_tag.lower() for t in found}
    if missing:
        raise LocalListError(f"unknown id tag(s): {', '.join(sorted(missing))}")
    return list(found)


def add_id_tags(
    list_id: int, id_tags: Collection[str], scope: Collection[int] | None = None
) -> LocalListView:
    """Put id tags (of the list's organisation or its sub-operators) in a list."""
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        present = set(
            session.exec(
                select(LocalAuthListEntry.id_tag_id).where(LocalAuthListEntry.list_id == list_id)
            ).all()
        )
        added = [t for t in _tag_rows(session, row, id_tags) if t.id not in present]
        for tag in added:
            session.add(LocalAuthListEntry(list_id=list_id, id_tag_id=tag.id))
        if added:
            _list_changed(session, row)
        return _list_view(session, row)


def remove_id_tags(
    list_id: int, id_tags: Collection[str], scope: Collection[int] | None = None
) -> LocalListView:
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        keys = [t.strip().lower() for t in id_tags]
        tag_ids = session.exec(select(IdTag.id).where(func.lower(IdTag.id_tag).in_(keys))).all()
        session.exec(
            delete(LocalAuthListEntry).where(
                LocalAuthListEntry.list_id == list_id,
                col(LocalAuthListEntry.id_tag_id).in_(list(tag_ids)),
            )
        )
        _list_changed(session, row)
        return _list_view(session, row)


def assign_list(
    list_id: int, charge_point_ids: Collection[int], scope: Collection[int] | None = None
) -> LocalListView:
    """Send a list to charge points (of the list's organisation or its sub-operators)."""
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        allowed = organisation_scope(row.organisation_id)
        cps = session.exec(
            select(ChargePoint).where(col(ChargePoint.id).in_(list(charge_point_ids)))
        ).all()
        missing = set(charge_point_ids) - {cp.id for cp in cps if cp.organisation_id in allowed}
        if missing:
            raise LocalListError(f"unknown charge point(s): {', '.join(map(str, sorted(missing)))}")
        present = set(_assigned(session, list_id))
        new = [cp.id for cp in cps if cp.id not in present]
        for charge_point_id in new:
            session.add(LocalAuthListAssignment(list_id=list_id, charge_point_id=charge_point_id))
        mark_charge_points_changed(session, new)
        return _list_view(session, row)


def unassign_list(
    list_id: int, charge_point_ids: Collection[int], scope: Collection[int] | None = None
) -> LocalListView:
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        ids = [c for c in _assigned(session, list_id) if c in set(charge_point_ids)]
        session.exec(
            delete(LocalAuthListAssignment).where(
                LocalAuthListAssignment.list_id == list_id,
                col(LocalAuthListAssignment.charge_point_id).in_(ids),
            )
        )
        mark_charge_points_changed(session, ids)
        return _list_view(session, row)


def delete_list(list_id: int, scope: Collection[int] | None = None) -> None:
    """Its charge points lose its id tags at their next sync."""
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        mark_charge_points_changed(session, _assigned(session, list_id))
        for table in (LocalAuthListEntry, LocalAuthListAssignment):
            session.exec(delete(table).where(table.list_id == list_id))
        session.delete(row)


def _list_changed(session: Session, row: LocalAuthList) -> None:
    row.updated_at = utc_now()
    session.add(row)
    mark_charge_points_changed(session, _assigned(session, row.id))
