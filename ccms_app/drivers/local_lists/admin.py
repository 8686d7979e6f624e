"""Local authorization lists as the operator edits them: named lists of id tags, assigned to
charge points (the Users module builds its screens on these), and the marks that tell the
sync job which charge points' lists changed.

Every change here marks the charge points concerned (their LocalListSyncState.change_count
goes up); drivers.local_lists.sync pushes the change at its next run. Code that changes id tags
(block, expiry, parent, delete) calls `mark_id_tags_changed` / `mark_id_tags_changed_in`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, exists, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.identifiers import FieldError, validate_id_tag
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.drivers.id_tags import ID_TAG_LIST
from ccms_app.drivers.models import (
    IdTag,
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    LocalListSentEntry,
    LocalListSyncState,
)
from ccms_app.drivers.rules.local_list import NOT_SUPPORTED_VERSION
from ccms_app.network.models import ChargePoint, Station

if TYPE_CHECKING:
    from ccms_app.drivers.local_lists.sync import SyncResult


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


# --- the list screens (/users/local-lists): summaries, checked adds, stations, sync ----------
#
# The screens page and search in SQL (core.listing specs below) so a list of thousands of
# id tags on hundreds of charge points never loads whole. "In sync" on these screens is the
# sync bookkeeping, not a diff: a charge point is out of date when it never accepted a list,
# reports another version than CCMS sent, does not support lists, or has changes marked since
# its last successful sync (exactly what makes the sync job pick it up).

PASTE_MAX_LINES = 10_000
_IN_CHUNK = 500  # keys per IN (...) so a long paste stays under SQLite's variable limit

SYNC_IN_SYNC = "in_sync"
SYNC_OUT_OF_DATE = "out_of_date"
SYNC_NEVER = "never_synced"
SYNC_NOT_SUPPORTED = "not_supported"


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


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based, as the operator pasted it
    text: str
    problem: str


@dataclass(frozen=True)
class AddOutcome:
    """What `add_id_tags_checked` did: nothing at all when `problems` is not empty."""

    added: list[str]
    already: list[str]
    problems: list[LineProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class AssignOutcome:
    charge_points: int  # charge points of the chosen stations
    newly_assigned: int


def _not_in_sync() -> Any:
    """SQL: the charge point (LocalListSyncState outer-joined) is not known to be in sync."""
    s = LocalListSyncState
    return or_(
        col(s.id).is_(None),
        s.accepted_version == 0,
        s.reported_version == NOT_SUPPORTED_VERSION,
        and_(col(s.reported_version).is_not(None), s.reported_version != s.accepted_version),
        s.change_count > s.synced_change_count,
    )


def sync_state_expression() -> Any:
    """SQL: in_sync | out_of_date | never_synced | not_supported, per charge point."""
    s = LocalListSyncState
    return case(
        (s.reported_version == NOT_SUPPORTED_VERSION, literal(SYNC_NOT_SUPPORTED)),
        (or_(col(s.id).is_(None), s.accepted_version == 0), literal(SYNC_NEVER)),
        (_not_in_sync(), literal(SYNC_OUT_OF_DATE)),
        else_=literal(SYNC_IN_SYNC),
    )


def _entry_count() -> Any:
    return (
        sa_select(func.count(LocalAuthListEntry.id))
        .where(LocalAuthListEntry.list_id == LocalAuthList.id)
        .correlate(LocalAuthList)
        .scalar_subquery()
    )


def _assigned_count(out_of_date: bool = False) -> Any:
    a = LocalAuthListAssignment
    query = sa_select(func.count(a.id)).select_from(a)
    if out_of_date:
        query = query.outerjoin(
            LocalListSyncState, col(LocalListSyncState.charge_point_id) == a.charge_point_id
        ).where(_not_in_sync())
    return query.where(a.list_id == LocalAuthList.id).correlate(LocalAuthList).scalar_subquery()


LOCAL_LIST_LIST = ListSpec(
    name="local lists",
    base=lambda: sa_select(LocalAuthList).join(
        Organisation, col(Organisation.id) == LocalAuthList.organisation_id
    ),
    columns=(
        ListColumn("id", "Id", LocalAuthList.id),
        ListColumn("name", "Name", LocalAuthList.name, searchable=True),
        ListColumn("description", "Description", LocalAuthList.description, searchable=True),
        ListColumn("id_tags", "Id tags", _entry_count()),
        ListColumn("charge_points", "Charge points", _assigned_count()),
        ListColumn("out_of_date", "Out of date", _assigned_count(out_of_date=True)),
        ListColumn("organisation", "Owner", Organisation.name, searchable=True, filterable=True),
        ListColumn("updated_at", "Changed (UTC)", LocalAuthList.updated_at),
    ),
    organisation_column=LocalAuthList.organisation_id,
    id_column=LocalAuthList.id,
    default_sort="name",
)


def _card_column(key: str) -> Any:
    """A column of the RFID card list (what Authorize answers, the owner's name ...)."""
    return ID_TAG_LIST.column(key).expression


def _entries_base() -> Any:
    e = LocalAuthListEntry
    return (
        sa_select(e)
        .join(IdTag, col(IdTag.id) == e.id_tag_id)
        .join(LocalAuthList, col(LocalAuthList.id) == e.list_id)
    )


# The id tags of the lists (row id: the id tag's id); one list's with filters={"list_id": id}.
LOCAL_LIST_ENTRY_LIST = ListSpec(
    name="local list id tags",
    base=_entries_base,
    columns=(
        ListColumn("id", "Id", IdTag.id),
        ListColumn("id_tag", "Id tag", IdTag.id_tag, searchable=True),
        ListColumn("authorization", "Sent as", _card_column("authorization"), filterable=True),
        ListColumn("owner", "Owner", _card_column("owner"), searchable=True),
        ListColumn("expiry_date", "Expires", IdTag.expiry_date),
        ListColumn("added_at", "Added (UTC)", LocalAuthListEntry.added_at),
        ListColumn("list", "List", LocalAuthList.name),
        ListColumn("list_id", "List id", LocalAuthList.id, filterable=True, sortable=False),
    ),
    organisation_column=LocalAuthList.organisation_id,
    id_column=LocalAuthListEntry.id,
    default_sort="id_tag",
)


def _assigned_base() -> Any:
    a, s = LocalAuthListAssignment, LocalListSyncState
    return (
        sa_select(a)
        .join(ChargePoint, col(ChargePoint.id) == a.charge_point_id)
        .join(LocalAuthList, col(LocalAuthList.id) == a.list_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .outerjoin(s, col(s.charge_point_id) == a.charge_point_id)
    )


# The charge points the lists are assigned to, with their sync state; one list's with
# filters={"list_id": id}.
LOCAL_LIST_CHARGE_POINT_LIST = ListSpec(
    name="local list charge points",
    base=_assigned_base,
    columns=(
        ListColumn("id", "Id", ChargePoint.id),
        ListColumn("identity", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("online", "Online", ChargePoint.is_online, filterable=True),
        ListColumn("sync", "Sync", sync_state_expression(), filterable=True),
        ListColumn("accepted_version", "Version sent", LocalListSyncState.accepted_version),
        ListColumn("reported_version", "Version reported", LocalListSyncState.reported_version),
        ListColumn("last_result", "Last sync", LocalListSyncState.last_result, filterable=True),
        ListColumn("last_detail", "Detail", LocalListSyncState.last_detail, sortable=False),
        ListColumn("last_attempt_at", "Last attempt (UTC)", LocalListSyncState.last_attempt_at),
        ListColumn("list", "List", LocalAuthList.name),
        ListColumn("list_id", "List id", LocalAuthList.id, filterable=True, sortable=False),
    ),
    organisation_column=LocalAuthList.organisation_id,
    id_column=LocalAuthListAssignment.id,
    default_sort="identity",
)


def card_candidates_spec(list_id: int) -> ListSpec:
    """RFID cards to pick from (scope them to `LocalListSummary.member_scope`)."""
    in_list = exists().where(
        LocalAuthListEntry.list_id == list_id, LocalAuthListEntry.id_tag_id == IdTag.id
    )
    return ListSpec(
        name="cards",
        base=lambda: sa_select(IdTag),
        columns=(
            ListColumn("id", "Id", IdTag.id),
            ListColumn("id_tag", "Id tag", IdTag.id_tag, searchable=True),
            ListColumn("authorization", "Authorize", _card_column("authorization")),
            ListColumn("owner", "Owner", _card_column("owner"), searchable=True),
            ListColumn("in_list", "In list", in_list, filterable=True),
        ),
        organisation_column=IdTag.organisation_id,
        id_column=IdTag.id,
        default_sort="id_tag",
    )


def charge_point_candidates_spec(list_id: int) -> ListSpec:
    """Charge points to assign (scope them to `LocalListSummary.member_scope`)."""
    assigned = exists().where(
        LocalAuthListAssignment.list_id == list_id,
        LocalAuthListAssignment.charge_point_id == ChargePoint.id,
    )
    return ListSpec(
        name="charge points",
        base=lambda: sa_select(ChargePoint).outerjoin(
            Station, col(Station.id) == ChargePoint.station_id
        ),
        columns=(
            ListColumn("id", "Id", ChargePoint.id),
            ListColumn("identity", "Identity", ChargePoint.identity, searchable=True),
            ListColumn("station", "Station", Station.name, searchable=True),
            ListColumn("online", "Online", ChargePoint.is_online),
            ListColumn("assigned", "Assigned", assigned, filterable=True),
        ),
        organisation_column=ChargePoint.organisation_id,
        id_column=ChargePoint.id,
        default_sort="identity",
    )


def station_candidates_spec(list_id: int) -> ListSpec:
    """Stations whose charge points to assign, with how many are assigned already."""
    cp_count = (
        sa_select(func.count(ChargePoint.id))
        .where(ChargePoint.station_id == Station.id)
        .correlate(Station)
        .scalar_subquery()
    )
    assigned_count = (
        sa_select(func.count(LocalAuthListAssignment.id))
        .join(ChargePoint, col(ChargePoint.id) == LocalAuthListAssignment.charge_point_id)
        .where(ChargePoint.station_id == Station.id, LocalAuthListAssignment.list_id == list_id)
        .correlate(Station)
        .scalar_subquery()
    )
    return ListSpec(
        name="stations",
        base=lambda: sa_select(Station),
        columns=(
            ListColumn("id", "Id", Station.id),
            ListColumn("name", "Station", Station.name, searchable=True),
            ListColumn("address", "Address", Station.address, searchable=True),
            ListColumn("charge_points", "Charge points", cp_count),
            ListColumn("assigned", "Assigned", assigned_count),
        ),
        organisation_column=Station.organisation_id,
        id_column=Station.id,
        default_sort="name",
    )


def list_summary(list_id: int, scope: Collection[int] | None = None) -> LocalListSummary:
    """One list's name and counts (without loading its id tags)."""
    with read_session() as session:
        row = _load_list(session, list_id, scope)
        counts = session.execute(
            sa_select(Organisation.name, _entry_count(), _assigned_count(), _assigned_count(True))
            .select_from(LocalAuthList)
            .join(Organisation, col(Organisation.id) == LocalAuthList.organisation_id)
            .where(LocalAuthList.id == list_id)
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
    if not name or len(name) > 200:
        raise LocalListError("a list needs a name of 1 to 200 characters")
    taken = session.exec(
        select(LocalAuthList.id).where(
            LocalAuthList.organisation_id == organisation_id,
            func.lower(LocalAuthList.name) == name.lower(),
            LocalAuthList.id != own_id,
        )
    ).first()
    if taken is not None:
        raise LocalListError(f"there is already a local list named {name!r}")
    return name


def update_list(
    list_id: int, name: str, description: str = "", scope: Collection[int] | None = None
) -> LocalListSummary:
    """Rename a list or change its description (its charge points' lists do not change)."""
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        row.name = _checked_name(session, row.organisation_id, name, list_id)
        row.description = (description or "").strip()[:500]
        row.updated_at = utc_now()
        session.add(row)
    return list_summary(list_id, scope)


def delete_unassigned_list(list_id: int, scope: Collection[int] | None = None) -> str:
    """Delete a list no charge point holds; returns its name. An assigned list is refused:
    deleting it would take its cards off charge points that may be offline, so the operator
    unassigns first, deliberately."""
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        assigned = len(_assigned(session, list_id))
        if assigned:
            raise LocalListError(
                f"{row.name!r} is assigned to {assigned} charge point(s): unassign them first "
                "(their lists then lose its id tags at the next sync)"
            )
        name = row.name
    delete_list(list_id, scope)
    return name


def assigned_charge_point_ids(list_id: int, scope: Collection[int] | None = None) -> list[int]:
    with read_session() as session:
        _load_list(session, list_id, scope)
        return sorted(_assigned(session, list_id))


def _line_problem(text: str) -> str:
    """Why a pasted line cannot be an id tag ("" when its form is fine)."""
    try:
        validate_id_tag(text)
    except FieldError as exc:
        return "not an id tag: " + str(exc).removeprefix("id_tag ")
    return ""


def _cards_by_key(session: Session, keys: list[str], scope: Collection[int]) -> dict[str, IdTag]:
    found: dict[str, IdTag] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        for tag in session.exec(
            select(IdTag).where(
                func.lower(IdTag.id_tag).in_(chunk), col(IdTag.organisation_id).in_(list(scope))
            )
        ).all():
            found[tag.id_tag.lower()] = tag
    return found


def add_id_tags_checked(
    list_id: int, lines: Sequence[str], scope: Collection[int] | None = None
) -> AddOutcome:
    """Add id tags given one per line (pasted, or picked). Every line is checked: blank lines
    are skipped, a malformed or unknown id tag is reported with its line number, and then
    nothing is added. Id tags already in the list are reported, not an error."""
    if len(lines) > PASTE_MAX_LINES:
        problem = f"{len(lines)} lines: at most {PASTE_MAX_LINES} at a time"
        return AddOutcome([], [], [LineProblem(0, "", problem)])
    with session_scope() as session:
        row = _load_list(session, list_id, scope)
        wanted: dict[str, int] = {}  # lower-case id tag -> first line
        problems: list[LineProblem] = []
        for number, raw in enumerate(lines, start=1):
            text = raw.strip()
            problem = _line_problem(text) if text else ""
            if problem:
                problems.append(LineProblem(number, text, problem))
            elif text:
                wanted.setdefault(text.lower(), number)
        cards = _cards_by_key(session, sorted(wanted), organisation_scope(row.organisation_id))
        problems += [
            LineProblem(number, lines[number - 1].strip(), "no such RFID card in this network")
            for key, number in wanted.items()
            if key not in cards
        ]
        if problems:
            return AddOutcome([], [], sorted(problems, key=lambda p: p.line))
        present = set(
            session.exec(
                select(LocalAuthListEntry.id_tag_id).where(LocalAuthListEntry.list_id == list_id)
            ).all()
        )
        ordered = [cards[key] for key in wanted]
        added = [t for t in ordered if t.id not in present]
        session.add_all(LocalAuthListEntry(list_id=list_id, id_tag_id=t.id) for t in added)
        if added:
            _list_changed(session, row)
        already = [t.id_tag for t in ordered if t.id in present]
        return AddOutcome([t.id_tag for t in added], already, [])


def assign_stations(
    list_id: int, station_ids: Collection[int], scope: Collection[int] | None = None
) -> AssignOutcome:
    """Assign a list to every charge point of these stations (of the list's organisation tree)."""
    with read_session() as session:
        row = _load_list(session, list_id, scope)
        allowed = organisation_scope(row.organisation_id)
        stations = session.exec(
            select(Station.id).where(
                col(Station.id).in_(list(station_ids)), col(Station.organisation_id).in_(allowed)
            )
        ).all()
        missing = set(station_ids) - set(stations)
        if missing:
            raise LocalListError(f"unknown station(s): {', '.join(map(str, sorted(missing)))}")
        charge_points = session.exec(
            select(ChargePoint.id).where(
                col(ChargePoint.station_id).in_(list(stations)),
                col(ChargePoint.organisation_id).in_(allowed),
            )
        ).all()
        before = len(_assigned(session, list_id))
    view = assign_list(list_id, charge_points, scope)
    return AssignOutcome(len(charge_points), len(view.charge_point_ids) - before)


async def sync_list(
    list_id: int, requested_by: str, scope: Collection[int] | None = None, full: bool = False
) -> list[SyncResult]:
    """Sync every charge point the list is assigned to now, concurrently (as sync_all does);
    one drivers.local_lists.sync.SyncResult per charge point."""
    from ccms_app.drivers.local_lists import sync as local_lists  # it imports this module

    ids = await asyncio.to_thread(assigned_charge_point_ids, list_id, scope)
    return await local_lists._sync_many(ids, requested_by, full)
