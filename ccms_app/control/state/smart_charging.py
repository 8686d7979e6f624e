"""The Smart charging tab of a charge point page: installed profiles, a simple profile form,
clear buttons, and the composite schedule (the charge point's answer next to what CCMS
expects from the profiles it accepted).

The form keeps what the operator typed when something is wrong; the message names the field.
Times (the profiles' start and validity, the form's time fields, the composite schedule) are
in the charge point's station zone (`zone`, named next to the fields).
Sending runs as background events: a charge point may take the command timeout to answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.smart_charging.composite_schedules import (
    expected_schedule,
    get_composite_schedule,
)
from ccms_app.control.smart_charging.profile_commands import clear_profiles, set_profile
from ccms_app.control.smart_charging.profile_views import (
    list_profiles,
)
from ccms_app.control.state.charge_point import current_charge_point, signed_in_email
from ccms_app.control.state.command_forms import command_outcome
from ccms_app.control.state.smart_charging_form import (
    MAX_FORM_PERIODS,
    SCHEDULE_KINDS,
    blank_periods,
    form_profile_spec,
    seconds_from_minutes,
)
from ccms_app.control.state.smart_charging_rows import (
    CompositeRow,
    ProfileRow,
    composite_figure,
    composite_rows,
    profile_row,
)
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.monitoring.charge_point_view import station_zone
from ccms_app.ui.events import background_event, event
from ocpp_server.smart_charging.profiles import RateUnit

log = logging.getLogger(__name__)


def _outcome(label: str, status: str, error: str) -> tuple[str, bool]:
    """`label` (in the reader's language) and what the charge point did with it."""
    return command_outcome(label, status, error), status == "accepted"


def _session_ended() -> str:
    return tr("Your session has ended. Log in again.")


@guarded(Module.LIVE_MONITORING)
class SmartChargingState(rx.State):
    profiles: rx.Field[list[ProfileRow]] = rx.field(default_factory=list)
    show_history: bool = False
    # the form, as typed
    purpose: str = "TxDefaultProfile"
    connector_id: str = "0"
    transaction: str = ""
    stack_level: str = "0"
    schedule: str = next(iter(SCHEDULE_KINDS))
    start: str = ""
    unit: str = "W"
    periods: rx.Field[list[dict[str, str]]] = rx.field(default_factory=blank_periods)
    duration: str = ""
    valid_from: str = ""
    valid_to: str = ""
    busy: bool = False
    message: str = ""
    message_ok: bool = False
    # composite schedule
    comp_connector: str = "1"
    comp_minutes: str = "60"
    comp_unit: str = "W"
    comp_busy: bool = False
    comp_message: str = ""
    comp_ok: bool = False
    comp_figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    comp_rows: rx.Field[list[CompositeRow]] = rx.field(default_factory=list)
    comp_shown: bool = False
    zone: str = "UTC"  # the station's: the profiles' times, and what the form's times mean
    _for_charge_point: int = 0

    # ---- loading -----------------------------------------------------------------------------

    @event
    async def load(self):
        """Tab opened: list this charge point's profiles (a new charge point: a fresh form)."""
        charge_point_id, _ = await current_charge_point(self)
        if charge_point_id != self._for_charge_point:
            self._reset_form()
            self._for_charge_point = charge_point_id
        await self._refresh(charge_point_id)

    def _reset_form(self) -> None:
        self.purpose, self.connector_id, self.transaction = "TxDefaultProfile", "0", ""
        self.stack_level, self.schedule, self.start = "0", next(iter(SCHEDULE_KINDS)), ""
        self.unit, self.periods, self.duration = "W", blank_periods(), ""
        self.valid_from = self.valid_to = self.message = self.comp_message = ""
        self.busy = self.comp_busy = self.comp_shown = False
        self.comp_rows = []

    async def _refresh(self, charge_point_id: int) -> None:
        if not charge_point_id:
            self.profiles = []
            return
        self.zone = await asyncio.to_thread(station_zone, charge_point_id)
        views = await asyncio.to_thread(list_profiles, charge_point_id, not self.show_history)
        now = utc_now()
        self.profiles = [profile_row(v, self.zone, now) for v in views]

    @event
    async def set_show_history(self, value: bool):
        self.show_history = value
        charge_point_id, _ = await current_charge_point(self)
        await self._refresh(charge_point_id)

    # ---- form fields -------------------------------------------------------------------------

    @event
    def set_field(self, name: str, value: str) -> None:
        if name in {
            "purpose",
            "connector_id",
            "transaction",
            "stack_level",
            "schedule",
            "start",
            "unit",
            "duration",
            "valid_from",
            "valid_to",
            "comp_connector",
            "comp_minutes",
            "comp_unit",
        }:
            setattr(self, name, value)
        if name == "purpose" and value == "ChargePointMaxProfile":
            self.connector_id = "0"

    @event
    def set_period(self, index: int, key: str, value: str) -> None:
        if 0 <= index < len(self.periods) and key in ("start", "limit"):
            periods = [dict(p) for p in self.periods]
            periods[index][key] = value
            self.periods = periods

    @event
    def add_period(self) -> None:
        if len(self.periods) < MAX_FORM_PERIODS:
            self.periods = [*self.periods, {"start": "", "limit": ""}]

    @event
    def remove_period(self, index: int) -> None:
        if 0 < index < len(self.periods):
            self.periods = [p for i, p in enumerate(self.periods) if i != index]

    def _form(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "transaction": self.transaction,
            "stack_level": self.stack_level,
            "schedule": self.schedule,
            "start": self.start,
            "unit": self.unit,
            "periods": [dict(p) for p in self.periods],
            "duration": self.duration,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }

    # ---- actions -----------------------------------------------------------------------------

    @requires(Action.CONTROL)
    @background_event
    async def send_profile(self):
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            if self.busy or not charge_point_id:
                return
            self.busy, self.message = True, ""
            form, connector_id = self._form(), self.connector_id
            requested_by = await signed_in_email(self)
        message, ok = await _send_profile(charge_point_id, connector_id, form, requested_by)
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            await self._refresh(charge_point_id)

    @requires(Action.CONTROL)
    @background_event
    async def clear(self, profile_id: int):
        """Clear one listed profile (by its OCPP id); 0 clears every profile."""
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            listed = {r.profile_id for r in self.profiles if r.active}
            if self.busy or not charge_point_id or (profile_id and profile_id not in listed):
                return
            self.busy, self.message = True, ""
            requested_by = await signed_in_email(self)
        message, ok = await _clear(charge_point_id, profile_id or None, requested_by)
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            await self._refresh(charge_point_id)

    @requires(Action.CONTROL)
    @background_event
    async def get_composite(self):
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            if self.comp_busy or not charge_point_id:
                return
            self.comp_busy, self.comp_message = True, ""
            ask = (self.comp_connector, self.comp_minutes, self.comp_unit)
            requested_by = await signed_in_email(self)
        result = await _composite(charge_point_id, *ask, requested_by)
        async with self:
            self.comp_busy = False
            self.comp_message, self.comp_ok = result[0], result[1]
            if result[2] is not None:
                self.comp_figure, self.comp_rows = result[2], result[3]
                self.comp_shown = True


# --- service calls, each failure a message for the operator -----------------------------------


async def _send_profile(
    charge_point_id: int, connector_id: str, form: dict[str, Any], requested_by: str | None
) -> tuple[str, bool]:
    if requested_by is None:
        return _session_ended(), False
    try:
        zone = await asyncio.to_thread(station_zone, charge_point_id)
        spec = form_profile_spec(form, utc_now(), zone)
        view = await set_profile(charge_point_id, connector_id, spec, requested_by)
    except (CommandInputError, LookupError) as exc:
        return tr("Charging profile not sent: {error}.", error=exc), False
    except Exception as exc:
        log.exception("charging profile failed", extra={"cp": charge_point_id})
        return tr("Charging profile could not be sent: {error}", error=exc), False
    label = tr("Charging profile {id}", id=view.profile.charging_profile_id)
    command = view.command
    return _outcome(label, command.status, command.error) if command else (label, False)


async def _clear(
    charge_point_id: int, profile_id: int | None, requested_by: str | None
) -> tuple[str, bool]:
    if requested_by is None:
        return _session_ended(), False
    try:
        result = await clear_profiles(
            charge_point_id, requested_by=requested_by, charging_profile_id=profile_id
        )
    except (CommandInputError, LookupError) as exc:
        return tr("Clear not sent: {error}.", error=exc), False
    except Exception as exc:
        log.exception("clear charging profile failed", extra={"cp": charge_point_id})
        return tr("Clear could not be sent: {error}", error=exc), False
    label = tr("Clear charging profile") if profile_id else tr("Clear all charging profiles")
    message, ok = _outcome(label, result.command.status, result.command.error)
    if result.cleared:
        message = tr(
            "{outcome} {count} profile(s) cleared.", outcome=message, count=len(result.cleared)
        )
    return message, ok or bool(result.cleared)


async def _composite(
    charge_point_id: int, connector: str, minutes: str, unit: str, requested_by: str | None
) -> tuple[str, bool, go.Figure | None, list[CompositeRow]]:
    if requested_by is None:
        return _session_ended(), False, None, []
    try:
        duration = seconds_from_minutes(minutes, tr("Duration"))
        if duration < 60:
            raise CommandInputError(tr("Duration must be at least 1 minute"))
        view = await get_composite_schedule(
            charge_point_id, connector, duration, unit, requested_by
        )
        expected = await asyncio.to_thread(
            expected_schedule,
            charge_point_id,
            int(connector),
            duration,
            RateUnit(unit),
            view.schedule.start if view.schedule else None,
        )
    except (CommandInputError, LookupError, ValueError) as exc:
        return tr("Composite schedule not asked: {error}.", error=exc), False, None, []
    except Exception as exc:
        log.exception("composite schedule failed", extra={"cp": charge_point_id})
        return tr("Composite schedule could not be asked: {error}", error=exc), False, None, []
    message, ok = _outcome(tr("Get composite schedule"), view.status, view.detail)
    zone = await asyncio.to_thread(station_zone, charge_point_id)
    if view.schedule is None:
        message = tr(
            "{outcome} Shown: what CCMS expects from the profiles the charge point accepted.",
            outcome=message,
        )
    return (
        message,
        ok,
        composite_figure(view.schedule, expected),
        composite_rows(view.schedule, expected, zone),
    )
