"""The engine's pure rules: causes, failed starts, rule matching, vendor codes, downtime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.charging import data_issues
from ccms_app.maintenance.alarms.models import AlarmCause, AlarmSeverity
from ccms_app.maintenance.rules import alarm_causes as causes
from ccms_app.maintenance.rules.alarm_rules import (
    DEFAULT_SEVERITY,
    SEVERITY_ORDER,
    matching_rule,
    pick_vendor_code,
    severity_for,
    severity_rank,
)
from ccms_app.maintenance.rules.downtime import downtime_seconds
from ccms_app.network.security_events import SecurityEventKind

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Rule:
    id: int
    cause: str = ""
    vendor: str = ""
    model: str = ""
    error_code: str = ""
    severity: str = "major"
    enabled: bool = True


@dataclass
class Code:
    vendor: str
    model: str
    vendor_error_code: str
    readable_cause: str
    severity: str = ""


def test_the_rules_spell_the_models_causes_and_severities() -> None:
    spelled = {
        getattr(causes, name)
        for name in dir(causes)
        if name.isupper()
        and isinstance(getattr(causes, name), str)
        and name in AlarmCause.__members__
    }
    assert spelled == {c.value for c in AlarmCause}
    assert set(DEFAULT_SEVERITY) == {c.value for c in AlarmCause}
    assert tuple(s.value for s in AlarmSeverity) == SEVERITY_ORDER
    assert causes.ENERGY_REGISTER_BREAK == data_issues.ENERGY_REGISTER_BREAK
    assert {"login_failed", "login_throttled"} == causes.OPERATOR_SECURITY_KINDS
    assert {k.value for k in SecurityEventKind} >= causes.OPERATOR_SECURITY_KINDS


def test_faulted_is_the_fault_serving_statuses_recover_unavailable_is_neither() -> None:
    assert causes.is_fault("Faulted") and not causes.is_recovery("Faulted")
    for status in ("Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Reserved"):
        assert causes.is_recovery(status) and not causes.is_fault(status)
    for status in ("Unavailable", "Unknown"):
        assert not causes.is_fault(status) and not causes.is_recovery(status)


def test_firmware_and_diagnostics_failures_and_successes() -> None:
    assert causes.firmware_cause("DownloadFailed") == (causes.FIRMWARE_FAILED, True)
    assert causes.firmware_cause("InstallationFailed") == (causes.FIRMWARE_FAILED, True)
    assert causes.firmware_cause("Installed") == (causes.FIRMWARE_FAILED, False)
    assert causes.firmware_cause("Downloading") is None
    assert causes.diagnostics_cause("UploadFailed") == (causes.DIAGNOSTICS_FAILED, True)
    assert causes.diagnostics_cause("Uploaded") == (causes.DIAGNOSTICS_FAILED, False)
    assert causes.diagnostics_cause("Idle") is None


def test_register_breaks_are_meter_anomalies_other_issues_data_issues() -> None:
    assert causes.data_issue_cause(data_issues.ENERGY_REGISTER_BREAK) == causes.METER_ANOMALY
    for kind in (
        data_issues.STOP_UNKNOWN_TRANSACTION,
        "clock_ahead",
        data_issues.DUPLICATE_MESSAGE_ID,
    ):
        assert causes.data_issue_cause(kind) == causes.DATA_ISSUE


def test_open_key_fits_its_column() -> None:
    key = causes.open_key(2**63 - 1, 2**31, causes.DIAGNOSTICS_FAILED)
    assert key == f"{2**63 - 1}:{2**31}:diagnostics_failed" and len(key) <= 80


@pytest.mark.parametrize(
    ("seconds", "energy", "failed"),
    [(30, 0, True), (60, 0, True), (61, 0, False), (10, 5, False), (10, None, True)],
)
def test_a_short_empty_session_is_a_failed_start(
    seconds: int, energy: int | None, failed: bool
) -> None:
    assert causes.session_start_failed(T0, T0 + timedelta(seconds=seconds), energy) is failed


def test_a_running_session_is_not_judged_yet() -> None:
    assert causes.session_start_failed(T0, None, 0) is None


def test_remote_start_failures() -> None:
    assert all(causes.remote_start_failed(s) for s in ("rejected", "failed", "timed_out"))
    assert not causes.remote_start_failed("accepted") and not causes.remote_start_failed("offline")


def test_the_streak_counts_failures_since_the_last_success_whatever_the_order_given() -> None:
    def at(minutes: int, failed: bool) -> causes.StartAttempt:
        return causes.StartAttempt(T0 + timedelta(minutes=minutes), failed)

    assert causes.failed_start_streak([]) == 0
    assert causes.failed_start_streak([at(3, True), at(1, True), at(2, True)]) == 3
    assert causes.failed_start_streak([at(3, True), at(2, False), at(1, True)]) == 1
    assert causes.failed_start_streak([at(4, False), at(3, True)]) == 0


def test_repeats_are_logged_sparingly() -> None:
    logged = [n for n in range(2, 2001) if causes.logs_repeat(n)]
    assert logged == [2, 10, 100, 1000]


def test_the_most_specific_enabled_rule_wins_and_empty_matches_anything() -> None:
    rules = [
        Rule(1, cause="connector_faulted", severity="minor"),
        Rule(2, cause="connector_faulted", vendor="ACME", severity="major"),
        Rule(3, cause="connector_faulted", vendor="acme", model="X1", severity="critical"),
        Rule(
            4,
            cause="connector_faulted",
            vendor="ACME",
            model="X1",
            error_code="GroundFailure",
            severity="warning",
            enabled=False,
        ),
        Rule(5, severity="warning"),  # every alarm
    ]
    pick = matching_rule
    assert pick(rules, "connector_faulted", "Acme ", "X1", "GroundFailure").id == 3  # type: ignore[union-attr]
    assert pick(rules, "connector_faulted", "ACME", "X2", "").id == 2  # type: ignore[union-attr]
    assert pick(rules, "connector_faulted", "Other", "X1", "").id == 1  # type: ignore[union-attr]
    assert pick(rules, "offline", "ACME", "X1", "").id == 5  # type: ignore[union-attr]
    assert pick(rules[:4], "offline", "ACME", "X1", "") is None


def test_equally_specific_rules_the_first_given_wins() -> None:
    rules = [Rule(9, vendor="ACME"), Rule(2, model="X1")]
    assert matching_rule(rules, "offline", "ACME", "X1", "").id == 9  # type: ignore[union-attr]


def test_severity_vendor_code_then_rule_then_the_causes_default() -> None:
    code = Code("ACME", "", "E1", "relay", severity="critical")
    rule = Rule(1, severity="minor")
    assert severity_for("connector_faulted", rule, code) == "critical"
    assert severity_for("connector_faulted", rule, Code("ACME", "", "E1", "relay")) == "minor"
    assert severity_for("connector_faulted", None, None) == "major"
    assert severity_for("offline", None, None) == "critical"
    assert severity_for("security_event", None, None) == "critical"
    assert severity_for("data_issue", None, None) == "warning"
    assert severity_rank("critical") < severity_rank("warning") < severity_rank("bogus")


def test_vendor_code_model_first_then_every_model_of_the_vendor() -> None:
    codes = [
        Code("ACME", "", "E42", "ground fault"),
        Code("acme", "X1", "E42", "ground fault on the X1 relay"),
        Code("Other", "", "E42", "something else"),
    ]
    assert pick_vendor_code(codes, "ACME", "X1", "E42").readable_cause.endswith("X1 relay")  # type: ignore[union-attr]
    assert pick_vendor_code(codes, "ACME", "X9", "E42").readable_cause == "ground fault"  # type: ignore[union-attr]
    assert pick_vendor_code(codes, "Nobody", "X1", "E42") is None
    assert pick_vendor_code(codes, "ACME", "X1", "") is None


def test_downtime_in_whole_seconds_never_negative() -> None:
    assert downtime_seconds(T0, T0 + timedelta(minutes=5, seconds=1.9)) == 301
    assert downtime_seconds(T0, T0 - timedelta(seconds=5)) == 0
