"""Alarm rules and maintenance settings as operators edit them (maintenance.alarms
.rule_admin, .settings_admin) and their pure form checks (maintenance.rules)."""

from __future__ import annotations

import pytest

from ccms_app.accounts.models import Organisation, Role
from ccms_app.accounts.roles import InputError, NotFoundError, RefusedError
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms import rule_admin, settings_admin
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.rules.alarm_admin import (
    EXCLUSION_REASONS,
    closing_downtime_s,
    duration_text,
)
from ccms_app.maintenance.rules.alarm_rule_form import (
    RuleFormError,
    check_rule,
    parse_recipients,
)
from ccms_app.maintenance.rules.settings_form import SettingsFormError, check_settings
from tests.maintenance.alarms import seed

RULE = {
    "name": "Acme faults",
    "cause": "connector_faulted",
    "vendor": "Acme",
    "severity": "critical",
    "email_recipients": "Ops@Example.com; night@example.com\nops@example.com",
    "create_work_order": "true",
    "work_order_priority": "high",
}


def test_rule_form_names_every_wrong_field() -> None:
    with pytest.raises(RuleFormError) as wrong:
        check_rule(
            {
                "name": "",
                "cause": "meteor",
                "severity": "apocalyptic",
                "model": "X",
                "email_recipients": "ops@example.com, not-an-address",
                "notify_role_ids": "3, admin",
                "work_order_priority": "whenever",
                "enabled": "maybe",
            }
        )
    errors = wrong.value.errors
    assert set(errors) == {
        "name", "cause", "severity", "vendor", "email_recipients", "notify_role_ids",
        "work_order_priority", "enabled",
    }  # fmt: skip
    assert errors["email_recipients"] == "'not-an-address' is not an e-mail address."
    assert errors["notify_role_ids"] == "'admin' is not a role id."
    assert errors["vendor"] == "A model belongs to a vendor: give the vendor too."
    values = check_rule(RULE)
    assert values.email_recipients == ("ops@example.com", "night@example.com")
    assert values.work_order_priority == "high" and values.notify_browser is True
    assert parse_recipients("a@b.co,,  c@d.org ") == (["a@b.co", "c@d.org"], "")


def test_exclusion_reasons_and_downtime_rules() -> None:
    assert set(EXCLUSION_REASONS) == {
        "utility_interruption", "vehicle_fault", "scheduled_maintenance", "vandalism",
        "natural_disaster", "outside_operating_hours",
    }  # fmt: skip
    assert all(len(key) <= 32 for key in EXCLUSION_REASONS)  # Alarm.excluded_reason
    from_ = utc_now()
    assert closing_downtime_s(from_, None, from_.replace(microsecond=0)) == 0
    assert duration_text(2 * 3600 + 300) == "2 h 05 min" and duration_text(None) == ""


def test_rule_crud_with_roles_of_the_scope(organisation: Organisation) -> None:
    org = organisation.id or 0
    ops = seed.caller(org)
    with db.session_scope() as session:
        other = Organisation(name="Elsewhere")
        session.add(other)
        session.flush()
        foreign = Role(name="Theirs", organisation_id=other.id, permissions="assets:view")
        own = Role(name="Night shift", organisation_id=org, permissions="maintenance:view")
        session.add_all([foreign, own])
        session.flush()
        foreign_id, own_id = foreign.id or 0, own.id or 0
    with pytest.raises(InputError) as refused:
        rule_admin.create_rule(ops, {**RULE, "notify_role_ids": f"{own_id},{foreign_id}"})
    assert refused.value.errors == {
        "notify_role_ids": f"No role {foreign_id} in your organisation."
    }
    rule_id = rule_admin.create_rule(ops, {**RULE, "notify_role_ids": str(own_id)})
    row = rule_admin.get_rule(rule_id, ops.scope())
    assert row["email_recipients"] == "ops@example.com, night@example.com"
    assert row["notify_role_ids"] == str(own_id) and row["severity"] == "critical"
    rule_admin.update_rule(ops, rule_id, {"severity": "minor", "enabled": "false"})
    row = rule_admin.get_rule(rule_id, ops.scope())
    assert (row["severity"], row["enabled"], row["vendor"]) == ("minor", False, "Acme")
    with pytest.raises(InputError) as bad:
        rule_admin.update_rule(ops, rule_id, {"email_recipients": "x@y"})
    assert bad.value.errors == {"email_recipients": "'x@y' is not an e-mail address."}
    with pytest.raises(RefusedError):
        rule_admin.delete_rule(seed.caller(org, "maintenance:view"), rule_id)
    with pytest.raises(NotFoundError):
        rule_admin.update_rule(seed.caller(other.id or 0), rule_id, {"severity": "major"})
    cp = seed.charge_point(org)
    alarm_id = seed.alarm(org, cp)
    with db.session_scope() as session:
        alarm = session.get(Alarm, alarm_id)
        assert alarm is not None
        alarm.rule_id = rule_id
    assert rule_admin.delete_rule(ops, rule_id) == "Acme faults"
    assert seed.stored(alarm_id).rule_id is None  # the alarm stays, without its rule
    with pytest.raises(NotFoundError):
        rule_admin.get_rule(rule_id, ops.scope())


def test_settings_ranges_and_sla_order() -> None:
    good = {
        "offline_threshold_s": "300", "failed_start_threshold": "3", "verification_s": "1800",
        "digest_window_s": "60", "sla_critical_h": "4", "sla_high_h": "24",
        "sla_medium_h": "72", "sla_low_h": "168",
    }  # fmt: skip
    assert check_settings(good)["offline_threshold_s"] == 300
    with pytest.raises(SettingsFormError) as wrong:
        check_settings(
            {**good, "offline_threshold_s": "5", "digest_window_s": "a", "sla_high_h": "2"}
        )
    assert wrong.value.errors == {
        "offline_threshold_s": "Between 60 and 86400 seconds (5 given).",
        "digest_window_s": "A whole number of seconds (10-3600).",
        "sla_high_h": "SLA high may not be shorter than SLA critical.",
    }


def test_settings_are_saved_per_organisation(organisation: Organisation) -> None:
    org = organisation.id or 0
    scope = seed.caller(org).scope()
    assert settings_admin.read_settings(org, scope).offline_threshold_s == 600  # the default
    saved = settings_admin.save_settings(seed.caller(org), {"offline_threshold_s": "900"})
    assert saved.offline_threshold_s == 900 and saved.sla_low_h == 168
    assert settings_admin.read_settings(org, scope).offline_threshold_s == 900
    with pytest.raises(InputError) as wrong:
        settings_admin.save_settings(seed.caller(org), {"sla_low_h": "0"})
    assert wrong.value.errors == {"sla_low_h": "Between 1 and 2160 hours (0 given)."}
    with pytest.raises(NotFoundError):
        settings_admin.read_settings(org + 1000, scope)
