"""Load Balancing -> one site -> Plans and Priorities: time plans (another site limit on some
weekdays between two local times) and priority rules (sessions of a user group, membership
plan, id tag or charge point served first), each with its dialog."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import reader_language, tr
from ccms_app.drivers.common import Scope
from ccms_app.drivers.user_groups import group_choices
from ccms_app.finance.memberships.plans import plan_choices
from ccms_app.load_balancing import plan_admin, site_admin
from ccms_app.load_balancing.state.common import LbForm, options, read_site_page
from ccms_app.load_balancing.state.shown import (
    PRIORITY_KIND_LABELS,
    plan_row,
    plan_values,
    priority_row,
    priority_values,
)
from ccms_app.network.station_map import station_charge_points
from ccms_app.ui.events import event

NEW_PLAN = {
    "name": "",
    "weekdays": "12345",
    "start_time": "08:00",
    "end_time": "18:00",
    "limit_a": "",
    "limit_kw": "",
    "priority": "0",
    "enabled": "true",
}
NEW_PRIORITY = {"kind": "user_group", "ref": "", "priority": "1", "label": ""}


def plans_page(caller: Caller, site_id: int) -> dict[str, Any]:
    plans = plan_admin.list_plans(caller, site_id)
    priorities = plan_admin.list_priorities(caller, site_id)
    site = site_admin.get_site(caller, site_id)
    scope = caller.scope()
    points = station_charge_points(scope, site.station_id)
    return {
        "plans": [plan_row(p) for p in plans],
        "plan_values": {str(p.id): plan_values(p) for p in plans},
        "priorities": [priority_row(p) for p in priorities],
        "priority_values": {str(p.id): priority_values(p) for p in priorities},
        "ref_options": {
            "user_group": options(group_choices(Scope(caller.organisation_id, scope))),
            "membership_plan": options(plan_choices(scope, offered_only=False)),
            "charge_point": options([(p.id, p.identity) for p in points]),
            "id_tag": [],
        },
    }


@guarded(Module.LOAD_BALANCING)
class PlansState(rx.State):
    plans: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    priorities: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    ref_options: dict[str, list[list[str]]] = {kind: [] for kind in PRIORITY_KIND_LABELS}
    loaded: bool = False
    _plan_values: dict[str, dict[str, str]] = {}
    _priority_values: dict[str, dict[str, str]] = {}
    _language: str = ""  # the language of what is shown

    @event
    async def load(self) -> None:
        self.loaded = False
        await self.refresh()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if self.loaded and self._language != reader_language():
            await self.refresh()

    @event
    async def refresh(self) -> None:
        shown = await read_site_page(self, plans_page)
        if shown is not None:
            self.plans, self.priorities = shown["plans"], shown["priorities"]
            self.ref_options = shown["ref_options"]
            self._plan_values = shown["plan_values"]
            self._priority_values = shown["priority_values"]
        self._language = reader_language()
        self.loaded = True


@guarded(Module.LOAD_BALANCING)
class PlanFormState(LbForm, rx.State):
    @event
    def open_new(self) -> None:
        self._open("create", 0, dict(NEW_PLAN))

    @event
    async def open_edit(self, plan_id: str) -> None:
        values = (await self.get_state(PlansState))._plan_values.get(plan_id)
        if values is not None:
            self._open("edit", int(plan_id), dict(values))

    @event
    def toggle_day(self, day: str, checked: bool) -> None:
        days = {d for d in self.values.get("weekdays", "") if d != day}
        self.set_value("weekdays", "".join(sorted(days | ({day} if checked else set()))))

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        name = self.values.get("name", "")
        done = (tr("Plan {name} added.", name=name), tr("Plan {name} saved.", name=name))
        return await self._save_dialog(
            plan_admin.add_plan, plan_admin.update_plan, done, PlansState.refresh
        )

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        return await self._delete_row(
            plan_admin.delete_plan, tr("Plan deleted."), PlansState.refresh
        )


@guarded(Module.LOAD_BALANCING)
class PriorityFormState(LbForm, rx.State):
    @event
    def open_new(self) -> None:
        self._open("create", 0, dict(NEW_PRIORITY))

    @event
    async def open_edit(self, priority_id: str) -> None:
        values = (await self.get_state(PlansState))._priority_values.get(priority_id)
        if values is not None:
            self._open("edit", int(priority_id), dict(values))

    @event
    def set_kind(self, kind: str) -> None:
        """Another kind: the old reference names something else."""
        self.set_value("kind", kind)
        self.set_value("ref", "")

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        done = (tr("Priority added."), tr("Priority saved."))
        return await self._save_dialog(
            plan_admin.add_priority, plan_admin.update_priority, done, PlansState.refresh
        )

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        return await self._delete_row(
            plan_admin.delete_priority, tr("Priority deleted."), PlansState.refresh
        )
