"""A small maintained network on the test database: an operator, an operation area with a
station and a two-connector charge point, a Maintenance staff technician (on duty, covering
the area), a second technician and an administrator, as use case callers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount, Organisation
from ccms_app.accounts.roles import Caller
from ccms_app.accounts.rules.permissions import ADMINISTRATOR, BUILT_IN_ROLES, MAINTENANCE_STAFF
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.work_orders.models import MaintenanceStaff, MaintenanceStaffArea
from ccms_app.network.models import ChargePoint, Connector, OperationArea, Station


@dataclass
class Workshop:
    organisation_id: int
    area_id: int
    station_id: int
    charge_point_id: int
    identity: str
    tech: Caller  # Maintenance staff, on duty, covers the area
    other_tech: Caller  # Maintenance staff without a profile
    admin: Caller

    def caller(self, who: str) -> Caller:
        return getattr(self, who)


def _account(organisation_id: int, email: str, role: str, name: str) -> Caller:
    with session_scope() as s:
        account = OperatorAccount(
            organisation_id=organisation_id,
            email=email,
            full_name=name,
            password_hash="-",
            role_id=auth.built_in_role_id(s, role),
        )
        s.add(account)
        s.flush()
        account_id = stored_id(account.id)
    return Caller(account_id, organisation_id, email, BUILT_IN_ROLES[role], "192.0.2.9")


def make_workshop(
    organisation: Organisation, identity: str = "CP-WO-1", prefix: str = ""
) -> Workshop:
    org_id = stored_id(organisation.id)
    with session_scope() as s:
        area = OperationArea(organisation_id=org_id, name="North")
        s.add(area)
        s.flush()
        station = Station(
            organisation_id=org_id, area_id=area.id, name="Depot", timezone="Europe/Berlin"
        )
        s.add(station)
        s.flush()
        cp = ChargePoint(
            organisation_id=org_id,
            station_id=station.id,
            identity=identity,
            vendor="ACME",
            model="Wallbox 22",
            registration_state="registered",
            is_online=True,
            status="Available",
        )
        s.add(cp)
        s.flush()
        for number in (1, 2):
            s.add(
                Connector(
                    organisation_id=org_id,
                    charge_point_id=stored_id(cp.id),
                    connector_id=number,
                    status="Available",
                )
            )
        ids = (stored_id(area.id), stored_id(station.id), stored_id(cp.id))
    tech = _account(org_id, f"{prefix}tech@example.com", MAINTENANCE_STAFF, "Toni Tech")
    other = _account(org_id, f"{prefix}other@example.com", MAINTENANCE_STAFF, "Olga Other")
    admin = _account(org_id, f"{prefix}admin@example.com", ADMINISTRATOR, "Ada Admin")
    with session_scope() as s:
        s.add(MaintenanceStaff(account_id=tech.account_id, organisation_id=org_id, phone="+49 1"))
        s.flush()
        s.add(MaintenanceStaffArea(account_id=tech.account_id, area_id=ids[0]))
    return Workshop(org_id, *ids, identity, tech, other, admin)


@pytest.fixture
def workshop(organisation: Organisation) -> Workshop:
    return make_workshop(organisation)
