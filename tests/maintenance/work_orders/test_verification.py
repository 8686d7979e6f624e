"""CCMS verifies resolved work orders: closed when the charge point stayed available for
the configured time, back to in_progress when the fault came back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, MaintenanceSettings
from ccms_app.maintenance.work_orders import creation, detail, lifecycle
from ccms_app.maintenance.work_orders.verification import (
    VERIFIED_TEXT,
    verify_resolved_work_orders,
)
from ccms_app.network.models import ChargePoint, ChargePointEvent, Connector, StatusEvent
from tests.maintenance.work_orders.support import Workshop


def _resolved(w: Workshop, connector_id: str = "2", alarm_id: int | None = None) -> int:
    form = {
        "charge_point_id": str(w.charge_point_id),
        "title": "Fault",
        "connector_id": connector_id,
    }
    if alarm_id:
        form["alarm_id"] = str(alarm_id)
    work_order_id = creation.create_by_hand(w.admin, form)
    lifecycle.act(w.tech, work_order_id, "start")
    lifecycle.act(w.tech, work_order_id, "resolve", "contactor replaced")
    return work_order_id


def _settings(w: Workshop, seconds: int) -> None:
    with session_scope() as s:
        s.add(MaintenanceSettings(organisation_id=w.organisation_id, verification_s=seconds))


def test_verified_and_closed_after_the_charger_stayed_available(workshop: Workshop) -> None:
    w = workshop
    _settings(w, 600)
    work_order_id = _resolved(w)
    now = utc_now()
    assert verify_resolved_work_orders(now + timedelta(seconds=300)).verified == 0
    run = verify_resolved_work_orders(now + timedelta(seconds=601))
    assert (run.verified, run.reopened) == (1, 0)
    shown = detail.get_work_order(w.admin, work_order_id)
    assert shown.status == "closed" and shown.verified_at is not None
    assert shown.closed_at is not None
    assert (shown.events[0].from_status, shown.events[0].to_status) == ("resolved", "closed")
    assert (shown.events[0].text, shown.events[0].actor) == (VERIFIED_TEXT, "")


def test_an_offline_charger_or_an_open_alarm_is_not_verified(workshop: Workshop) -> None:
    w = workshop
    _settings(w, 60)
    with session_scope() as s:
        alarm = Alarm(
            organisation_id=w.organisation_id,
            charge_point_id=w.charge_point_id,
            connector_id=2,
            cause="connector_faulted",
        )
        s.add(alarm)
        s.flush()
        alarm_id = alarm.id or 0
    work_order_id = _resolved(w, alarm_id=alarm_id)
    later = utc_now() + timedelta(hours=1)
    assert verify_resolved_work_orders(later).verified == 0  # the alarm is still open
    with session_scope() as s:
        s.execute(update(Alarm).values(status="closed", closed_at=utc_now()))
        s.execute(update(ChargePoint).values(is_online=False))
    assert verify_resolved_work_orders(later).verified == 0  # offline
    with session_scope() as s:
        s.execute(update(ChargePoint).values(is_online=True))
        s.add(
            ChargePointEvent(charge_point_id=w.charge_point_id, kind="connected", occurred_at=later)
        )
    # Reconnected just now: the window starts again.
    assert verify_resolved_work_orders(later + timedelta(seconds=30)).verified == 0
    assert verify_resolved_work_orders(later + timedelta(seconds=61)).verified == 1
    assert detail.get_work_order(w.admin, work_order_id).status == "closed"


def test_a_fault_after_the_resolution_sends_it_back_to_work(workshop: Workshop) -> None:
    w = workshop
    work_order_id = _resolved(w)
    with session_scope() as s:
        s.add(
            StatusEvent(
                charge_point_id=w.charge_point_id,
                connector_id=2,
                status="Faulted",
                error_code="GroundFailure",
                received_at=utc_now() + timedelta(seconds=1),
            )
        )
        s.execute(
            update(Connector).where(col(Connector.connector_id) == 2).values(status="Faulted")
        )
    run = verify_resolved_work_orders(utc_now() + timedelta(hours=2))
    assert (run.verified, run.reopened) == (0, 1)
    shown = detail.get_work_order(w.tech, work_order_id)
    assert shown.status == "in_progress" and shown.resolved_at is None
    last = shown.events[0]
    assert (last.from_status, last.to_status, last.actor) == ("resolved", "in_progress", "")
    assert last.text.startswith("verification failed: connector 2 reported Faulted (GroundFailure)")


def test_a_fault_on_another_connector_does_not_count(workshop: Workshop) -> None:
    w = workshop
    _settings(w, 60)
    work_order_id = _resolved(w, connector_id="2")
    with session_scope() as s:
        s.add(
            StatusEvent(
                charge_point_id=w.charge_point_id,
                connector_id=1,
                status="Faulted",
                error_code="OtherError",
                received_at=utc_now() + timedelta(seconds=1),
            )
        )
    assert verify_resolved_work_orders(utc_now() + timedelta(minutes=5)).verified == 1
    assert detail.get_work_order(w.tech, work_order_id).status == "closed"


def test_a_reopened_alarm_sends_it_back_to_work(workshop: Workshop) -> None:
    w = workshop
    with session_scope() as s:
        alarm = Alarm(
            organisation_id=w.organisation_id,
            charge_point_id=w.charge_point_id,
            cause="offline",
            status="closed",
        )
        s.add(alarm)
        s.flush()
        alarm_id = alarm.id or 0
    work_order_id = _resolved(w, connector_id="", alarm_id=alarm_id)
    with session_scope() as s:
        s.add(
            AlarmActivity(alarm_id=alarm_id, kind="reopened", at=utc_now() + timedelta(seconds=1))
        )
        s.execute(update(Alarm).values(status="open"))
    assert verify_resolved_work_orders(utc_now() + timedelta(hours=1)).reopened == 1
    shown = detail.get_work_order(w.tech, work_order_id)
    assert (
        shown.status == "in_progress" and f"alarm #{alarm_id} was reopened" in shown.events[0].text
    )
