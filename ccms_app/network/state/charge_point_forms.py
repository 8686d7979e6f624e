"""The charge point dialogs of the Assets pages: create / edit, and register an unregistered one.

Editing from the charge point page (Control) reloads that page after the save, under the new
URL when the identity changed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.control.state.charge_point import ChargePointDetailState
from ccms_app.core.i18n import tr
from ccms_app.network import charge_point_admin, registration, stations
from ccms_app.network.assets import AssetError, AssetNotFound, parse_id
from ccms_app.network.state.forms import (
    CHARGE_POINT_DETAILS,
    NONE,
    FormMixin,
    options,
    refresh_all,
)
from ccms_app.network.state.lists import operator_email, operator_scope
from ccms_app.ui.events import background_event, event


@guarded(Module.ASSETS)
class ChargePointFormState(FormMixin, rx.State):
    connectors: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    station_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    from_detail_page: bool = False
    _original_identity: str = ""

    @event
    async def open_new(self, station_id: str = "") -> None:
        values = {"identity": "", "charging_method": "AC", "station_id": station_id or NONE}
        values |= {name: "" for name in CHARGE_POINT_DETAILS if name != "charging_method"}
        if await self._start(0, values):
            self.connectors = [{"connector_id": "1", "connector_type": "", "max_power_kw": ""}]
            self.from_detail_page = False
            self._original_identity = ""
            await self._load_stations()

    @event
    async def open_edit(self, charge_point_id: str) -> Any:
        scope = await operator_scope(self)
        try:
            view = await asyncio.to_thread(
                charge_point_admin.get_charge_point, scope, int(charge_point_id)
            )
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        await self._edit(view, from_detail_page=False)
        return None

    @event
    async def open_edit_identity(self, identity: str) -> Any:
        """From the charge point page: edit the charge point it shows."""
        scope = await operator_scope(self)
        try:
            view = await asyncio.to_thread(charge_point_admin.find_by_identity, scope, identity)
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        await self._edit(view, from_detail_page=True)
        return None

    async def _edit(self, view: charge_point_admin.ChargePointView, from_detail_page: bool) -> None:
        values = view.form()
        values["station_id"] = values["station_id"] or NONE
        if await self._start(view.id, values):
            self.connectors = view.connector_forms()
            self.from_detail_page = from_detail_page
            self._original_identity = view.identity
            await self._load_stations()

    async def _load_stations(self) -> None:
        choices = await asyncio.to_thread(stations.station_choices, self._scope)
        self.station_options = options(choices)

    @event
    def add_connector(self) -> None:
        used = [parse_id(c.get("connector_id", "")) or 0 for c in self.connectors]
        next_id = str(max(used, default=0) + 1)
        self.connectors = [
            *self.connectors,
            {"connector_id": next_id, "connector_type": "", "max_power_kw": ""},
        ]

    @event
    def remove_connector(self, index: int) -> None:
        self.connectors = [c for i, c in enumerate(self.connectors) if i != index]
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("connectors.")}

    @event
    def set_connector(self, index: int, name: str, value: str) -> None:
        self.connectors = [
            {**c, name: value} if i == index else c for i, c in enumerate(self.connectors)
        ]  # its message stays until the next save, as in `FormMixin.set_value`

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        scope, data = list(self._scope), dict(self.values)
        connectors = [dict(c) for c in self.connectors]
        station, owner = self._id("station_id"), self._id("organisation_id")
        if not self.editing_id:
            return await self._save(
                lambda: charge_point_admin.create_charge_point(
                    scope, data, connectors, station, owner
                ),
                lambda v: tr("Charge point {identity} created.", identity=v.identity),
            )
        cp_id = self.editing_id
        result = await self._save(
            lambda: charge_point_admin.update_charge_point(
                scope, cp_id, data, connectors, station, owner
            ),
            lambda v: tr("Charge point {identity} saved.", identity=v.identity),
        )
        if self.is_open or not self.from_detail_page:
            return result
        return [*result, *self._after_detail_edit(data.get("identity", "").strip())]

    def _after_detail_edit(self, identity: str) -> list[Any]:
        """Back on the charge point page: reload it (under its new URL if renamed)."""
        if identity and identity != self._original_identity:
            return [rx.redirect(f"/charge-points/{identity}")]
        return [ChargePointDetailState.load]


@guarded(Module.ASSETS)
class RegisterFormState(FormMixin, rx.State):
    """Assign an unregistered charge point to a station (and optionally set its details)."""

    identity: str = ""
    reported: str = ""  # what the charger said about itself at boot
    from_detail_page: bool = False  # opened on the charge point's own page: reload it after
    station_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)

    @event
    async def open_here(self, charge_point_id: str) -> Any:
        """From the charge point's own page, which reloads once it is registered."""
        result = await self._open(charge_point_id)
        self.from_detail_page = True
        return result

    @event
    async def open_for(self, charge_point_id: str) -> Any:
        """From the Unregistered list."""
        return await self._open(charge_point_id)

    async def _open(self, charge_point_id: str) -> Any:
        self.from_detail_page = False
        scope = await operator_scope(self)
        try:
            view = await asyncio.to_thread(
                charge_point_admin.get_charge_point, scope, int(charge_point_id)
            )
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        values = {name: "" for name in CHARGE_POINT_DETAILS}
        values |= {"station_id": NONE, "charging_method": view.charging_method or "AC"}
        if not await self._start(view.id, values):
            return None
        self.identity = view.identity
        parts = [view.vendor, view.model, view.serial_number, view.firmware_version]
        self.reported = " · ".join(p for p in parts if p) or "nothing yet"
        choices = await asyncio.to_thread(stations.station_choices, self._scope)
        self.station_options = options(choices)
        return None

    @requires(Action.EDIT)
    @background_event
    async def save(self) -> Any:
        async with self:
            if self.busy or not self.editing_id:
                return None
            scope, cp_id = list(self._scope), self.editing_id
            details = {k: v for k, v in self.values.items() if k in CHARGE_POINT_DETAILS}
            station = self._id("station_id")
            email = await operator_email(self)
            if not email:
                return rx.toast.error(tr(SESSION_ENDED))
            self.busy = True
            self.message = ""
        try:
            result = await registration.register_unregistered(scope, cp_id, station, email, details)
        except (AssetError, AssetNotFound) as exc:
            async with self:
                self.busy = False
                return self._refused(exc) if isinstance(exc, AssetError) else self._gone(exc)
        async with self:
            self.busy = False
            self.is_open = False
            self.errors = {}
            reload = [ChargePointDetailState.load] if self.from_detail_page else []
        return [rx.toast.success(result.describe() + "."), *refresh_all(), *reload]

    def _gone(self, exc: AssetNotFound) -> Any:
        self.message = str(exc)
        return rx.toast.error(str(exc))
