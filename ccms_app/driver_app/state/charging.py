"""The driver's charging: the QR label's page (start) and the Charging tab (the live session).

Thin: the use cases (`driver_app.charging`) decide and word everything, with the driver the
gate confirmed for this event (`DriverAuthState._principal()`); ids the browser could send
are never trusted (the charge point and connector come from the URL and are checked in the
use case, the session to stop from the page's own list and then again against the driver's
sessions). Live: each page registers its charge points with the driver app's feed
(`DriverAuthState._watch_live`); the feed calls `refresh_live()` when they change, so power,
energy and cost move by push, never by polling.

The Charging tab loading again for the same driver (a reconnect, a reload) keeps the stop
confirmation open while its session still runs, and a stop's outcome until the session has
stopped (`ReopenAware`, keyed by the driver's account); another driver starts afresh.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any
from urllib.parse import unquote

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.driver_app import charging
from ccms_app.driver_app.charging import ChargeOffer, SessionView
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

CHARGING_PATH = "/app/charging"
CONNECTOR_PREFIX = "/app/c/"
WAIT_SECONDS = 180  # how long "waiting for the charger" is shown after an accepted start


@dataclasses.dataclass
class SessionRow:
    """One session as the page shows it (all text)."""

    id: int = 0
    station_name: str = ""
    place: str = ""  # "CP-1 · connector 2"
    started_at: str = ""
    stopped_at: str = ""
    duration: str = ""
    energy: str = ""
    power: str = ""
    soc: str = ""
    cost: str = ""
    cost_final: bool = False


def _row(view: SessionView) -> SessionRow:
    return SessionRow(
        id=view.id,
        station_name=view.station_name,
        place=tr(
            "{identity} · connector {connector}",
            identity=view.identity,
            connector=view.connector_id,
        ),
        started_at=view.started_at,
        stopped_at=view.stopped_at,
        duration=view.duration,
        energy=view.energy,
        power=view.power,
        soc=view.soc,
        cost=view.cost,
        cost_final=view.cost_final,
    )


async def _driver(state: rx.State) -> DriverPrincipal:
    return (await state.get_state(DriverAuthState))._principal()


async def _watch(state: rx.State, charge_point_ids: set[int]) -> None:
    auth = await state.get_state(DriverAuthState)
    await auth._watch_live(state, charge_point_ids)


@driver_state
class ChargingState(ReopenAware, rx.State):
    """The Charging tab: the running sessions live, else the last one's summary."""

    loaded: bool = False
    sessions: rx.Field[list[SessionRow]] = rx.field(default_factory=list)
    has_last: bool = False
    last: rx.Field[SessionRow] = rx.field(default_factory=SessionRow)
    waiting: bool = False
    waiting_place: str = ""
    notice: str = ""
    stop_id: int = 0  # the session whose stop is being confirmed (0: none)
    stopping: bool = False
    _pending: tuple[int, int, float] = (0, 0, 0.0)  # charge point, connector, since (epoch)
    _notice_session: int = 0  # the session the notice (a stop's outcome) is about

    @event
    async def load(self) -> None:
        """on_load: the driver's sessions now, and pushes for their charge points."""
        driver = await _driver(self)
        anew = self._opening_anew(str(driver.account_id))
        if self._work_lost() or anew:  # a stop in flight died with its server
            self.stop_id, self.stopping = 0, False
            self.notice, self._notice_session = "", 0
        await self._read(driver)
        self._close_stop_if_ended()
        self.loaded = True

    def _close_stop_if_ended(self) -> None:
        """The confirmation is about a running session: one that ended meanwhile has
        nothing left to stop."""
        if all(row.id != self.stop_id for row in self.sessions):
            self.stop_id, self.stopping = 0, False

    @event
    async def refresh_live(self) -> None:
        """The feed's push: a watched charge point changed."""
        await self._read(await _driver(self))

    async def _read(self, driver: DriverPrincipal) -> None:
        views = await asyncio.to_thread(charging.running_sessions, driver)
        self.sessions = [_row(view) for view in views]
        self._settle_waiting(views)
        if self._notice_session and all(v.id != self._notice_session for v in views):
            self.notice, self._notice_session = "", 0  # it has stopped: the summary says so
        last = None if views else await asyncio.to_thread(charging.last_finished, driver)
        self.has_last = last is not None
        self.last = _row(last) if last is not None else SessionRow()
        watched = {view.charge_point_id for view in views}
        if self.waiting:
            watched.add(self._pending[0])
        await _watch(self, watched)

    def _settle_waiting(self, views: list[SessionView]) -> None:
        """Stop waiting once the expected session runs (or after WAIT_SECONDS)."""
        if not self.waiting:
            return
        cp_id, connector_id, since = self._pending
        arrived = any(v.charge_point_id == cp_id and v.connector_id == connector_id for v in views)
        if arrived or utc_now().timestamp() - since > WAIT_SECONDS:
            self.waiting = False
            self.waiting_place = ""
            self._pending = (0, 0, 0.0)

    def expect_start(self, charge_point_id: int, connector_id: int, place: str) -> None:
        """After an accepted start: wait for the charger's StartTransaction."""
        self._pending = (charge_point_id, connector_id, utc_now().timestamp())
        self.waiting = True
        self.waiting_place = place

    @event
    def dismiss_waiting(self) -> None:
        self.waiting = False
        self.waiting_place = ""
        self._pending = (0, 0, 0.0)

    @event
    def ask_stop(self, session_id: int) -> None:
        """Open the confirmation for one of the sessions shown (ignored otherwise)."""
        if any(row.id == session_id for row in self.sessions):
            self.stop_id = int(session_id)

    @event
    def cancel_stop(self, open_: bool = False) -> None:
        """Close the confirmation (the dialog's close, Escape or Keep charging)."""
        if not self.stopping:
            self.stop_id = 0

    @event
    def mark_stopping(self) -> None:
        if self.stop_id:
            self.stopping = True

    @event
    async def stop(self) -> Any:
        """RemoteStopTransaction for the confirmed session (checked again as the driver's)."""
        session_id, self.stop_id = self.stop_id, 0
        if not session_id:
            self.stopping = False
            return None
        driver = await _driver(self)
        try:
            outcome = await charging.stop_charging(driver, session_id)
        except DriverAppError as exc:
            self.stopping = False
            await self._read(driver)
            return rx.toast.error(str(exc))
        self.stopping = False
        self.notice, self._notice_session = outcome.message, session_id
        await self._read(driver)
        return None if outcome.ok else rx.toast.error(outcome.message)


@driver_state
class ConnectorStartState(rx.State):
    """The QR label's page /app/c/<identity>/<connector>: the offer and "Start charging"."""

    loaded: bool = False
    not_found: bool = False
    station_name: str = ""
    station_address: str = ""
    identity: str = ""
    connector_id: int = 0
    state_label: str = ""
    state_colour: str = "gray"
    connector_type: rx.Field[str] = rx.field("")
    power: rx.Field[str] = rx.field("")
    price: rx.Field[str] = rx.field("")
    can_start: bool = False
    refusal: str = ""
    refusal_code: str = ""
    action_path: str = ""
    action_label: str = ""
    starting: bool = False
    error: str = ""
    _charge_point_id: int = 0

    @event
    async def load(self) -> None:
        """on_load: the connector the URL names, if the driver may use it."""
        identity, connector_id = connector_from_path(self.router.url.path)
        self.error = ""
        self.starting = False
        await self._read(await _driver(self), identity, connector_id)
        self.loaded = True

    @event
    async def refresh_live(self) -> None:
        if self._charge_point_id:
            await self._read(await _driver(self), self.identity, self.connector_id)

    async def _read(self, driver: DriverPrincipal, identity: str, connector_id: int) -> None:
        try:
            offer = await asyncio.to_thread(
                charging.connector_offer, driver, identity, connector_id
            )
        except DriverAppNotFound:
            self._forget(identity, connector_id)
            await _watch(self, set())
            return
        self._take(offer)
        await _watch(self, {offer.charge_point_id})

    def _forget(self, identity: str, connector_id: int) -> None:
        self.not_found = True
        self.identity, self.connector_id = identity, connector_id
        self._charge_point_id = 0
        self.can_start = False

    def _take(self, offer: ChargeOffer) -> None:
        self.not_found = False
        self._charge_point_id = offer.charge_point_id
        self.identity, self.connector_id = offer.identity, offer.connector_id
        self.station_name, self.station_address = offer.station_name, offer.station_address
        self.state_label, self.state_colour = offer.state_label, offer.state_colour
        self.connector_type, self.power, self.price = offer.connector_type, offer.power, offer.price
        self.can_start, self.refusal = offer.can_start, offer.refusal
        self.refusal_code = offer.refusal_code
        self.action_path, self.action_label = offer.action_path, offer.action_label

    @event
    def mark_starting(self) -> None:
        if self.can_start and self._charge_point_id:
            self.starting = True
            self.error = ""

    @event
    async def start(self) -> Any:
        """RemoteStartTransaction with the app id tag; on "accepted" on to the Charging tab,
        which waits there for the charger's session."""
        if not self._charge_point_id:
            self.starting = False
            return None
        driver = await _driver(self)
        try:
            outcome = await charging.start_charging(
                driver, self._charge_point_id, self.connector_id
            )
        except DriverAppError as exc:
            return await self._refused(driver, str(exc))
        if not outcome.ok:
            return await self._refused(driver, outcome.message)
        self.starting = False
        place = tr(
            "{station}, connector {connector}",
            station=self.station_name,
            connector=self.connector_id,
        )
        sessions = await self.get_state(ChargingState)
        sessions.expect_start(self._charge_point_id, self.connector_id, place)
        await _watch(self, set())  # the Charging tab watches from now on
        return rx.redirect(CHARGING_PATH)

    async def _refused(self, driver: DriverPrincipal, message: str) -> Any:
        self.starting = False
        await self._read(driver, self.identity, self.connector_id)
        self.error = message
        return rx.toast.error(message)


def connector_from_path(path: str) -> tuple[str, int]:
    """`/app/c/CP%201/2` -> ("CP 1", 2); connector 0 when the path has no number."""
    tail = path.split(CONNECTOR_PREFIX, 1)[1] if CONNECTOR_PREFIX in path else ""
    parts = [unquote(part) for part in tail.strip("/").split("/")]
    identity = parts[0] if parts else ""
    number = parts[1] if len(parts) > 1 else ""
    return identity, int(number) if number.isdigit() and len(number) < 6 else 0
