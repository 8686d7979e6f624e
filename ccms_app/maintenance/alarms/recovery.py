"""Close an alarm because the charger recovered (connector no longer Faulted, back online,
firmware installed, data issues resolved, a start that worked).

The alarm keeps when it recovered and its downtime (from the fault's start, which MTTR and
uptime count from); its open key is cleared so the next fault opens a new alarm. The alarm
hooks run with "closed" in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.alarm_events import CLOSED, alarm_event
from ccms_app.maintenance.alarms.hooks import run_alarm_hooks
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmRule, AlarmStatus
from ccms_app.maintenance.alarms.raising import forget_open_alarm, open_alarm
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.maintenance.rules.downtime import downtime_seconds

log = logging.getLogger(__name__)

REASON_MAX = 200  # alarm.close_reason


def recover(
    session: Session, alarm: Alarm, identity: str, recovered_at: datetime, what: str
) -> NetworkEvent:
    """Close `alarm` as recovered at `recovered_at`; `what` says how (e.g. "status Available")."""
    if alarm.open_key is not None:
        forget_open_alarm(session, alarm.open_key)
    alarm.status = AlarmStatus.CLOSED
    alarm.recovered_at = recovered_at
    alarm.closed_at = recovered_at
    alarm.closed_by = ""
    alarm.close_reason = f"recovered: {what}"[:REASON_MAX]
    alarm.downtime_s = downtime_seconds(alarm.fault_started_at, recovered_at)
    alarm.open_key = None
    session.add(alarm)
    session.add(
        AlarmActivity(
            alarm_id=stored_id(alarm.id),
            at=recovered_at,
            kind=CLOSED,
            text=f"{alarm.close_reason}; down {alarm.downtime_s} s",
        )
    )
    session.flush()  # the key is free before anyone in this transaction raises it again
    rule = session.get(AlarmRule, alarm.rule_id) if alarm.rule_id is not None else None
    run_alarm_hooks(session, alarm, rule, CLOSED)
    log.info(
        "alarm closed on recovery",
        extra={"alarm_id": alarm.id, "identity": identity, "downtime_s": alarm.downtime_s},
    )
    return alarm_event(alarm, identity, CLOSED)


def recover_open(
    session: Session,
    charge_point_id: int,
    identity: str,
    connector_id: int,
    cause: str,
    recovered_at: datetime,
    what: str,
) -> NetworkEvent | None:
    """Close the open alarm of this charge point, connector and cause, if there is one."""
    alarm = open_alarm(session, open_key(charge_point_id, connector_id, cause))
    if alarm is None:
        return None
    return recover(session, alarm, identity, max(recovered_at, alarm.fault_started_at), what)
