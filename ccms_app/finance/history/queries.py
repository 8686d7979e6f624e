"""The charging history's use cases: a page, the CSV export and the filter choices.

The date range is days in the operator's zone (its billing profile's), turned into a UTC
range on the start time (`period`); the web page sends it as the "since" / "until" filters,
the REST API as start_time_from / start_time_to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import null, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.charging.models import ChargingSession
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.drivers.models import UserGroup
from ccms_app.finance.history.rows import EXPORT_COLUMNS, payment_method_text, shown_row
from ccms_app.finance.history.spec import (
    DATE_FILTERS,
    HISTORY_EXPORT,
    HISTORY_LIST,
    number,
)
from ccms_app.finance.models import DRIVER_ACCOUNT, GROUP_ACCOUNT, SessionCost
from ccms_app.network.models import Station


@dataclass(frozen=True)
class Period:
    """From the start of the first day to the end of the last, in UTC (`until` exclusive)."""

    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        started = col(ChargingSession.start_time)
        found = [] if self.since is None else [started >= self.since]
        return found if self.until is None else [*found, started < self.until]


def _day(raw: str, first: bool) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        message = (
            tr("From must be a date like 2026-01-31, got {raw}", raw=repr(raw))
            if first
            else tr("To must be a date like 2026-01-31, got {raw}", raw=repr(raw))
        )
        raise ListQueryError(message) from None


def period(since: str, until: str, zone: str) -> Period:
    """The days an operator chose (in `zone`) as a UTC range; empty days leave it open."""
    first, last = _day(since, True), _day(until, False)
    if first is not None and last is not None and first > last:
        raise ListQueryError(tr("The From date is after the To date"))
    tz = time_zone(zone)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)

    return Period(
        since=None if first is None else start_of(first),
        until=None if last is None else start_of(last + timedelta(days=1)),
    )


def narrowed(spec: ListSpec, within: Period, also: Sequence[ColumnElement[bool]] = ()) -> ListSpec:
    """The spec whose sessions also started within the period (and meet `also`)."""
    conditions = [*within.conditions(), *also]
    if not conditions:
        return spec
    base = spec.base
    return dataclasses.replace(spec, base=lambda: base().where(*conditions))


def history_query(
    filters: Mapping[str, str],
    *,
    search: str = "",
    sort: str = "",
    descending: bool = True,
    page: int = 1,
    page_size: int = 25,
) -> ListQuery:
    """The page's filter strings (dates aside: `period`) as a list query; ids as numbers."""
    typed: dict[str, Any] = {}
    for key, value in filters.items():
        if not value or key in DATE_FILTERS:
            continue
        column = HISTORY_LIST.column(key)
        if not column.filterable:
            raise ListQueryError(
                tr("The charging history cannot be filtered by {label}", label=column.label)
            )
        typed[key] = number(value) if key in ("station_id", "group_id") else value
    return ListQuery(
        search=search,
        filters=typed,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
    )


def _keys_only(spec: ListSpec, sort: str) -> ListSpec:
    """The spec selecting only what orders the rows: a filtered page sorted outside an index
    order computes its select list for every candidate row before sorting, so the values
    (a subquery each) are read afterwards for the page's rows alone."""
    kept = {"id", sort or spec.default_sort}

    def needed(c: ListColumn) -> bool:  # its own expression filters or searches
        return (c.filterable and c.filter is None) or (c.searchable and c.search is None)

    columns = tuple(
        c if c.key in kept or needed(c) else dataclasses.replace(c, expression=null())
        for c in spec.columns
    )
    return dataclasses.replace(spec, columns=columns)


def fetch_history(query: ListQuery, scope: Collection[int], within: Period) -> ListPage:
    """One page of sessions (newest first unless sorted otherwise) and the matching total:
    the page's ids first, then their values."""
    spec = narrowed(HISTORY_LIST, within)
    keys = listing.fetch_page(_keys_only(spec, query.sort), query, scope)
    ids = [row["id"] for row in keys.rows]
    if not ids:
        return keys
    chosen = narrowed(spec, Period(), [col(ChargingSession.id).in_(ids)])
    rows = listing.fetch_page(chosen, dataclasses.replace(query, page=1), scope).rows
    return dataclasses.replace(keys, rows=rows)


def _export_rows(rows: Iterator[dict[str, Any]], now: datetime) -> Iterator[dict[str, str]]:
    for row in rows:
        yield shown_row(row, now)


def export_history_csv(
    query: ListQuery, scope: Collection[int], within: Period, now: datetime
) -> str:
    """Every session the page's filters match (all pages, list order) as the page shows it."""
    rows = listing.iter_rows(narrowed(HISTORY_EXPORT, within), query, scope)
    return listing.to_csv(EXPORT_COLUMNS, _export_rows(rows, now))


# --- filter choices --------------------------------------------------------------------

MAX_CHOICES = 500  # a select beyond this is unusable: the search box finds the rest


def filter_choices(scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
    """Stations, groups and payment methods to pick from, in the operator's scope."""
    ids = list(scope)
    with read_session() as session:
        stations = session.execute(
            select(col(Station.id), col(Station.name))
            .where(col(Station.organisation_id).in_(ids))
            .order_by(col(Station.name))
            .limit(MAX_CHOICES)
        ).all()
        groups = session.execute(
            select(col(UserGroup.id), col(UserGroup.name))
            .where(col(UserGroup.organisation_id).in_(ids))
            .order_by(col(UserGroup.name))
            .limit(MAX_CHOICES)
        ).all()
        recorded = session.execute(
            select(col(SessionCost.payment_method))
            .where(col(SessionCost.organisation_id).in_(ids), col(SessionCost.payment_method) != "")
            .distinct()
            .limit(50)
        ).scalars()
        methods = sorted({*recorded, GROUP_ACCOUNT, DRIVER_ACCOUNT})
    return {
        "station_id": [(str(i), str(n)) for i, n in stations],
        "group_id": [(str(i), str(n)) for i, n in groups],
        "payment_method": [(m, payment_method_text(m)) for m in methods],
    }
