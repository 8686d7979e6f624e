"""Work orders from alarm rules, through the alarm engine's hook registry: created with the
alarm (priority from the rule, due from the SLA, given to the on-duty technician covering
the station's area with the fewest active orders), noted when the alarm closes."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.hooks import CLOSED, RAISED, run_alarm_hooks
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, MaintenanceSettings
from ccms_app.maintenance.work_orders import detail, lifecycle
from ccms_app.maintenance.work_orders.alarm_hook import RECOVERED_NOTE
from ccms_app.maintenance.work_orders.models import (
    MaintenanceStaff,
    MaintenanceStaffArea,
    WorkOrder,
)
from tests.maintenance.work_orders.support import Workshop


def _raise(w: Workshop, *, create: bool = True, connector_id: int = 2) -> int:
    with session_scope() as s:
        rule = AlarmRule(
            organisation_id=w.organisation_id,
            name="Faults make work",
            cause="connector_faulted",
            create_work_order=create,
            work_order_priority="high",
        )
        alarm = Alarm(
            organisation_id=w.organisation_id,
            charge_point_id=w.charge_point_id,
            connector_id=connector_id,
            cause="connector_faulted",
            error_code="GroundFailure",
            vendor_error_code="E42",
        )
        s.add(rule)
        s.add(alarm)
        s.flush()
        run_alarm_hooks(s, alarm, rule, RAISED)
        run_alarm_hooks(s, alarm, rule, RAISED)  # a second raise of the same alarm adds none
        return alarm.id or 0


def _orders(alarm_id: int) -> list[WorkOrder]:
    with read_session() as s:
        return list(s.exec(select(WorkOrder).where(col(WorkOrder.alarm_id) == alarm_id)).all())


def test_a_rule_creates_one_work_order_for_the_on_duty_technician(workshop: Workshop) -> None:
    w = workshop
    with session_scope() as s:
        s.add(MaintenanceSettings(organisation_id=w.organisation_id, sla_high_h=6))
    alarm_id = _raise(w)
    (order,) = _orders(alarm_id)
    assert (order.source, order.priority, order.status) == ("rule", "high", "assigned")
    assert order.assignee_account_id == w.tech.account_id and order.connector_id == 2
    assert order.title == "Connector faulted on connector 2: GroundFailure"
    assert "vendorErrorCode: E42" in order.description and order.created_by == ""
    assert order.due_at is not None and order.due_at - order.created_at == timedelta(hours=6)
    shown = detail.get_work_order(w.tech, order.id or 0)
    assert [e.kind for e in reversed(shown.events)] == ["status", "assigned"]


def test_the_technician_with_fewer_open_orders_gets_it_and_off_duty_nobody(
    workshop: Workshop,
) -> None:
    w = workshop
    with session_scope() as s:
        s.add(
            MaintenanceStaff(account_id=w.other_tech.account_id, organisation_id=w.organisation_id)
        )
        s.flush()
        s.add(MaintenanceStaffArea(account_id=w.other_tech.account_id, area_id=w.area_id))
    first = _orders(_raise(w))[0]
    assert first.assignee_account_id == w.tech.account_id  # tie: the lower account id
    second = _orders(_raise(w, connector_id=1))[0]
    assert second.assignee_account_id == w.other_tech.account_id  # tech has one already
    with session_scope() as s:
        for account_id in (w.tech.account_id, w.other_tech.account_id):
            profile = s.get(MaintenanceStaff, account_id)
            assert profile is not None
            profile.on_duty = False
            s.add(profile)
    nobody = _orders(_raise(w, connector_id=0))[0]
    assert nobody.assignee_account_id is None and nobody.status == "open"


def test_no_work_order_without_the_rule_saying_so(workshop: Workshop) -> None:
    assert _orders(_raise(workshop, create=False)) == []


def test_a_closed_alarm_notes_its_unfinished_work_orders(workshop: Workshop) -> None:
    w = workshop
    alarm_id = _raise(w)
    (order,) = _orders(alarm_id)
    lifecycle.act(w.tech, order.id or 0, "start")
    with session_scope() as s:
        alarm = s.get(Alarm, alarm_id)
        assert alarm is not None
        alarm.status, alarm.closed_at = "closed", utc_now()
        run_alarm_hooks(s, alarm, None, CLOSED)
    shown = detail.get_work_order(w.tech, order.id or 0)
    assert (shown.events[0].kind, shown.events[0].text, shown.events[0].actor) == (
        "note",
        RECOVERED_NOTE,
        "",
    )
    assert shown.status == "in_progress"
