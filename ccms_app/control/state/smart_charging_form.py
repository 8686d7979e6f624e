"""The Smart charging tab's profile form, read into a profile spec (pure: unit-tested).

What the operator typed becomes the snake_case OCPP dict that set_profile reads and checks;
a value that cannot be read at all raises CommandInputError naming the field. The form's times
are typed on the wall clock of the charge point's station (the zone its label names) and sent
in UTC (`rules.local_time`: a time daylight saving skips or repeats is read with fold=0).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.i18n import N_, tr
from ccms_app.core.local_time import midnight_of, wall_time_to_utc

PURPOSES = ["TxDefaultProfile", "TxProfile", "ChargePointMaxProfile"]
# What the schedule's periods count from, as the form offers it -> (kind, recurrency). The
# choice's value is its English text (a message id: the page shows it with t).
SCHEDULE_KINDS = {
    N_("From the start time"): ("Absolute", None),
    N_("From each transaction's start"): ("Relative", None),
    N_("Every day (from the start time)"): ("Recurring", "Daily"),
    N_("Every week (from the start time)"): ("Recurring", "Weekly"),
}
MAX_FORM_PERIODS = 6


def _local_input(value: str, name: str, zone: str) -> datetime | None:
    """A datetime-local input ("2030-01-07T06:00") typed in `zone`, in UTC; "" is None."""
    try:
        return wall_time_to_utc(value, zone)
    except ValueError:
        raise CommandInputError(
            tr(
                "{field} must be a date and time, got {value}",
                field=name,
                value=repr(value.strip()),
            )
        ) from None


def seconds_from_minutes(value: str, name: str) -> int:
    """A number of minutes as typed (decimals allowed), in whole seconds."""
    try:
        minutes = float(value.strip() or "0")
    except ValueError:
        raise CommandInputError(
            tr("{field} must be a number of minutes, got {value}", field=name, value=repr(value))
        ) from None
    if minutes < 0:
        raise CommandInputError(tr("{field} must not be negative", field=name))
    return round(minutes * 60)


def _transaction(value: str) -> int | None:
    """ "41 (connector 2)" -> 41."""
    head = value.strip().split(" ", 1)[0]
    return int(head) if head.isdigit() else None


def form_profile_spec(form: dict[str, Any], now: datetime, zone: str) -> dict[str, Any]:
    """The service's profile spec (snake_case OCPP) from the form's text fields, its times
    typed in `zone` (the station's) and given in UTC.

    Period starts are minutes after the schedule's start; an empty start time means now
    (Absolute) or today 00:00 in `zone` (Recurring). Field checks are the domain's
    (set_profile).
    """
    kind, recurrency = SCHEDULE_KINDS.get(form["schedule"], ("Absolute", None))
    start = _local_input(form["start"], tr("Start time"), zone)
    if start is None and kind == "Absolute":
        start = now.replace(microsecond=0)
    elif start is None and kind == "Recurring":
        start = midnight_of(now, zone)
    periods = [
        {
            "start_period": seconds_from_minutes(p["start"], tr("Period {number} start", number=i)),
            "limit": p["limit"].strip(),
        }
        for i, p in enumerate(form["periods"], start=1)
        if i == 1 or p["start"].strip() or p["limit"].strip()
    ]
    duration = form["duration"].strip()
    return {
        "stack_level": form["stack_level"].strip(),
        "charging_profile_purpose": form["purpose"],
        "charging_profile_kind": kind,
        "recurrency_kind": recurrency,
        "valid_from": _local_input(form["valid_from"], tr("Valid from"), zone),
        "valid_to": _local_input(form["valid_to"], tr("Valid to"), zone),
        "transaction_id": _transaction(form["transaction"])
        if form["purpose"] == "TxProfile"
        else None,
        "charging_schedule": {
            "charging_rate_unit": form["unit"],
            "start_schedule": None if kind == "Relative" else start,
            "duration": seconds_from_minutes(duration, tr("Duration")) if duration else None,
            "charging_schedule_period": periods,
        },
    }


def blank_periods() -> list[dict[str, str]]:
    return [{"start": "0", "limit": ""}]
