"""The create / edit dialogs of the Assets pages: the shared form behaviour, areas, stations.

Every form keeps what the operator typed in `values` (field -> text) and, after a refused
save, every field's problem in `errors` (field -> message) plus a summary in `message`: the
dialog stays open with both, so the operator corrects and saves again (both stay until that
save re-checks them: see `FormMixin.set_value`). The services decide
(validation, scope, uniqueness); these states only carry text to them and back. The charge
point dialogs are in `charge_point_forms`, the delete / disable confirmations in
`asset_actions`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.network import areas, stations
from ccms_app.network.assets import AssetError, AssetNotFound, organisation_choices, parse_id
from ccms_app.network.state.lists import (
    AreaListState,
    ChargePointListState,
    StationListState,
    UnregisteredListState,
    operator_scope,
)
from ccms_app.network.state.map import StationMapState
from ccms_app.network.state.station import StationDetailState
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

NONE = "none"  # a select's "nothing chosen" (select items cannot have an empty value)
STATION_DEFAULTS = {"timezone": "UTC", "opening_hours": "24/7", "area_id": NONE}
CHARGE_POINT_DETAILS = (
    "vendor",
    "model",
    "serial_number",
    "firmware_version",
    "min_power_kw",
    "max_power_kw",
    "min_voltage_v",
    "max_voltage_v",
    "phases",
    "charging_method",
)


def options(choices: list[tuple[int, str]]) -> list[list[str]]:
    """(id, name) choices as a select's [value, label] items."""
    return [[str(i), name] for i, name in choices]


def refresh_all() -> list[Any]:
    """After any change: every asset list, the map and the station page reload if open."""
    return [
        AreaListState.refresh,
        StationListState.refresh,
        ChargePointListState.refresh,
        UnregisteredListState.refresh,
        StationMapState.refresh,
        StationDetailState.refresh,
    ]


class FormMixin(rx.State, mixin=True):
    """An asset dialog: open or not, the typed values, the errors of the last save."""

    is_open: bool = False
    editing_id: int = 0  # 0: creating a new row
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    organisation_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    _scope: list[int] = []

    @event
    def set_value(self, name: str, value: str) -> None:
        """Keep the field's message until the next save: the value arrives when focus leaves
        the field, which is the press on Save, and a message vanishing above the button would
        move it away before the press is released (the click, and the save, would be lost)."""
        self.values = {**self.values, name: value}

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open

    @event
    def close(self) -> None:
        self.is_open = False

    async def _start(self, editing_id: int, values: dict[str, str]) -> bool:
        """Open the dialog on these values; False if the operator is signed out."""
        self._scope = await operator_scope(self)
        if not self._scope:
            return False
        choices = await asyncio.to_thread(organisation_choices, self._scope)
        self.organisation_options = options(choices)
        auth_state = await self.get_state(AuthState)
        own = str(auth_state._organisation_id)
        self.values = {"organisation_id": own, **values}
        self.editing_id = editing_id
        self.errors = {}
        self.message = ""
        self.busy = False
        self.is_open = True
        return True

    def _refused(self, exc: AssetError) -> Any:
        """The dialog stays open with the summary and every field's message."""
        self.errors = dict(exc.errors)
        self.message = str(exc)
        return None

    def _id(self, name: str) -> int | None:
        raw = self.values.get(name, "")
        return None if raw == NONE else parse_id(raw)

    async def _save(self, work: Callable[[], Any], done: Callable[[Any], str]) -> Any:
        """Run a service call in a thread; refused -> errors stay in the form."""
        if not self._scope:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            result = await asyncio.to_thread(work)
        except AssetError as exc:
            return self._refused(exc)
        except AssetNotFound as exc:
            self.message = str(exc)
            return rx.toast.error(str(exc))
        self.is_open = False
        self.errors = {}
        self.message = ""
        return [rx.toast.success(done(result)), *refresh_all()]


@guarded(Module.ASSETS)
class AreaFormState(FormMixin, rx.State):
    @event
    async def open_new(self) -> None:
        await self._start(0, {"name": ""})

    @event
    async def open_edit(self, area_id: str) -> Any:
        scope = await operator_scope(self)
        try:
            view = await asyncio.to_thread(areas.get_area, scope, int(area_id))
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        await self._start(
            view.id, {"name": view.name, "organisation_id": str(view.organisation_id)}
        )
        return None

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        scope, data, owner = list(self._scope), dict(self.values), self._id("organisation_id")
        if self.editing_id:
            area_id = self.editing_id
            return await self._save(
                lambda: areas.update_area(scope, area_id, data, owner),
                lambda v: tr("Area {name} saved.", name=v.name),
            )
        return await self._save(
            lambda: areas.create_area(scope, owner, data),
            lambda v: tr("Area {name} created.", name=v.name),
        )


@guarded(Module.ASSETS)
class StationFormState(FormMixin, rx.State):
    area_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)

    @event
    async def open_new(self) -> None:
        if await self._start(0, {"name": "", **STATION_DEFAULTS}):
            await self._load_areas()

    @event
    async def open_edit(self, station_id: str) -> Any:
        scope = await operator_scope(self)
        try:
            view = await asyncio.to_thread(stations.get_station, scope, int(station_id))
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        values = view.form()
        values["area_id"] = values["area_id"] or NONE
        if await self._start(view.id, values):
            await self._load_areas()
        return None

    async def _load_areas(self) -> None:
        choices = await asyncio.to_thread(areas.area_choices, self._scope)
        self.area_options = [[NONE, tr("No area")], *options(choices)]

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        scope, data = list(self._scope), dict(self.values)
        owner, area = self._id("organisation_id"), self._id("area_id")
        if self.editing_id:
            station_id = self.editing_id
            return await self._save(
                lambda: stations.update_station(scope, station_id, data, owner, area),
                lambda v: tr("Station {name} saved.", name=v.name),
            )
        return await self._save(
            lambda: stations.create_station(scope, data, owner, area),
            lambda v: tr("Station {name} created.", name=v.name),
        )
