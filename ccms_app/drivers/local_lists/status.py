"""How each charge point's local list stands against what CCMS wants there, for the operator
(the charge point page's Local list tab, the out-of-date list on the Users page) and for the
sync (the desired and sent lists, the list limits the charge point reported).

Desired list: the id tags of every list assigned to the charge point, each with the IdTagInfo
Authorize would give (drivers.rules.authorization.id_tag_status via
drivers.rules.local_list.desired_entry).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.control.commands import UnknownChargePointError
from ccms_app.control.models import ChargePointConfiguration
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.authorization import owner_blocked_clause
from ccms_app.drivers.models import (
    IdTag,
    IdTagStatus,
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    LocalListSentEntry,
    LocalListSyncState,
)
from ccms_app.drivers.rules.local_list import (
    NOT_SUPPORTED_VERSION,
    ListEntry,
    desired_entry,
    diff_lists,
    unique_entries,
)
from ccms_app.network.models import ChargePoint, Station

SEND_MAX_KEY = "SendLocalListMaxLength"
LIST_MAX_KEY = "LocalAuthListMaxLength"


@dataclass(frozen=True)
class EntryView:
    """One id tag as the charge point holds it (as last sent), and what a sync would change:
    change is "" (in sync), "add", "change" or "remove"; `desired_status` is what CCMS wants."""

    id_tag: str
    status: str
    expiry_date: datetime | None
    parent_id_tag: str | None
    change: str = ""
    desired_status: str = ""


@dataclass(frozen=True)
class LocalListStatus:
    """A charge point's local list against what CCMS wants there."""

    charge_point_id: int
    identity: str
    organisation_id: int
    is_online: bool
    lists: list[str]
    accepted_version: int
    reported_version: int | None
    reported_at: datetime | None
    last_result: str
    last_detail: str
    last_update_type: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    full_fallbacks: int
    desired_count: int
    entries: list[EntryView]
    reasons: list[str]  # why it is out of date; empty when it is in sync
    zone: str = ""  # its station's time zone ("": no station)

    @property
    def out_of_date(self) -> bool:
        return bool(self.reasons)

    @property
    def pending_changes(self) -> int:
        return sum(1 for e in self.entries if e.change)


# --- desired and sent lists -----------------------------------------------------------------


def desired_lists(
    session: Session, charge_point_ids: Collection[int], now: datetime
) -> dict[int, list[ListEntry]]:
    """The desired list of each charge point (those without any list are left out)."""
    rows = session.exec(
        select(LocalAuthListAssignment.charge_point_id, IdTag, owner_blocked_clause())
        .join(
            LocalAuthListEntry, col(LocalAuthListEntry.list_id) == LocalAuthListAssignment.list_id
        )
        .join(IdTag, col(IdTag.id) == LocalAuthListEntry.id_tag_id)
        .where(col(LocalAuthListAssignment.charge_point_id).in_(list(charge_point_ids)))
    ).all()
    desired: dict[int, list[ListEntry]] = {}
    for charge_point_id, tag, owner_blocked in rows:
        entry = desired_entry(
            tag.id_tag,
            # The same card rules as Authorize: blocked by the operator, or by its owner (a
            # suspended driver, a group without an authorised member).
            blocked=tag.status == IdTagStatus.BLOCKED or bool(owner_blocked),
            expiry=tag.expiry_date,
            parent_id_tag=tag.parent_id_tag,
            now=now,
        )
        desired.setdefault(charge_point_id, []).append(entry)
    return {k: list(unique_entries(v).values()) for k, v in desired.items()}


def sent_lists(session: Session, charge_point_ids: Collection[int]) -> dict[int, list[ListEntry]]:
    rows = session.exec(
        select(LocalListSentEntry).where(
            col(LocalListSentEntry.charge_point_id).in_(list(charge_point_ids))
        )
    ).all()
    sent: dict[int, list[ListEntry]] = {}
    for r in rows:
        entry = ListEntry(r.id_tag, r.status, r.expiry_date, r.parent_id_tag)
        sent.setdefault(r.charge_point_id, []).append(entry)
    return sent


def list_limits(session: Session, charge_point_id: int) -> dict[str, int | None]:
    rows = session.exec(
        select(ChargePointConfiguration).where(
            ChargePointConfiguration.charge_point_id == charge_point_id,
            col(ChargePointConfiguration.key).in_([SEND_MAX_KEY, LIST_MAX_KEY]),
        )
    ).all()
    limits: dict[str, int | None] = {}
    for row in rows:
        try:
            limits[row.key] = int(str(row.value).strip())
        except ValueError:
            limits[row.key] = None
    return limits


# --- status for the operator ------------------------------------------------------------------


def _entry_views(sent: list[ListEntry], desired: list[ListEntry]) -> list[EntryView]:
    have, want = unique_entries(sent), unique_entries(desired)
    diff = diff_lists(sent, desired)
    changed = {e.key for e in diff.upserts}
    views = []
    for key in sorted({*have, *want}):
        held, wanted = have.get(key), want.get(key)
        shown = held or wanted
        assert shown is not None
        change = "remove" if wanted is None else "add" if held is None else ""
        if held is not None and wanted is not None and key in changed:
            change = "change"
        views.append(
            EntryView(
                id_tag=shown.id_tag,
                status=held.status if held else "",
                expiry_date=shown.expiry_date if held else None,
                parent_id_tag=held.parent_id_tag if held else None,
                change=change,
                desired_status=wanted.status if wanted else "",
            )
        )
    return views


def out_of_date_reasons(
    accepted_version: int, reported_version: int | None, pending_changes: int
) -> list[str]:
    """Why a managed charge point's list is not what CCMS wants (empty: it is), in the
    reader's language."""
    reasons = []
    if reported_version == NOT_SUPPORTED_VERSION:
        reasons.append(tr("the charge point does not support local lists"))
    elif accepted_version == 0:
        reasons.append(tr("never synced"))
    elif reported_version is not None and reported_version != accepted_version:
        reasons.append(
            tr(
                "charge point reports version {reported}, CCMS sent {accepted}",
                reported=reported_version,
                accepted=accepted_version,
            )
        )
    if pending_changes:
        reasons.append(tr("{count} change(s) not sent yet", count=pending_changes))
    return reasons


def managed_charge_point_ids(
    session: Session, charge_point_ids: Collection[int] | None
) -> list[int]:
    """Charge points whose local list CCMS manages: a list is assigned to them, or they
    accepted one from CCMS before (all lists unassigned since: theirs must be emptied). A
    charge point whose version was only checked is not managed."""
    assigned = select(LocalAuthListAssignment.charge_point_id)
    synced = select(LocalListSyncState.charge_point_id).where(
        LocalListSyncState.accepted_version > 0
    )
    if charge_point_ids is not None:
        ids = list(charge_point_ids)
        assigned = assigned.where(col(LocalAuthListAssignment.charge_point_id).in_(ids))
        synced = synced.where(col(LocalListSyncState.charge_point_id).in_(ids))
    return sorted({*session.exec(assigned).all(), *session.exec(synced).all()})


def _statuses(
    session: Session, charge_points: list[ChargePoint], now: datetime
) -> list[LocalListStatus]:
    ids = [stored_id(cp.id) for cp in charge_points]
    desired, sent = desired_lists(session, ids, now), sent_lists(session, ids)
    states = {
        s.charge_point_id: s
        for s in session.exec(
            select(LocalListSyncState).where(col(LocalListSyncState.charge_point_id).in_(ids))
        ).all()
    }
    names: dict[int, list[str]] = {}
    for charge_point_id, name in session.exec(
        select(LocalAuthListAssignment.charge_point_id, LocalAuthList.name)
        .join(LocalAuthList, col(LocalAuthList.id) == LocalAuthListAssignment.list_id)
        .where(col(LocalAuthListAssignment.charge_point_id).in_(ids))
    ).all():
        names.setdefault(charge_point_id, []).append(name)
    station_ids = {cp.station_id for cp in charge_points if cp.station_id is not None}
    zones = {
        int(station_id or 0): zone
        for station_id, zone in session.exec(
            select(Station.id, Station.timezone).where(col(Station.id).in_(sorted(station_ids)))
        ).all()
    }
    return [
        replace(
            _status(cp, states.get(cp_id), desired.get(cp_id, []), sent.get(cp_id, []), names),
            zone=zones.get(cp.station_id or 0, ""),
        )
        for cp, cp_id in zip(charge_points, ids, strict=True)
    ]


def _status(
    cp: ChargePoint,
    state: LocalListSyncState | None,
    desired: list[ListEntry],
    sent: list[ListEntry],
    names: dict[int, list[str]],
) -> LocalListStatus:
    charge_point_id = stored_id(cp.id)
    state = state or LocalListSyncState(charge_point_id=charge_point_id)
    entries = _entry_views(sent, desired)
    pending = sum(1 for e in entries if e.change)
    return LocalListStatus(
        charge_point_id=charge_point_id,
        identity=cp.identity,
        organisation_id=cp.organisation_id,
        is_online=cp.is_online,
        lists=sorted(names.get(charge_point_id, []), key=str.lower),
        accepted_version=state.accepted_version,
        reported_version=state.reported_version,
        reported_at=state.reported_at,
        last_result=state.last_result,
        last_detail=state.last_detail,
        last_update_type=state.last_update_type,
        last_attempt_at=state.last_attempt_at,
        last_success_at=state.last_success_at,
        full_fallbacks=state.full_fallbacks,
        desired_count=len(desired),
        entries=entries,
        reasons=out_of_date_reasons(state.accepted_version, state.reported_version, pending),
    )


def local_list_status(charge_point_id: int) -> LocalListStatus:
    """One charge point's local list: versions, entries with pending changes, last sync."""
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        return _statuses(session, [cp], utc_now())[0]


def out_of_date_charge_points(organisation_ids: Collection[int]) -> list[LocalListStatus]:
    """Charge points of these organisations whose list is not what CCMS wants there (desired
    differs from what they accepted, their reported version differs, or never synced)."""
    with read_session() as session:
        cps = session.exec(
            select(ChargePoint)
            .where(col(ChargePoint.organisation_id).in_(list(organisation_ids)))
            .order_by(ChargePoint.identity)
        ).all()
        managed = set(managed_charge_point_ids(session, [stored_id(cp.id) for cp in cps]))
        statuses = _statuses(session, [cp for cp in cps if cp.id in managed], utc_now())
    return [s for s in statuses if s.out_of_date]
