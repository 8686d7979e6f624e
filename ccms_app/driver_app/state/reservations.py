"""Reserve a connector (/app/reserve/<connector.id>) and the driver's reservations
(/app/reservations).

Thin: the use cases (`driver_app.reservations`) decide for the driver the gate confirmed;
the connector comes from the URL and a reservation id from the payload, both checked there.
The button first marks the page busy (its own event, so the browser shows it at once), then
reserves and waits for the charge point's answer. Reservations change without the driver
(accepted, used by a session, expired by the sweep): both pages watch their charge points
and the live feed calls `refresh_live()`.

The reserve page loading the same connector again for the same driver (a reconnect, a
reload) refreshes it and keeps the chosen hold, the outcome and a reservation in flight
(`ReopenAware`); another connector starts afresh.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.i18n import tr
from ccms_app.driver_app import reservations
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules.history import id_from_path
from ccms_app.driver_app.rules.reservations import DEFAULT_MINUTES
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

RESERVE_PREFIX = "/app/reserve/"


@dataclasses.dataclass
class FeeRow:
    minutes: str = ""
    label: str = ""
    while_reserved: str = ""
    if_unused: str = ""


@dataclasses.dataclass
class ReservationRow:
    id: int = 0
    charge_point_id: int = 0
    station: str = ""
    charge_point: str = ""
    connector: int = 0
    status: str = ""
    status_label: str = ""
    tone: str = "gray"
    until: str = ""
    made: str = ""
    cancellable: bool = False
    fee: str = ""


async def _driver(state: rx.State) -> Any:
    return (await state.get_state(DriverAuthState))._principal()


@driver_state
class DriverReserveState(ReopenAware, rx.State):
    """One connector to reserve: what it is, what each hold costs, the outcome."""

    loaded: bool = False
    found: bool = False
    station: str = ""
    address: str = ""
    identity: str = ""
    connector_id: str = ""
    connector_type: str = ""
    power: str = ""
    state_label: str = ""
    state_colour: str = "gray"
    price: str = ""
    tariff: str = ""
    choices: rx.Field[list[FeeRow]] = rx.field(default_factory=list)
    chosen: str = str(DEFAULT_MINUTES)
    can_reserve: bool = False
    refusal: str = ""
    action_path: str = ""
    action_label: str = ""
    busy: bool = False
    outcome: str = ""
    outcome_tone: str = "gray"
    outcome_ok: bool = False
    _connector_pk: int = 0

    @rx.var
    def chosen_fee(self) -> FeeRow:
        for row in self.choices:
            if row.minutes == self.chosen:
                return row
        return FeeRow()

    def _show(self, target: reservations.ReserveTarget) -> None:
        offer = target.offer
        self.station, self.address = offer.station_name, offer.station_address
        self.identity, self.connector_id = offer.identity, str(offer.connector_id)
        self.connector_type, self.power, self.price = offer.connector_type, offer.power, offer.price
        self.state_label, self.state_colour = offer.state_label, offer.state_colour
        self.tariff = target.tariff
        self.choices = [
            FeeRow(str(c.minutes), c.label, c.while_reserved, c.if_unused) for c in target.choices
        ]
        self.can_reserve, self.refusal = target.can_reserve, target.refusal
        self.action_path, self.action_label = target.action_path, target.action_label
        self.found = self.loaded = True

    async def _read(self) -> bool:
        driver = await _driver(self)
        try:
            target = await asyncio.to_thread(
                reservations.reserve_target, driver, self._connector_pk
            )
        except DriverAppNotFound:
            self.found, self.loaded = False, True
            return False
        self._show(target)
        await (await self.get_state(DriverAuthState))._watch_live(
            self, [target.offer.charge_point_id]
        )
        return True

    @event
    async def load(self) -> None:
        """on_load: the connector in the URL, if it is in the driver's network."""
        self._connector_pk = id_from_path(self.router.url.path, RESERVE_PREFIX)
        driver = await _driver(self)
        anew = self._opening_anew(f"{driver.account_id}:{self._connector_pk}")
        if self._work_lost() or anew:  # a reservation in flight died with its server
            self.loaded = self.found = self.busy = False
            self.outcome, self.outcome_ok, self.chosen = "", False, str(DEFAULT_MINUTES)
        if not await self._read():
            self._closed()
        elif self.chosen not in {row.minutes for row in self.choices}:
            self.chosen = str(DEFAULT_MINUTES)  # the kept hold is no longer offered

    async def refresh_live(self) -> None:
        if self._connector_pk and not self.busy:
            await self._read()

    @event
    def choose(self, minutes: str | list[str]) -> None:
        """A hold from the choices (the use case checks it again when reserving)."""
        picked = minutes[0] if isinstance(minutes, list) and minutes else minutes
        if isinstance(picked, str) and picked in {row.minutes for row in self.choices}:
            self.chosen = picked

    @event
    def mark_busy(self) -> None:
        """First half of the button: the page shows it is waiting for the charger."""
        if self.found and self.can_reserve:
            self.busy, self.outcome = True, ""

    @event
    async def reserve(self) -> Any:
        """Second half: reserve for the chosen hold and word the charge point's answer."""
        driver = await _driver(self)
        try:
            done = await reservations.reserve(driver, self._connector_pk, self.chosen)
        except DriverAppError as exc:
            self.busy = False
            self.outcome, self.outcome_tone, self.outcome_ok = str(exc), "red", False
            return None
        self.busy = False
        self.outcome, self.outcome_tone, self.outcome_ok = done.message, done.tone, done.ok
        await self._read()
        return None


@driver_state
class DriverReservationsState(rx.State):
    """The driver's reservations, open ones first to cancel."""

    rows: rx.Field[list[ReservationRow]] = rx.field(default_factory=list)
    loaded: bool = False
    busy_id: int = 0

    async def _read(self) -> None:
        driver = await _driver(self)
        items = await asyncio.to_thread(reservations.my_reservations, driver)
        self.rows = [ReservationRow(**dataclasses.asdict(item)) for item in items]
        self.loaded = True
        watched = sorted({item.charge_point_id for item in items if item.cancellable})
        await (await self.get_state(DriverAuthState))._watch_live(self, watched)

    @event
    async def load(self) -> None:
        await self._read()

    async def refresh_live(self) -> None:
        await self._read()

    @event
    def mark_cancelling(self, reservation_id: int) -> None:
        self.busy_id = int(reservation_id) if str(reservation_id).isdigit() else 0

    @event
    async def cancel(self, reservation_id: int) -> Any:
        """Cancel one of the driver's open reservations (any other id: not found)."""
        driver = await _driver(self)
        try:
            done = await reservations.cancel(driver, int(reservation_id))
        except (DriverAppError, ValueError, TypeError) as exc:
            self.busy_id = 0
            message = str(exc) if isinstance(exc, DriverAppError) else tr("Not found.")
            return rx.toast.error(message)
        self.busy_id = 0
        await self._read()
        return rx.toast.success(done.message) if done.ok else rx.toast.warning(done.message)
