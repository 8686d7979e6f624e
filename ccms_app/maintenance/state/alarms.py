"""Maintenance -> Alarms: the list (opens on the active ones, newest first), its filters,
and acknowledging the selected alarms at once.

Thin: `maintenance.alarms.listing` reads, `maintenance.alarms.actions` acts (maintenance:edit,
checked by the gate and again by the use case). The date range is two filters ("since",
"until": days in the operator's zone, `ListState._zone`, read by `load`) that narrow the
spec; "me" as the assignee filter is the signed-in account. Page on_load:
AuthState.require_login, AlarmListState.open_page, AlarmListState.load. A reconnect runs them
again: the rows refresh and the alarms ticked for a bulk acknowledge stay ticked (ui.reopen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import InputError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core import listing
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.maintenance.alarms import actions
from ccms_app.maintenance.alarms.listing import ACTIVE, ALARM_LIST, DATE_FILTERS, page_filters
from ccms_app.maintenance.state.alarms_rows import ME, alarm_filter_options, shown_alarm
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware


@guarded(Module.MAINTENANCE)
class AlarmListState(ListState, ReopenAware, rx.State):
    """The operator's alarms; the rows ticked for a bulk acknowledge."""

    filters: dict[str, str] = {"status": ACTIVE}
    sort: str = "first_raised_at"
    descending: bool = True
    selected: rx.Field[list[str]] = rx.field(default_factory=list)
    _account_id: int = 0

    def _list_spec(self) -> ListSpec:
        return ALARM_LIST

    @rx.var
    def filtered(self) -> bool:
        """The opening "active" filter does not count as narrowing the list."""
        narrowing = {k: v for k, v in self.filters.items() if v and (k, v) != ("status", ACTIVE)}
        return bool(self.search.strip()) or bool(narrowing)

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    def _narrowed(self, query: ListQuery) -> tuple[ListSpec, ListQuery]:
        spec, rest = page_filters({**self.filters}, self._zone)
        # Strings: each filter of ALARM_LIST reads its own value ("none", an id, "active").
        typed: dict[str, Any] = dict(rest)
        if typed.get("assignee_account_id") == ME:
            typed["assignee_account_id"] = self._account_id
        narrowed = ListQuery(
            search=query.search,
            filters=typed,
            sort=query.sort,
            descending=query.descending,
            page=query.page,
            page_size=query.page_size,
        )
        return spec, narrowed

    def _query(self) -> ListQuery:
        # The date filters are not columns: `_narrowed` applies them to the spec.
        return ListQuery(
            search=self.search,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        spec, narrowed = self._narrowed(query)
        return listing.fetch_page(spec, narrowed, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        spec, narrowed = self._narrowed(query)
        return listing.export_csv(spec, narrowed, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return shown_alarm(row, self._zone)

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return alarm_filter_options(scope)

    @event
    async def open_page(self) -> None:
        """on_load, before `load`: whose "me" the assignee filter means. The ticked alarms
        stay for the same login (a reconnect, a reload, back from an alarm), as the filters
        and the page do; an id no longer listed is harmless: acknowledging skips an alarm
        already acknowledged or closed and counts it."""
        auth_state = await self.get_state(AuthState)
        self._account_id = auth_state._account_id
        if self._opening_anew(str(self._account_id)):
            self.selected = []

    @event
    async def set_date(self, key: str, value: str) -> None:
        if key in DATE_FILTERS:
            await self.set_filter(key, value)

    @event
    def toggle_selected(self, alarm_id: str, checked: bool) -> None:
        chosen = [i for i in self.selected if i != alarm_id]
        self.selected = [*chosen, alarm_id] if checked else chosen

    @event
    def clear_selected(self) -> None:
        self.selected = []

    @requires(Action.EDIT)
    @event
    async def acknowledge_selected(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        ids = [as_id(i) for i in self.selected if as_id(i)]
        try:
            done = await asyncio.to_thread(actions.acknowledge_many, caller, ids)
        except (InputError, RefusedError) as exc:
            return rx.toast.error(str(exc))
        self.selected = []
        await self._reload()
        skipped = len(ids) - len(done)
        if skipped:
            return rx.toast.success(
                tr(
                    "{count} acknowledged ({skipped} already acknowledged or closed).",
                    count=len(done),
                    skipped=skipped,
                )
            )
        return rx.toast.success(tr("{count} acknowledged.", count=len(done)))
