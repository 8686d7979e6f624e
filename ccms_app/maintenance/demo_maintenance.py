"""The demo network's maintenance set-up, so `make run` shows the whole loop: the simulated
fleet injects faults (ocpp_server/simulator/fleet.py), the alarm rules below raise alarms, tell
the maintenance inbox and open work orders for a technician who covers the demo's areas.

Idempotent: rows are found by their natural keys and left as an operator changed them. The
technician logs in with the demo admin's password (the demo only; printed at start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, select

from ccms_app.accounts.auth import built_in_role_id, hash_password
from ccms_app.accounts.models import OperatorAccount
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import (
    AlarmCause,
    AlarmRule,
    AlarmSeverity,
    VendorErrorCode,
)
from ccms_app.maintenance.work_orders.models import (
    MaintenancePlan,
    MaintenanceStaff,
    MaintenanceStaffArea,
    WorkOrderPriority,
)
from ccms_app.network.models import OperationArea

DEMO_TECHNICIAN_EMAIL = "technician@ccms.local"
DEMO_MAINTENANCE_INBOX = "maintenance@ccms.local"
SIMULATOR_VENDOR = "CCMS-Sim"
SIMULATOR_MODEL = "SimCharger-22"

# (cause, name, severity, work order priority or None)
DEMO_RULES: tuple[tuple[AlarmCause, str, AlarmSeverity, WorkOrderPriority | None], ...] = (
    (AlarmCause.CONNECTOR_FAULTED, "Connector faults", AlarmSeverity.MAJOR, WorkOrderPriority.HIGH),
    (AlarmCause.OFFLINE, "Charger offline", AlarmSeverity.CRITICAL, WorkOrderPriority.CRITICAL),
    (AlarmCause.FAILED_STARTS, "Failed starts", AlarmSeverity.MINOR, None),
)
# The simulator's vendor codes ("SIM-" + the first 8 letters of the OCPP errorCode, upper case).
DEMO_VENDOR_CODES: tuple[tuple[str, str], ...] = (
    ("SIM-GROUNDFA", "Residual current device tripped: check the cable and the RCD"),
    ("SIM-OVERCURR", "Over-current: the vehicle drew more than the connector's rating"),
    ("SIM-HIGHTEMP", "Cabinet over temperature: check the fans and the air filter"),
    ("SIM-POWERMET", "Energy meter not answering: check the meter's bus wiring"),
    ("SIM-CONNECTO", "Connector lock failed: the plug could not be locked or released"),
    ("SIM-EVCOMMUN", "Vehicle communication lost (control pilot)"),
    ("SIM-OVERVOLT", "Grid over-voltage: check the supply"),
    ("SIM-INTERNAL", "Controller internal error: a reset usually clears it"),
)


def seed_demo_maintenance(organisation_id: int, password: str) -> int:
    """Alarm rules, vendor codes, a technician with a staff profile and a half-yearly
    inspection plan for the operator; returns how many rows were created."""
    with session_scope() as session:
        created = _rules(session, organisation_id)
        created += _vendor_codes(session, organisation_id)
        created += _technician(session, organisation_id, password)
        created += _plan(session, organisation_id)
    return created


def _rules(session: Session, organisation_id: int) -> int:
    existing = set(
        session.exec(select(AlarmRule.name).where(AlarmRule.organisation_id == organisation_id))
    )
    created = 0
    for cause, name, severity, priority in DEMO_RULES:
        if name in existing:
            continue
        session.add(
            AlarmRule(
                organisation_id=organisation_id,
                name=name,
                cause=cause,
                severity=severity,
                email_recipients=DEMO_MAINTENANCE_INBOX,
                create_work_order=priority is not None,
                work_order_priority=priority or WorkOrderPriority.MEDIUM,
            )
        )
        created += 1
    return created


def _vendor_codes(session: Session, organisation_id: int) -> int:
    existing = set(
        session.exec(
            select(VendorErrorCode.vendor_error_code).where(
                VendorErrorCode.organisation_id == organisation_id,
                VendorErrorCode.vendor == SIMULATOR_VENDOR,
            )
        )
    )
    rows = [
        VendorErrorCode(
            organisation_id=organisation_id,
            vendor=SIMULATOR_VENDOR,
            vendor_error_code=code,
            readable_cause=cause,
        )
        for code, cause in DEMO_VENDOR_CODES
        if code not in existing
    ]
    session.add_all(rows)
    return len(rows)


def _technician(session: Session, organisation_id: int, password: str) -> int:
    account = session.exec(
        select(OperatorAccount).where(OperatorAccount.email == DEMO_TECHNICIAN_EMAIL)
    ).first()
    if account is not None:
        return 0
    account = OperatorAccount(
        organisation_id=organisation_id,
        email=DEMO_TECHNICIAN_EMAIL,
        full_name="Demo Technician",
        password_hash=hash_password(password),
        role_id=built_in_role_id(session, MAINTENANCE_STAFF),
    )
    session.add(account)
    session.flush()
    assert account.id is not None
    session.add(MaintenanceStaff(account_id=account.id, organisation_id=organisation_id))
    session.flush()
    areas = _area_ids(session, organisation_id)
    session.add_all(MaintenanceStaffArea(account_id=account.id, area_id=a) for a in areas)
    return 2 + len(areas)


def _area_ids(session: Session, organisation_id: int) -> Sequence[int]:
    return [
        area_id
        for area_id in session.exec(
            select(OperationArea.id).where(OperationArea.organisation_id == organisation_id)
        )
        if area_id is not None
    ]


def _plan(session: Session, organisation_id: int) -> int:
    name = "Half-yearly inspection"
    if session.exec(
        select(MaintenancePlan.id).where(
            MaintenancePlan.organisation_id == organisation_id, MaintenancePlan.name == name
        )
    ).first():
        return 0
    session.add(
        MaintenancePlan(
            organisation_id=organisation_id,
            name=name,
            vendor=SIMULATOR_VENDOR,
            model=SIMULATOR_MODEL,
            every_months=6,
            next_due_at=utc_now() + timedelta(days=30),
            description="Visual check, RCD test, cable and connector wear, cabinet filters.",
        )
    )
    return 1
