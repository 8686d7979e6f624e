"""The Smart charging tab of a charge point page: installed profiles, a simple profile form,
clear buttons, and the composite schedule (the charge point's answer next to what CCMS
expects from the profiles it accepted).

The form keeps what the operator typed when something is wrong; the message names the field.
Sending runs as background events: a charge point may take the command timeout to answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.control import charging_profiles as service
from ccms_app.control.charging_profiles import ProfileView
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.state.charge_point import current_charge_point, signed_in_email
from ccms_app.core.types import utc_now
from ocpp_server.charging_profiles import CompositeSchedule, RateUnit

log = logging.getLogger(__name__)

PURPOSES = ["TxDefaultProfile", "TxProfile", "ChargePointMaxProfile"]
# What the schedule's periods count from, as the form offers it -> (kind, recurrency).
SCHEDULE_KINDS = {
    "From the start time": ("Absolute", None),
    "From each transaction's start": ("Relative", None),
    "Every day (from the start time)": ("Recurring", "Daily"),
    "Every week (from the start time)": ("Recurring", "Weekly"),
}
MAX_FORM_PERIODS = 6
OUTCOMES = {
    "accepted": "accepted by the charge point",
    "rejected": "rejected by the charge point",
    "timed_out": "got no answer (timed out)",
    "offline": "not delivered: the charge point is offline",
    "failed": "failed",
}


@dataclasses.dataclass
class ProfileRow:
    id: int = 0
    profile_id: int = 0
    connector: str = ""
    purpose: str = ""
    stack_level: int = 0
    schedule: str = ""
    limits: str = ""
    validity: str = ""
    status: str = ""
    detail: str = ""
    active: bool = False


@dataclasses.dataclass
class CompositeRow:
    offset: str = ""
    at: str = ""
    limit: str = ""
    expected: str = ""


# --- form -> profile (pure, unit-tested) ------------------------------------------------------


def _utc_input(value: str, name: str) -> datetime | None:
    """A datetime-local input ("2030-01-07T06:00"), read as UTC; "" is None."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandInputError(f"{name} must be a date and time, got {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _minutes(value: str, name: str) -> int:
    try:
        minutes = float(value.strip() or "0")
    except ValueError:
        raise CommandInputError(f"{name} must be a number of minutes, got {value!r}") from None
    if minutes < 0:
        raise CommandInputError(f"{name} must not be negative")
    return round(minutes * 60)


def _transaction(value: str) -> int | None:
    """ "41 (connector 2)" -> 41."""
    head = value.strip().split(" ", 1)[0]
    return int(head) if head.isdigit() else None


def form_profile_spec(form: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The service's profile spec (snake_case OCPP) from the form's text fields.

    Period starts are minutes after the schedule's start; an empty start time means now
    (Absolute) or today 00:00 UTC (Recurring). Field checks are the domain's (set_profile).
    """
    kind, recurrency = SCHEDULE_KINDS.get(form["schedule"], ("Absolute", None))
    start = _utc_input(form["start"], "Start time")
    if start is None and kind == "Absolute":
        start = now.replace(microsecond=0)
    elif start is None and kind == "Recurring":
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    periods = [
        {"start_period": _minutes(p["start"], f"Period {i} start"), "limit": p["limit"].strip()}
        for i, p in enumerate(form["periods"], start=1)
        if i == 1 or p["start"].strip() or p["limit"].strip()
    ]
    duration = form["duration"].strip()
    return {
        "stack_level": form["stack_level"].strip(),
        "charging_profile_purpose": form["purpose"],
        "charging_profile_kind": kind,
        "recurrency_kind": recurrency,
        "valid_from": _utc_input(form["valid_from"], "Valid from"),
        "valid_to": _utc_input(form["valid_to"], "Valid to"),
        "transaction_id": _transaction(form["transaction"])
        if form["purpose"] == "TxProfile"
        else None,
        "charging_schedule": {
            "charging_rate_unit": form["unit"],
            "start_schedule": None if kind == "Relative" else start,
            "duration": _minutes(duration, "Duration") if duration else None,
            "charging_schedule_period": periods,
        },
    }


# --- views -> rows ----------------------------------------------------------------------------


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def profile_row(view: ProfileView) -> ProfileRow:
    p = view.profile
    kind = p.kind.value if p.recurrency_kind is None else f"{p.recurrency_kind.value}"
    start = p.schedule.start_schedule
    schedule = f"{kind} from {_time(start)}" if start else f"{kind} (from transaction start)"
    if p.schedule.duration:
        schedule += f", {p.schedule.duration // 60} min"
    validity = " ".join(
        f"{word} {_time(t)}" for word, t in (("from", p.valid_from), ("until", p.valid_to)) if t
    )
    tx = f" · tx {p.transaction_id}" if p.transaction_id else ""
    return ProfileRow(
        id=view.id,
        profile_id=p.charging_profile_id,
        connector=str(view.connector_id) + (" (all)" if view.connector_id == 0 else "") + tx,
        purpose=p.purpose.value,
        stack_level=p.stack_level,
        schedule=schedule,
        limits=service.profile_summary(p),
        validity=validity or "always",
        status=view.shown_status,
        detail=view.detail,
        active=view.is_active,
    )


def _steps(schedule: CompositeSchedule) -> tuple[list[datetime], list[float | None]]:
    """Step-chart points: each period's start, and the schedule's end at the last limit."""
    xs = [schedule.start + timedelta(seconds=p.start_period) for p in schedule.periods]
    ys = [None if p.limit is None else float(p.limit) for p in schedule.periods]
    return [*xs, schedule.start + timedelta(seconds=schedule.duration)], [
        *ys,
        ys[-1] if ys else None,
    ]


def composite_figure(answer: CompositeSchedule | None, expected: CompositeSchedule) -> go.Figure:
    figure = go.Figure()
    if answer is not None and answer.periods:
        xs, ys = _steps(answer)
        figure.add_trace(go.Scatter(x=xs, y=ys, name="Charge point", line_shape="hv"))
    xs, ys = _steps(expected)
    figure.add_trace(
        go.Scatter(x=xs, y=ys, name="Expected", line_shape="hv", line={"dash": "dash"})
    )
    figure.update_layout(
        height=260,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        yaxis={"title": expected.charging_rate_unit.value, "rangemode": "tozero"},
        xaxis={"tickformat": "%H:%M", "nticks": 6},
        legend={"orientation": "h", "y": -0.25},
        autosize=True,
    )
    return figure


def composite_rows(
    answer: CompositeSchedule | None, expected: CompositeSchedule
) -> list[CompositeRow]:
    base = answer if answer is not None and answer.periods else expected
    unit = base.charging_rate_unit.value

    def text(limit: Any) -> str:
        return "no limit" if limit is None else f"{limit.normalize():f} {unit}"

    return [
        CompositeRow(
            offset=f"+{p.start_period // 60} min",
            at=(base.start + timedelta(seconds=p.start_period)).strftime("%H:%M:%S"),
            limit=text(p.limit) if base is answer else "",
            expected=text(expected.limit_at(base.start + timedelta(seconds=p.start_period))),
        )
        for p in base.periods
    ]


def _outcome(label: str, status: str, error: str) -> tuple[str, bool]:
    text = f"{label} {OUTCOMES.get(status, status)}"
    explained = error and status in ("rejected", "failed")
    return (f"{text} ({error})." if explained else f"{text}."), status == "accepted"


def _blank_periods() -> list[dict[str, str]]:
    return [{"start": "0", "limit": ""}]


class SmartChargingState(rx.State):
    profiles: list[ProfileRow] = []
    show_history: bool = False
    # the form, as typed
    purpose: str = "TxDefaultProfile"
    connector_id: str = "0"
    transaction: str = ""
    stack_level: str = "0"
    schedule: str = next(iter(SCHEDULE_KINDS))
    start: str = ""
    unit: str = "W"
    periods: list[dict[str, str]] = _blank_periods()
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
    comp_figure: go.Figure = go.Figure()
    comp_rows: list[CompositeRow] = []
    comp_shown: bool = False
    _for_charge_point: int = 0

    # ---- loading -----------------------------------------------------------------------------

    @rx.event
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
        self.unit, self.periods, self.duration = "W", _blank_periods(), ""
        self.valid_from = self.valid_to = self.message = self.comp_message = ""
        self.busy = self.comp_busy = self.comp_shown = False
        self.comp_rows = []

    async def _refresh(self, charge_point_id: int) -> None:
        if not charge_point_id:
            self.profiles = []
            return
        views = await asyncio.to_thread(
            service.list_profiles, charge_point_id, not self.show_history
        )
        self.profiles = [profile_row(v) for v in views]

    @rx.event
    async def set_show_history(self, value: bool):
        self.show_history = value
        charge_point_id, _ = await current_charge_point(self)
        await self._refresh(charge_point_id)

    # ---- form fields -------------------------------------------------------------------------

    @rx.event
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

    @rx.event
    def set_period(self, index: int, key: str, value: str) -> None:
        if 0 <= index < len(self.periods) and key in ("start", "limit"):
            periods = [dict(p) for p in self.periods]
            periods[index][key] = value
            self.periods = periods

    @rx.event
    def add_period(self) -> None:
        if len(self.periods) < MAX_FORM_PERIODS:
            self.periods = [*self.periods, {"start": "", "limit": ""}]

    @rx.event
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

    @rx.event(background=True)
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

    @rx.event(background=True)
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

    @rx.event(background=True)
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
        return "Your session has ended. Log in again.", False
    try:
        spec = form_profile_spec(form, utc_now())
        view = await service.set_profile(charge_point_id, connector_id, spec, requested_by)
    except (CommandInputError, LookupError) as exc:
        return f"Charging profile not sent: {exc}.", False
    except Exception as exc:
        log.exception("charging profile failed", extra={"cp": charge_point_id})
        return f"Charging profile could not be sent: {exc}", False
    label = f"Charging profile {view.profile.charging_profile_id}"
    command = view.command
    return _outcome(label, command.status, command.error) if command else (label, False)


async def _clear(
    charge_point_id: int, profile_id: int | None, requested_by: str | None
) -> tuple[str, bool]:
    if requested_by is None:
        return "Your session has ended. Log in again.", False
    try:
        result = await service.clear_profiles(
            charge_point_id, requested_by=requested_by, charging_profile_id=profile_id
        )
    except (CommandInputError, LookupError) as exc:
        return f"Clear not sent: {exc}.", False
    except Exception as exc:
        log.exception("clear charging profile failed", extra={"cp": charge_point_id})
        return f"Clear could not be sent: {exc}", False
    label = "Clear charging profile" if profile_id else "Clear all charging profiles"
    message, ok = _outcome(label, result.command.status, result.command.error)
    if result.cleared:
        message += f" {len(result.cleared)} profile(s) cleared."
    return message, ok or bool(result.cleared)


async def _composite(
    charge_point_id: int, connector: str, minutes: str, unit: str, requested_by: str | None
) -> tuple[str, bool, go.Figure | None, list[CompositeRow]]:
    if requested_by is None:
        return "Your session has ended. Log in again.", False, None, []
    try:
        duration = _minutes(minutes, "Duration")
        if duration < 60:
            raise CommandInputError("Duration must be at least 1 minute")
        view = await service.get_composite_schedule(
            charge_point_id, connector, duration, unit, requested_by
        )
        expected = await asyncio.to_thread(
            service.expected_schedule,
            charge_point_id,
            int(connector),
            duration,
            RateUnit(unit),
            view.schedule.start if view.schedule else None,
        )
    except (CommandInputError, LookupError, ValueError) as exc:
        return f"Composite schedule not asked: {exc}.", False, None, []
    except Exception as exc:
        log.exception("composite schedule failed", extra={"cp": charge_point_id})
        return f"Composite schedule could not be asked: {exc}", False, None, []
    message, ok = _outcome("Get composite schedule", view.status, view.detail)
    if view.schedule is None:
        message += " Shown: what CCMS expects from the profiles the charge point accepted."
    return (
        message,
        ok,
        composite_figure(view.schedule, expected),
        composite_rows(view.schedule, expected),
    )
