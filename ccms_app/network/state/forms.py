"""The create / edit dialogs of the Assets pages, and their confirmations (delete, disable).

Every form keeps what the operator typed in `values` (field -> text) and, after a refused
save, every field's problem in `errors` (field -> message) plus a summary in `message`: the
dialog stays open with both, so the operator corrects and saves again. The services decide
(validation, scope, uniqueness); these states only carry text to them and back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.network import areas, charge_point_admin, registration, stations
from ccms_app.network.assets import (
    AssetError,
    AssetInUse,
    AssetNotFound,
    organisation_choices,
    parse_id,
)
from ccms_app.network.state.lists import (
    AreaListState,
    ChargePointListState,
    StationListState,
    UnregisteredListState,
    operator_email,
    operator_scope,
)
from ccms_app.network.state.map import StationMapState

log = logging.getLogger(__name__)

SESSION_ENDED = "Your session has ended. Log in again."
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


def _options(choices: list[tuple[int, str]]) -> list[list[str]]:
    return [[str(i), name] for i, name in choices]


def _refresh_all() -> list[Any]:
    """After any change: every asset list, the map and the station page reload if open."""
    from ccms_app.network.state.station import StationDetailState  # imports this module

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
    organisation_options: list[list[str]] = []
    _scope: list[int] = []

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}
        self._forget_error(name)

    @rx.event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open

    @rx.event
    def close(self) -> None:
        self.is_open = False

    def _forget_error(self, key: str) -> None:
        """A field changed: its old message is stale; with none left, so is the summary."""
        if key in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != key}
            if not self.errors:
                self.message = ""

    async def _start(self, editing_id: int, values: dict[str, str]) -> bool:
        """Open the dialog on these values; False if the operator is signed out."""
        self._scope = await operator_scope(self)
        if not self._scope:
            return False
        choices = await asyncio.to_thread(organisation_choices, self._scope)
        self.organisation_options = _options(choices)
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
            return rx.toast.error(SESSION_ENDED)
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
        return [rx.toast.success(done(result)), *_refresh_all()]


class AreaFormState(FormMixin, rx.State):
    @rx.event
    async def open_new(self) -> None:
        await self._start(0, {"name": ""})

    @rx.event
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

    @rx.event
    async def save(self) -> Any:
        scope, data, owner = list(self._scope), dict(self.values), self._id("organisation_id")
        if self.editing_id:
            area_id = self.editing_id
            return await self._save(
                lambda: areas.update_area(scope, area_id, data, owner),
                lambda v: f"Area {v.name} saved.",
            )
        return await self._save(
            lambda: areas.create_area(scope, owner, data), lambda v: f"Area {v.name} created."
        )


class StationFormState(FormMixin, rx.State):
    area_options: list[list[str]] = []

    @rx.event
    async def open_new(self) -> None:
        if await self._start(0, {"name": "", **STATION_DEFAULTS}):
            await self._load_areas()

    @rx.event
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
        self.area_options = [[NONE, "No area"], *_options(choices)]

    @rx.event
    async def save(self) -> Any:
        scope, data = list(self._scope), dict(self.values)
        owner, area = self._id("organisation_id"), self._id("area_id")
        if self.editing_id:
            station_id = self.editing_id
            return await self._save(
                lambda: stations.update_station(scope, station_id, data, owner, area),
                lambda v: f"Station {v.name} saved.",
            )
        return await self._save(
            lambda: stations.create_station(scope, data, owner, area),
            lambda v: f"Station {v.name} created.",
        )


class ChargePointFormState(FormMixin, rx.State):
    connectors: list[dict[str, str]] = []
    station_options: list[list[str]] = []
    from_detail_page: bool = False
    _original_identity: str = ""

    @rx.event
    async def open_new(self, station_id: str = "") -> None:
        values = {"identity": "", "charging_method": "AC", "station_id": station_id or NONE}
        values |= {name: "" for name in CHARGE_POINT_DETAILS if name != "charging_method"}
        if await self._start(0, values):
            self.connectors = [{"connector_id": "1", "connector_type": "", "max_power_kw": ""}]
            self.from_detail_page = False
            self._original_identity = ""
            await self._load_stations()

    @rx.event
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

    @rx.event
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
        self.station_options = _options(choices)

    @rx.event
    def add_connector(self) -> None:
        used = [parse_id(c.get("connector_id", "")) or 0 for c in self.connectors]
        next_id = str(max(used, default=0) + 1)
        self.connectors = [
            *self.connectors,
            {"connector_id": next_id, "connector_type": "", "max_power_kw": ""},
        ]

    @rx.event
    def remove_connector(self, index: int) -> None:
        self.connectors = [c for i, c in enumerate(self.connectors) if i != index]
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("connectors.")}

    @rx.event
    def set_connector(self, index: int, name: str, value: str) -> None:
        self.connectors = [
            {**c, name: value} if i == index else c for i, c in enumerate(self.connectors)
        ]
        self._forget_error(f"connectors.{index}.{name}")

    @rx.event
    async def save(self) -> Any:
        scope, data = list(self._scope), dict(self.values)
        connectors = [dict(c) for c in self.connectors]
        station, owner = self._id("station_id"), self._id("organisation_id")
        if not self.editing_id:
            return await self._save(
                lambda: charge_point_admin.create_charge_point(
                    scope, data, connectors, station, owner
                ),
                lambda v: f"Charge point {v.identity} created.",
            )
        cp_id = self.editing_id
        result = await self._save(
            lambda: charge_point_admin.update_charge_point(
                scope, cp_id, data, connectors, station, owner
            ),
            lambda v: f"Charge point {v.identity} saved.",
        )
        if self.is_open or not self.from_detail_page:
            return result
        return [*result, *self._after_detail_edit(data.get("identity", "").strip())]

    def _after_detail_edit(self, identity: str) -> list[Any]:
        """Back on the charge point page: reload it (under its new URL if renamed)."""
        from ccms_app.control.state.charge_point import ChargePointDetailState

        if identity and identity != self._original_identity:
            return [rx.redirect(f"/charge-points/{identity}")]
        return [ChargePointDetailState.load]


class RegisterFormState(FormMixin, rx.State):
    """Assign an unregistered charge point to a station (and optionally set its details)."""

    identity: str = ""
    reported: str = ""  # what the charger said about itself at boot
    station_options: list[list[str]] = []

    @rx.event
    async def open_for(self, charge_point_id: str) -> Any:
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
        self.station_options = _options(choices)
        return None

    @rx.event(background=True)
    async def save(self) -> Any:
        async with self:
            if self.busy or not self.editing_id:
                return None
            scope, cp_id = list(self._scope), self.editing_id
            details = {k: v for k, v in self.values.items() if k in CHARGE_POINT_DETAILS}
            station = self._id("station_id")
            email = await operator_email(self)
            if not email:
                return rx.toast.error(SESSION_ENDED)
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
        return [rx.toast.success(result.describe() + "."), *_refresh_all()]

    def _gone(self, exc: AssetNotFound) -> Any:
        self.message = str(exc)
        return rx.toast.error(str(exc))


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
    def title(self) -> str:
        verb, _, what = self.kind.partition("-")
        return f"{verb.capitalize()} {what.replace('-', ' ')} {self.target_name}?"

    @rx.var
    def explanation(self) -> str:
        return {
            "delete-area": "The area is removed. Its stations must have been moved out.",
            "delete-station": "The station is removed. It must have no charge points left.",
            "delete-charge-point": (
                "The charge point and its own records (connectors, status history, "
                "configuration, commands) are removed. One that has charged is never deleted."
            ),
            "disable-charge-point": (
                "It is taken out of service: made Inoperative if connected, and no id tag is "
                "accepted on it until it is enabled again."
            ),
            "disable-station": "Every charge point of the station is taken out of service.",
            "enable-station": "Every charge point of the station is put back in service.",
        }.get(self.kind, "")

    @rx.event
    def ask(self, kind: str, target_id: str, target_name: str) -> None:
        self.kind, self.target_id, self.target_name = kind, int(target_id), target_name
        self.problem = ""
        self.alternative = ""
        self.busy = False
        self.is_open = True

    @rx.event
    def set_is_open(self, is_open: bool) -> None:
        if not self.busy:
            self.is_open = is_open

    @rx.event
    def take_alternative(self) -> None:
        """After a refused delete: confirm the suggested alternative (disable) instead."""
        if self.alternative == "disable":
            self.kind = self.kind.replace("delete-", "disable-")
            self.problem = ""
            self.alternative = ""

    @rx.event(background=True)
    async def confirm(self) -> Any:
        async with self:
            if self.busy:
                return None
            kind, target = self.kind, self.target_id
            scope = await operator_scope(self)
            email = await operator_email(self)
            if not email or not scope:
                return rx.toast.error(SESSION_ENDED)
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
        return [rx.toast.success(text), *_refresh_all()]

    @rx.event(background=True)
    async def set_enabled(self, charge_point_id: str, enabled: bool) -> Any:
        """Enable without asking (putting back in service is harmless)."""
        async with self:
            scope = await operator_scope(self)
            email = await operator_email(self)
        if not email or not scope:
            return rx.toast.error(SESSION_ENDED)
        try:
            result = await charge_point_admin.set_charge_point_enabled(
                scope, int(charge_point_id), enabled, email
            )
        except AssetNotFound as exc:
            return rx.toast.error(str(exc))
        return [rx.toast.success(result.describe() + "."), *_refresh_all()]


async def _perform(kind: str, target: int, scope: list[int], email: str) -> str:
    if kind == "delete-area":
        await asyncio.to_thread(areas.delete_area, scope, target)
        return "Area deleted."
    if kind == "delete-station":
        await asyncio.to_thread(stations.delete_station, scope, target)
        return "Station deleted."
    if kind == "delete-charge-point":
        await asyncio.to_thread(charge_point_admin.delete_charge_point, scope, target)
        return "Charge point deleted."
    if kind == "disable-charge-point":
        result = await charge_point_admin.set_charge_point_enabled(scope, target, False, email)
        return result.describe() + "."
    if kind in ("disable-station", "enable-station"):
        enabled = kind == "enable-station"
        results = await charge_point_admin.set_station_enabled(scope, target, enabled, email)
        changed = sum(1 for r in results if r.changed)
        state = "enabled" if enabled else "disabled"
        return f"{changed} of {len(results)} charge point(s) {state}."
    raise AssetError(f"Unknown action {kind}")
