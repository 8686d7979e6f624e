"""What operators do with an alarm: acknowledge, assign, comment, close with a reason, reopen,
mark its downtime as excluded (NEVI), and acknowledge many at once.

The Alarms pages and the REST API call these. Every action needs maintenance:edit, checked
here again against the caller of this very request (a refusal is audited), works on alarms
of the caller's organisation scope only (others do not exist for it), writes one
`AlarmActivity` row with the actor, and publishes a kind="alarm" event with "changed": True
after the commit, so open alarm pages, the bell and webhooks follow.

The alarm row is read locked (SQLite's writing transaction, PostgreSQL's FOR UPDATE), so an
operator's close and the engine's recovery of the same alarm cannot both win: whichever
comes second sees the alarm closed. A close clears `open_key`, so the next fault of the same
connector and cause opens a new alarm.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.accounts.roles import Caller, InputError, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import gettext, reader_language, tr
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.alarm_events import CHANGED, alarm_event
from ccms_app.maintenance.alarms.assignees import assignee_problem
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmStatus
from ccms_app.maintenance.alarms.scoped import scoped_row
from ccms_app.maintenance.rules import alarm_admin
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

EDIT_PERMISSION = permission(Module.MAINTENANCE, Action.EDIT)
OBJECT = "alarm"
OPEN_STATES = (AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED)


class AlarmStateError(Exception):
    """The alarm's state refuses the action (closing a closed alarm, ...): HTTP 409."""


def _identity(session: Session, alarm: Alarm) -> str:
    found = session.exec(
        select(ChargePoint.identity).where(col(ChargePoint.id) == alarm.charge_point_id)
    ).first()
    return str(found or "")


def _activity(session: Session, alarm: Alarm, caller: Caller, kind: str, text: str = "") -> None:
    session.add(
        AlarmActivity(
            alarm_id=alarm.id or 0, actor=caller.email[:320], kind=kind, text=text, at=utc_now()
        )
    )


def _changed(session: Session, alarm: Alarm, caller: Caller, kind: str, text: str) -> NetworkEvent:
    _activity(session, alarm, caller, kind, text)
    session.add(alarm)
    session.flush()
    return alarm_event(alarm, _identity(session, alarm), CHANGED)


def _published(event: NetworkEvent, kind: str, caller: Caller) -> None:
    get_event_bus().publish(event)
    log.info(
        "alarm changed",
        extra={"alarm_id": event.data.get("alarm_id"), "action": kind, "actor": caller.email},
    )


def _still_open(alarm: Alarm, doing: str) -> None:
    """`doing`: "acknowledge" or "assign" (the refusal says which, as a whole sentence)."""
    if alarm.status in OPEN_STATES:
        return
    if doing == "assign":
        text = tr("Alarm {id} is closed: reopen it before you assign it.", id=alarm.id)
    else:
        text = tr("Alarm {id} is closed: reopen it before you acknowledge it.", id=alarm.id)
    raise AlarmStateError(text)


def _shown_label(label: str) -> str:
    """An exclusion label inside a sentence: lower case in English (as it always read)."""
    shown = gettext(reader_language(), label)
    return shown.lower() if shown == label else shown


def acknowledge(caller: Caller, alarm_id: int, now: datetime | None = None) -> Alarm:
    """Someone is on it: open -> acknowledged (still open)."""
    action = "alarm.acknowledge"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        _still_open(alarm, "acknowledge")
        if alarm.status == AlarmStatus.ACKNOWLEDGED:
            if not alarm.acknowledged_by:
                raise AlarmStateError(
                    tr("Alarm {alarm_id} was already acknowledged by someone.", alarm_id=alarm_id)
                )
            raise AlarmStateError(
                tr(
                    "Alarm {alarm_id} was already acknowledged by {who}.",
                    alarm_id=alarm_id,
                    who=alarm.acknowledged_by,
                )
            )
        _acknowledge(alarm, caller, now or utc_now())
        event = _changed(session, alarm, caller, "acknowledged", "")
    _published(event, "acknowledge", caller)
    return alarm


def _acknowledge(alarm: Alarm, caller: Caller, now: datetime) -> None:
    alarm.status = AlarmStatus.ACKNOWLEDGED
    alarm.acknowledged_at, alarm.acknowledged_by = now, caller.email[:320]


def acknowledge_many(caller: Caller, alarm_ids: Sequence[int]) -> list[int]:
    """Acknowledge every open alarm of `alarm_ids` in the scope; the ids acknowledged now
    (already acknowledged, closed or unknown ones are left as they are)."""
    action = "alarm.acknowledge"
    require(caller, EDIT_PERMISSION, action, OBJECT, "bulk")
    wanted = sorted({int(i) for i in alarm_ids})
    if len(wanted) > alarm_admin.MAX_BULK:
        message = tr(
            "At most {limit} alarms at once ({count} chosen).",
            limit=alarm_admin.MAX_BULK,
            count=len(wanted),
        )
        raise InputError({"alarm_ids": message})
    now, events, done = utc_now(), [], []
    with session_scope() as session:
        rows = session.exec(
            select(Alarm)
            .where(
                col(Alarm.id).in_(wanted),
                col(Alarm.organisation_id).in_(list(caller.scope())),
                col(Alarm.status) == AlarmStatus.OPEN,
            )
            .with_for_update()
        ).all()
        for alarm in rows:
            _acknowledge(alarm, caller, now)
            events.append(_changed(session, alarm, caller, "acknowledged", ""))
            done.append(alarm.id or 0)
    for event in events:
        _published(event, "acknowledge", caller)
    return done


def assign(caller: Caller, alarm_id: int, account_id: int | None) -> Alarm:
    """Give the alarm to an operator account that can see it (None: nobody)."""
    action = "alarm.assign"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        _still_open(alarm, "assign")
        if account_id is None:
            if alarm.assignee_account_id is None:
                raise AlarmStateError(
                    tr("Alarm {alarm_id} is not assigned to anyone.", alarm_id=alarm_id)
                )
            alarm.assignee_account_id = None
            event = _changed(session, alarm, caller, "unassigned", "")
        else:
            account = session.get(OperatorAccount, account_id)
            problem = assignee_problem(session, account, alarm.organisation_id, caller.scope())
            if account is None or problem:
                raise InputError({"assignee_account_id": problem})
            alarm.assignee_account_id = account_id
            text = f"Assigned to {account.full_name or account.email} ({account.email})"
            event = _changed(session, alarm, caller, "assigned", text)
    _published(event, "assign", caller)
    return alarm


def comment(caller: Caller, alarm_id: int, text: str) -> AlarmActivity:
    """A note on the alarm's timeline (closed alarms take comments too)."""
    action = "alarm.comment"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    problem = alarm_admin.comment_error(text)
    if problem:
        raise InputError({"text": problem})
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        row = AlarmActivity(
            alarm_id=alarm_id, actor=caller.email[:320], kind="comment", text=text.strip()
        )
        session.add(row)
        session.flush()
        event = alarm_event(alarm, _identity(session, alarm), CHANGED)
    _published(event, "comment", caller)
    return row


def close(caller: Caller, alarm_id: int, reason: str, now: datetime | None = None) -> Alarm:
    """Close with a reason; the downtime runs from the fault's start to the recovery, or to
    now when the charger has not recovered. The next fault opens a new alarm."""
    action = "alarm.close"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    problem = alarm_admin.close_reason_error(reason)
    if problem:
        raise InputError({"reason": problem})
    closed_at = now or utc_now()
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        if alarm.status == AlarmStatus.CLOSED:
            if not alarm.closed_by:
                raise AlarmStateError(
                    tr(
                        "Alarm {alarm_id} was already closed by CCMS (the charger recovered).",
                        alarm_id=alarm_id,
                    )
                )
            raise AlarmStateError(
                tr(
                    "Alarm {alarm_id} was already closed by {who}.",
                    alarm_id=alarm_id,
                    who=alarm.closed_by,
                )
            )
        alarm.status, alarm.open_key = AlarmStatus.CLOSED, None
        alarm.closed_at, alarm.closed_by = closed_at, caller.email[:320]
        alarm.close_reason = reason.strip()
        alarm.downtime_s = alarm_admin.closing_downtime_s(
            alarm.fault_started_at, alarm.recovered_at, closed_at
        )
        event = _changed(session, alarm, caller, "closed", reason.strip())
    _published(event, "close", caller)
    return alarm


def reopen(caller: Caller, alarm_id: int, note: str = "") -> Alarm:
    """A closed alarm is open again (the fault is back, it was closed by mistake), unless a
    newer alarm of the same charge point, connector and cause is open already."""
    action = "alarm.reopen"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    if len(note.strip()) > alarm_admin.MAX_CLOSE_REASON:
        raise InputError(
            {"note": tr("At most {limit} characters.", limit=alarm_admin.MAX_CLOSE_REASON)}
        )
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        if alarm.status != AlarmStatus.CLOSED:
            raise AlarmStateError(
                tr("Alarm {alarm_id} is open: there is nothing to reopen.", alarm_id=alarm_id)
            )
        key = open_key(alarm.charge_point_id, alarm.connector_id, alarm.cause)
        newer = session.exec(select(Alarm.id).where(col(Alarm.open_key) == key)).first()
        if newer is not None:
            raise AlarmStateError(
                tr(
                    "Alarm {newer} is open for the same fault: work on that one instead.",
                    newer=newer,
                )
            )
        alarm.status, alarm.open_key = AlarmStatus.OPEN, key
        alarm.closed_at, alarm.closed_by, alarm.close_reason = None, "", ""
        alarm.recovered_at, alarm.downtime_s = None, None
        alarm.acknowledged_at, alarm.acknowledged_by = None, ""
        event = _changed(session, alarm, caller, "reopened", note.strip())
    _published(event, "reopen", caller)
    return alarm


def set_exclusion(caller: Caller, alarm_id: int, reason: str) -> Alarm:
    """Mark the alarm's downtime as excluded from uptime for a NEVI reason ("" counts it)."""
    action = "alarm.exclusion"
    require(caller, EDIT_PERMISSION, action, OBJECT, alarm_id)
    problem = alarm_admin.exclusion_error(reason)
    if problem:
        raise InputError({"reason": problem})
    with scoped_row(caller, Alarm, alarm_id, action, OBJECT, "alarm") as (session, alarm):
        if alarm.excluded_reason == reason:
            raise AlarmStateError(
                tr(
                    "Alarm {alarm_id} is already {exclusion_label}.",
                    alarm_id=alarm_id,
                    exclusion_label=_shown_label(alarm_admin.exclusion_label(reason)),
                )
            )
        alarm.excluded_reason = reason
        text = alarm_admin.exclusion_label(reason)
        kind = "excluded" if reason else "exclusion_removed"
        event = _changed(session, alarm, caller, kind, text)
    _published(event, "exclusion", caller)
    return alarm
