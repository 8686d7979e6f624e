"""Creating work orders: by hand for any charge point (web UI, API), from an alarm, by an
alarm rule (alarm_hook) or by a preventive maintenance plan (plans).

`create_work_order` works inside the caller's transaction (the alarm engine's, the plan
job's) and publishes nothing: the caller publishes `work_order_event(wo, created=True)` after
its commit. The due time comes from the organisation's SLA hours for the priority.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from ccms_app.accounts.roles import Caller, InputError
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, MaintenanceSettings
from ccms_app.maintenance.alarms.settings import settings_for
from ccms_app.maintenance.rules.sla import SlaHours, due_at
from ccms_app.maintenance.work_orders import staff
from ccms_app.maintenance.work_orders.common import (
    add_event,
    identity_of,
    publish,
    require_edit,
    work_order_event,
)
from ccms_app.maintenance.work_orders.inputs import read_new_work_order
from ccms_app.maintenance.work_orders.models import (
    WorkOrder,
    WorkOrderSource,
    WorkOrderStatus,
)
from ccms_app.network.models import ChargePoint

# `work_order_event` lives in common (every use case publishes it); it is part of this
# module's interface (design.md), so it is exported from here too.
__all__ = ["create_by_hand", "create_work_order", "sla_hours", "work_order_event"]

log = logging.getLogger(__name__)


def sla_hours(settings: MaintenanceSettings) -> SlaHours:
    return SlaHours(
        critical=settings.sla_critical_h,
        high=settings.sla_high_h,
        medium=settings.sla_medium_h,
        low=settings.sla_low_h,
    )


def create_work_order(
    session: Session,
    *,
    organisation_id: int,
    charge_point_id: int,
    title: str,
    description: str,
    priority: str,
    source: str,
    actor: str,
    connector_id: int | None = None,
    alarm_id: int | None = None,
    assignee_account_id: int | None = None,
    plan_id: int | None = None,
    plan_due_at: datetime | None = None,
    now: datetime,
) -> WorkOrder:
    """A new work order in `session` (flushed, with its first history entry); `actor` ""
    = CCMS. The station is copied from the charge point; assigned when an assignee is given."""
    cp = session.get(ChargePoint, charge_point_id)
    if cp is None:
        raise LookupError(
            tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
        )
    hours = sla_hours(settings_for(session, organisation_id))
    status = WorkOrderStatus.ASSIGNED if assignee_account_id else WorkOrderStatus.OPEN
    row = WorkOrder(
        organisation_id=organisation_id,
        title=title[:200],
        description=description,
        priority=priority,
        status=status,
        source=source,
        charge_point_id=charge_point_id,
        connector_id=connector_id or None,
        station_id=cp.station_id,
        alarm_id=alarm_id,
        plan_id=plan_id,
        plan_due_at=plan_due_at,
        assignee_account_id=assignee_account_id,
        created_by=actor[:320],
        created_at=now,
        updated_at=now,
        due_at=due_at(priority, now, hours),
    )
    session.add(row)
    session.flush()
    add_event(session, row, "status", actor, f"created ({source})", "", status)
    if assignee_account_id:
        who = staff.account_label(session, assignee_account_id)
        add_event(session, row, "assigned", actor, f"assigned to {who}")
    session.flush()
    log.info(
        "work order created",
        extra={"work_order_id": row.id, "charge_point_id": charge_point_id, "source": source},
    )
    return row


def create_by_hand(caller: Caller, form: Mapping[str, str]) -> int:
    """A work order for any charge point of the caller's scope (from an alarm when
    `alarm_id` is given: it must be an alarm of that charge point). Its id."""
    action = "work_order.create"
    require_edit(caller, action, "")
    checked, errors = read_new_work_order(form)
    if checked is None:
        raise InputError(errors)
    scope = caller.scope()
    with session_scope() as session:
        cp = session.get(ChargePoint, checked.charge_point_id)
        if cp is None or cp.organisation_id not in scope:
            raise InputError({"charge_point_id": tr("No such charge point in your network.")})
        if checked.alarm_id is not None:
            alarm = session.get(Alarm, checked.alarm_id)
            if alarm is None or alarm.charge_point_id != cp.id:
                raise InputError({"alarm_id": tr("No such alarm of this charge point.")})
        assignee = checked.assignee_account_id
        if assignee is not None and not staff.assignable(session, scope, assignee):
            raise InputError({"assignee_account_id": tr("No such person in your organisation.")})
        row = create_work_order(
            session,
            organisation_id=cp.organisation_id,
            charge_point_id=stored_id(cp.id),
            title=checked.title,
            description=checked.description,
            priority=checked.priority,
            source=WorkOrderSource.ALARM if checked.alarm_id else WorkOrderSource.MANUAL,
            actor=caller.email,
            connector_id=checked.connector_id,
            alarm_id=checked.alarm_id,
            assignee_account_id=assignee,
            now=utc_now(),
        )
        event = work_order_event(row, identity_of(session, row.charge_point_id), created=True)
        work_order_id = stored_id(row.id)
    publish([event])
    return work_order_id
