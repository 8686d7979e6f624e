"""What an operator does with a list of charger data issues: open one (its stored payload and
what the data policy says about its kind), select, and resolve one, the selected or all shown.

`DataIssueActions` is a state mixin used next to ListState: the Maintenance page's list and a
charge point's Data issues tab each declare a concrete state with both
(`class X(DataIssueActions, ListState, rx.State)`, in ccms_app.maintenance.state.overview and
ccms_app.charging.state.data_issues_tab), so each has its own selection and dialog. Every resolve is
scoped to the operator's organisations by the service, whatever ids the browser sends, and
records the operator's email; the service tells the live pages, whose "data" warnings go.

The list's spec (`_list_spec`) is charging.data_issue_admin.DATA_ISSUE_EXPORT: the columns
plus each issue's payload, so "Export CSV" carries the payloads; the pages shown are fetched
without them (DATA_ISSUE_LIST), so a page never ships payloads to the browser.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import reflex as rx

from ccms_app.accounts.gate_marks import requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.charging import data_issue_admin, data_issues
from ccms_app.control.state.charge_point import signed_in_email
from ccms_app.control.state.message_log import pretty_json
from ccms_app.core import listing
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ROW_ZONE, ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S %Z"


def list_cell(value: Any, zone: str = "UTC") -> str:
    """A cell as text, times as full date and time in `zone` with its abbreviation
    ("2026-05-01 11:00:00 CEST": issues are often days old)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(time_zone(zone)).strftime(TIME_FORMAT)
    return str(value)


def shown_cells(row: dict[str, Any], zone: str) -> dict[str, str]:
    """Every cell of a row by `list_cell`, times in `zone`; the row's zone is not a cell."""
    return {key: list_cell(value, zone) for key, value in row.items() if key != ROW_ZONE}


def issue_row(row: dict[str, Any], zone: str = "UTC") -> dict[str, str]:
    """A list row, its times in `zone` (its charge point's station's, else the operator's);
    `kind_title` is a message id (the page shows it with t_var, so it follows the tab's
    language)."""
    shown = shown_cells(row, zone)
    shown["kind_title"] = data_issue_admin.policy_for(str(row.get("kind", ""))).title
    return shown


def resolved_text(count: int) -> str:
    if count == 0:
        return tr("Nothing to resolve: those issues were resolved already.")
    if count == 1:
        return tr("Resolved 1 data issue.")
    return tr("Resolved {count} data issues.", count=count)


def _state_text(view: data_issues.DataIssueView, zone: str = "UTC") -> str:
    """ "Resolved 2026-05-01 12:00:00 CEST by ops@example.com", or "Unresolved"."""
    if view.resolved_at is None:
        return tr("Unresolved")
    when = list_cell(view.resolved_at, zone)
    if view.resolved_by:
        return tr("Resolved {time} by {operator}", time=when, operator=view.resolved_by)
    return tr("Resolved {time} by an operator", time=when)


class DataIssueActions(rx.State, mixin=True):
    """Selection, the issue dialog and resolving, on top of a ListState of data issues."""

    if TYPE_CHECKING:  # what the ListState next to this mixin provides
        rows: list[dict[str, str]]
        _scope: list[int]
        _zone: str

        def _row_zone(self, row: Mapping[str, Any]) -> str: ...

        def _query(self) -> ListQuery: ...
        async def _reload(self) -> None: ...

    selected: list[str] = []
    busy: bool = False
    confirm_all_open: bool = False
    issue_open: bool = False
    issue_id: str = ""
    issue_identity: str = ""
    issue_kind: str = ""
    issue_detail: str = ""
    issue_time: str = ""
    issue_state: str = ""
    issue_resolved: bool = False
    issue_payload: str = ""
    policy_title: str = ""
    policy_section: str = ""
    policy_text: str = ""

    # --- ListState overrides -------------------------------------------------------------

    def _list_spec(self) -> ListSpec:
        return data_issue_admin.DATA_ISSUE_EXPORT

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return listing.fetch_page(data_issue_admin.DATA_ISSUE_LIST, query, scope)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return issue_row(row, self._row_zone(row))

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"kind": [(kind, tr(title)) for kind, title in data_issue_admin.kind_options()]}

    # --- computed ------------------------------------------------------------------------

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.var
    def page_selected(self) -> bool:
        """Whether every row of this page is selected (the header checkbox)."""
        ids = {row.get("id", "") for row in self.rows}
        return bool(ids) and ids <= set(self.selected)

    # --- selection -----------------------------------------------------------------------

    @event
    def toggle_selected(self, issue_id: str) -> None:
        if issue_id in self.selected:
            self.selected = [i for i in self.selected if i != issue_id]
        else:
            self.selected = [*self.selected, issue_id]

    @event
    def toggle_page(self, checked: bool) -> None:
        page = [row["id"] for row in self.rows if "id" in row]
        rest = [i for i in self.selected if i not in page]
        self.selected = [*rest, *page] if checked else rest

    @event
    def clear_selection(self) -> None:
        self.selected = []

    # --- the issue dialog ----------------------------------------------------------------

    @event
    async def open_issue(self, issue_id: str):
        if not self._scope or not issue_id.isdigit():
            return None
        view = await asyncio.to_thread(
            data_issue_admin.issue_detail, int(issue_id), list(self._scope)
        )
        if view is None:
            return rx.toast.error(tr("That data issue is not in your network."))
        zone = await asyncio.to_thread(
            data_issue_admin.issue_zone, view.id, list(self._scope), self._zone
        )
        policy = data_issue_admin.policy_for(view.kind)
        self.issue_id = str(view.id)
        self.issue_identity, self.issue_kind, self.issue_detail = (
            view.identity,
            view.kind,
            view.detail,
        )
        self.issue_time = list_cell(view.created_at, zone)
        self.issue_resolved = view.resolved_at is not None
        self.issue_state = _state_text(view, zone)
        self.issue_payload = pretty_json(view.payload) if view.payload else tr("(empty)")
        self.policy_title, self.policy_section, self.policy_text = (
            tr(policy.title),
            policy.section,  # a heading of the (English) data policy document
            tr(policy.text),
        )
        self.issue_open = True
        return None

    @event
    def set_issue_open(self, value: bool) -> None:
        self.issue_open = value

    @event
    def set_confirm_all_open(self, value: bool) -> None:
        self.confirm_all_open = value

    # --- resolving -----------------------------------------------------------------------

    @requires(Action.EDIT, Module.MAINTENANCE)
    @event
    async def resolve_one(self, issue_id: str):
        if not issue_id.isdigit():
            return None
        toast = await self._resolve_ids([int(issue_id)])
        if self.issue_id == issue_id:
            self.issue_open = False
        return toast

    @requires(Action.EDIT, Module.MAINTENANCE)
    @event
    async def resolve_selected(self):
        ids = [int(i) for i in self.selected if i.isdigit()]
        if not ids:
            return rx.toast.info(tr("Select the issues to resolve first."))
        return await self._resolve_ids(ids)

    @requires(Action.EDIT, Module.MAINTENANCE)
    @event
    async def resolve_all_shown(self):
        """Every unresolved issue matching the search and filters, on every page."""
        self.confirm_all_open = False
        operator = await self._begin_resolve()
        if operator is None:
            return rx.toast.error(tr("Your session has ended. Log in again."))
        try:
            count = await asyncio.to_thread(
                data_issue_admin.resolve_matching, self._query(), list(self._scope), operator
            )
        except ListQueryError as exc:
            count, self.busy = 0, False
            return rx.toast.error(tr("Not resolved: {exc}.", exc=exc))
        return await self._after_resolve(count)

    async def _resolve_ids(self, ids: list[int]):
        operator = await self._begin_resolve()
        if operator is None:
            return rx.toast.error(tr("Your session has ended. Log in again."))
        count = await asyncio.to_thread(
            data_issues.resolve_issues, ids, list(self._scope), resolved_by=operator
        )
        return await self._after_resolve(count)

    async def _begin_resolve(self) -> str | None:
        """The operator's email, or None if signed out; the list must have loaded (scope)."""
        if not self._scope:
            return None
        operator = await signed_in_email(self)
        if operator is not None:
            self.busy = True
        return operator

    async def _after_resolve(self, count: int):
        self.busy = False
        self.selected = []
        await self._reload()
        log.info("data issues resolved from the UI", extra={"count": count})
        return (
            rx.toast.success(resolved_text(count)) if count else rx.toast.info(resolved_text(count))
        )
