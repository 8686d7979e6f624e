"""The state behind every server-side list (stations, charge points, drivers, id tags ...).

`ListState` is a Reflex state *mixin*: each list declares its own state class

    class StationListState(ListState, rx.State):
        def _list_spec(self) -> ListSpec:          # which rows and columns (core.listing)
            return stations.STATION_LIST

and renders it with `ccms_app.ui.data_list.data_list(StationListState, columns=...)`.
Page on_load (after AuthState.require_login): `StationListState.load`.

Why a mixin and not a plain base class: in Reflex 0.10 a field declared on a parent *state*
lives on that parent's instance, so every list subclassing one base state would share one
search box and one page number. A field declared on a mixin (`rx.State, mixin=True`) is
copied onto each concrete state instead (reflex.state.BaseState._bind_fields), so each list
has its own search, filters, sort and page. Event handlers and computed vars are copied too.

What a list state may override (all optional except `_list_spec`):
- `_fetch(query, scope) -> ListPage`: the page of rows (default: listing.fetch_page).
- `_export(query, scope) -> str`: the CSV text (default: listing.export_csv).
- `_format_row(row) -> dict[str, str]`: display strings (default: `shown_row`: each cell by
  `display_value`, times in the row's zone); an override starts from `self._shown(row)`.
- `_export_name() -> str`: the CSV file name (default: the spec name + `.csv`).
- `_scope_for(organisation_id)`: which organisations the operator sees (default: its tree).
- `_filter_options(scope) -> {filter key: [(value, label), ...]}`: choices read from the
  database for filter selects (default: none), loaded with the list into `filter_options`
  (use `Filter(key, label, State.filter_options[key])`).
Every handler here needs the concrete state's module view (`@guarded` on it); `export_csv`
needs its export permission, and `ui.data_list` shows the button only to roles holding it.
Rows reach the browser as `rows: list[dict[str, str]]`; every row carries its "id" column
if the spec has one (the row key, and what row links and actions use).
Times: a spec with a `zone` (e.g. its station's) brings each row's zone under
`listing.ROW_ZONE`; its times are shown in that zone, the others (and a row whose zone is
NULL, e.g. a charge point without a station) in the operator's zone (`operator_zone_of`:
core/operator_zone.py). Every time carries its zone's abbreviation ("14:05:00 CET"); ROW_ZONE is
never a cell of the rows sent to the browser.
Filters arrive as strings; `coerce_filter` turns "true"/"false" and numbers into the column's
SQL type, so a boolean or integer column filters correctly. An empty value means "all".
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

import reflex as rx
from sqlalchemy import Boolean, Integer

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import requires
from ccms_app.accounts.rules.permissions import Action
from ccms_app.accounts.state import AuthState
from ccms_app.core import listing
from ccms_app.core.display import format_time
from ccms_app.core.i18n import DEFAULT, reader_language, tr
from ccms_app.core.listing import ROW_ZONE, ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.core.operator_zone import DEFAULT_ZONE, operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.ui.downloads import http_download
from ccms_app.ui.events import event
from ccms_app.ui.state_writes import write_changed

log = logging.getLogger(__name__)

PAGE_SIZES = ("10", "25", "50", "100")
ALL = "__all__"  # a select item cannot have an empty value: this one means "no filter"


def display_value(value: Any, zone: str = "UTC", now: datetime | None = None) -> str:
    """One cell as text: empty for None, yes/no for booleans, datetimes in `zone` with its
    abbreviation (with the date unless it is today there)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_time(value, zone, now or utc_now())
    return str(value)


def row_zone(row: Mapping[str, Any], operator_zone: str) -> str:
    """The zone a row's times are shown in: its own (ROW_ZONE, e.g. its station's) when the
    list selects one and the row has it, else the operator's."""
    return str(row.get(ROW_ZONE) or "") or operator_zone


def shown_row(row: Mapping[str, Any], operator_zone: str, now: datetime) -> dict[str, str]:
    """Every cell of a row as text (`display_value`), its times in `row_zone`; the zone
    itself is not a cell."""
    zone = row_zone(row, operator_zone)
    return {key: display_value(v, zone, now) for key, v in row.items() if key != ROW_ZONE}


def coerce_filter(spec: ListSpec, key: str, raw: str) -> Any:
    """A filter value typed as its column (bool / int), so SQL compares like with like."""
    column = spec.column(key)
    sql_type = getattr(column.expression, "type", None)
    if isinstance(sql_type, Boolean):
        if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise ListQueryError(f"{column.label} filter must be yes or no, got {raw!r}")
        return raw.lower() in ("true", "yes", "1")
    if isinstance(sql_type, Integer):
        try:
            return int(raw)
        except ValueError as exc:
            raise ListQueryError(f"{column.label} filter must be a number, got {raw!r}") from exc
    return raw


def safe_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-").lower() or "export"


class ListState(rx.State, mixin=True):
    """Search, filters, sort, page and the current page's rows of one list."""

    search: str = ""
    filters: dict[str, str] = {}
    sort: str = ""
    descending: bool = False
    page: int = 1
    page_size: int = 25
    rows: list[dict[str, str]] = []
    total: int = 0
    pages: int = 1
    loading: bool = False
    loaded: bool = False
    error: str = ""
    filter_options: dict[str, list[list[str]]] = {}
    _scope: list[int] = []
    _zone: str = DEFAULT_ZONE  # the operator's time zone (rows without their own)
    _worded_in: str = DEFAULT  # the language the rows and choices shown were worded in

    # --- what each list provides --------------------------------------------------------

    def _list_spec(self) -> ListSpec:
        raise NotImplementedError(f"{type(self).__name__} must define _list_spec()")

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return listing.fetch_page(self._list_spec(), query, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return listing.export_csv(self._list_spec(), query, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return self._shown(row)

    def _shown(self, row: Mapping[str, Any]) -> dict[str, str]:
        """The row's cells as text, its times in its own zone or the operator's."""
        return shown_row(row, self._zone, utc_now())

    def _row_zone(self, row: Mapping[str, Any]) -> str:
        """The zone this row's times are shown in (its own, else the operator's)."""
        return row_zone(row, self._zone)

    def _export_name(self) -> str:
        return f"{safe_file_name(self._list_spec().name)}.csv"

    def _scope_for(self, organisation_id: int) -> frozenset[int]:
        return organisations.organisation_scope(organisation_id)

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {}

    # --- computed ------------------------------------------------------------------------

    @rx.var
    def filtered(self) -> bool:
        """Whether a search or filter narrows the list (the empty state says so)."""
        return bool(self.search.strip()) or any(v for v in self.filters.values())

    @rx.var
    def sort_key(self) -> str:
        """The column the rows are sorted by (the spec's default until a header is clicked)."""
        return self.sort or self._list_spec().default_sort

    @rx.var
    def page_size_text(self) -> str:
        return str(self.page_size)

    @rx.var
    def range_text(self) -> str:
        """ "21-40 of 1,234" """
        if self.total == 0:
            return "0 of 0"
        first = (self.page - 1) * self.page_size + 1
        last = min(self.total, self.page * self.page_size)
        return f"{first:,}-{last:,} of {self.total:,}"

    # --- events --------------------------------------------------------------------------

    @event
    async def load(self) -> None:
        """on_load (after the login check), and after every change of query."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        scope = await asyncio.to_thread(self._scope_for, auth_state._organisation_id)
        self._scope = sorted(scope)
        self._zone = await asyncio.to_thread(operator_zone_of, auth_state._organisation_id)
        options = await asyncio.to_thread(self._filter_options, self._scope)
        self.filter_options = {k: [[v, label] for v, label in o] for k, o in options.items()}
        await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (`ui.page_header.follow_language` on the page): the
        rows and filter choices the server worded are read again in it."""
        if self.loaded and self._worded_in != (await self.get_state(AuthState)).language:
            await self.load()

    @event
    async def refresh(self) -> None:
        """Reload the current page (after a create / edit / delete), keeping the query.
        A list this tab never loaded stays unloaded."""
        await self._reload()

    @event
    async def set_search(self, value: str) -> None:
        self.search = value
        self.page = 1
        await self._reload()

    @event
    async def set_filter(self, key: str, value: str) -> None:
        chosen = {k: v for k, v in self.filters.items() if k != key}
        self.filters = chosen if value in (ALL, "") else {**chosen, key: value}
        self.page = 1
        await self._reload()

    @event
    async def clear_filters(self) -> None:
        self.filters = {}
        self.search = ""
        self.page = 1
        await self._reload()

    @event
    async def sort_by(self, key: str) -> None:
        """Click a header: sort by it; click again: reverse."""
        current = self.sort or self._list_spec().default_sort
        self.descending = not self.descending if key == current else False
        self.sort = key
        self.page = 1
        await self._reload()

    @event
    async def go_to_page(self, page: int) -> None:
        await self._show_page(page)

    @event
    async def next_page(self) -> None:
        await self._show_page(self.page + 1)

    @event
    async def previous_page(self) -> None:
        await self._show_page(self.page - 1)

    async def _show_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.pages))
        await self._reload()

    @event
    async def set_page_size(self, value: str) -> None:
        self.page_size = int(value) if value in PAGE_SIZES else 25
        self.page = 1
        await self._reload()

    @requires(Action.EXPORT)
    @event
    async def export_csv(self):
        """The whole filtered, sorted list (every page) as a CSV download."""
        if not self._scope:
            return rx.toast.error(tr("Your session has ended. Log in again."))
        try:
            query = self._query()
        except ListQueryError as exc:
            return rx.toast.error(tr("Not exported: {exc}.", exc=exc))
        produce = functools.partial(self._export, query, list(self._scope))
        return await http_download(self, "export_csv", self._export_name(), produce)

    # --- implementation ------------------------------------------------------------------

    def _query(self) -> ListQuery:
        spec = self._list_spec()
        filters = {k: coerce_filter(spec, k, v) for k, v in self.filters.items() if v}
        return ListQuery(
            search=self.search,
            filters=filters,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )

    async def _fetch_page(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        """`_fetch` off the event loop (a live list may share one read between its tabs)."""
        return await asyncio.to_thread(self._fetch, query, scope)

    async def _reload(self) -> None:
        if not self._scope:
            return
        self._worded_in = reader_language()
        if not self.loaded:
            self.loading = True
        try:
            result = await self._fetch_page(self._query(), list(self._scope))
        except ListQueryError as exc:
            self._write_error(str(exc))
            return
        rows = [_without_zone(self._format_row(row)) for row in result.rows]
        self._write_page(result, {"rows": rows})

    def _write_page(self, found: PageCounts, rows: Mapping[str, list[Any]]) -> None:
        """A page read: its rows (under the list's field) and counts, no error, loaded. Only
        what changed is sent: a live list re-read after every tick (the running sessions)
        that finds the same page sends nothing."""
        counts = {"total": found.total, "page": found.page, "pages": found.pages}
        write_changed(self, {**rows, **counts, "error": "", "loading": False, "loaded": True})

    def _write_error(self, message: str) -> None:
        write_changed(self, {"error": message, "loading": False})


class PageCounts(Protocol):
    """What a page read says besides its rows (listing.ListPage, a live list's own pages)."""

    @property
    def total(self) -> int: ...

    @property
    def page(self) -> int: ...

    @property
    def pages(self) -> int: ...


def _without_zone(shown: dict[str, str]) -> dict[str, str]:
    """A formatted row without the row's zone, whichever `_format_row` made it."""
    return {key: value for key, value in shown.items() if key != ROW_ZONE}
