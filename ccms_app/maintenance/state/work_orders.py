"""Maintenance -> Work orders: "my work orders" (the signed-in account's, most urgent
first), the list of all (filters: status, priority, assignee, station, overdue) and the
dialog that creates one by hand for any charge point. Thin: the use cases decide."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.display import format_time
from ccms_app.core.i18n import DEFAULT, reader_language, tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.maintenance.rules.sla import PRIORITY_LABELS
from ccms_app.maintenance.rules.stored_text import title_text
from ccms_app.maintenance.rules.work_order_status import status_label
from ccms_app.maintenance.state.forms import submit
from ccms_app.maintenance.work_orders import creation, detail, staff
from ccms_app.maintenance.work_orders.listing import WORK_ORDER_LIST
from ccms_app.network.assets import charge_point_search
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

DETAIL_ROUTE = "/maintenance/work-orders"
SEARCH_LIMIT = 20


def work_order_href(work_order_id: Any) -> Any:
    return DETAIL_ROUTE + "/" + work_order_id


@guarded(Module.MAINTENANCE)
class WorkOrderListState(ListState, rx.State):
    """Every work order of the operator's network, due first."""

    def _list_spec(self) -> ListSpec:
        return WORK_ORDER_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["title"] = title_text(str(row.get("title") or ""))
        shown["status_text"] = status_label(str(row.get("status") or ""))
        shown["priority_text"] = PRIORITY_LABELS.get(str(row.get("priority")), "")
        shown["overdue"] = "overdue" if row.get("overdue") else ""
        return shown

    def _filter_options(self, scope: Any) -> dict[str, list[tuple[str, str]]]:
        people = [(str(i), name) for i, name in staff.assignee_choices(scope)]
        return {"assignee_account_id": people, "station_id": station_options(scope)}

    def _export_name(self) -> str:
        return "work-orders.csv"


def station_options(scope: Any) -> list[tuple[str, str]]:
    return [(str(i), name) for i, name in detail.station_choices(scope)]


@guarded(Module.MAINTENANCE)
class MyWorkOrdersState(rx.State):
    """The signed-in account's unfinished work orders (the overview and the list page)."""

    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    loaded: bool = False
    _language: str = DEFAULT  # the language the titles are worded in

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the titles CCMS wrote are worded again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self.load()

    @event
    async def load(self) -> None:
        if self._language != reader_language():
            self._language = reader_language()
        auth = await self.get_state(AuthState)
        scope = await asyncio.to_thread(organisation_scope, auth._organisation_id)
        found = await asyncio.to_thread(detail.my_work_orders, auth._account_id, scope)
        operator = await asyncio.to_thread(operator_zone_of, auth._organisation_id)
        now = utc_now()
        self.rows = [
            {
                "id": str(w.id),
                "title": title_text(w.title),
                "status": w.status,
                "status_text": status_label(w.status),
                "priority": w.priority,
                "priority_text": PRIORITY_LABELS.get(w.priority, w.priority),
                "charge_point": w.charge_point,
                "station": w.station,
                "due": format_time(w.due_at, w.zone or operator, now) if w.due_at else "",
                "overdue": "overdue" if w.overdue else "",
            }
            for w in found
        ]
        self.loaded = True


@guarded(Module.MAINTENANCE)
class WorkOrderCreateState(rx.State):
    """The "New work order" dialog: charge point (searched), title, description, priority,
    connector, assignee."""

    open: bool = False
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    cp_term: str = ""
    cp_choices: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    people: rx.Field[list[list[str]]] = rx.field(default_factory=list)

    @event
    async def open_new(self) -> None:
        auth = await self.get_state(AuthState)
        scope = await asyncio.to_thread(organisation_scope, auth._organisation_id)
        people = await asyncio.to_thread(staff.assignee_choices, scope)
        self.people = [[str(i), name] for i, name in people]
        self.values = {"priority": "medium", "charge_point_id": "", "title": "", "description": ""}
        self.values |= {"connector_id": "", "assignee_account_id": ""}
        self.errors, self.message, self.busy, self.open = {}, "", False, True
        self.cp_term = ""
        self.cp_choices = await self._search(scope, "")

    @event
    def set_open(self, value: bool) -> None:
        if not self.busy:
            self.open = bool(value)

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    async def search_charge_points(self, term: str) -> None:
        auth = await self.get_state(AuthState)
        scope = await asyncio.to_thread(organisation_scope, auth._organisation_id)
        self.cp_term = term
        self.cp_choices = await self._search(scope, term)

    async def _search(self, scope: frozenset[int], term: str) -> list[list[str]]:
        found = await asyncio.to_thread(charge_point_search, scope, term.strip(), SEARCH_LIMIT)
        return [[str(i), identity] for i, identity in found]

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values = dict(self.values)
        saved = await submit(self, lambda caller: creation.create_by_hand(caller, values))
        if not saved.ok:
            return saved.shown
        work_order_id = saved.value
        self.open = False
        return [
            rx.toast.success(
                tr("Work order #{work_order_id} created.", work_order_id=work_order_id)
            ),
            rx.redirect(f"{DETAIL_ROUTE}/{work_order_id}"),
        ]
