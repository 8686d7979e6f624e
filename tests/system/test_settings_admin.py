"""System > Settings' use cases on a real migrated SQLite database: each setting stored where
it lives, every change audited as "before -> after", the trail read back, wrong input named
per field, and who may change what."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ccms_app.accounts.models import AuditEntry, Organisation
from ccms_app.accounts.roles import Caller, RefusedError
from ccms_app.core import db
from ccms_app.finance import billing_profiles, tariff_assignments, tariffs
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.network import charger_security
from ccms_app.system import settings_admin
from ccms_app.system.models import SystemSetting
from ccms_app.system.rules.settings import SettingsInputError
from tests.fixtures.settings import SettingsEnv

ADMIN = frozenset({"system:view", "system:edit", "finance:view", "finance:edit"})
SYSTEM_ONLY = frozenset({"system:view", "system:edit"})


def caller(organisation_id: int, permissions: frozenset[str] = ADMIN) -> Caller:
    return Caller(7, organisation_id, "ada@example.com", permissions, "203.0.113.9")


def entries(action: str = settings_admin.ACTION) -> list[AuditEntry]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.action).startswith(action))
                .order_by(col(AuditEntry.id))
            ).all()
        )


@pytest.fixture
def root(organisation: Organisation) -> int:
    assert organisation.id is not None
    return organisation.id


@pytest.fixture
def sub(root: int) -> int:
    with db.session_scope() as session:
        org = Organisation(name="Sub Operator", parent_id=root)
        session.add(org)
        session.flush()
        assert org.id is not None
        return org.id


@pytest.fixture
def env(settings_env: SettingsEnv) -> Iterator[SettingsEnv]:
    settings_env.setenv("CCMS_HEARTBEAT_INTERVAL", "300")
    settings_env.setenv("CCMS_MESSAGE_LOG_RETENTION_DAYS", "30")
    settings_env.setenv("CCMS_METER_SAMPLE_RETENTION_DAYS", "400")
    yield settings_env


def energy(price: str) -> dict[str, Any]:
    return {
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": Decimal(price), "step_size": 1}]}
        ],
    }


def test_the_view_shows_what_is_stored_and_the_environment_defaults(
    engine: Engine, root: int, env: SettingsEnv
) -> None:
    view = settings_admin.settings_view(caller(root))
    assert view.network_wide and view.may_edit and view.may_edit_billing
    assert view.organisation_name == "Test Operator"
    assert view.values["currency"] == "EUR" and view.values["time_zone"] == "UTC"
    assert view.values["heartbeat_interval"] == ""  # follows the environment
    assert view.defaults == {
        "heartbeat_interval": 300,
        "message_log_retention_days": 30,
        "meter_sample_retention_days": 400,
    }
    assert view.values["default_tariff"] == "" and view.tariff_choices == []


def test_basic_information_is_the_billing_profile_and_every_change_is_audited(
    engine: Engine, root: int
) -> None:
    form = {
        "seller_name": "Volt Harbour GmbH",
        "seller_address": "Kai 1, 20457 Hamburg",
        "seller_vat_id": "DE123456789",
        "seller_email": "hello@volt.example",
    }
    view = settings_admin.save_section(caller(root), "operator", form)
    assert {k: view.values[k] for k in form} == form
    profile = billing_profiles.get_profile(root)
    assert profile.seller_name == "Volt Harbour GmbH" and profile.seller_vat_id == "DE123456789"

    audited = {e.object_id: e for e in entries()}
    assert audited["seller_name"].detail == "(empty) -> Volt Harbour GmbH"
    assert audited["seller_vat_id"].detail == "(empty) -> DE123456789"
    assert audited["seller_name"].actor == "ada@example.com"
    assert audited["seller_name"].remote_address == "203.0.113.9"
    assert audited["seller_name"].organisation_id == root

    settings_admin.save_section(caller(root), "operator", {**form, "seller_name": "Volt Harbour"})
    trail = settings_admin.recent_changes(caller(root))
    assert (trail[0].key, trail[0].detail) == (
        "seller_name",
        "Volt Harbour GmbH -> Volt Harbour",
    )
    assert len(trail) == 5  # an unchanged field writes nothing


def test_currency_and_time_zone_are_checked_per_field(engine: Engine, root: int) -> None:
    with pytest.raises(SettingsInputError) as refused:
        settings_admin.save_section(
            caller(root), "region", {"currency": "EURO", "time_zone": "Mars/Olympus"}
        )
    errors = {key: message.text("en") for key, message in refused.value.errors.items()}
    assert "ISO 4217" in errors["currency"] and "EURO" in errors["currency"]
    assert "Mars/Olympus" in errors["time_zone"] and "IANA" in errors["time_zone"]
    assert "ISO 4217" in refused.value.errors["currency"].text("de")  # a German sentence
    assert refused.value.errors["currency"].text("de") != errors["currency"]
    assert entries() == [] and billing_profiles.get_profile(root).currency == "EUR"

    settings_admin.save_section(
        caller(root), "region", {"currency": "chf", "time_zone": "Europe/Zurich"}
    )
    profile = billing_profiles.get_profile(root)
    assert (profile.currency, profile.time_zone) == ("CHF", "Europe/Zurich")
    assert settings_admin.organisation_zone(root) == "Europe/Zurich"
    assert {e.object_id: e.detail for e in entries()} == {
        "currency": "EUR -> CHF",
        "time_zone": "UTC -> Europe/Zurich",
    }


def test_default_tariff_recharge_amounts_and_memberships(engine: Engine, root: int) -> None:
    own = frozenset({root})
    basic = tariffs.create_tariff(own, root, "Basic", energy("0.39"))
    view = settings_admin.save_section(
        caller(root),
        "charging",
        {
            "default_tariff": str(basic.id),
            "recharge_amounts": "10, 25",
            "memberships_enabled": "false",
        },
    )
    assert view.values["default_tariff"] == str(basic.id)
    [assigned] = tariff_assignments.assignments(own)
    assert (assigned.target, assigned.target_id) == (AssignmentTarget.NETWORK, root)
    form, _currency = payment_settings.form_of(root, own)
    assert form["recharge_amounts"] == "10.00, 25.00" and form["memberships_enabled"] == "false"
    audited = {e.object_id: e.detail for e in entries()}
    assert audited["default_tariff"] == f"(empty) -> Basic (#{basic.id})"
    assert audited["memberships_enabled"] == "true -> false"

    with pytest.raises(SettingsInputError) as refused:
        settings_admin.save_section(
            caller(root), "charging", {"default_tariff": "999", "recharge_amounts": "10"}
        )
    assert "default_tariff" in refused.value.errors

    settings_admin.save_section(caller(root), "charging", {"default_tariff": ""})
    assert tariff_assignments.assignments(own) == []
    assert entries()[-1].detail == f"Basic (#{basic.id}) -> (empty)"


def test_wrong_recharge_amounts_are_named(engine: Engine, root: int) -> None:
    with pytest.raises(SettingsInputError) as refused:
        settings_admin.save_section(caller(root), "charging", {"recharge_amounts": "ten"})
    assert set(refused.value.errors) == {"recharge_amounts"}


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("heartbeat_interval", "9"),
        ("heartbeat_interval", "86401"),
        ("heartbeat_interval", "0"),
        ("heartbeat_interval", "1.5"),
        ("heartbeat_interval", "-30"),
        ("message_log_retention_days", "3651"),
        ("meter_sample_retention_days", "abc"),
        ("meter_sample_retention_days", "٣"),  # a digit, but not one of 0-9
    ],
)
def test_overrides_out_of_bounds_are_refused(
    engine: Engine, root: int, env: SettingsEnv, key: str, raw: str
) -> None:
    section = "connections" if key == "heartbeat_interval" else "retention"
    with pytest.raises(SettingsInputError) as refused:
        settings_admin.save_section(caller(root), section, {key: raw})
    assert set(refused.value.errors) == {key}
    assert "from" in refused.value.errors[key].text("en")
    with db.read_session() as session:
        assert session.get(SystemSetting, key) is None


def test_overrides_are_stored_audited_and_cleared(
    engine: Engine, root: int, env: SettingsEnv
) -> None:
    view = settings_admin.save_section(caller(root), "connections", {"heartbeat_interval": "60"})
    assert view.values["heartbeat_interval"] == "60"
    view = settings_admin.save_section(
        caller(root),
        "retention",
        {"message_log_retention_days": "0", "meter_sample_retention_days": "90"},
    )
    assert view.values["message_log_retention_days"] == "0"
    settings_admin.save_section(caller(root), "connections", {"heartbeat_interval": ""})
    with db.read_session() as session:
        assert session.get(SystemSetting, "heartbeat_interval") is None
        stored = session.get(SystemSetting, "meter_sample_retention_days")
        assert stored is not None and stored.updated_by == "ada@example.com"
    assert [(e.object_id, e.detail) for e in entries()] == [
        ("heartbeat_interval", "300 (default) -> 60"),
        ("message_log_retention_days", "30 (default) -> 0"),
        ("meter_sample_retention_days", "400 (default) -> 90"),
        ("heartbeat_interval", "60 -> 300 (default)"),
    ]


def test_a_sub_operator_edits_its_own_information_not_the_network(
    engine: Engine, root: int, sub: int
) -> None:
    view = settings_admin.settings_view(caller(sub))
    assert not view.network_wide and "heartbeat_interval" not in view.values
    settings_admin.save_section(caller(sub), "operator", {"seller_name": "Sub GmbH"})
    assert billing_profiles.get_profile(sub).seller_name == "Sub GmbH"
    assert billing_profiles.get_profile(root).seller_name == ""

    for section, form in (
        ("connections", {"heartbeat_interval": "60"}),
        ("retention", {"message_log_retention_days": "5"}),
    ):
        with pytest.raises(RefusedError):
            settings_admin.save_section(caller(sub), section, form)
    with pytest.raises(RefusedError):
        settings_admin.set_policy(caller(sub), "unknown_charge_points", "reject")
    refused = [e for e in entries() if e.outcome == "refused"]
    assert len(refused) == 3 and all(e.organisation_id == sub for e in refused)
    assert charger_security.network_settings().unknown_charge_points == "pending"
    # The root operator's trail sees its sub-operator's change; the sub-operator not the root's.
    settings_admin.save_section(caller(root), "operator", {"seller_name": "Root AG"})
    assert {r.detail for r in settings_admin.recent_changes(caller(root))} >= {
        "(empty) -> Sub GmbH",
        "(empty) -> Root AG",
    }
    assert "(empty) -> Root AG" not in {
        r.detail for r in settings_admin.recent_changes(caller(sub))
    }


def test_billing_settings_need_finance_edit_too(engine: Engine, root: int) -> None:
    view = settings_admin.settings_view(caller(root, SYSTEM_ONLY))
    assert view.may_edit and not view.may_edit_billing
    with pytest.raises(RefusedError):
        settings_admin.save_section(caller(root, SYSTEM_ONLY), "region", {"currency": "USD"})
    settings_admin.save_section(
        caller(root, SYSTEM_ONLY), "connections", {"heartbeat_interval": "90"}
    )
    with pytest.raises(RefusedError):
        settings_admin.save_section(
            caller(root, frozenset({"system:view"})), "connections", {"heartbeat_interval": "90"}
        )


def test_policies_are_audited_before_and_after(engine: Engine, root: int) -> None:
    settings_admin.set_policy(caller(root), "unknown_charge_points", "reject")
    settings_admin.set_policy(caller(root), "charger_auth_required", True)
    settings_admin.set_policy(caller(root), "duplicate_connections", "replace")
    now = charger_security.network_settings()
    assert (now.unknown_charge_points, now.charger_auth_required, now.duplicate_connections) == (
        "reject",
        True,
        "replace",
    )
    assert [(e.object_id, e.detail) for e in entries()] == [
        ("unknown_charge_points", "pending -> reject"),
        ("charger_auth_required", "False -> True"),
        ("duplicate_connections", "refuse -> replace"),
    ]
    with pytest.raises(charger_security.ChargerSecurityError):
        settings_admin.set_policy(caller(root), "unknown_charge_points", "maybe")


def test_an_unknown_section_is_an_input_error(engine: Engine, root: int) -> None:
    with pytest.raises(SettingsInputError):
        settings_admin.save_section(caller(root), "everything", {})
