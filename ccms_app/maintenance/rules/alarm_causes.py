"""What a charger event means for alarms: which statuses are a fault and which a recovery,
which firmware and diagnostics statuses failed or succeeded, which data issues are meter
anomalies, when transaction starts count as failed, and each alarm's open key.

Pure: the engine (maintenance.alarms) reads the rows, these rules decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ccms_app.core.i18n import N_

# The cause values are maintenance.alarms.models.AlarmCause (a rule imports no model module:
# models import the database library); tests check the two agree.
CONNECTOR_FAULTED = "connector_faulted"
OFFLINE = "offline"
FAILED_STARTS = "failed_starts"
FIRMWARE_FAILED = "firmware_failed"
DIAGNOSTICS_FAILED = "diagnostics_failed"
DATA_ISSUE = "data_issue"
SECURITY_EVENT = "security_event"
METER_ANOMALY = "meter_anomaly"

CAUSE_LABELS = {
    CONNECTOR_FAULTED: N_("Connector faulted"),
    OFFLINE: N_("Charge point offline"),
    FAILED_STARTS: N_("Repeated failed transaction starts"),
    FIRMWARE_FAILED: N_("Firmware update failed"),
    DIAGNOSTICS_FAILED: N_("Diagnostics upload failed"),
    DATA_ISSUE: N_("Charger data issue"),
    SECURITY_EVENT: N_("Security event"),
    METER_ANOMALY: N_("Meter anomaly"),
}

# OCPP 1.6 ChargePointStatus. Faulted is the fault; a status in which the connector serves (or
# could serve) drivers is a recovery. Unavailable (taken out of service, by the operator or the
# charger) and Unknown (never reported) are neither: an open fault stays open through them.
FAULT_STATUSES = frozenset({"Faulted"})
RECOVERY_STATUSES = frozenset(
    {
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEVSE",
        "SuspendedEV",
        "Finishing",
        "Reserved",
    }
)

# FirmwareStatusNotification (1.6; InstallVerificationFailed / InvalidSignature are 1.6
# security whitepaper and 2.0.1 spellings a charger may send). Installed ends a failure;
# Downloading / Installing / Idle say nothing yet.
FIRMWARE_FAILURES = frozenset(
    {"DownloadFailed", "InstallationFailed", "InstallVerificationFailed", "InvalidSignature"}
)
FIRMWARE_SUCCESSES = frozenset({"Installed"})
# DiagnosticsStatusNotification (1.6).
DIAGNOSTICS_FAILURES = frozenset({"UploadFailed"})
DIAGNOSTICS_SUCCESSES = frozenset({"Uploaded"})

# charging.data_issues kinds: the meter register went backwards or jumped is a meter anomaly;
# every other kind (unknown transactions, clock problems, repeated message ids, ...) is a data
# issue. ENERGY_REGISTER_BREAK == charging.data_issues.ENERGY_REGISTER_BREAK (tested).
ENERGY_REGISTER_BREAK = "energy_register_break"
METER_ANOMALY_KINDS = frozenset({ENERGY_REGISTER_BREAK})

# Operator logins are security events too, but no charger's: they raise no charger alarm.
OPERATOR_SECURITY_KINDS = frozenset({"login_failed", "login_throttled"})

FAILED_START_WINDOW = timedelta(seconds=60)  # a session ended this soon with 0 Wh failed
REMOTE_START_FAILURES = frozenset({"rejected", "failed", "timed_out"})  # CommandStatus
REMOTE_START_ACTION = "RemoteStartTransaction"


def is_fault(status: str) -> bool:
    return status in FAULT_STATUSES


def is_recovery(status: str) -> bool:
    return status in RECOVERY_STATUSES


def firmware_cause(status: str) -> tuple[str, bool] | None:
    """(cause, failed) when this firmware status raises or ends an alarm, else None."""
    if status in FIRMWARE_FAILURES:
        return FIRMWARE_FAILED, True
    if status in FIRMWARE_SUCCESSES:
        return FIRMWARE_FAILED, False
    return None


def diagnostics_cause(status: str) -> tuple[str, bool] | None:
    """(cause, failed) when this diagnostics status raises or ends an alarm, else None."""
    if status in DIAGNOSTICS_FAILURES:
        return DIAGNOSTICS_FAILED, True
    if status in DIAGNOSTICS_SUCCESSES:
        return DIAGNOSTICS_FAILED, False
    return None


def data_issue_cause(kind: str) -> str:
    """The alarm cause of a charger data issue of this kind."""
    return METER_ANOMALY if kind in METER_ANOMALY_KINDS else DATA_ISSUE


def is_charger_security_event(kind: str) -> bool:
    return kind not in OPERATOR_SECURITY_KINDS


def open_key(charge_point_id: int, connector_id: int, cause: str) -> str:
    """The unique key of the one open alarm per charge point + connector + cause."""
    return f"{charge_point_id}:{connector_id}:{cause}"


def cause_label(cause: str) -> str:
    return CAUSE_LABELS.get(cause, cause.replace("_", " ").capitalize())


@dataclass(frozen=True)
class StartAttempt:
    """One try to start charging on a connector: a session, or a remote start that failed.
    `charged`: a session that delivered energy (the connector demonstrably works)."""

    at: datetime
    failed: bool
    charged: bool = False


def session_start_failed(
    start_time: datetime, stop_time: datetime | None, energy_wh: int | None
) -> bool | None:
    """A session that ended within FAILED_START_WINDOW with no energy did not really start;
    None while it runs (its outcome is not known yet)."""
    if stop_time is None:
        return None
    return stop_time - start_time <= FAILED_START_WINDOW and (energy_wh or 0) <= 0


def remote_start_failed(status: str) -> bool:
    return status in REMOTE_START_FAILURES


def failed_start_streak(attempts: Iterable[StartAttempt]) -> int:
    """How many of the latest attempts failed in a row (0 when the latest succeeded)."""
    streak = 0
    for attempt in sorted(attempts, key=lambda a: a.at, reverse=True):
        if not attempt.failed:
            break
        streak += 1
    return streak


def start_recovered(attempts: Iterable[StartAttempt]) -> bool:
    """Whether a failed-starts alarm closes: the newest attempt charged (energy > 0). A
    session that ran long with 0 Wh breaks the streak (the transaction did start) but proves
    no working connector, so the alarm stays open until a car really charges."""
    newest = max(attempts, key=lambda a: a.at, default=None)
    return newest is not None and newest.charged


def logs_repeat(occurrences: int) -> bool:
    """Whether a repeat gets a line in the alarm's timeline: the first repeat, then at every
    power of ten (a charger re-sending Faulted all day must not flood the activity)."""
    if occurrences == 2:
        return True
    while occurrences >= 10 and occurrences % 10 == 0:
        occurrences //= 10
    return occurrences == 1
