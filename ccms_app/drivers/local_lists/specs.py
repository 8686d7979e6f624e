"""The list screens (/users/local-lists) as server-side lists: the lists with their counts, one
list's id tags and charge points, and what the pickers offer to add.

The screens page and search in SQL (core.listing specs) so a list of thousands of id tags on
hundreds of charge points never loads whole. "In sync" on these screens is the sync
bookkeeping, not a diff: a charge point is out of date when it never accepted a list, reports
another version than CCMS sent, does not support lists, or has changes marked since its last
successful sync (exactly what makes the sync job pick it up).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, func

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.drivers.id_tags import ID_TAG_LIST
from ccms_app.drivers.models import (
    IdTag,
    LocalAuthList,
    LocalAuthListAssignment,
    LocalAuthListEntry,
    LocalListSyncState,
)
from ccms_app.drivers.rules.local_list import NOT_SUPPORTED_VERSION
from ccms_app.network.models import ChargePoint, Station

SYNC_IN_SYNC = "in_sync"
SYNC_OUT_OF_DATE = "out_of_date"
SYNC_NEVER = "never_synced"
SYNC_NOT_SUPPORTED = "not_supported"


def _not_in_sync() -> ColumnElement[bool]:
    """SQL: the charge point (LocalListSyncState outer-joined) is not known to be in sync."""
    s = LocalListSyncState
    return or_(
        col(s.id).is_(None),
        col(s.accepted_version) == 0,
        col(s.reported_version) == NOT_SUPPORTED_VERSION,
        and_(
            col(s.reported_version).is_not(None),
            col(s.reported_version) != col(s.accepted_version),
        ),
        col(s.change_count) > col(s.synced_change_count),
    )


def sync_state_expression() -> ColumnElement[str]:
    """SQL: in_sync | out_of_date | never_synced | not_supported, per charge point."""
    s = LocalListSyncState
    return case(
        (col(s.reported_version) == NOT_SUPPORTED_VERSION, literal(SYNC_NOT_SUPPORTED)),
        (or_(col(s.id).is_(None), col(s.accepted_version) == 0), literal(SYNC_NEVER)),
        (_not_in_sync(), literal(SYNC_OUT_OF_DATE)),
        else_=literal(SYNC_IN_SYNC),
    )


def entry_count() -> ColumnElement[int]:
    """SQL: how many id tags the list (LocalAuthList of the outer query) holds."""
    return (
        sa_select(func.count(col(LocalAuthListEntry.id)))
        .where(col(LocalAuthListEntry.list_id) == col(LocalAuthList.id))
        .correlate(LocalAuthList)
        .scalar_subquery()
    )


def assigned_count(out_of_date: bool = False) -> ColumnElement[int]:
    """SQL: how many charge points the list is assigned to (those out of date only)."""
    a = LocalAuthListAssignment
    query = sa_select(func.count(col(a.id))).select_from(a)
    if out_of_date:
        query = query.outerjoin(
            LocalListSyncState, col(LocalListSyncState.charge_point_id) == col(a.charge_point_id)
        ).where(_not_in_sync())
    return (
        query.where(col(a.list_id) == col(LocalAuthList.id))
        .correlate(LocalAuthList)
        .scalar_subquery()
    )


def _lists_base() -> Select[Any]:
    return sa_select(LocalAuthList).join(
        Organisation, col(Organisation.id) == col(LocalAuthList.organisation_id)
    )


LOCAL_LIST_LIST = ListSpec(
    name="local lists",
    base=_lists_base,
    columns=(
        ListColumn("id", "Id", LocalAuthList.id),
        ListColumn("name", "Name", LocalAuthList.name, searchable=True),
        ListColumn("description", "Description", LocalAuthList.description, searchable=True),
        ListColumn("id_tags", "Id tags", entry_count()),
        ListColumn("charge_points", "Charge points", assigned_count()),
        ListColumn("out_of_date", "Out of date", assigned_count(out_of_date=True)),
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


def _entries_base() -> Select[Any]:
    e = LocalAuthListEntry
    return (
        sa_select(e)
        .join(IdTag, col(IdTag.id) == col(e.id_tag_id))
        .join(LocalAuthList, col(LocalAuthList.id) == col(e.list_id))
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


def _assigned_base() -> Select[Any]:
    a, s = LocalAuthListAssignment, LocalListSyncState
    return (
        sa_select(a)
        .join(ChargePoint, col(ChargePoint.id) == col(a.charge_point_id))
        .join(LocalAuthList, col(LocalAuthList.id) == col(a.list_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
        .outerjoin(s, col(s.charge_point_id) == col(a.charge_point_id))
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
    zone=Station.timezone,  # each charge point's times in its station's zone
)


def card_candidates_spec(list_id: int) -> ListSpec:
    """RFID cards to pick from (scope them to `LocalListSummary.member_scope`)."""
    in_list = exists().where(
        col(LocalAuthListEntry.list_id) == list_id,
        col(LocalAuthListEntry.id_tag_id) == col(IdTag.id),
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
        col(LocalAuthListAssignment.list_id) == list_id,
        col(LocalAuthListAssignment.charge_point_id) == col(ChargePoint.id),
    )
    return ListSpec(
        name="charge points",
        base=lambda: sa_select(ChargePoint).outerjoin(
            Station, col(Station.id) == col(ChargePoint.station_id)
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
        sa_select(func.count(col(ChargePoint.id)))
        .where(col(ChargePoint.station_id) == col(Station.id))
        .correlate(Station)
        .scalar_subquery()
    )
    assigned = (
        sa_select(func.count(col(LocalAuthListAssignment.id)))
        .join(ChargePoint, col(ChargePoint.id) == col(LocalAuthListAssignment.charge_point_id))
        .where(
            col(ChargePoint.station_id) == col(Station.id),
            col(LocalAuthListAssignment.list_id) == list_id,
        )
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
            ListColumn("assigned", "Assigned", assigned),
        ),
        organisation_column=Station.organisation_id,
        id_column=Station.id,
        default_sort="name",
    )
