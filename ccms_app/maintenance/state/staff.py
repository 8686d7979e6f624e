"""Maintenance -> Staff: the people with the Maintenance staff role, and the dialog that
edits one's profile (phone, on duty, operation areas covered)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.maintenance.work_orders import staff
from ccms_app.maintenance.work_orders.staff import StaffView
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event


def staff_row(view: StaffView) -> dict[str, str]:
    return {
        "id": str(view.account_id),
        "name": view.name,
        "email": view.email,
        "role": view.role,
        "phone": view.phone,
        "on_duty": N_("on duty") if view.on_duty else N_("off duty"),
        "areas": ", ".join(view.areas) or N_("no area"),
        "open": str(view.open_work_orders),
    }


@guarded(Module.MAINTENANCE)
class StaffState(rx.State):
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    area_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    loaded: bool = False
    editing_id: int = 0
    editing_name: str = ""
    phone: str = ""
    on_duty: bool = True
    notes: str = ""
    chosen_areas: rx.Field[list[str]] = rx.field(default_factory=list)
    errors: dict[str, str] = {}
    busy: bool = False

    @event
    async def load(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        views = await asyncio.to_thread(staff.list_staff, caller)
        areas = await asyncio.to_thread(staff.area_choices, caller.scope())
        self.rows = [staff_row(v) for v in views]
        self.area_options = [[str(i), name] for i, name in areas]
        self.loaded = True

    @event
    async def open_edit(self, account_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(staff.get_staff, caller, as_id(account_id))
        except NotFoundError as exc:
            return rx.toast.error(str(exc))
        self.editing_id, self.editing_name = view.account_id, view.name
        self.phone, self.notes = view.phone, view.notes
        self.on_duty = view.on_duty if view.has_profile else True
        self.chosen_areas = [str(i) for i in view.area_ids]
        self.errors, self.busy = {}, False
        return None

    @event
    def close(self, _open: bool = False) -> None:
        if not self.busy:
            self.editing_id = 0

    @event
    def set_phone(self, value: str) -> None:
        self.phone = value

    @event
    def set_notes(self, value: str) -> None:
        self.notes = value

    @event
    def set_on_duty(self, value: bool) -> None:
        self.on_duty = bool(value)

    @event
    def toggle_area(self, area_id: str, checked: bool) -> None:
        chosen = set(self.chosen_areas)
        if checked:
            chosen.add(area_id)
        else:
            chosen.discard(area_id)
        self.chosen_areas = sorted(chosen)

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            view = await asyncio.to_thread(
                staff.update_staff,
                caller,
                self.editing_id,
                phone=self.phone,
                on_duty=self.on_duty,
                notes=self.notes,
                area_ids=[as_id(a) for a in self.chosen_areas],
            )
        except InputError as exc:
            self.errors = dict(exc.errors)
            return None
        except (NotFoundError, RefusedError) as exc:
            self.errors = {"form": str(exc)}
            return None
        finally:
            self.busy = False
        self.editing_id = 0
        return [rx.toast.success(tr("{view} saved.", view=view.name)), StaffState.load]
