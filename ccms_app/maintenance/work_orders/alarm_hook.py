"""Work orders from alarms, in the alarm engine's transaction (hook "work_orders").

Raised: when the matching alarm rule says `create_work_order`, a work order (source rule,
priority from the rule, due from the SLA) for the alarm's charge point and connector, given
to the on-duty staff member covering the station's operation area with the fewest active
work orders (else nobody). One per alarm: a raise that finds an unfinished order of the
alarm adds none.
Closed: every unfinished work order of the alarm gets the note "alarm closed: charger
recovered" (verification closes the order itself once the charger stays well).
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.hooks import CLOSED, RAISED, register_alarm_hook
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule
from ccms_app.maintenance.rules.alarm_causes import CAUSE_LABELS
from ccms_app.maintenance.rules.sla import PRIORITIES
from ccms_app.maintenance.rules.work_order_status import UNFINISHED_STATUSES
from ccms_app.maintenance.work_orders import after_commit, staff
from ccms_app.maintenance.work_orders.common import add_event, work_order_event
from ccms_app.maintenance.work_orders.creation import create_work_order
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderSource
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)

HOOK_NAME = "work_orders"
RECOVERED_NOTE = "alarm closed: charger recovered"


def install() -> None:
    """Register the hook with the alarm engine (runtime.py, tests/conftest.py)."""
    after_commit.install()
    register_alarm_hook(HOOK_NAME, on_alarm)


def on_alarm(session: Session, alarm: Alarm, rule: AlarmRule | None, event: str) -> None:
    if event == RAISED and rule is not None and rule.create_work_order:
        _create_for(session, alarm, rule)
    elif event == CLOSED:
        _note_closed(session, alarm)


def _unfinished_of(session: Session, alarm_id: int) -> list[WorkOrder]:
    return list(
        session.exec(
            select(WorkOrder).where(
                col(WorkOrder.alarm_id) == alarm_id,
                col(WorkOrder.status).in_(sorted(UNFINISHED_STATUSES)),
            )
        ).all()
    )


def alarm_title(alarm: Alarm) -> str:
    """ "Connector faulted on connector 2: GroundFailure" and the like."""
    title = CAUSE_LABELS.get(alarm.cause, alarm.cause.replace("_", " ").capitalize())
    if alarm.connector_id:
        title += f" on connector {alarm.connector_id}"
    told = alarm.readable_cause or alarm.error_code
    if told and told != "NoError":
        title += f": {told}"
    return title


def alarm_description(alarm: Alarm) -> str:
    lines = [
        f"Alarm #{alarm.id} ({alarm.severity}), raised {alarm.first_raised_at:%Y-%m-%d %H:%M} UTC."
    ]
    said = [
        f"{name}: {value}"
        for name, value in (
            ("errorCode", alarm.error_code),
            ("info", alarm.info),
            ("vendorId", alarm.vendor_id),
            ("vendorErrorCode", alarm.vendor_error_code),
        )
        if value
    ]
    if said:
        lines.append("The charger said " + ", ".join(said) + ".")
    if alarm.detail:
        lines.append(alarm.detail)
    return "\n".join(lines)


def _create_for(session: Session, alarm: Alarm, rule: AlarmRule) -> None:
    alarm_id = stored_id(alarm.id)
    if _unfinished_of(session, alarm_id):
        return
    cp = session.get(ChargePoint, alarm.charge_point_id)
    if cp is None:
        return
    station = session.get(Station, cp.station_id) if cp.station_id else None
    assignee = staff.pick_assignee(
        session, alarm.organisation_id, station.area_id if station else None
    )
    priority = rule.work_order_priority if rule.work_order_priority in PRIORITIES else "medium"
    row = create_work_order(
        session,
        organisation_id=alarm.organisation_id,
        charge_point_id=alarm.charge_point_id,
        title=alarm_title(alarm),
        description=alarm_description(alarm),
        priority=priority,
        source=WorkOrderSource.RULE,
        actor="",
        connector_id=alarm.connector_id or None,
        alarm_id=alarm_id,
        assignee_account_id=assignee,
        now=utc_now(),
    )
    after_commit.publish_after_commit(session, work_order_event(row, cp.identity, created=True))
    log.info(
        "work order by alarm rule",
        extra={"work_order_id": row.id, "alarm_id": alarm_id, "assignee": assignee},
    )


def _note_closed(session: Session, alarm: Alarm) -> None:
    cp = session.get(ChargePoint, alarm.charge_point_id)
    identity = cp.identity if cp is not None else ""
    for row in _unfinished_of(session, stored_id(alarm.id)):
        add_event(session, row, "note", "", RECOVERED_NOTE)
        after_commit.publish_after_commit(session, work_order_event(row, identity, changed=True))
    session.flush()
