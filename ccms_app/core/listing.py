"""Server-side lists: search, filter, sort, paginate and export, scoped to organisations.

Every list page (stations, charge points, drivers, id tags ...) describes its columns once in a
`ListSpec`; this module turns an operator's `ListQuery` into one SQL query for the page and one
COUNT, so lists stay fast at 100,000 rows and never load a table into memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr

MAX_PAGE_SIZE = 200
EXPORT_CHUNK = 2000
# The key a row's time zone is selected under (`ListSpec.zone`): never a column, so never
# shown as one and never exported; `ui.list_state` formats the row's times in it.
ROW_ZONE = "_row_zone"


class ListQueryError(ValueError):
    """The operator asked for a filter or sort the list does not offer."""


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    expression: Any  # a column or SQL expression of the spec's select
    searchable: bool = False
    filterable: bool = False
    sortable: bool = True
    # How a search term matches this column, given the escaped LIKE pattern, when LIKE on
    # `expression` row by row is too slow (e.g. a correlated subquery: search the other table
    # once instead).
    search: Callable[[str], ColumnElement[bool]] | None = None
    # How a filter value selects rows when `expression == value` cannot say it (e.g. "any of
    # the charge point's connectors has this status": an EXISTS on another table).
    filter: Callable[[Any], ColumnElement[bool]] | None = None

    def selects(self, value: Any) -> ColumnElement[bool]:
        if self.filter is not None:
            return self.filter(value)
        return self.expression == value

    def matches(self, pattern: str) -> ColumnElement[bool]:
        if self.search is not None:
            return self.search(pattern)
        return func.lower(self.expression).like(pattern, escape="\\")


@dataclass(frozen=True)
class ListSpec:
    """What one list shows: `base` builds the select (joins included), scoped by organisation."""

    name: str
    base: Callable[[], Select[Any]]
    columns: tuple[ListColumn, ...]
    organisation_column: Any
    id_column: Any
    default_sort: str
    # Each row's IANA time zone (e.g. its station's `Station.timezone` through the joins of
    # `base`), selected under ROW_ZONE; None (or a NULL for a row): the operator's zone.
    zone: Any = None

    def __post_init__(self) -> None:
        if any(c.key == ROW_ZONE for c in self.columns):
            raise ValueError(f"{self.name}: {ROW_ZONE!r} is reserved for the row's time zone")

    def column(self, key: str) -> ListColumn:
        for column in self.columns:
            if column.key == key:
                return column
        raise ListQueryError(f"{self.name} has no column {key!r}")


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False
    page: int = 1
    page_size: int = 25


@dataclass(frozen=True)
class ListPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _filtered(
    spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None
) -> Select[Any]:
    statement = spec.base()
    if organisation_ids is not None:
        statement = statement.where(spec.organisation_column.in_(list(organisation_ids)))
    for key, value in query.filters.items():
        if value is None or value == "":
            continue
        column = spec.column(key)
        if not column.filterable:
            raise ListQueryError(
                tr("{spec} cannot be filtered by {label}", spec=spec.name, label=column.label)
            )
        statement = statement.where(column.selects(value))
    term = query.search.strip().lower()
    if term:
        pattern = f"%{_escape_like(term)}%"
        conditions = [c.matches(pattern) for c in spec.columns if c.searchable]
        if conditions:
            statement = statement.where(or_(*conditions))
    return statement


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ordered(spec: ListSpec, statement: Select[Any], query: ListQuery) -> Select[Any]:
    column = spec.column(query.sort or spec.default_sort)
    if not column.sortable:
        raise ListQueryError(
            tr("{spec} cannot be sorted by {label}", spec=spec.name, label=column.label)
        )
    # Empty values sort lowest on every database (SQLite's own order; PostgreSQL's is the
    # opposite): "never seen" comes first going up and last going down, on either.
    if query.descending:
        order = column.expression.desc().nulls_last()
    else:
        order = column.expression.asc().nulls_first()
    tie = spec.id_column.desc() if query.descending else spec.id_column.asc()
    return statement.order_by(order, tie)


def _labelled(spec: ListSpec, statement: Select[Any], with_zone: bool = False) -> Select[Any]:
    """The spec's columns under their keys; `with_zone`: the row's time zone under ROW_ZONE
    too (pages shown to operators; never the API's rows or an export)."""
    labelled = [c.expression.label(c.key) for c in spec.columns]
    if with_zone and spec.zone is not None:
        labelled.append(spec.zone.label(ROW_ZONE))
    return statement.with_only_columns(*labelled, maintain_column_froms=True)


def fetch_page(
    spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None
) -> ListPage:
    """One page of rows (dicts keyed by column key, plus ROW_ZONE when the spec has a zone)
    and the total matching the query."""
    page_size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    filtered = _filtered(spec, query, organisation_ids)
    with read_session() as session:
        total = session.execute(
            select(func.count()).select_from(filtered.with_only_columns(spec.id_column).subquery())
        ).scalar_one()
        last_page = max(1, -(-total // page_size))
        page = max(1, min(query.page, last_page))
        statement = _ordered(spec, _labelled(spec, filtered, with_zone=True), query)
        result = session.execute(statement.limit(page_size).offset((page - 1) * page_size))
        rows = [dict(row._mapping) for row in result]
    return ListPage(rows=rows, total=total, page=page, page_size=page_size)


def count_rows(spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None) -> int:
    """How many rows match the query (all pages)."""
    filtered = _filtered(spec, query, organisation_ids)
    with read_session() as session:
        return int(
            session.execute(
                select(func.count()).select_from(
                    filtered.with_only_columns(spec.id_column).subquery()
                )
            ).scalar_one()
        )


def fetch_one(
    spec: ListSpec,
    row_id: Any,
    organisation_ids: Collection[int] | None,
    with_zone: bool = False,
) -> dict[str, Any] | None:
    """One row as the list shows it, or None when it does not exist in the scope;
    `with_zone`: with its time zone under ROW_ZONE (a page showing it to an operator)."""
    statement = _labelled(spec, _filtered(spec, ListQuery(), organisation_ids), with_zone)
    with read_session() as session:
        row = session.execute(statement.where(spec.id_column == row_id).limit(1)).first()
    return None if row is None else dict(row._mapping)


@dataclass(frozen=True)
class Keyset:
    """Where a page ends in list order: the sort column's value and the row id there."""

    value: Any
    row_id: Any


KEYSET_ID = "_keyset_id"  # the spec's id column, selected beside the row for its keyset


def fetch_after(
    spec: ListSpec,
    query: ListQuery,
    organisation_ids: Collection[int] | None,
    after: Keyset | None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], Keyset | None]:
    """The page after `after` (keyset paging: as fast at row 100,000 as at row 1, and no row
    skipped or repeated when rows are added meanwhile), or `offset` rows into the list, and
    the keyset of its last row when more may follow."""
    page_size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    column = spec.column(query.sort or spec.default_sort)
    statement = _ordered(spec, _labelled(spec, _filtered(spec, query, organisation_ids)), query)
    statement = statement.add_columns(spec.id_column.label(KEYSET_ID))
    with read_session() as session:
        if after is not None:
            statement = statement.where(
                _after(column.expression, spec.id_column, after, query.descending)
            )
        statement = statement.limit(page_size + 1).offset(offset)
        rows = [dict(r._mapping) for r in session.execute(statement)]
    more = len(rows) > page_size
    rows = rows[:page_size]
    ids = [row.pop(KEYSET_ID) for row in rows]
    last = Keyset(rows[-1][column.key], ids[-1]) if more else None
    return rows, last


def _after(expression: Any, id_column: Any, after: Keyset, descending: bool) -> ColumnElement[bool]:
    """Rows after `after` in `ORDER BY expression, id` (both ascending or both descending),
    NULL lowest (`_ordered`); the NULL group is paged by id alone."""
    nulls_come_first = not descending
    later_id = id_column < after.row_id if descending else id_column > after.row_id
    if after.value is None:
        in_nulls = and_(expression.is_(None), later_id)
        return or_(in_nulls, expression.is_not(None)) if nulls_come_first else in_nulls
    later = expression < after.value if descending else expression > after.value
    condition = or_(later, and_(expression == after.value, later_id))
    return condition if nulls_come_first else or_(condition, expression.is_(None))


def matching_ids(
    spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None, limit: int
) -> list[Any]:
    """The ids of every row the query matches (all pages, list order), at most `limit`: what
    "select all matching" acts on, resolved on the server within the operator's scope."""
    statement = _ordered(spec, _filtered(spec, query, organisation_ids), query)
    statement = statement.with_only_columns(spec.id_column, maintain_column_froms=True)
    statement = statement.limit(limit)
    with read_session() as session:
        return list(session.execute(statement).scalars())


def iter_rows(
    spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None
) -> Iterator[dict[str, Any]]:
    """Every matching row in list order, streamed from one cursor in chunks (for exports;
    OFFSET chunks would re-read every earlier row for each chunk)."""
    statement = _ordered(spec, _labelled(spec, _filtered(spec, query, organisation_ids)), query)
    with read_session() as session:
        result = session.execute(statement.execution_options(yield_per=EXPORT_CHUNK))
        for chunk in result.partitions():
            yield from (dict(row._mapping) for row in chunk)


# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection:
# "=HYPERLINK(...)" typed as a driver's name, a card label, an e-mail at a failed login).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` for a CSV cell: text a spreadsheet would run gets a leading apostrophe, so
    it is shown as typed; numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def to_csv(columns: Sequence[tuple[str, str]], rows: Iterator[dict[str, Any]]) -> str:
    """CSV text with a header of labels; `columns` is (key, label) pairs. Every text cell
    passes `spreadsheet_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow(
            ["" if row.get(key) is None else spreadsheet_safe(row.get(key)) for key, _ in columns]
        )
    return buffer.getvalue()


def export_csv(spec: ListSpec, query: ListQuery, organisation_ids: Collection[int] | None) -> str:
    """The whole filtered, sorted list (all pages) as CSV: the spec's columns only (never
    ROW_ZONE), times as stored (UTC)."""
    columns = [(c.key, c.label) for c in spec.columns]
    return to_csv(columns, iter_rows(spec, query, organisation_ids))
