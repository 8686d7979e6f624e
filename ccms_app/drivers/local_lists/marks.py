"""The marks that tell the local list sync job which charge points' lists changed.

Every change to what a charge point should hold (a list edited, assigned or unassigned, an id
tag blocked, unblocked, given a new expiry or parent, or deleted) raises its
LocalListSyncState.change_count; the job (drivers.local_lists.job) syncs every charge point
with changes it has not sent yet. This module needs only the models, so the id tag services
(drivers.common) can mark charge points without pulling in the lists or the sync.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlmodel import Session, col, func, select

from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import (
    IdTag,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    LocalListSentEntry,
    LocalListSyncState,
)


def sync_state_row(session: Session, charge_point_id: int) -> LocalListSyncState:
    """The charge point's sync bookkeeping row, created (flushed) on first use."""
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
