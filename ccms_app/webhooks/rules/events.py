"""The event types a subscription can choose, and which network event is which.

The services publish `NetworkEvent`s (kind + a few facts) on the event bus for the live
pages; `event_type_of` says which of them a webhook reports. Everything else on the bus
(meter values, configuration, reservations, firmware progress) is not a webhook event yet.
Alarms and work orders (maintenance) publish kind "alarm" / "work_order" events after
their commit; payments add their types here when that module publishes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ccms_app.core.i18n import tr

EVENT_TYPES: dict[str, str] = {
    "charge_point.online": "A charge point connected.",
    "charge_point.offline": "A charge point's connection closed.",
    "charge_point.status_changed": "A connector's status changed (connector 0: the whole "
    "charge point). data: connector_id, status, error_code.",
    "session.started": "A charging session started. data: transaction_id, connector_id, "
    "id_tag, start_time, meter_start_wh.",
    "session.stopped": "A charging session ended (or CCMS closed it). data: as started, plus "
    "stop_time, meter_stop_wh, energy_wh, stop_reason, closed_by_ccms.",
    "command.finished": "An operator command reached its outcome. data: command_id, action, "
    "status (accepted, rejected, failed, timed_out, offline), error.",
    "data_issue.raised": "CCMS kept something a charger sent that it could not apply as sent. "
    "data: kind, issue_id, detail.",
    "alarm.raised": "An alarm was raised (a repeat of an open alarm is not a new one). "
    "data: alarm_id, connector_id (0: the whole charge point), cause, severity, status, "
    "error_code, info, vendor_id, vendor_error_code, readable_cause, detail, occurrences, "
    "fault_started_at, raised_at.",
    "alarm.closed": "An alarm closed: the charger recovered, or an operator closed it. data: as "
    "raised, plus closed_at, closed_by (empty: CCMS on recovery), close_reason, recovered_at, "
    "downtime_s.",
    "alarm.changed": "An operator acknowledged, assigned, commented on or reopened an alarm. "
    "data: as raised, plus acknowledged_at, acknowledged_by, assignee (e-mail).",
    "work_order.created": "A work order was created (by hand, from an alarm, by an alarm rule "
    "or a maintenance plan). data: work_order_id, title, status, priority, source, "
    "connector_id, alarm_id, assignee (e-mail), due_at, created_at, created_by.",
    "work_order.status_changed": "A work order's status changed. data: as created, plus "
    "from_status, and resolved_at, verified_at, closed_at once set.",
}
TEST_EVENT = "webhook.test"  # sent by "Send test event", whatever the subscription chose
ALL_EVENTS = "*"
FINAL_COMMAND_STATUSES = frozenset({"accepted", "rejected", "failed", "timed_out", "offline"})
# kind="alarm" events say what happened with one flag; "repeated" is not a webhook event.
ALARM_FLAGS = (("raised", "alarm.raised"), ("closed", "alarm.closed"), ("changed", "alarm.changed"))
WORK_ORDER_FLAGS = (
    ("created", "work_order.created"),
    ("status_changed", "work_order.status_changed"),
)
MAX_SELECTION_CHARS = 1000


def event_type_of(kind: str, data: Mapping[str, Any]) -> str | None:
    """The webhook event type of a network event (`NetworkEvent.kind` and `.data`), or None
    when webhooks do not report it."""
    if kind == "charge_point" and "online" in data:
        return "charge_point.online" if data["online"] else "charge_point.offline"
    if kind == "connector" and "status" in data:
        return "charge_point.status_changed"
    if kind == "session" and data.get("started"):
        return "session.started"
    if kind == "session" and data.get("stopped"):
        return "session.stopped"
    if kind == "command" and data.get("status") in FINAL_COMMAND_STATUSES:
        return "command.finished"
    if kind == "warning" and data.get("data_issue"):
        return "data_issue.raised"
    if kind == "alarm":
        return next((name for flag, name in ALARM_FLAGS if data.get(flag)), None)
    if kind == "work_order":
        return next((name for flag, name in WORK_ORDER_FLAGS if data.get(flag)), None)
    return None


def format_selection(chosen: Iterable[str]) -> str:
    """The stored form: "*" for every type (types added later included), else a sorted list."""
    picked = set(chosen)
    if ALL_EVENTS in picked:
        return ALL_EVENTS
    return ",".join(sorted(picked))


def selection_of(stored: str) -> frozenset[str]:
    """The stored form read back ({"*"} for all)."""
    return frozenset(part.strip() for part in stored.split(",") if part.strip())


def validate_selection(chosen: Iterable[str]) -> str:
    """The stored form of what an operator ticked; ValueError for none or an unknown type."""
    picked = {name.strip() for name in chosen if name.strip()}
    if not picked:
        raise ValueError(tr("Choose at least one event (or all events)."))
    unknown = sorted(picked - set(EVENT_TYPES) - {ALL_EVENTS})
    if unknown:
        raise ValueError(tr("Unknown event type: {join}.", join=", ".join(unknown)[:200]))
    return format_selection(picked)


def wants(stored: str, event_type: str) -> bool:
    """Whether a subscription with this stored selection receives `event_type`."""
    if event_type == TEST_EVENT:
        return True
    chosen = selection_of(stored)
    return ALL_EVENTS in chosen or event_type in chosen


def describe_selection(stored: str) -> str:
    """What the list shows: "all events" or the chosen types."""
    chosen = selection_of(stored)
    if ALL_EVENTS in chosen:
        return "all events"
    return ", ".join(sorted(chosen))
