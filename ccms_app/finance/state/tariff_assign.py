"""Where a tariff applies: its assignments on the editor page, added with a picker per kind
of target (network default, station, charge point, user group, driver) and removed.

Resolution order (most specific wins) is finance.tariff_assignments' docstring; the page
shows it next to the list so the operator knows what an assignment overrides.

The same tariff loading again (a reconnect, a reload) reads the assignments again and keeps
the kind of target, the search and the target chosen; another tariff starts afresh.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED, acting_email
from ccms_app.core.i18n import N_, tr
from ccms_app.drivers import driver_admin, user_groups
from ccms_app.drivers.common import Scope
from ccms_app.finance import tariff_assignments
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.state.tariff_common import (
    TARIFFS_ROUTE,
    Caller,
    as_id,
    caller,
    id_from_path,
)
from ccms_app.finance.state.tariff_editor import draft_key
from ccms_app.network import assets, stations
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

PICKER_LIMIT = 20
TARGET_LABELS = {
    AssignmentTarget.NETWORK.value: N_("Network default"),
    AssignmentTarget.STATION.value: N_("Station"),
    AssignmentTarget.CHARGE_POINT.value: N_("Charge point"),
    AssignmentTarget.CONNECTOR.value: N_("Connector"),
    AssignmentTarget.GROUP.value: N_("User group"),
    AssignmentTarget.DRIVER.value: N_("Driver"),
}
# What the operator must choose before assigning, by target (whole messages).
CHOOSE: dict[str, str] = {
    AssignmentTarget.NETWORK.value: N_("Choose a network default"),
    AssignmentTarget.STATION.value: N_("Choose a station"),
    AssignmentTarget.CHARGE_POINT.value: N_("Choose a charge point"),
    AssignmentTarget.CONNECTOR.value: N_("Choose a connector"),
    AssignmentTarget.GROUP.value: N_("Choose a user group"),
    AssignmentTarget.DRIVER.value: N_("Choose a driver"),
}
SEARCHED = {
    AssignmentTarget.CHARGE_POINT.value,
    AssignmentTarget.CONNECTOR.value,
    AssignmentTarget.DRIVER.value,
}


@dataclasses.dataclass
class AssignmentRow:
    id: str = ""
    target: str = ""
    label: str = ""


@guarded(Module.FINANCE)
class TariffAssignState(ReopenAware, rx.State):
    tariff_id: rx.Field[int] = rx.field(0)
    rows: rx.Field[list[AssignmentRow]] = rx.field(default_factory=list)
    target_kind: str = AssignmentTarget.NETWORK.value
    target_id: str = ""
    search: str = ""
    target_options: list[list[str]] = []
    error: str = ""

    @event
    async def load(self) -> None:
        """on_load: the tariff's assignments and the picker's choices (module docstring:
        what a reconnect keeps)."""
        self.tariff_id = id_from_path(self.router.url.path, TARIFFS_ROUTE)
        actor = acting_email(await self.get_state(AuthState))
        if self._opening_anew(draft_key(actor, self.tariff_id)):
            self.target_kind, self.target_id, self.search, self.error = "network", "", "", ""
        await self._reload()
        await self._load_options()

    async def _reload(self) -> None:
        who = await caller(self)
        if who is None or not self.tariff_id:
            self.rows = []
            return
        found = await asyncio.to_thread(tariff_assignments.assignments, who.scope, self.tariff_id)
        self.rows = [
            AssignmentRow(str(a.id), TARGET_LABELS.get(a.target, a.target), a.target_label)
            for a in found
        ]

    async def _load_options(self) -> None:
        who = await caller(self)
        if who is None:
            return
        options = await asyncio.to_thread(_choices, who, self.target_kind, self.search)
        self.target_options = [[str(i), label] for i, label in options]
        if self.target_options and self.target_kind not in SEARCHED and not self.target_id:
            self.target_id = self.target_options[0][0]

    @event
    async def set_target_kind(self, value: str) -> None:
        self.target_kind = value if value in TARGET_LABELS else AssignmentTarget.NETWORK.value
        self.target_id, self.search, self.error = "", "", ""
        await self._load_options()

    @event
    async def set_search(self, value: str) -> None:
        self.search = value
        await self._load_options()

    @event
    def set_target_id(self, value: str) -> None:
        self.target_id, self.error = value, ""

    @requires(Action.EDIT)
    @event
    async def add(self):
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        if not as_id(self.target_id):
            self.error = tr(CHOOSE[self.target_kind])
            return None
        try:
            made = await asyncio.to_thread(
                tariff_assignments.assign,
                who.scope,
                self.tariff_id,
                AssignmentTarget(self.target_kind),
                as_id(self.target_id),
                who.actor,
            )
        except FinanceError as exc:
            self.error = next(iter(exc.errors.values()), str(exc))
            return None
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        self.error, self.target_id = "", ""
        await self._reload()
        return rx.toast.success(
            tr(
                "{tariff_name} now applies to {target_label}.",
                tariff_name=made.tariff_name,
                target_label=made.target_label,
            )
        )

    @requires(Action.EDIT)
    @event
    async def remove(self, assignment_id: str):
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            await asyncio.to_thread(tariff_assignments.unassign, who.scope, as_id(assignment_id))
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success(tr("Assignment removed."))


def _choices(who: Caller, kind: str, search: str) -> list[tuple[int, str]]:
    """(id, label) of the targets of that kind in scope; searched kinds by the typed term."""
    term = search.strip().lower()
    if kind == AssignmentTarget.NETWORK.value:
        return assets.organisation_choices(who.scope)
    if kind == AssignmentTarget.STATION.value:
        return stations.station_choices(who.scope)
    if kind == AssignmentTarget.CHARGE_POINT.value:
        return assets.charge_point_search(who.scope, term, PICKER_LIMIT)
    if kind == AssignmentTarget.CONNECTOR.value:
        return assets.connector_search(who.scope, term, PICKER_LIMIT)
    if kind == AssignmentTarget.GROUP.value:
        return user_groups.group_choices(Scope(who.organisation_id, who.scope))
    return driver_admin.driver_choices(Scope(who.organisation_id, who.scope), term, PICKER_LIMIT)
