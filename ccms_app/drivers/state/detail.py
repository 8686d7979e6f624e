"""The driver page (/users/drivers/[driver_id]) and the group page (/users/groups/[group_id]).

Both read their id from the URL on load and keep it, so `refresh` (sent by forms and list
actions after a change) reloads the page that is open and does nothing elsewhere.

Reflex runs on_load again on every websocket reconnect, in the same tab state: the same group
loading again refreshes the page and keeps the driver picked to add, its search and its
error; another group starts with an empty picker.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.display import format_number
from ccms_app.core.i18n import tr
from ccms_app.core.operator_zone import DEFAULT_ZONE, operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import user_groups
from ccms_app.drivers.common import NotFoundError, Scope, UserInputError
from ccms_app.drivers.state.lists import counts, date_text
from ccms_app.drivers.state.picker import DriverPickerState
from ccms_app.drivers.state.scope import (
    as_id,
    operator_scope,
    run_scoped,
    tab_language,
)
from ccms_app.drivers.vehicles import kwh_text
from ccms_app.monitoring.view import format_time
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

DRIVERS_ROUTE = "/users/drivers"
GROUPS_ROUTE = "/users/groups"


def id_from_path(path: str, prefix: str) -> int:
    """`/users/drivers/12/` -> 12; 0 when the path has no number after `prefix`."""
    tail = path.split(prefix + "/", 1)[1] if prefix + "/" in path else ""
    return as_id(tail.strip("/").split("/")[0])


@dataclasses.dataclass
class CardRow:
    id: str = ""
    id_tag: str = ""
    status: str = ""
    expiry: str = ""
    blocked: bool = False


@dataclasses.dataclass
class LinkRow:
    id: str = ""
    label: str = ""
    detail: str = ""
    flag: bool = False


@dataclasses.dataclass
class SessionRow:
    id: str = ""
    id_tag: str = ""
    charge_point: str = ""
    station: str = ""
    started: str = ""
    stopped: str = ""
    energy: str = ""
    status: str = ""


def _card(id_: int, tag: str, status: str, expiry: Any = None, zone: str = DEFAULT_ZONE) -> CardRow:
    """A card's row; its expiry as the last day in `zone` (the operator's)."""
    expires = date_text(expiry, zone) or "never"
    return CardRow(str(id_), tag, status, expires, status == "blocked")


@guarded(Module.USERS)
class DriverDetailState(rx.State):
    driver_id: rx.Field[int] = rx.field(0)
    found: bool = False
    loaded: bool = False
    name: str = ""
    email: str = ""
    phone: str = ""
    status: str = ""
    created: str = ""
    cards: rx.Field[list[CardRow]] = rx.field(default_factory=list)
    groups: rx.Field[list[LinkRow]] = rx.field(default_factory=list)
    vehicles: rx.Field[list[LinkRow]] = rx.field(default_factory=list)
    sessions: rx.Field[list[SessionRow]] = rx.field(default_factory=list)
    confirm_delete: bool = False
    _language: str = ""  # the language the rows are worded in

    @rx.var
    def suspended(self) -> bool:
        return self.status == "suspended"

    @event
    async def load(self) -> None:
        self.driver_id = id_from_path(self.router.url.path, DRIVERS_ROUTE)
        self.loaded = False
        await self._reload()

    @event
    async def refresh(self) -> None:
        if self.driver_id:
            await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the rows are worded again in it."""
        if self.loaded and self.driver_id and self._language != await tab_language(self):
            await self._reload()

    async def _reload(self) -> None:
        self._language = await tab_language(self)
        scope = await operator_scope(self)
        if scope is None:
            return
        try:
            detail = await asyncio.to_thread(drivers.driver_detail, scope, self.driver_id)
        except NotFoundError:
            self.found, self.loaded = False, True
            return
        self._show(detail, await asyncio.to_thread(operator_zone_of, scope.organisation_id))
        self.found, self.loaded = True, True

    def _show(self, detail: drivers.DriverDetail, zone: str) -> None:
        """The driver's page; days in `zone` (the operator's), sessions in their station's."""
        d, now = detail.driver, utc_now()
        self.name, self.email, self.phone, self.status = d.name, d.email, d.phone, d.status
        self.created = date_text(d.created_at, zone)
        self.cards = [_card(c.id, c.id_tag, c.status, c.expiry_date, zone) for c in detail.cards]
        self.groups = [
            LinkRow(
                str(g.id),
                g.name,
                tr("authorised") if g.authorised else tr("not authorised"),
                g.authorised,
            )
            for g in detail.groups
        ]
        self.vehicles = [
            LinkRow(
                str(v.id),
                f"{v.make} {v.model}",
                " · ".join(p for p in (v.licence_plate, _kwh(v.battery_capacity_wh)) if p),
            )
            for v in detail.vehicles
        ]
        self.sessions = [
            SessionRow(
                str(s.id),
                s.id_tag,
                s.charge_point,
                s.station,
                format_time(s.start_time, s.timezone, now),
                format_time(s.stop_time, s.timezone, now) if s.stop_time else "charging",
                format_number(s.energy_wh / 1000, "kWh", 2),
                s.status,
            )
            for s in detail.recent_sessions
        ]

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = value

    @requires(Action.EDIT)
    @event
    async def delete(self):
        self.confirm_delete = False
        driver_id = self.driver_id

        def work(scope: Scope) -> str:
            result = drivers.delete_driver(scope, driver_id)
            return tr("Driver {name} deleted.", name=result.name)

        message, problem = await run_scoped(self, work)
        if problem:
            return rx.toast.error(problem)
        return [rx.toast.success(message), rx.redirect(DRIVERS_ROUTE)]


def _kwh(wh: int | None) -> str:
    text = kwh_text(wh)
    return f"{text} kWh" if text else ""


@guarded(Module.USERS)
class GroupDetailState(DriverPickerState, ReopenAware, rx.State):
    group_id: rx.Field[int] = rx.field(0)
    found: bool = False
    loaded: bool = False
    name: str = ""
    account_name: str = ""
    billing_email: str = ""
    members: rx.Field[list[LinkRow]] = rx.field(default_factory=list)
    cards: rx.Field[list[CardRow]] = rx.field(default_factory=list)
    values: dict[str, str] = {}  # the add-member picker: {"driver_id": ...}
    member_error: str = ""
    confirm_delete: bool = False
    _language: str = ""  # the language the members are worded in

    @event
    async def load(self) -> None:
        """on_load: the group from the URL; the same group loading again keeps the add-member
        picker (module docstring)."""
        self.group_id = id_from_path(self.router.url.path, GROUPS_ROUTE)
        if self._opening_anew(str(self.group_id)):
            self.loaded, self.values, self.member_error, self.driver_search = False, {}, "", ""
        await self._reload()
        if not self.found:
            self._closed()
        await self._load_driver_options(self.values.get("driver_id", ""))

    @event
    async def refresh(self) -> None:
        if self.group_id:
            await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the members are worded again in it."""
        if self.loaded and self.group_id and self._language != await tab_language(self):
            await self._reload()

    async def _reload(self) -> None:
        self._language = await tab_language(self)
        scope = await operator_scope(self)
        if scope is None:
            return
        try:
            detail = await asyncio.to_thread(user_groups.group_detail, scope, self.group_id)
        except NotFoundError:
            self.found, self.loaded = False, True
            return
        g = detail.group
        self.name, self.account_name, self.billing_email = g.name, g.account_name, g.billing_email
        self.members = [
            LinkRow(
                str(m.driver_id),
                m.name,
                tr("{email} · suspended", email=m.email)
                if m.driver_status == "suspended"
                else m.email,
                m.authorised,
            )
            for m in detail.members
        ]
        self.cards = [_card(c.id, c.id_tag, c.status) for c in detail.cards]
        self.found, self.loaded = True, True

    @event
    def choose_driver(self, driver_id: str) -> None:
        self.values = {"driver_id": driver_id}
        self.member_error = ""

    @requires(Action.EDIT)
    @event
    async def add_member(self):
        group_id, driver_id = self.group_id, as_id(self.values.get("driver_id"))
        try:
            _, problem = await run_scoped(
                self, lambda s: user_groups.add_member(s, group_id, driver_id)
            )
        except UserInputError as exc:
            self.member_error = next(iter(exc.errors.values()), str(exc))
            return None
        if problem:
            return rx.toast.error(problem)
        self.values, self.member_error = {}, ""
        await self._reload()
        return rx.toast.success(tr("Member added."))

    @requires(Action.EDIT)
    @event
    async def set_authorised(self, driver_id: str, authorised: bool):
        group_id = self.group_id
        _, problem = await run_scoped(
            self,
            lambda s: user_groups.set_member_authorised(s, group_id, as_id(driver_id), authorised),
        )
        if problem:
            return rx.toast.error(problem)
        await self._reload()
        return None

    @requires(Action.EDIT)
    @event
    async def remove_member(self, driver_id: str):
        group_id = self.group_id
        _, problem = await run_scoped(
            self, lambda s: user_groups.remove_member(s, group_id, as_id(driver_id))
        )
        if problem:
            return rx.toast.error(problem)
        await self._reload()
        return rx.toast.success(tr("Member removed."))

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = value

    @requires(Action.EDIT)
    @event
    async def delete(self):
        self.confirm_delete = False
        group_id = self.group_id

        def work(scope: Scope) -> str:
            return tr("Group {name} deleted.", name=user_groups.delete_group(scope, group_id))

        message, problem = await run_scoped(self, work)
        if problem:
            return rx.toast.error(problem)
        return [rx.toast.success(message), rx.redirect(GROUPS_ROUTE)]


@guarded(Module.USERS)
class UsersOverviewState(rx.State):
    """Counts for the Users landing page."""

    drivers: int = 0
    groups: int = 0
    cards: int = 0
    blocked: int = 0
    vehicles: int = 0
    problem: str = ""

    @event
    async def load(self) -> None:
        scope = await operator_scope(self)
        if scope is None:
            self.problem = tr(SESSION_ENDED)
            return
        numbers = await counts(scope)
        self.drivers, self.groups = numbers["drivers"], numbers["groups"]
        self.cards, self.blocked = numbers["cards"], numbers["blocked"]
        self.vehicles, self.problem = numbers["vehicles"], ""
