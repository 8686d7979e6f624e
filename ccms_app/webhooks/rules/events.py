"""The event types a subscription can choose, and which network event is which.

The services publish `NetworkEvent`s (kind + a few facts) on the event bus for the live
pages; `event_type_of` says which of them a webhook reports. Everything else on the bus
(meter values, configuration, reservations, firmware progress) is not a webhook event yet.
Alarms and payments add their types here when those modules publish them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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
}
TEST_EVENT = "webhook.test"  # sent by "Send test event", whatever the subscription chose
ALL_EVENTS = "*"
FINAL_COMMAND_STATUSES = frozenset({"accepted", "rejected", "failed", "timed_out", "offline"})
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
        raise ValueError("Choose at least one event (or all events).")
    unknown = sorted(picked - set(EVENT_TYPES) - {ALL_EVENTS})
    if unknown:
        raise ValueError(f"Unknown event type: {', '.join(unknown)[:200]}.")
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
