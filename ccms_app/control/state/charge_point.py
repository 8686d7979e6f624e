"""The charge point page: which charge point (from the URL), what it is, and its command form.

Only `load` decides which charge point this tab shows, after checking the operator may see
it; the section states (configuration, reservations, message log) read that decision from
here (`current_charge_point`) rather than trusting ids the browser sends. They import this
module, so it does not import them: the page that composes them names their reset events
(`reset_sections_on_load`), and `load` fires those when it opens a charge point.

Reflex runs `load` again on every websocket reconnect (a phone changing networks, a server
under load), in the same tab state. The same charge point loading again refreshes what the
page shows and keeps what the operator typed or chose but has not sent, and the command or
reservation in flight: nothing is reset under their hands.

Sending runs as a background event: a charge point may take up to the command timeout to
answer, and the tab keeps receiving live updates (its history moves requested -> sent ->
accepted through ChargePointLiveState) meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.charging import reservations
from ccms_app.control import commands, configuration
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.state.command_forms import (
    LABELS,
    SPECS,
    command_label,
    command_outcome,
    command_params,
    default_values,
)
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.monitoring.view import MISSING, format_time
from ccms_app.network.charge_point_info import ChargePointInfo, charge_point_info
from ccms_app.ui.events import background_event, event
from ccms_app.ui.reopen import ReopenAware

if TYPE_CHECKING:
    from reflex.event import EventCallback

log = logging.getLogger(__name__)

ROUTE_PREFIX = "/charge-points/"


def identity_from_path(path: str) -> str:
    """`/charge-points/CP%201/` -> `CP 1`."""
    tail = path.split(ROUTE_PREFIX, 1)[1] if ROUTE_PREFIX in path else ""
    return unquote(tail.strip("/").split("/")[0])


def outcome_text(action: str, status: str, error: str) -> str:
    """What happened to a command of `action`, in the reader's language."""
    return command_outcome(command_label(action), status, error)


def session_ended() -> str:
    return tr("Your session has ended. Log in again to send commands.")


def not_sent(label: str, error: object) -> str:
    """A command the service refused before sending it (`label` already worded)."""
    return tr("{command} not sent: {error}.", command=label, error=error)


def not_sendable(label: str, error: object) -> str:
    """A command that failed unexpectedly on its way (`label` already worded)."""
    return tr("{command} could not be sent: {error}", command=label, error=error)


async def signed_in_email(state: rx.State) -> str | None:
    """The operator's email for `requested_by`, or None if the session ended meanwhile."""
    auth_state = await state.get_state(AuthState)
    return acting_email(auth_state) or None


_section_resets: list[EventCallback[()]] = []


def reset_sections_on_load(*resets: EventCallback[()]) -> None:
    """The events that clear the page's sections (an edit, a form, a filter) whenever `load`
    opens a charge point; called once by the page that composes the sections."""
    _section_resets.extend(r for r in resets if r not in _section_resets)


@guarded(Module.LIVE_MONITORING)
class ChargePointDetailState(ReopenAware, rx.State):
    identity: str = ""
    charge_point_id: int = 0  # shown and passed on; access is decided by _charge_point_id
    loaded: bool = False
    not_found: bool = False
    station: str = ""
    vendor: str = ""
    model: str = ""
    serial_number: str = ""
    firmware_version: str = ""
    meter_type: str = ""
    last_boot: str = ""
    firmware_status: str = ""
    has_password: bool = False
    connect_url: str = ""
    unregistered: bool = False
    connector_options: rx.Field[list[str]] = rx.field(default_factory=list)
    connector_to_reserve: str = "1"
    transaction_options: rx.Field[list[str]] = rx.field(default_factory=list)
    action: str = "Reset"
    values: dict[str, str] = default_values("Reset")
    busy: bool = False
    outcome: str = ""
    outcome_ok: bool = False
    _charge_point_id: int = 0
    _shown_again: bool = False

    @rx.var
    def connector0_options(self) -> list[str]:
        return ["0", *self.connector_options]

    @event
    async def load(self):
        """on_load: resolve the URL's charge point within the operator's organisation.

        A charge point opened anew starts with fresh forms and sections; the one the tab
        already shows (a reconnect, a reload) keeps them (module docstring)."""
        self._charge_point_id = self.charge_point_id = 0  # access is decided anew below
        self._shown_again = False
        self.identity = identity_from_path(self.router.url.path)
        auth_state = await self.get_state(AuthState)
        info = None
        if auth_state.is_authenticated:
            scope = await asyncio.to_thread(
                organisations.organisation_scope, auth_state._organisation_id
            )
            info = await asyncio.to_thread(charge_point_info, self.identity, scope)
        if info is None:
            self._closed()
            self._forget()
            self.loaded = self.not_found = auth_state.is_authenticated
            return None
        self._shown_again = not self._opening_anew(str(info.id))
        if self._work_lost() or not self._shown_again:  # a send in flight died with its server
            self._shown_again = False
            self._forget()
        self.loaded = True
        typed = dict(self.values)
        self._apply(info)
        if self._shown_again:
            self.values = self.values | self._still_offered(typed)
            return ChargePointLiveState.join(info.id)
        return [ChargePointLiveState.join(info.id), *_section_resets]

    @event
    async def set_action(self, action: str) -> None:
        if action not in LABELS:
            return
        self.action = action
        self.values = default_values(action) | self._first_choices()
        self.outcome = ""
        if action == "RemoteStopTransaction" and self._charge_point_id:
            await self._refresh_choices()  # a session may have started since the page opened

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @requires(Action.CONTROL)
    @background_event
    async def send(self):
        async with self:
            if self.busy or not self._charge_point_id:
                return None
            charge_point_id, action = self._charge_point_id, self.action
            params = command_params(action, self.values)
            self.busy = True
            self.outcome = tr("Sending {command}…", command=command_label(action))
            self.outcome_ok = False
            requested_by = await signed_in_email(self)
        if requested_by is None:
            message, ok = session_ended(), False
        else:
            message, ok = await run_command(charge_point_id, action, params, requested_by)
        async with self:
            self.busy = False
            self.outcome = message
            self.outcome_ok = ok
        return rx.toast.success(message) if ok else rx.toast.error(message)

    async def _refresh_choices(self) -> None:
        auth_state = await self.get_state(AuthState)
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        info = await asyncio.to_thread(charge_point_info, self.identity, scope)
        if info is not None and info.id == self._charge_point_id:
            self._apply_choices(info)
            self.values = default_values(self.action) | self._first_choices()

    def _apply(self, info: ChargePointInfo) -> None:
        now = utc_now()
        self._charge_point_id = self.charge_point_id = info.id
        self.station = info.station_name or MISSING
        self.vendor = info.vendor or MISSING
        self.model = info.model or MISSING
        self.serial_number = info.serial_number or MISSING
        self.firmware_version = info.firmware_version or MISSING
        self.meter_type = info.meter_type or MISSING
        self.last_boot = format_time(info.last_boot_at, info.station_timezone, now)
        self.firmware_status = info.firmware_status or MISSING
        self.has_password = info.has_password
        self.connect_url = info.connect_url
        self.unregistered = info.unregistered
        self._apply_choices(info)
        self.values = default_values(self.action) | self._first_choices()

    def _apply_choices(self, info: ChargePointInfo) -> None:
        self.connector_options = [str(c) for c in info.connector_ids] or ["1"]
        self.connector_to_reserve = str(info.connector_to_reserve)
        self.transaction_options = [
            # shown and sent back: its first word is the transaction id
            tr("{transaction} (connector {connector})", transaction=tx, connector=connector)
            for tx, connector in info.active_transactions
        ]

    def _first_choices(self) -> dict[str, str]:
        """Selects start on their first option (a select without a value shows nothing); a
        reservation's connector on a free one."""
        kinds = {
            "connector": self.connector_options[:1],
            "connector0": [self.connector_to_reserve],
            "transaction": self.transaction_options[:1],
        }
        return {
            f.name: kinds[f.kind][0]
            for f in SPECS[self.action].fields
            if kinds.get(f.kind) and not f.default
        }

    def _still_offered(self, values: dict[str, str]) -> dict[str, str]:
        """Of the form's `values`, those a reload of the same charge point keeps: a connector
        or a transaction only while the charge point still offers it."""
        offered = {
            "connector": self.connector_options,
            "connector0": ["0", *self.connector_options],
            "transaction": self.transaction_options,
        }
        return {
            f.name: values[f.name]
            for f in SPECS[self.action].fields
            if f.name in values and (f.kind not in offered or values[f.name] in offered[f.kind])
        }

    def _forget(self) -> None:
        self._charge_point_id = self.charge_point_id = 0
        self.loaded = False
        self.not_found = False
        self.busy = False
        self.outcome = ""
        self.unregistered = False
        self.connector_options = []
        self.transaction_options = []


async def shown_again(state: rx.State) -> bool:
    """Whether the last `load` found the charge point this tab already showed (a reconnect,
    a reload) rather than opening one."""
    detail = await state.get_state(ChargePointDetailState)
    return detail._shown_again


async def current_charge_point(state: rx.State) -> tuple[int, str]:
    """(id, identity) of the charge point this tab shows; id 0 if none."""
    detail = await state.get_state(ChargePointDetailState)
    return detail._charge_point_id, detail.identity


async def run_command(
    charge_point_id: int, action: str, params: dict[str, Any], requested_by: str
) -> tuple[str, bool]:
    """Send one command through its service; every failure becomes a message for the operator.

    Commands with a record of their own go through their service (a reservation is stored,
    a configuration answer updates the stored configuration); the others through
    commands.send_command. All of them appear in the command history. A ReserveNow answer
    with a refusal (Occupied, ...) reads as the command's rejection.
    """
    label = command_label(action)
    try:
        view = await _dispatch(charge_point_id, action, params, requested_by)
    except (CommandInputError, LookupError, ValueError) as exc:
        return not_sent(label, exc), False
    except Exception as exc:
        log.exception("command failed", extra={"action": action, "cp": charge_point_id})
        return not_sendable(label, exc), False
    command = view.command if isinstance(view, reservations.ReservationView) else view
    if command is None:
        return tr("{command} not sent.", command=label), False
    return outcome_text(action, command.status, command.error), command.status == "accepted"


async def _dispatch(
    charge_point_id: int, action: str, params: dict[str, Any], requested_by: str
) -> Any:
    if action == "ReserveNow":
        return await reservations.reserve(
            charge_point_id,
            int(params.get("connector_id", "0")),
            str(params.get("id_tag", "")),
            utc_now() + timedelta(minutes=_minutes(params.get("expires_in_minutes", "60"))),
            requested_by,
            parent_id_tag=params.get("parent_id_tag") or None,
        )
    if action == "CancelReservation":
        reservation_id = int(params.get("reservation_id", "0"))
        await asyncio.to_thread(_check_reservation, charge_point_id, reservation_id)
        return await reservations.cancel(reservation_id, requested_by)
    if action == "ChangeConfiguration":
        return await configuration.change_configuration(
            charge_point_id, str(params.get("key", "")), str(params.get("value", "")), requested_by
        )
    if action == "GetConfiguration":
        keys = [k.strip() for k in str(params.get("keys", "")).split(",") if k.strip()]
        return await configuration.fetch_configuration(charge_point_id, requested_by, keys or None)
    return await commands.send_command(charge_point_id, action, params, requested_by)


def _check_reservation(charge_point_id: int, reservation_id: int) -> None:
    """Only a reservation of this charge point can be cancelled from its page."""
    if reservation_id not in {r.id for r in reservations.list_reservations(charge_point_id)}:
        raise LookupError(
            tr(
                "reservation {reservation_id} is not one of this charge point's",
                reservation_id=reservation_id,
            )
        )


def _minutes(raw: Any) -> int:
    try:
        minutes = int(str(raw).strip())
    except ValueError as exc:
        raise CommandInputError(
            tr("expiry must be a whole number of minutes, got {value}", value=repr(raw))
        ) from exc
    if minutes < 1:
        raise CommandInputError(tr("expiry must be at least 1 minute from now"))
    return minutes
