"""The bus event of an alarm change (kind="alarm", design of issue 14): the live pages, the
browser notifications and the webhooks hear it after the commit."""

from __future__ import annotations

from ccms_app.core.events import NetworkEvent
from ccms_app.maintenance.alarms.models import Alarm

RAISED = "raised"
REPEATED = "repeated"
CLOSED = "closed"
CHANGED = "changed"  # an operator's action (acknowledge, assign, close by hand, ...)
FLAGS = (RAISED, REPEATED, CLOSED, CHANGED)


def alarm_event(alarm: Alarm, identity: str, flag: str) -> NetworkEvent:
    """What changed about `alarm`; `flag` is one of FLAGS."""
    if flag not in FLAGS:
        raise ValueError(f"alarm event flag must be one of {', '.join(FLAGS)}, not {flag!r}")
    return NetworkEvent(
        kind="alarm",
        charge_point_id=alarm.charge_point_id,
        identity=identity,
        data={
            "alarm_id": alarm.id,
            "organisation_id": alarm.organisation_id,
            "connector_id": alarm.connector_id,
            "cause": alarm.cause,
            "severity": alarm.severity,
            "status": alarm.status,
            flag: True,
        },
    )
