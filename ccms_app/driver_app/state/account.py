"""The account page (/app/account): the driver's details, RFID cards and vehicles.

Thin: each part's use case (`driver_app.profile`, `cards`, `vehicles`) works for the driver
the gate confirmed; ids in a payload (a card to block, a vehicle to edit) are checked there
against that driver, so anyone else's is not found and nothing changes. Forms are plain
forms: their fields arrive together on submit (one event, not one per keystroke); a
form's `key` changes to show it afresh (after saving, or to edit another vehicle).

A load for the driver the tab already shows (a reconnect, a reload) refreshes the rows and
keeps an open form, its errors and an "are you sure?" (`ReopenAware`, keyed by the driver's
account); another driver signing in on the tab starts afresh.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.i18n import tr
from ccms_app.driver_app import cards, profile, vehicles
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

VEHICLE_FIELDS = ("make", "model", "battery_capacity_kwh", "licence_plate")


@dataclasses.dataclass
class CardRow:
    id: int = 0
    id_tag: str = ""
    label: str = ""
    tone: str = "gray"
    description: str = ""
    blockable: bool = False


@dataclasses.dataclass
class VehicleRow:
    id: int = 0
    make: str = ""
    model: str = ""
    battery_capacity_kwh: str = ""
    licence_plate: str = ""


async def _driver(state: rx.State) -> Any:
    return (await state.get_state(DriverAuthState))._principal()


def _account_key(driver: Any) -> str:
    """The record the account page opens: the signed-in driver's account."""
    return str(driver.account_id)


def _text(form: Any, name: str) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""


def _as_id(value: Any) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


@driver_state
class DriverProfileState(ReopenAware, rx.State):
    name: str = ""
    phone: str = ""
    email: str = ""
    verified: bool = False
    editing: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0

    def _show(self, shown: profile.Profile) -> None:
        self.name, self.phone, self.email = shown.name, shown.phone, shown.email
        self.verified = shown.verified

    @event
    async def load(self) -> None:
        """on_load: the driver's details; an open edit form stays open for the same driver
        (the browser keeps what was typed in it: the form's key does not change)."""
        driver = await _driver(self)
        self._show(await asyncio.to_thread(profile.my_profile, driver))
        if self._opening_anew(_account_key(driver)):
            self.editing, self.errors = False, {}

    @event
    def start_edit(self) -> None:
        self.editing, self.errors = True, {}
        self.form_key += 1

    @event
    def cancel_edit(self) -> None:
        self.editing, self.errors = False, {}

    @event
    async def save(self, form_data: dict[str, Any]) -> Any:
        driver = await _driver(self)
        name, phone = _text(form_data, "name"), _text(form_data, "phone")
        try:
            shown = await asyncio.to_thread(profile.update_profile, driver, name, phone)
        except DriverAppError as exc:
            self.errors = exc.fields or {"name": str(exc)}
            return None
        self._show(shown)
        auth = await self.get_state(DriverAuthState)
        auth.driver_name = shown.name
        self.editing, self.errors = False, {}
        return rx.toast.success(tr("Your details are saved."))


@driver_state
class DriverCardsState(ReopenAware, rx.State):
    rows: rx.Field[list[CardRow]] = rx.field(default_factory=list)
    confirm_id: int = 0  # the card whose Block asks "are you sure?"
    number_error: str = ""
    form_key: int = 0

    async def _read(self) -> None:
        found = await asyncio.to_thread(cards.my_cards, await _driver(self))
        self.rows = [
            CardRow(c.id, c.id_tag, c.label, c.tone, c.description, c.blockable) for c in found
        ]

    @event
    async def load(self) -> None:
        """on_load: the driver's cards; for the same driver the number's error and the
        "are you sure?" stay, the latter while the card can still be blocked."""
        if self._opening_anew(_account_key(await _driver(self))):
            self.confirm_id, self.number_error = 0, ""
        await self._read()
        if not any(row.id == self.confirm_id and row.blockable for row in self.rows):
            self.confirm_id = 0

    @event
    def ask_block(self, card_id: int) -> None:
        self.confirm_id = _as_id(card_id)

    @event
    def keep_card(self) -> None:
        self.confirm_id = 0

    @event
    async def block(self, card_id: int) -> Any:
        """Block one of the driver's cards now (any other id: not found, nothing changes)."""
        self.confirm_id = 0
        try:
            blocked = await asyncio.to_thread(
                cards.block_card, await _driver(self), _as_id(card_id)
            )
        except DriverAppError as exc:
            return rx.toast.error(str(exc))
        await self._read()
        return rx.toast.success(
            tr("Card {card} is blocked. It cannot start charging any more.", card=blocked.id_tag)
        )

    @event
    async def add(self, form_data: dict[str, Any]) -> Any:
        """Link a stock card by the number printed on it."""
        try:
            added = await asyncio.to_thread(
                cards.add_card, await _driver(self), _text(form_data, "number")
            )
        except DriverAppError as exc:
            self.number_error = exc.fields.get("number", str(exc))
            return None
        self.number_error = ""
        self.form_key += 1
        await self._read()
        return rx.toast.success(tr("Card {card} is now yours.", card=added.id_tag))


@driver_state
class DriverVehiclesState(ReopenAware, rx.State):
    rows: rx.Field[list[VehicleRow]] = rx.field(default_factory=list)
    form_open: bool = False
    editing_id: int = 0  # 0: a new vehicle
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_key: int = 0
    confirm_id: int = 0  # the vehicle whose Delete asks "are you sure?"

    async def _read(self) -> None:
        found = await asyncio.to_thread(vehicles.my_vehicles, await _driver(self))
        self.rows = [VehicleRow(**dataclasses.asdict(v)) for v in found]

    @event
    async def load(self) -> None:
        """on_load: the driver's vehicles; for the same driver the open form (its values,
        errors and key) and the "are you sure?" stay while their vehicle is still listed."""
        if self._opening_anew(_account_key(await _driver(self))):
            self._reset_forms()
        await self._read()
        self._forget_gone()

    def _reset_forms(self) -> None:
        self.form_open, self.editing_id, self.confirm_id = False, 0, 0
        self.form, self.errors = {}, {}

    def _forget_gone(self) -> None:
        """A vehicle deleted meanwhile (on another device) is no longer edited or asked
        about: saving it would only say "not found"."""
        listed = {row.id for row in self.rows}
        if self.editing_id and self.editing_id not in listed:
            self.form_open, self.editing_id, self.form, self.errors = False, 0, {}, {}
        if self.confirm_id not in listed:
            self.confirm_id = 0

    @event
    def new(self) -> None:
        self._open(0, dict.fromkeys(VEHICLE_FIELDS, ""))

    @event
    def edit(self, vehicle_id: int) -> None:
        """Open the form on one of the listed vehicles (the list holds only the driver's)."""
        wanted = _as_id(vehicle_id)
        for row in self.rows:
            if row.id == wanted:
                self._open(row.id, {name: getattr(row, name) for name in VEHICLE_FIELDS})
                return

    def _open(self, vehicle_id: int, values: dict[str, str]) -> None:
        self.form_open, self.editing_id, self.form, self.errors = True, vehicle_id, values, {}
        self.confirm_id = 0
        self.form_key += 1

    @event
    def close(self) -> None:
        self.form_open, self.errors = False, {}

    @event
    async def save(self, form_data: dict[str, Any]) -> Any:
        """Add a vehicle, or save the one being edited."""
        return await self._save(self.editing_id, form_data)

    @event
    async def save_vehicle(self, vehicle_id: int, form_data: dict[str, Any]) -> Any:
        """Save a vehicle by its id (checked: only the driver's own is found)."""
        return await self._save(_as_id(vehicle_id) or -1, form_data)

    async def _save(self, vehicle_id: int, form_data: dict[str, Any]) -> Any:
        data = vehicles.VehicleForm(*(_text(form_data, name) for name in VEHICLE_FIELDS))
        driver = await _driver(self)
        try:
            if vehicle_id:
                await asyncio.to_thread(vehicles.edit_vehicle, driver, vehicle_id, data)
            else:
                await asyncio.to_thread(vehicles.add_vehicle, driver, data)
        except DriverAppNotFound as exc:
            self.form_open = False
            return rx.toast.error(str(exc))
        except DriverAppError as exc:
            self.form = {name: _text(form_data, name) for name in VEHICLE_FIELDS}
            self.errors = exc.fields or {"make": str(exc)}
            self.form_key += 1
            return None
        self.form_open, self.errors, self.editing_id = False, {}, 0
        await self._read()
        return rx.toast.success(tr("Vehicle saved."))

    @event
    def ask_delete(self, vehicle_id: int) -> None:
        self.confirm_id = _as_id(vehicle_id)

    @event
    def keep_vehicle(self) -> None:
        self.confirm_id = 0

    @event
    async def delete(self, vehicle_id: int) -> Any:
        """Delete one of the driver's vehicles (any other id: not found, nothing changes)."""
        self.confirm_id = 0
        try:
            label = await asyncio.to_thread(
                vehicles.delete_vehicle, await _driver(self), _as_id(vehicle_id)
            )
        except DriverAppError as exc:
            return rx.toast.error(str(exc))
        await self._read()
        return rx.toast.success(tr("{vehicle} deleted.", vehicle=label))
