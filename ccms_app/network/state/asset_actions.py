"""The confirmations of delete and disable on the Assets pages, and their outcome."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, tr
from ccms_app.network import areas, charge_point_admin, charge_point_usage, stations
from ccms_app.network.assets import AssetError, AssetInUse, AssetNotFound
from ccms_app.network.state.forms import refresh_all
from ccms_app.network.state.lists import operator_email, operator_scope
from ccms_app.ui.events import background_event, event

EXPLANATIONS = {
    "delete-area": N_("The area is removed. Its stations must have been moved out."),
    "delete-station": N_("The station is removed. It must have no charge points left."),
    "delete-charge-point": N_(
        "The charge point and its own records (connectors, status history, "
        "configuration, commands) are removed. One that has charged is never deleted."
    ),
    "disable-charge-point": N_(
        "It is taken out of service: made Inoperative if connected, and no id tag is "
        "accepted on it until it is enabled again."
    ),
    "disable-station": N_("Every charge point of the station is taken out of service."),
    "enable-station": N_("Every charge point of the station is put back in service."),
}


@guarded(Module.ASSETS)
class AssetActionState(rx.State):
    """Confirmations of delete and disable, and their outcome (e.g. "delete refused: disable
    it instead"), for stations, areas and charge points."""

    is_open: bool = False
    kind: str = ""  # delete-area | delete-station | delete-charge-point | disable-... | enable-...
    target_id: int = 0
    target_name: str = ""
    problem: str = ""
    alternative: str = ""
    busy: bool = False

    @rx.var
    def explanation(self) -> str:
        """A message id (the dialog shows it with t_var, in the tab's language)."""
        return EXPLANATIONS.get(self.kind, "")

    @event
    def ask(self, kind: str, target_id: str, target_name: str) -> None:
        self.kind, self.target_id, self.target_name = kind, int(target_id), target_name
        self.problem = ""
        self.alternative = ""
        self.busy = False
        self.is_open = True

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open

    @event
    def take_alternative(self) -> None:
        """After a refused delete: confirm the suggested alternative (disable) instead."""
        if self.alternative == "disable":
            self.kind = self.kind.replace("delete-", "disable-")
            self.problem = ""
            self.alternative = ""

    @requires(Action.EDIT)
    @background_event
    async def confirm(self) -> Any:
        async with self:
            if self.busy:
                return None
            kind, target = self.kind, self.target_id
            scope = await operator_scope(self)
            email = await operator_email(self)
            if not email or not scope:
                return rx.toast.error(tr(SESSION_ENDED))
            self.busy = True
        try:
            text = await _perform(kind, target, scope, email)
        except AssetInUse as exc:
            async with self:
                self.busy = False
                self.problem = str(exc)
                offer = exc.alternative == "disable" and kind.startswith("delete-")
                self.alternative = "disable" if offer else ""
            return None
        except (AssetError, AssetNotFound) as exc:
            async with self:
                self.busy = False
                self.problem = str(exc)
            return None
        async with self:
            self.busy = False
            self.is_open = False
        return [rx.toast.success(text), *refresh_all()]

    @requires(Action.EDIT)
    @background_event
    async def set_enabled(self, charge_point_id: str, enabled: bool) -> Any:
        """Enable without asking (putting back in service is harmless)."""
        async with self:
            scope = await operator_scope(self)
            email = await operator_email(self)
        if not email or not scope:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            result = await charge_point_usage.set_charge_point_enabled(
                scope, int(charge_point_id), enabled, email
            )
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        return [rx.toast.success(result.describe() + "."), *refresh_all()]


async def _perform(kind: str, target: int, scope: list[int], email: str) -> str:
    if kind == "delete-area":
        await asyncio.to_thread(areas.delete_area, scope, target)
        return tr("Area deleted.")
    if kind == "delete-station":
        await asyncio.to_thread(stations.delete_station, scope, target)
        return tr("Station deleted.")
    if kind == "delete-charge-point":
        await asyncio.to_thread(charge_point_admin.delete_charge_point, scope, target)
        return tr("Charge point deleted.")
    if kind == "disable-charge-point":
        result = await charge_point_usage.set_charge_point_enabled(scope, target, False, email)
        return result.describe() + "."
    if kind in ("disable-station", "enable-station"):
        enabled = kind == "enable-station"
        results = await charge_point_usage.set_station_enabled(scope, target, enabled, email)
        changed = sum(1 for r in results if r.changed)
        if enabled:
            return tr(
                "{changed} of {count} charge point(s) enabled.", changed=changed, count=len(results)
            )
        return tr(
            "{changed} of {count} charge point(s) disabled.", changed=changed, count=len(results)
        )
    raise AssetError(tr("Unknown action {kind}", kind=kind))
