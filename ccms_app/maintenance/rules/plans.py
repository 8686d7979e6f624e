"""Preventive maintenance plans: when the next visit is due and which charge points a plan
covers.

A plan is due every N months. Month arithmetic clamps to the end of a shorter month
(Jan 31 + 1 month = Feb 28/29). The plan stores only its next due date, so after a clamped
month the series goes on from the clamped day (Jan 31 -> Feb 28 -> Mar 28): an operator who
wants month ends picks the 28th. Missed periods (CCMS down) are skipped, not caught up one by
one: the next due date is the first one after now.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ccms_app.core.i18n import tr
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.maintenance.rules.sla import PRIORITIES

MAX_EVERY_MONTHS = 120
NAME_MAX = 120
DESCRIPTION_MAX = 4000


def add_months(value: datetime, months: int) -> datetime:
    """`value` plus `months` calendar months, the day clamped to the month's last day."""
    index = value.year * 12 + (value.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def next_due(current_due: datetime, every_months: int, now: datetime) -> datetime:
    """The first date current_due + k * every_months (k >= 1, each counted from
    `current_due`, so a catch-up does not drift) that is after `now`: a plan that missed
    runs while CCMS was down makes one work order, not one per missed period."""
    if every_months < 1:
        raise ValueError(tr("every_months must be at least 1"))
    k = 1
    candidate = add_months(current_due, every_months)
    while candidate <= now:
        k += 1
        candidate = add_months(current_due, every_months * k)
    return candidate


def covers(
    plan_charge_point_id: int | None,
    plan_vendor: str,
    plan_model: str,
    charge_point_id: int,
    vendor: str,
    model: str,
) -> bool:
    """Does the plan cover this charge point? A plan names one charge point, or a vendor
    (and optionally a model: "" = every model of the vendor); vendor and model compare
    without case and surrounding blanks, as chargers report them inconsistently."""
    if plan_charge_point_id is not None:
        return plan_charge_point_id == charge_point_id
    if not plan_vendor.strip():
        return False
    if plan_vendor.strip().casefold() != vendor.strip().casefold():
        return False
    return not plan_model.strip() or plan_model.strip().casefold() == model.strip().casefold()


@dataclass(frozen=True)
class PlanInput:
    name: str
    charge_point_id: int | None
    vendor: str
    model: str
    every_months: int
    priority: str
    description: str
    enabled: bool
    next_due_at: datetime


def parse_due(raw: str, zone: str = "UTC") -> datetime | None:
    """ "2025-03-31" (its midnight in `zone`) or an ISO date-time (in `zone` unless it names
    its own), in UTC. `zone` is whose day it is: the plan's station's or the operator's for
    the web form, UTC for the API."""
    try:
        return wall_time_to_utc(raw, zone)
    except ValueError:
        return None


def read_plan_form(
    form: Mapping[str, str], zone: str = "UTC"
) -> tuple[PlanInput | None, dict[str, str]]:
    """The plan form's strings checked: the input, or every field's error. The next due day
    is a day in `zone`."""
    errors: dict[str, str] = {}
    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = tr("Give the plan a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = tr("The name is longer than {name_max} characters.", name_max=NAME_MAX)
    raw_cp = str(form.get("charge_point_id", "")).strip()
    charge_point_id: int | None = None
    if raw_cp:
        if not raw_cp.isdigit() or int(raw_cp) < 1:
            errors["charge_point_id"] = tr("Choose a charge point.")
        else:
            charge_point_id = int(raw_cp)
    vendor = str(form.get("vendor", "")).strip()
    model = str(form.get("model", "")).strip()
    if charge_point_id is None and not vendor and "charge_point_id" not in errors:
        errors["charge_point_id"] = tr("Choose a charge point, or give a vendor (and model).")
    if charge_point_id is not None and (vendor or model):
        errors["vendor"] = tr("A plan is for one charge point or for a vendor/model, not both.")
    if len(vendor) > 50:
        errors["vendor"] = tr("The vendor is longer than 50 characters.")
    if len(model) > 50:
        errors["model"] = tr("The model is longer than 50 characters.")
    if model and not vendor and "vendor" not in errors:
        errors["vendor"] = tr("Give the vendor of this model.")
    raw_every = str(form.get("every_months", "")).strip()
    every = int(raw_every) if raw_every.isdigit() else 0
    if not 1 <= every <= MAX_EVERY_MONTHS:
        errors["every_months"] = tr(
            "Every how many months: a whole number 1-{max_every_months}.",
            max_every_months=MAX_EVERY_MONTHS,
        )
    priority = str(form.get("priority", "") or "low").strip()
    if priority not in PRIORITIES:
        errors["priority"] = tr("Priority must be critical, high, medium or low.")
    description = str(form.get("description", ""))
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = tr(
            "The description is longer than {description_max} characters.",
            description_max=DESCRIPTION_MAX,
        )
    enabled = str(form.get("enabled", "true")).strip().lower() not in ("false", "no", "0", "")
    due = parse_due(str(form.get("next_due_at", "")), zone)
    if due is None:
        errors["next_due_at"] = tr("Give the first due date as YYYY-MM-DD.")
    if errors or due is None:
        return None, errors
    checked = PlanInput(
        name, charge_point_id, vendor, model, every, priority, description.strip(), enabled, due
    )
    return checked, {}
