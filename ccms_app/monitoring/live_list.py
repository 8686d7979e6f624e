"""Live Monitoring's charge point list: one page of the network at a time, from SQL.

Live Monitoring used to load and push the whole network (2.3 MB per push and 700,000 DOM
nodes at 10,000 charge points). Now it is a server-side list like the others (core.listing):
search, filters, sort and pages run in the database, and a tab receives only the page it
shows, 25-200 rows whatever the size of the network. The rows are the same display rows
as before (view.ChargePointRow, connectors included), loaded for the page's ids only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, not_, or_, select
from sqlmodel import col

from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.listing import ListColumn, ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.monitoring.snapshot import charge_point_views
from ccms_app.monitoring.view import ChargePointRow, charge_point_row
from ccms_app.network.models import ChargePoint, Connector, ConnectorStatus, Station

SELECT_ALL_LIMIT = 10_000  # "select all matching": a bulk command never goes to more at once
# Sorts and filters whose rows do not move when chargers talk: a page listed by them only
# changes when one of its own charge points does (the publisher skips the others).
STABLE_SORTS = frozenset({"identity", "station"})
STABLE_FILTERS = frozenset({"station_id", "area_id", "registration"})


def _connector_with(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(col(Connector.id)).where(
            col(Connector.charge_point_id) == ChargePoint.id, *conditions
        )
    )


def _faulted() -> ColumnElement[bool]:
    return or_(
        col(ChargePoint.status) == ConnectorStatus.FAULTED,
        _connector_with(col(Connector.status) == ConnectorStatus.FAULTED),
    )


def _faulted_filter(value: Any) -> ColumnElement[bool]:
    return _faulted() if value else not_(_faulted())


def _connector_status_filter(value: Any) -> ColumnElement[bool]:
    """A status of the charge point as a whole or of any of its connectors."""
    return or_(col(ChargePoint.status) == value, _connector_with(col(Connector.status) == value))


def _base() -> Select[Any]:
    return select(ChargePoint).outerjoin(Station, col(Station.id) == ChargePoint.station_id)


LIVE_CHARGE_POINT_LIST = ListSpec(
    name="live charge points",
    base=_base,
    columns=(
        ListColumn("id", "Id", ChargePoint.id),
        ListColumn("identity", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("station_id", "Station", ChargePoint.station_id, filterable=True),
        ListColumn("area_id", "Area", Station.area_id, filterable=True, sortable=False),
        ListColumn("registration", "Registration", ChargePoint.registration_state, filterable=True),
        ListColumn("online", "Connection", ChargePoint.is_online, filterable=True),
        ListColumn(
            "status",
            "Status",
            ChargePoint.status,
            filterable=True,
            filter=_connector_status_filter,
        ),
        ListColumn(
            "faulted",
            "Faulted",
            _faulted(),
            filterable=True,
            sortable=False,
            filter=_faulted_filter,
        ),
        ListColumn("last_seen_at", "Last seen", ChargePoint.last_seen_at),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=ChargePoint.id,
    default_sort="identity",
)


@dataclass(frozen=True)
class LivePage:
    rows: list[ChargePointRow]
    total: int
    page: int
    pages: int


def load_page(
    query: ListQuery,
    organisation_ids: Collection[int],
    now: datetime | None = None,
    operator_zone: str = "UTC",
) -> LivePage:
    """One page of the live list: the page's ids from the list query, then their rows (a
    charge point without a station on the operator's clock)."""
    found = listing.fetch_page(LIVE_CHARGE_POINT_LIST, query, organisation_ids)
    ids = [int(row["id"]) for row in found.rows]
    rows = load_rows(ids, organisation_ids, now, operator_zone)
    return LivePage(rows, found.total, found.page, found.pages)


def load_rows(
    ids: list[int],
    organisation_ids: Collection[int],
    now: datetime | None = None,
    operator_zone: str = "UTC",
) -> list[ChargePointRow]:
    """The display rows of these charge points, in the order of `ids`."""
    if not ids:
        return []
    now = now or utc_now()
    with read_session() as session:
        views = {cp.id: cp for cp in charge_point_views(session, organisation_ids, only=ids)}
    return [charge_point_row(views[i], now, operator_zone) for i in ids if i in views]


def matching_ids(query: ListQuery, organisation_ids: Collection[int]) -> list[int]:
    """Every charge point the query matches, on any page (bulk selection)."""
    ids = listing.matching_ids(LIVE_CHARGE_POINT_LIST, query, organisation_ids, SELECT_ALL_LIMIT)
    return [int(i) for i in ids]


def moves_with_traffic(query: ListQuery) -> bool:
    """Whether charger traffic can change which charge points this query lists (a status
    filter, a sort by last seen, ...): such a page is re-read after any change in scope."""
    sort = query.sort or LIVE_CHARGE_POINT_LIST.default_sort
    return sort not in STABLE_SORTS or any(
        key not in STABLE_FILTERS for key, value in query.filters.items() if value not in ("", None)
    )
