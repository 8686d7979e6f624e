"""One local authorization list (/users/local-lists/[list_id]): its name and counts, its id tags
and its charge points (server-side lists bound to the list), removing and unassigning, and
"Sync now" for its charge points with a result per charge point.

Every change goes through the drivers.local_lists use cases, which mark the charge points concerned:
the scheduler's sync job sends them the difference within its interval; Sync now does it at
once. The pickers that add id tags and assign charge points are in local_lists_pickers.

Reflex runs on_load again on every websocket reconnect, in the same tab state: the same list
loading again refreshes its counts and rows and keeps each list's search, filters, sort,
page and selection, and the last Sync now's results; another list starts from clean queries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.control.state.charge_point import signed_in_email
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.drivers.local_lists import specs
from ccms_app.drivers.local_lists.assignments import assigned_charge_point_ids, unassign_list
from ccms_app.drivers.local_lists.entries import remove_id_tags
from ccms_app.drivers.local_lists.lists import LocalListError, list_summary
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.local_lists.state.charge_point_tab import RESULT_TEXTS, version_text
from ccms_app.drivers.local_lists.state.lists import ROUTE, LocalListsState, run_list_action
from ccms_app.drivers.local_lists.sync import sync_list
from ccms_app.drivers.state.detail import id_from_path
from ccms_app.drivers.state.lists import date_text
from ccms_app.drivers.state.scope import as_id, operator_scope
from ccms_app.ui.events import background_event, event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

log = logging.getLogger(__name__)

SYNC_TEXTS = {
    specs.SYNC_IN_SYNC: N_("In sync"),
    specs.SYNC_OUT_OF_DATE: N_("Out of date"),
    specs.SYNC_NEVER: N_("Never synced"),
    specs.SYNC_NOT_SUPPORTED: N_("Not supported"),
}


@dataclasses.dataclass
class SyncRow:
    """One charge point's outcome of Sync now."""

    identity: str = ""
    result: str = ""
    text: str = ""
    ok: bool = False
    detail: str = ""
    version: str = ""


def sync_rows(results: list[SyncResult]) -> list[SyncRow]:
    """Problems first, then by identity (a list on hundreds of charge points)."""
    ordered = sorted(results, key=lambda r: (r.ok, r.identity))
    return [
        SyncRow(
            identity=r.identity or str(r.charge_point_id),
            result=r.result,
            text=RESULT_TEXTS.get(r.result, r.result),
            ok=r.ok,
            detail=r.detail,
            version=version_text(r.version),
        )
        for r in ordered
    ]


def sync_summary(results: list[SyncResult]) -> tuple[str, bool]:
    """One line for the operator, in the reader's language."""
    if not results:
        return tr("The list is not assigned to any charge point: nothing to sync."), True
    counts = Counter(RESULT_TEXTS.get(r.result, r.result) for r in results)
    parts = ", ".join(
        tr("{count} {result}", count=n, result=tr(text)) for text, n in sorted(counts.items())
    )
    ok = all(r.ok for r in results)
    return tr("Synced {count} charge point(s): {parts}.", count=len(results), parts=parts), ok


class ListBoundState(rx.State, mixin=True):
    """For a ListState (mixed in before it) showing rows of one local list: which list, and a
    selection that survives paging and searching (the keys of `_selection_key`).

    Not a ListState subclass itself: every ListState subclass is a concrete list."""

    list_id: int = 0
    selected: rx.Field[list[str]] = rx.field(default_factory=list)

    if TYPE_CHECKING:  # ListState's, which this mixin always comes before
        search: str
        filters: dict[str, str]
        sort: str
        descending: bool
        page: int
        rows: list[dict[str, str]]
        total: int
        loaded: bool
        error: str
        load: Callable[[], Awaitable[None]]

    def _selection_key(self) -> str:
        return "id"

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @event
    async def open_list(self, list_id: int | str) -> None:
        """Show the rows of this list from a clean query (the page's on_load, a dialog)."""
        self.list_id = as_id(list_id)
        self.search, self.filters, self.sort, self.descending = "", {}, "", False
        self.page, self.selected, self.rows, self.total = 1, [], [], 0
        self.loaded, self.error = False, ""
        await self.load()

    @event
    def toggle(self, key: str) -> None:
        chosen = [k for k in self.selected if k != key]
        self.selected = chosen if len(chosen) < len(self.selected) else [*self.selected, key]

    @event
    def select_page(self) -> None:
        """Select every row on the page (the search narrows what "every" means)."""
        keys = [row[self._selection_key()] for row in self.rows]
        self.selected = [*self.selected, *(k for k in keys if k not in self.selected)]

    @event
    def clear_selection(self) -> None:
        self.selected = []


def of_list(query: ListQuery, list_id: int) -> ListQuery:
    """The operator's query on one list's rows (a filter the operator does not see)."""
    if not list_id:
        return query
    return dataclasses.replace(query, filters={**query.filters, "list_id": list_id})


def after_change() -> list[Any]:
    """What shows a list's contents and counts, reloaded after a change."""
    return [
        LocalListDetailState.refresh,
        EntryListState.refresh,
        AssignedListState.refresh,
        LocalListsState.refresh,
    ]


async def _act(state: rx.State, work: Any, ok_text: Any) -> list[Any] | Any:
    result, problem = await run_list_action(state, work)
    if problem:
        return rx.toast.error(problem)
    return [rx.toast.success(ok_text(result)), *after_change()]


@guarded(Module.USERS)
class EntryListState(ListBoundState, ListState, rx.State):
    """The list's id tags; selection by id tag."""

    def _list_spec(self) -> ListSpec:
        return specs.LOCAL_LIST_ENTRY_LIST

    def _query(self) -> ListQuery:
        return of_list(super()._query(), self.list_id)

    def _selection_key(self) -> str:
        return "id_tag"

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["expiry_date"] = date_text(row.get("expiry_date"), self._zone) or "never"
        shown["added_at"] = date_text(row.get("added_at"), self._zone)
        return shown

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"authorization": [(s, s) for s in ("Accepted", "Blocked", "Expired")]}

    @requires(Action.EDIT)
    @event
    async def remove(self, id_tag: str):
        list_id = self.list_id
        return await _act(
            self,
            lambda s: remove_id_tags(list_id, [id_tag], s.organisation_ids),
            lambda _: tr(
                "{id_tag} removed; the list's charge points drop it at the next sync.",
                id_tag=id_tag,
            ),
        )

    @requires(Action.EDIT)
    @event
    async def remove_selected(self):
        list_id, tags = self.list_id, list(self.selected)
        if not tags:
            return None
        self.selected = []
        return await _act(
            self,
            lambda s: remove_id_tags(list_id, tags, s.organisation_ids),
            lambda _: tr(
                "{count} id tag(s) removed; the list's charge points drop them at the next sync.",
                count=len(tags),
            ),
        )


@guarded(Module.USERS)
class AssignedListState(ListBoundState, ListState, rx.State):
    """The charge points the list is assigned to, with their sync state; selection by id."""

    confirm_unassign_all: bool = False

    def _list_spec(self) -> ListSpec:
        return specs.LOCAL_LIST_CHARGE_POINT_LIST

    def _query(self) -> ListQuery:
        return of_list(super()._query(), self.list_id)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["sync_text"] = SYNC_TEXTS.get(row.get("sync") or "", row.get("sync") or "")
        shown["last_result_text"] = RESULT_TEXTS.get(row.get("last_result") or "", "")
        shown["accepted_version"] = version_text(row.get("accepted_version") or 0)
        shown["reported_version"] = version_text(row.get("reported_version"))
        shown["online"] = "true" if row.get("online") else ""
        return shown

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"sync": list(SYNC_TEXTS.items())}

    @event
    def set_confirm_unassign_all(self, value: bool) -> None:
        self.confirm_unassign_all = value

    async def _unassign(self, ids: list[int]):
        list_id = self.list_id
        return await _act(
            self,
            lambda s: unassign_list(list_id, ids, s.organisation_ids),
            lambda _: tr(
                "Unassigned from {count} charge point(s); their lists lose its id tags at the "
                "next sync.",
                count=len(ids),
            ),
        )

    @requires(Action.EDIT)
    @event
    async def unassign(self, charge_point_id: str):
        return await self._unassign([as_id(charge_point_id)])

    @requires(Action.EDIT)
    @event
    async def unassign_selected(self):
        ids = [as_id(k) for k in self.selected]
        self.selected = []
        return await self._unassign(ids) if ids else None

    @requires(Action.EDIT)
    @event
    async def unassign_all(self):
        self.confirm_unassign_all, self.selected = False, []
        list_id = self.list_id
        ids, problem = await run_list_action(
            self, lambda s: assigned_charge_point_ids(list_id, s.organisation_ids)
        )
        if problem:
            return rx.toast.error(problem)
        return await self._unassign(ids)


@guarded(Module.USERS)
class LocalListDetailState(ReopenAware, rx.State):
    list_id: int = 0
    loaded: bool = False
    found: bool = False
    name: str = ""
    description: str = ""
    organisation: str = ""
    id_tag_count: int = 0
    charge_point_count: int = 0
    out_of_date_count: int = 0
    syncing: bool = False
    sync_results: rx.Field[list[SyncRow]] = rx.field(default_factory=list)
    sync_message: str = ""
    sync_ok: bool = False

    @event
    async def load(self):
        """on_load: the list from the URL, then its two server-side lists (module docstring:
        the same list loading again keeps their queries)."""
        self.list_id = id_from_path(self.router.url.path, ROUTE)
        anew = self._opening_anew(str(self.list_id))
        if anew:
            self.loaded, self.sync_results, self.sync_message = False, [], ""
        await self._reload()
        if not self.found:
            self._closed()
            return None
        return [
            await self._rows_of(EntryListState, anew),
            await self._rows_of(AssignedListState, anew),
        ]

    async def _rows_of(self, cls: type[EntryListState | AssignedListState], anew: bool) -> Any:
        """The event that shows the list's rows: from a clean query when the list opens anew
        (or `cls` shows another list), else the same query read again."""
        rows = await self.get_state(cls)
        if anew or rows.list_id != self.list_id:
            return cls.open_list(self.list_id)
        return cls.load

    @event
    async def refresh(self) -> None:
        if self.list_id:
            await self._reload()

    async def _reload(self) -> None:
        scope = await operator_scope(self)
        if scope is None:
            return
        try:
            summary = await asyncio.to_thread(list_summary, self.list_id, scope.organisation_ids)
        except LocalListError:
            self.found, self.loaded = False, True
            return
        self.name, self.description = summary.name, summary.description
        self.organisation = summary.organisation
        self.id_tag_count = summary.id_tag_count
        self.charge_point_count = summary.charge_point_count
        self.out_of_date_count = summary.out_of_date_count
        self.found, self.loaded = True, True

    @event
    def clear_sync_results(self) -> None:
        self.sync_results, self.sync_message = [], ""

    @requires(Action.CONTROL)
    @background_event
    async def sync_now(self) -> list[Any] | None:
        """Sync every charge point of the list now, concurrently; a result per charge point."""
        async with self:
            if self.syncing or not self.list_id:
                return None
            self.syncing, self.sync_results, self.sync_message = True, [], ""
            list_id = self.list_id
            requested_by = await signed_in_email(self)
            scope = await operator_scope(self)
        rows: list[SyncRow] = []
        if requested_by is None or scope is None:
            message, ok = tr(SESSION_ENDED), False
        else:
            try:
                results = await sync_list(list_id, requested_by, scope.organisation_ids)
                message, ok = sync_summary(results)
                rows = sync_rows(results)
            except Exception as exc:  # shown to the operator, logged in full
                log.exception("local list sync now failed", extra={"list_id": list_id})
                message, ok = tr("Not synced: {exc}", exc=exc), False
        async with self:
            self.syncing, self.sync_results = False, rows
            self.sync_message, self.sync_ok = message, ok
            await self._reload()
        toast = rx.toast.success(message) if ok else rx.toast.warning(message)
        return [toast, AssignedListState.refresh, LocalListsState.refresh]
