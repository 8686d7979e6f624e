"""The alarm bell's view of one organisation: open alarms counted per audience and severity,
and the newest open alarms, each with who may hear of it.

Read by the live publisher after a batch with alarm events, for the organisations whose tabs
show the bell; shared by every tab of the organisation (about 2 KB whatever the number of
alarms). Each tab filters it by its own role (state.bell): an alarm's audience is its rule's
notify_role_ids ("" = every role that may view maintenance) and whether its rule wants a
browser toast (notify_browser; an alarm without a rule: everyone, toast).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from ccms_app.accounts import organisations, principals
from ccms_app.accounts.models import OperatorAccount
from ccms_app.core.db import read_session
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, AlarmStatus
from ccms_app.maintenance.notifications import bell_watch
from ccms_app.maintenance.notifications.rules.bell_view import AudienceCount, BellAlarm, BellView
from ccms_app.maintenance.notifications.rules.recipients import normalise_role_ids
from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.network.models import ChargePoint, Station

NEWEST = 20  # open alarms the bell carries for toasts
OPEN_STATUSES = (AlarmStatus.OPEN.value, AlarmStatus.ACKNOWLEDGED.value)
ALARMS_ROUTE = "/maintenance/alarms"


@dataclass(frozen=True)
class _Audience:
    roles: str
    toast: bool


def _audiences(rule_ids: Collection[int]) -> dict[int, _Audience]:
    if not rule_ids:
        return {}
    with read_session() as session:
        rows = session.exec(
            select(AlarmRule.id, AlarmRule.notify_role_ids, AlarmRule.notify_browser).where(
                col(AlarmRule.id).in_(list(rule_ids))
            )
        ).all()
    return {
        int(rid or 0): _Audience(normalise_role_ids(roles), toast) for rid, roles, toast in rows
    }


EVERYONE = _Audience("", True)


def load_bell(organisation_id: int) -> BellView:
    """The bell of an operator of `organisation_id` (it and its sub-operators)."""
    scope = list(organisations.organisation_scope(organisation_id))
    in_scope = (col(Alarm.organisation_id).in_(scope), col(Alarm.status).in_(OPEN_STATUSES))
    with read_session() as session:
        counted = session.exec(
            select(Alarm.rule_id, Alarm.severity, func.count())
            .where(*in_scope)
            .group_by(col(Alarm.rule_id), col(Alarm.severity))
        ).all()
        newest = session.exec(
            select(Alarm, ChargePoint.identity, Station.name)
            .join(ChargePoint, col(ChargePoint.id) == Alarm.charge_point_id)
            .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
            .where(*in_scope)
            .order_by(col(Alarm.id).desc())
            .limit(NEWEST)
        ).all()
    audiences = _audiences(
        {rid for rid, _, _ in counted if rid is not None}
        | {a.rule_id for a, _, _ in newest if a.rule_id is not None}
    )
    counts: dict[str, AudienceCount] = {}
    for rule_id, severity, number in counted:
        audience = audiences.get(rule_id, EVERYONE) if rule_id is not None else EVERYONE
        row = counts.setdefault(audience.roles, AudienceCount(roles=audience.roles))
        name = severity if severity in SEVERITY_ORDER else "warning"
        setattr(row, name, getattr(row, name) + int(number))
    return BellView(
        audiences=[counts[roles] for roles in sorted(counts)],
        newest=[_bell_alarm(a, identity, station, audiences) for a, identity, station in newest],
        updated_at=utc_now().isoformat(timespec="seconds"),
    )


def _bell_alarm(
    alarm: Alarm, identity: str, station: str | None, audiences: dict[int, _Audience]
) -> BellAlarm:
    audience = audiences.get(alarm.rule_id, EVERYONE) if alarm.rule_id is not None else EVERYONE
    connector = "" if alarm.connector_id == 0 else f" connector {alarm.connector_id}"
    return BellAlarm(
        id=alarm.id or 0,
        title=cause_label(alarm.cause),
        where=f"{identity}{connector}" + (f" · {station}" if station else ""),
        severity=alarm.severity,
        roles=audience.roles,
        toast=audience.toast,
        href=f"{ALARMS_ROUTE}/{alarm.id}",
    )


def load_bell_for_watchers(organisation_id: int) -> BellView:
    """The publisher's read: first forget tabs whose login ended, then the view."""
    watched = bell_watch.sessions()
    if watched:
        bell_watch.keep_sessions(principals.live_sessions(watched))
    return load_bell(organisation_id)


def account_role_id(account_id: int) -> int:
    """The role of a login's account (0 when the account is gone)."""
    with read_session() as session:
        account = session.get(OperatorAccount, account_id)
    return account.role_id if account is not None and account.role_id else 0
