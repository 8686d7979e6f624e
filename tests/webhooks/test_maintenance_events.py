"""Alarms and work orders in webhooks: which bus events are which webhook events, and the
data a receiver gets (read from the rows after the commit, as the dispatcher does)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import ChargePoint
from ccms_app.webhooks import active, dispatcher
from ccms_app.webhooks.rules.events import EVENT_TYPES, event_type_of, validate_selection
from tests.webhooks.support import subscribe

HOOK = "https://erp.example.com/hook"
FAULT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
RECOVERED = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("alarm", {"alarm_id": 1, "raised": True}, "alarm.raised"),
        ("alarm", {"alarm_id": 1, "repeated": True}, None),  # the same alarm again
        ("alarm", {"alarm_id": 1, "closed": True}, "alarm.closed"),
        ("alarm", {"alarm_id": 1, "changed": True}, "alarm.changed"),
        ("work_order", {"work_order_id": 1, "created": True}, "work_order.created"),
        (
            "work_order",
            {"work_order_id": 1, "status_changed": True, "from_status": "open"},
            "work_order.status_changed",
        ),
        ("work_order", {"work_order_id": 1, "changed": True}, None),  # a note, a photo, ...
    ],
)
def test_alarm_and_work_order_events(kind: str, data: dict, expected: str | None) -> None:
    assert event_type_of(kind, data) == expected


def test_the_new_types_can_be_chosen_and_say_what_they_carry() -> None:
    chosen = ["alarm.raised", "alarm.closed", "alarm.changed", "work_order.created"]
    assert validate_selection([*chosen, "work_order.status_changed"]) == ",".join(
        sorted([*chosen, "work_order.status_changed"])
    )
    for name in (*chosen, "work_order.status_changed"):
        assert "data:" in EVENT_TYPES[name]


def _faulted_charge_point(organisation_id: int) -> tuple[int, int, int]:
    """A charge point with a closed alarm, its technician and a resolved work order."""
    with db.session_scope() as s:
        cp = ChargePoint(identity="CP-WH", organisation_id=organisation_id)
        s.add(cp)
        s.flush()
        tech = OperatorAccount(
            organisation_id=organisation_id,
            email="tech@example.com",
            password_hash="-",
            role_id=auth.built_in_role_id(s, MAINTENANCE_STAFF),
        )
        s.add(tech)
        s.flush()
        alarm = Alarm(
            organisation_id=organisation_id,
            charge_point_id=cp.id or 0,
            connector_id=2,
            cause="connector_faulted",
            severity="critical",
            status="closed",
            error_code="GroundFailure",
            info="RCD",
            vendor_id="Acme",
            vendor_error_code="E-417",
            readable_cause="Residual current device tripped",
            occurrences=3,
            fault_started_at=FAULT,
            first_raised_at=FAULT,
            last_raised_at=FAULT,
            recovered_at=RECOVERED,
            closed_at=RECOVERED,
            downtime_s=5400,
            assignee_account_id=tech.id,
        )
        s.add(alarm)
        s.flush()
        order = WorkOrder(
            organisation_id=organisation_id,
            title="Replace RCD",
            priority="high",
            status="resolved",
            source="rule",
            charge_point_id=cp.id or 0,
            connector_id=2,
            alarm_id=alarm.id,
            assignee_account_id=tech.id,
            created_at=FAULT,
            due_at=RECOVERED,
            resolved_at=RECOVERED,
        )
        s.add(order)
        s.flush()
        return cp.id or 0, alarm.id or 0, order.id or 0


def _delivered(organisation: Organisation, *events: NetworkEvent) -> list[dict[str, Any]]:
    subscribe(organisation, HOOK)
    at = datetime.now(UTC)
    found = [dispatcher.webhook_event(event, at) for event in events]
    webhook_events = [event for event in found if event is not None]
    listening = active.active_subscriptions().load()
    return [json.loads(d.payload) for d in dispatcher.deliveries_for(webhook_events, listening)]


def test_a_receiver_gets_the_alarm_and_work_order_facts(organisation: Organisation) -> None:
    org = organisation.id or 0
    cp_id, alarm_id, order_id = _faulted_charge_point(org)
    bus: dict[str, Any] = {"alarm_id": alarm_id, "organisation_id": org, "connector_id": 2}
    bus |= {"cause": "connector_faulted", "severity": "critical", "status": "closed"}
    closed, changed, created, moved = _delivered(
        organisation,
        NetworkEvent("alarm", cp_id, "CP-WH", bus | {"closed": True}),
        NetworkEvent("alarm", cp_id, "CP-WH", bus | {"repeated": True}),  # not a webhook event
        NetworkEvent("alarm", cp_id, "CP-WH", bus | {"changed": True}),
        NetworkEvent(
            "work_order",
            cp_id,
            "CP-WH",
            {"work_order_id": order_id, "status": "open", "created": True},
        ),
        NetworkEvent(
            "work_order",
            cp_id,
            "CP-WH",
            {
                "work_order_id": order_id,
                "status": "resolved",
                "from_status": "in_progress",
                "status_changed": True,
            },
        ),
    )
    assert closed["type"] == "alarm.closed"
    assert closed["charge_point"] == {"id": cp_id, "identity": "CP-WH"}
    assert closed["data"] == {
        "alarm_id": alarm_id,
        "connector_id": 2,
        "cause": "connector_faulted",
        "severity": "critical",
        "status": "closed",
        "error_code": "GroundFailure",
        "info": "RCD",
        "vendor_id": "Acme",
        "vendor_error_code": "E-417",
        "readable_cause": "Residual current device tripped",
        "detail": "",
        "occurrences": 3,
        "fault_started_at": "2026-03-02T09:30:00.000000Z",
        "raised_at": "2026-03-02T09:30:00.000000Z",
        "closed_at": "2026-03-02T11:00:00.000000Z",
        "closed_by": "",
        "close_reason": "",
        "recovered_at": "2026-03-02T11:00:00.000000Z",
        "downtime_s": 5400,
    }
    assert changed["type"] == "alarm.changed"
    assert changed["data"]["assignee"] == "tech@example.com"
    assert changed["data"]["acknowledged_at"] is None
    assert created["type"] == "work_order.created"
    assert created["data"] == {
        "work_order_id": order_id,
        "status": "open",
        "title": "Replace RCD",
        "priority": "high",
        "source": "rule",
        "connector_id": 2,
        "alarm_id": alarm_id,
        "assignee": "tech@example.com",
        "due_at": "2026-03-02T11:00:00.000000Z",
        "created_at": "2026-03-02T09:30:00.000000Z",
        "created_by": "",
    }
    assert moved["type"] == "work_order.status_changed"
    assert (moved["data"]["from_status"], moved["data"]["status"]) == ("in_progress", "resolved")
    assert moved["data"]["resolved_at"] == "2026-03-02T11:00:00.000000Z"
    assert moved["data"]["verified_at"] is None


def test_a_vanished_alarm_still_says_what_the_bus_said(organisation: Organisation) -> None:
    org = organisation.id or 0
    cp_id, _, _ = _faulted_charge_point(org)
    (raised,) = _delivered(
        organisation,
        NetworkEvent(
            "alarm",
            cp_id,
            "CP-WH",
            {"alarm_id": 987_654, "connector_id": 1, "cause": "offline", "severity": "critical"}
            | {"status": "open", "raised": True},
        ),
    )
    assert raised["data"] == {
        "alarm_id": 987_654,
        "connector_id": 1,
        "cause": "offline",
        "severity": "critical",
        "status": "open",
    }
