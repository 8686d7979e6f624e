"""Alarms as the engine leaves them, written straight to the test database, and callers of
given permissions: what the operator-action tests start from."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount, Role
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity, AlarmStatus
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.network.models import ChargePoint, OperationArea, Station

EDIT = ("maintenance:view", "maintenance:edit")


def caller(organisation_id: int, *permissions: str, email: str = "ops@ccms.test") -> Caller:
    return Caller(1, organisation_id, email, frozenset(permissions or EDIT), "127.0.0.1")


def charge_point(organisation_id: int, identity: str = "CP-1", station: str = "Depot") -> int:
    with db.session_scope() as session:
        area = OperationArea(organisation_id=organisation_id, name=f"Area of {station}")
        session.add(area)
        session.flush()
        site = Station(organisation_id=organisation_id, name=station, area_id=area.id)
        session.add(site)
        session.flush()
        cp = ChargePoint(
            organisation_id=organisation_id,
            identity=identity,
            station_id=site.id,
            vendor="Acme",
            model="Fast 50",
            registration_state="registered",
        )
        session.add(cp)
        session.flush()
        return cp.id or 0


def alarm(
    organisation_id: int,
    charge_point_id: int,
    *,
    cause: str = "connector_faulted",
    connector_id: int = 1,
    severity: str = "major",
    started: datetime | None = None,
    status: str = AlarmStatus.OPEN,
) -> int:
    """An open alarm (raised an hour ago unless `started` says otherwise) with its
    "raised" activity, as the engine writes it."""
    began = started or utc_now() - timedelta(hours=1)
    with db.session_scope() as session:
        row = Alarm(
            organisation_id=organisation_id,
            charge_point_id=charge_point_id,
            connector_id=connector_id,
            cause=cause,
            severity=severity,
            status=status,
            open_key=None
            if status == AlarmStatus.CLOSED
            else open_key(charge_point_id, connector_id, cause),
            error_code="GroundFailure",
            info="RCD tripped",
            vendor_id="Acme",
            vendor_error_code="E-17",
            readable_cause="Residual current device tripped",
            fault_started_at=began,
            first_raised_at=began,
            last_raised_at=began,
        )
        session.add(row)
        session.flush()
        session.add(AlarmActivity(alarm_id=row.id or 0, kind="raised", text="Faulted", at=began))
        return row.id or 0


def account(
    organisation_id: int, email: str, role: str = MAINTENANCE_STAFF, permissions: str = ""
) -> int:
    """An operator account holding a built-in role, or (with `permissions`) a custom role."""
    with db.session_scope() as session:
        if permissions:
            custom = Role(name=role, organisation_id=organisation_id, permissions=permissions)
            session.add(custom)
            session.flush()
            role_id = custom.id or 0
        else:
            role_id = auth.built_in_role_id(session, role)
        row = OperatorAccount(
            organisation_id=organisation_id,
            email=email,
            full_name=email.split("@")[0].title(),
            password_hash="-",
            role_id=role_id,
        )
        session.add(row)
        session.flush()
        return row.id or 0


def stored(alarm_id: int) -> Alarm:
    with db.read_session() as session:
        found = session.get(Alarm, alarm_id)
        assert found is not None
        return found


def activity(alarm_id: int) -> list[tuple[str, str, str]]:
    """(kind, actor, text) of the alarm's timeline, oldest first."""
    with db.read_session() as session:
        rows = session.exec(
            select(AlarmActivity)
            .where(AlarmActivity.alarm_id == alarm_id)
            .order_by(col(AlarmActivity.id))
        ).all()
        return [(r.kind, r.actor, r.text) for r in rows]
