"""The work order forms' strings checked (web UI and API send the same fields): every
field's error at once, in the technician's words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ccms_app.core.i18n import tr
from ccms_app.maintenance.rules.sla import PRIORITIES

TITLE_MAX = 200
TEXT_MAX = 4000
PART_MAX = 200
QUANTITY_MAX = 10_000
MINUTES_MAX = 24 * 60  # one entry: at most a day


@dataclass(frozen=True)
class NewWorkOrderInput:
    charge_point_id: int
    connector_id: int | None
    title: str
    description: str
    priority: str
    alarm_id: int | None
    assignee_account_id: int | None


def _positive(raw: str) -> int | None:
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and 0 < len(text) < 19) or int(text) < 1:
        return None
    return int(text)


def read_new_work_order(form: Mapping[str, str]) -> tuple[NewWorkOrderInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    charge_point_id = _positive(str(form.get("charge_point_id", "")))
    if charge_point_id is None:
        errors["charge_point_id"] = tr("Choose the charge point to repair.")
    raw_connector = str(form.get("connector_id", "")).strip()
    connector_id: int | None = None
    if raw_connector and raw_connector != "0":
        connector_id = _positive(raw_connector)
        if connector_id is None:
            errors["connector_id"] = tr(
                "Connector: a number (1, 2, ...), or empty for the whole charge point."
            )
    title = str(form.get("title", "")).strip()
    if not title:
        errors["title"] = tr("Say in a few words what is wrong (title).")
    elif len(title) > TITLE_MAX:
        errors["title"] = tr(
            "The title is longer than {title_max} characters.", title_max=TITLE_MAX
        )
    description = str(form.get("description", "")).strip()
    if len(description) > TEXT_MAX:
        errors["description"] = tr(
            "The description is longer than {text_max} characters.", text_max=TEXT_MAX
        )
    priority = str(form.get("priority", "") or "medium").strip()
    if priority not in PRIORITIES:
        errors["priority"] = tr("Priority must be critical, high, medium or low.")
    raw_alarm = str(form.get("alarm_id", "")).strip()
    alarm_id = _positive(raw_alarm) if raw_alarm else None
    if raw_alarm and alarm_id is None:
        errors["alarm_id"] = tr("Alarm: an alarm number, or empty.")
    raw_assignee = str(form.get("assignee_account_id", "")).strip()
    assignee = _positive(raw_assignee) if raw_assignee else None
    if raw_assignee and assignee is None:
        errors["assignee_account_id"] = tr("Choose the person, or leave it unassigned.")
    if errors or charge_point_id is None:
        return None, errors
    checked = NewWorkOrderInput(
        charge_point_id, connector_id, title, description, priority, alarm_id, assignee
    )
    return checked, {}


def read_text(
    raw: object, field: str, what: str, required: bool = True
) -> tuple[str, dict[str, str]]:
    """A note / resolution: trimmed, at most TEXT_MAX characters."""
    text = str(raw or "").strip()
    if required and not text:
        return "", {field: _missing_text(what)}
    if len(text) > TEXT_MAX:
        return "", {field: _long_text(what)}
    return text, {}


def _missing_text(what: str) -> str:
    """ "Write the note first." for `what` ("note", "reason", "resolution (what was done)")."""
    if what == "note":
        return tr("Write the note first.")
    if what == "reason":
        return tr("Write the reason first.")
    if what == "resolution (what was done)":
        return tr("Write the resolution (what was done) first.")
    return f"Write the {what} first."


def _long_text(what: str) -> str:
    if what == "note":
        return tr("The note is longer than {limit} characters.", limit=TEXT_MAX)
    if what == "reason":
        return tr("The reason is longer than {limit} characters.", limit=TEXT_MAX)
    if what == "resolution (what was done)":
        return tr(
            "The resolution (what was done) is longer than {limit} characters.", limit=TEXT_MAX
        )
    return f"The {what} is longer than {TEXT_MAX} characters."


def read_part(part: object, quantity: object) -> tuple[tuple[str, int] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = str(part or "").strip()
    if not name:
        errors["part"] = tr("Name the part used.")
    elif len(name) > PART_MAX:
        errors["part"] = tr("The part is longer than {part_max} characters.", part_max=PART_MAX)
    count = _positive(str(quantity if quantity not in (None, "") else "1"))
    if count is None or count > QUANTITY_MAX:
        errors["quantity"] = tr(
            "Quantity: a whole number 1-{quantity_max}.", quantity_max=QUANTITY_MAX
        )
    if errors or count is None:
        return None, errors
    return (name, count), {}


def read_minutes(minutes: object, note: object) -> tuple[tuple[int, str] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    count = _positive(str(minutes or ""))
    if count is None or count > MINUTES_MAX:
        errors["minutes"] = tr(
            "Time spent: whole minutes, 1-{minutes_max}.", minutes_max=MINUTES_MAX
        )
    text = str(note or "").strip()
    if len(text) > 500:
        errors["note"] = tr("The note is longer than 500 characters.")
    if errors or count is None:
        return None, errors
    return (count, text), {}
