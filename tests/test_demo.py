"""The demo seed against a real migrated database."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from ccms_app.accounts.api_keys import create_api_key_from_cli, principal_for_api_key
from ccms_app.accounts.auth import verify_password
from ccms_app.accounts.models import ApiKey, AuditEntry, OperatorAccount, Organisation
from ccms_app.core.types import utc_now
from ccms_app.demo import demo_id_tags, seed_demo
from ccms_app.demo_api_key import DEMO_API_KEY_NAME, renew_demo_api_key
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.demo import DEMO_DRIVER_EMAIL, DEMO_DRIVER_PASSWORD
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.models import AssignmentTarget, BillingProfile, TariffAssignment
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.wallets.ledger import balance
from ccms_app.maintenance.alarms.models import AlarmRule, VendorErrorCode
from ccms_app.maintenance.demo_maintenance import DEMO_MAINTENANCE_INBOX, DEMO_TECHNICIAN_EMAIL
from ccms_app.maintenance.work_orders.models import MaintenancePlan, MaintenanceStaffArea
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    OperationArea,
    RegistrationState,
    Station,
)
from tests.fixtures.settings import SettingsEnv

_TABLES = (Organisation, OperationArea, Station, ChargePoint, Connector, Driver, IdTag)


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (*_TABLES, OperatorAccount)
    }


@pytest.fixture(autouse=True)
def _info_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Build every INFO record, so a bad `extra` key fails here and not in production."""
    caplog.set_level(logging.INFO)


@pytest.fixture(autouse=True)
def _admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCMS_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("CCMS_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("CCMS_OPERATOR_NAME", raising=False)


def test_seed_builds_the_demo_network(session: Session) -> None:
    summary = seed_demo(5, connectors=2)

    assert summary.operator == "CCMS Demo Operator"
    assert summary.registered == ("DEMO-CP-0001", "DEMO-CP-0002", "DEMO-CP-0003", "DEMO-CP-0004")
    assert summary.unregistered_identity == "DEMO-CP-0005"
    assert summary.created["charge points"] == 4
    assert summary.created["connectors"] == 8
    assert summary.admin_created and summary.admin_email == "admin@ccms.local"

    operator = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).one()
    subs = session.exec(select(Organisation).where(Organisation.parent_id == operator.id)).all()
    assert len(subs) == 1
    assert len(session.exec(select(OperationArea)).all()) == 2
    stations = session.exec(select(Station)).all()
    assert {s.timezone for s in stations} == {"Europe/Amsterdam", "Europe/Berlin", "Europe/Paris"}
    assert all(s.address and s.latitude and s.longitude and s.area_id for s in stations)

    cps = session.exec(select(ChargePoint)).all()
    assert all(cp.registration_state == RegistrationState.REGISTERED for cp in cps)
    assert len({cp.station_id for cp in cps}) == 3  # spread over every station
    connectors = session.exec(select(Connector)).all()
    assert {(c.connector_type, c.max_power_w) for c in connectors} == {("Type2", 22_000)}
    assert {c.connector_id for c in connectors} == {1, 2}


def test_seed_twice_creates_nothing_new(session: Session) -> None:
    seed_demo(10)
    before = _counts(session)

    again = seed_demo(10)

    assert _counts(session) == before
    assert again.created == {}
    assert not again.admin_created
    assert "created: nothing" in again.lines()


def test_last_fleet_identity_is_not_seeded(session: Session) -> None:
    summary = seed_demo(10)

    identities = set(session.exec(select(ChargePoint.identity)).all())
    assert "DEMO-CP-0010" not in identities
    assert "DEMO-CP-0009" in identities
    assert summary.unregistered_identity == "DEMO-CP-0010"
    assert any("DEMO-CP-0010 is left unregistered" in line for line in summary.lines())


def test_fleet_of_one_is_registered(session: Session) -> None:
    summary = seed_demo(1)

    assert summary.registered == ("DEMO-CP-0001",)
    assert summary.unregistered_identity is None


def test_growing_the_fleet_registers_a_charge_point_that_booted_unknown(
    session: Session,
) -> None:
    seed_demo(3)
    operator = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).one()
    session.add(ChargePoint(identity="DEMO-CP-0003", organisation_id=operator.id))  # its boot
    session.commit()

    summary = seed_demo(5)

    assert summary.created["registrations"] == 1
    session.rollback()  # end the read snapshot: see what the use case committed
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == "DEMO-CP-0003")).one()
    assert cp.registration_state == RegistrationState.REGISTERED and cp.station_id is not None


def test_seed_keeps_an_existing_root_operator(session: Session, organisation: Organisation) -> None:
    summary = seed_demo(2)

    assert summary.operator == organisation.name
    assert session.exec(select(func.count()).select_from(Organisation)).one() == 2


def test_demo_tags_and_admin(session: Session, settings_env: SettingsEnv) -> None:
    settings_env.setenv("CCMS_ADMIN_EMAIL", "Ops@Example.com")
    settings_env.setenv("CCMS_ADMIN_PASSWORD", "a-long-secret")
    seed_demo(2)

    tags = {t.id_tag: t for t in session.exec(select(IdTag)).all()}
    for tag in demo_id_tags():
        assert tags[tag].status == "active" and tags[tag].expiry_date is None
        assert tags[tag].driver_id is not None
    assert len(demo_id_tags()) == 20
    assert tags["DEMO-TAG-BLOCKED"].status == "blocked"
    expired = tags["DEMO-TAG-EXPIRED"].expiry_date
    assert expired is not None and utc_now() - timedelta(days=2) < expired < utc_now()
    account = session.exec(
        select(OperatorAccount).where(OperatorAccount.email != DEMO_TECHNICIAN_EMAIL)
    ).one()
    assert account.email == "ops@example.com" and account.role_id == 1  # Administrator
    assert verify_password(account.password_hash, "a-long-secret")


def test_seed_rejects_bad_sizes(engine: Engine) -> None:
    with pytest.raises(ValueError, match="fleet size"):
        seed_demo(-1)
    with pytest.raises(ValueError, match="connectors"):
        seed_demo(2, connectors=0)


def test_the_demo_key_is_an_administrator_key_of_the_root_operator(session: Session) -> None:
    summary = seed_demo(2)

    demo_key = renew_demo_api_key()

    principal = principal_for_api_key(demo_key.key)
    assert principal is not None and principal.role_name == "Administrator"
    assert principal.organisation_name == summary.operator
    assert demo_key.view.name == DEMO_API_KEY_NAME and demo_key.revoked == 0
    assert demo_key.curl_example("http://localhost:3000") == (
        f'curl -H "Authorization: Bearer {demo_key.key}" http://localhost:3000/api/v1/charge-points'
    )
    (row,) = session.exec(select(ApiKey)).all()
    assert row.key_hash != demo_key.key  # only the hash is kept


def test_renewing_the_demo_key_revokes_the_previous_one_only(session: Session) -> None:
    seed_demo(2)
    first = renew_demo_api_key()
    integration = create_api_key_from_cli("ERP export", "Viewer", None)

    second = renew_demo_api_key()

    assert second.revoked == 1 and second.key != first.key
    assert principal_for_api_key(first.key) is None
    assert principal_for_api_key(second.key) is not None
    assert principal_for_api_key(integration.key) is not None  # not a demo key: kept
    working = session.exec(
        select(ApiKey).where(ApiKey.name == DEMO_API_KEY_NAME, ApiKey.revoked_at.is_(None))
    ).all()
    assert [k.id for k in working] == [second.view.id]
    (revoked,) = session.exec(select(AuditEntry).where(AuditEntry.action == "api_key.revoke"))
    assert (revoked.actor, revoked.object_id) == ("demo", str(first.view.id))


def test_the_demo_network_is_priced(session: Session) -> None:
    """Each demo organisation gets a billing profile and a network default tariff, once."""
    seed_demo(3)
    profiles = session.exec(select(BillingProfile)).all()
    defaults = session.exec(
        select(TariffAssignment).where(TariffAssignment.target_kind == AssignmentTarget.NETWORK)
    ).all()
    assert len(profiles) == 2 and {p.currency for p in profiles} == {"EUR"}
    assert len(defaults) == 2
    seed_demo(3)
    assert len(session.exec(select(TariffAssignment)).all()) == 2


def test_the_demo_network_is_maintained(session: Session) -> None:
    """Alarm rules that e-mail and open work orders, the simulator's vendor codes in words,
    a technician who covers every demo area and can log in, a preventive plan: once."""
    seed_demo(3)
    rules = {r.cause: r for r in session.exec(select(AlarmRule)).all()}
    assert rules["connector_faulted"].create_work_order
    assert rules["connector_faulted"].email_recipients == DEMO_MAINTENANCE_INBOX
    codes = session.exec(select(VendorErrorCode.vendor_error_code)).all()
    assert "SIM-GROUNDFA" in codes and len(codes) == 8
    technician = session.exec(
        select(OperatorAccount).where(OperatorAccount.email == DEMO_TECHNICIAN_EMAIL)
    ).one()
    assert verify_password(technician.password_hash, "ccms-demo-admin")
    areas = session.exec(select(MaintenanceStaffArea.area_id)).all()
    assert (
        len(areas)
        == len(
            session.exec(
                select(OperationArea.id).where(
                    OperationArea.organisation_id == technician.organisation_id
                )
            ).all()
        )
        > 0
    )
    assert len(session.exec(select(MaintenancePlan)).all()) == 1
    seed_demo(3)
    assert len(session.exec(select(AlarmRule)).all()) == len(rules)
    assert len(session.exec(select(MaintenancePlan)).all()) == 1


def test_the_demo_driver_can_sign_in_to_the_app_with_money_in_the_wallet(
    session: Session,
) -> None:
    seed_demo(2)
    seed_demo(2)  # idempotent: one account, one credit
    account = driver_accounts.find_account(DEMO_DRIVER_EMAIL)
    assert account is not None and account.email_verified_at is not None
    assert driver_accounts.check_password(account, DEMO_DRIVER_PASSWORD) is account
    currency = organisation_currency(session, account.organisation_id)
    assert balance(session, "driver", account.driver_id, currency).total_minor == 2500


def test_the_report_stops_calling_the_last_identity_new_once_it_is_registered(
    session: Session,
) -> None:
    seed_demo(10)
    stations = session.exec(select(Station)).all()
    session.add(
        ChargePoint(
            identity="DEMO-CP-0010",
            organisation_id=stations[0].organisation_id,
            station_id=stations[0].id,
            registration_state=RegistrationState.REGISTERED,
        )
    )
    session.commit()

    again = seed_demo(10)

    assert again.unregistered_identity is None
    assert not any("unregistered" in line for line in again.lines())
