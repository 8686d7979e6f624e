"""Fixtures for the users service tests: an operator's scope and a sub-operator's.

Import the fixtures into a test module (`from tests.drivers.support import ...`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.drivers.common import Scope
from ccms_app.network.provisioning import register_charge_point


@pytest.fixture
def scope(organisation: Organisation, partner_scope: Scope) -> Scope:
    """The network operator: sees itself and its sub-operator (`partner_scope`)."""
    assert organisation.id is not None
    return Scope.of(organisation.id)


@pytest.fixture
def partner_scope(organisation: Organisation) -> Scope:
    """A sub-operator of the operator: sees only its own rows."""
    with db.session_scope() as s:
        partner = Organisation(name="Partner CPO", parent_id=organisation.id)
        s.add(partner)
        s.flush()
        assert partner.id is not None
        partner_id = partner.id
    return Scope.of(partner_id)


def record_session(organisation_id: int, id_tag: str) -> int:
    """A finished charging session with `id_tag` (as a charge point would have sent it)."""
    cp = register_charge_point("CP-USERS-1", "Users Depot", organisation_id)
    with db.session_scope() as s:
        row = ChargingSession(
            organisation_id=organisation_id,
            charge_point_id=cp.charge_point_id,
            connector_id=1,
            id_tag=id_tag,
            status="completed",
            start_time=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
            stop_time=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            meter_start_wh=0,
            meter_stop_wh=12_000,
            energy_wh=12_000,
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id
