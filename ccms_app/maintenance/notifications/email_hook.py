"""Queue an alarm's e-mail in the transaction that raises it (the outbox the digest job sends).

The engine calls the registered hooks inside its transaction (maintenance.alarms.hooks), so
an alarm and its notification row commit together: an alarm is never raised without its
mail being queued, and a crash before the commit leaves neither. Writing the row is all that
happens here; no SMTP on the charger's path.
"""

from __future__ import annotations

from sqlmodel import Session

from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.hooks import RAISED, register_alarm_hook
from ccms_app.maintenance.alarms.models import Alarm, AlarmNotification, AlarmRule
from ccms_app.maintenance.notifications.rules.recipients import normalise_recipients

HOOK_NAME = "email"


def queue_alarm_email(session: Session, alarm: Alarm, rule: AlarmRule | None, event: str) -> None:
    """A newly raised alarm whose rule names e-mail recipients gets one outbox row."""
    if event != RAISED or rule is None:
        return
    recipients = normalise_recipients(rule.email_recipients)
    if not recipients:
        return
    if alarm.id is None:
        session.flush()
    session.add(
        AlarmNotification(
            alarm_id=alarm.id or 0,
            organisation_id=alarm.organisation_id,
            recipients=recipients,
            event=RAISED,
            created_at=utc_now(),
        )
    )


def install() -> None:
    """Register the e-mail hook (runtime.py and tests/conftest.py; idempotent)."""
    register_alarm_hook(HOOK_NAME, queue_alarm_email)
