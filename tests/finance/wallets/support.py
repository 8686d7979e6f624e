"""A small wallet network: an operator (EUR billing profile, Europe/Berlin) with a
sub-operator, drivers, a group account with an authorised and an unauthorised member, and a
driver of another, unrelated operator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, UserGroup, UserGroupMember
from ccms_app.finance.models import BillingProfile


@dataclass(frozen=True)
class WalletWorld:
    organisation_id: int
    sub_operator_id: int
    other_organisation_id: int
    zoe: int  # driver, authorised member of the fleet
    jan: int  # driver, member of the fleet but not authorised
    ola: int  # driver of the sub-operator
    fleet: int  # group account
    stranger: int  # driver of the other operator


@pytest.fixture
def wallet_world(engine, organisation: Organisation) -> WalletWorld:
    org_id = stored_id(organisation.id)
    with db.session_scope() as s:
        sub = Organisation(name="Sub Operator", parent_id=org_id)
        other = Organisation(name="Other Operator")
        s.add_all([sub, other])
        s.flush()
        s.add(BillingProfile(organisation_id=org_id, currency="EUR", time_zone="Europe/Berlin"))
        zoe = Driver(organisation_id=org_id, name="Zoë Müller", email="zoe@example.com")
        jan = Driver(organisation_id=org_id, name="Jan Kowalski", email="jan@example.com")
        ola = Driver(organisation_id=stored_id(sub.id), name="Ola Nordmann")
        stranger = Driver(organisation_id=stored_id(other.id), name="Stranger")
        fleet = UserGroup(organisation_id=org_id, name="Fleet", account_name="Müller Fleet GmbH")
        s.add_all([zoe, jan, ola, stranger, fleet])
        s.flush()
        s.add_all(
            [
                UserGroupMember(group_id=stored_id(fleet.id), driver_id=stored_id(zoe.id)),
                UserGroupMember(
                    group_id=stored_id(fleet.id), driver_id=stored_id(jan.id), authorised=False
                ),
            ]
        )
        return WalletWorld(
            organisation_id=org_id,
            sub_operator_id=stored_id(sub.id),
            other_organisation_id=stored_id(other.id),
            zoe=stored_id(zoe.id),
            jan=stored_id(jan.id),
            ola=stored_id(ola.id),
            fleet=stored_id(fleet.id),
            stranger=stored_id(stranger.id),
        )
