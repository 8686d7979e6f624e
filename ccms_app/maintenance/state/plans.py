"""Maintenance -> Plans: the preventive maintenance plans and their create / edit dialog."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.roles import NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListSpec
from ccms_app.core.local_time import utc_to_wall_time
from ccms_app.core.operator_zone import DEFAULT_ZONE, operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.maintenance.state.forms import submit
from ccms_app.maintenance.work_orders import plans
from ccms_app.network.assets import charge_point_search
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

SEARCH_LIMIT = 20


def covers_text(vendor: str, model: str) -> str:
    """What a plan by vendor / model covers: "ABB Terra 54", "ABB every model"."""
    if not model:
        return tr("{vendor} every model", vendor=vendor) if vendor else tr("every model")
    return f"{vendor} {model}" if vendor else model


@guarded(Module.MAINTENANCE)
class PlanListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return plans.PLAN_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["covers"] = row.get("charge_point") or covers_text(
            str(row.get("vendor") or ""), str(row.get("model") or "")
        )
        shown["enabled"] = N_("enabled") if row.get("enabled") else N_("disabled")
        return shown


@guarded(Module.MAINTENANCE)
class PlanFormState(rx.State):
    mode: str = ""  # "create" | "edit" | "" (closed)
    editing_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    cp_choices: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    zone: str = DEFAULT_ZONE  # the operator's: the next due day of a plan by vendor / model

    async def _operator_zone(self) -> str:
        auth = await self.get_state(AuthState)
        self.zone = await asyncio.to_thread(operator_zone_of, auth._organisation_id)
        return self.zone

    @event
    async def open_new(self) -> None:
        today = utc_to_wall_time(utc_now(), await self._operator_zone())[:10]
        values = {"name": "", "charge_point_id": "", "vendor": "", "model": ""}
        values |= {"every_months": "12", "priority": "low", "description": ""}
        values |= {"enabled": "true", "next_due_at": today}
        await self._open("create", 0, values)

    @event
    async def open_edit(self, plan_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            zone = await self._operator_zone()
            values = await asyncio.to_thread(plans.get_plan_form, caller, as_id(plan_id), zone)
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        await self._open("edit", as_id(plan_id), values)
        return None

    async def _open(self, mode: str, plan_id: int, values: dict[str, str]) -> None:
        self.mode, self.editing_id, self.values = mode, plan_id, values
        self.errors, self.message, self.busy = {}, "", False
        await self.search_charge_points("")

    @event
    async def search_charge_points(self, term: str) -> None:
        auth = await self.get_state(AuthState)
        scope = await asyncio.to_thread(organisation_scope, auth._organisation_id)
        found = await asyncio.to_thread(charge_point_search, scope, term.strip(), SEARCH_LIMIT)
        self.cp_choices = [["", tr("— by vendor / model —")], *([str(i), n] for i, n in found)]

    @event
    def set_open(self, value: bool) -> None:
        if not value and not self.busy:
            self.mode = ""

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values, plan_id, zone = dict(self.values), self.editing_id, self.zone
        if self.mode == "create":
            saved = await submit(self, lambda caller: plans.create_plan(caller, values, None, zone))
        else:
            saved = await submit(
                self, lambda caller: plans.update_plan(caller, plan_id, values, zone)
            )
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(tr("Plan saved.")), PlanListState.refresh]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        plan_id = self.editing_id
        saved = await submit(self, lambda caller: plans.delete_plan(caller, plan_id))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(tr("Plan deleted.")), PlanListState.refresh]
