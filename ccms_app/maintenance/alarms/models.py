"""Alarms, their activity, the operator's alarm rules and vendor error code table, the
per-organisation maintenance settings and the e-mail notification outbox.

One open alarm per charge point + connector + cause: `open_key` holds
"<charge_point_id>:<connector_id>:<cause>" while the alarm is open and NULL once it is closed,
and is unique, so two raisers racing cannot open the same alarm twice (NULLs do not collide on
SQLite or PostgreSQL). Connector 0 means the whole charge point (offline, firmware, ...).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class AlarmCause(StrEnum):
    CONNECTOR_FAULTED = "connector_faulted"  # StatusNotification Faulted (connector 0: the CP)
    OFFLINE = "offline"  # no connection for longer than the organisation's threshold
    FAILED_STARTS = "failed_starts"  # repeated failed transaction starts on a connector
    FIRMWARE_FAILED = (
        "firmware_failed"  # DownloadFailed / InstallationFailed (/InstallVerificationFailed)
    )
    DIAGNOSTICS_FAILED = "diagnostics_failed"  # DiagnosticsStatusNotification UploadFailed
    DATA_ISSUE = "data_issue"  # charger data CCMS could not apply as sent (charging.data_issues)
    SECURITY_EVENT = "security_event"  # failed charger authentication, refused connection, ...
    METER_ANOMALY = "meter_anomaly"  # meter register went backwards / jumped (data issue kinds)


class AlarmSeverity(StrEnum):
    """Most severe first; rules/alarm_rules.SEVERITY_ORDER ranks them."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class AlarmStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # still open: someone is on it
    CLOSED = "closed"


class Alarm(SQLModel, table=True):
    __tablename__ = "alarm"
    __table_args__ = (
        # Lists: an organisation's open alarms, newest first; history per charge point.
        Index("ix_alarm_org_status_raised", "organisation_id", "status", "last_raised_at"),
        Index("ix_alarm_charge_point_raised", "charge_point_id", "first_raised_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    charge_point_id: int = Field(foreign_key="charge_point.id")
    connector_id: int = 0  # 0 = the whole charge point
    cause: str = Field(max_length=32)  # AlarmCause
    severity: str = Field(default=AlarmSeverity.MAJOR, max_length=16)  # AlarmSeverity
    status: str = Field(default=AlarmStatus.OPEN, max_length=16)  # AlarmStatus
    open_key: str | None = Field(default=None, max_length=80, unique=True)
    # What the charger said (StatusNotification), kept as sent.
    error_code: str = Field(default="", max_length=32)
    info: str = Field(default="", max_length=50)
    vendor_id: str = Field(default="", max_length=255)
    vendor_error_code: str = Field(default="", max_length=50)
    # The operator's readable cause for the vendor code (VendorErrorCode), else "".
    readable_cause: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=500)
    rule_id: int | None = Field(default=None, foreign_key="alarm_rule.id")
    occurrences: int = 1
    # When the fault began (offline: the connection was lost; faulted: the status time), which
    # can be before the alarm was raised. Downtime and MTTR count from here.
    fault_started_at: datetime = Field(
        default_factory=utc_now, sa_column=utc_column(nullable=False)
    )
    first_raised_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    last_raised_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column())
    acknowledged_by: str = Field(default="", max_length=320)
    assignee_account_id: int | None = Field(default=None, foreign_key="operator_account.id")
    # Set when the charger recovered (status no longer Faulted, back online, ...).
    recovered_at: datetime | None = Field(default=None, sa_column=utc_column())
    downtime_s: int | None = None  # recovered_at (or closed_at) - fault_started_at
    closed_at: datetime | None = Field(default=None, sa_column=utc_column())
    closed_by: str = Field(default="", max_length=320)  # "" = closed by CCMS on recovery
    close_reason: str = Field(default="", max_length=200)
    # Downtime not counted against uptime (NEVI 23 CFR 680.116(b) exclusions), "" = counted.
    excluded_reason: str = Field(default="", max_length=32)


class AlarmActivity(SQLModel, table=True):
    """What happened to an alarm: raised, repeated, acknowledged, assigned, comment, closed,
    reopened, notified. The alarm page's timeline."""

    __tablename__ = "alarm_activity"

    id: int | None = Field(default=None, primary_key=True)
    alarm_id: int = Field(foreign_key="alarm.id", index=True)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    actor: str = Field(default="", max_length=320)  # "" = CCMS
    kind: str = Field(max_length=24)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))


class AlarmRule(SQLModel, table=True):
    """Which alarms get which severity and who hears of them. The most specific matching rule
    wins (cause + vendor + model + error code; "" matches anything)."""

    __tablename__ = "alarm_rule"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)
    cause: str = Field(max_length=32)  # AlarmCause
    vendor: str = Field(default="", max_length=50)
    model: str = Field(default="", max_length=50)
    error_code: str = Field(default="", max_length=32)  # OCPP errorCode, "" = any
    severity: str = Field(default=AlarmSeverity.MAJOR, max_length=16)
    notify_browser: bool = True  # live counter + toast for the roles below
    notify_role_ids: str = Field(
        default="", max_length=500
    )  # comma-separated; "" = anyone with maintenance:view
    email_recipients: str = Field(default="", max_length=2000)  # comma/newline-separated
    create_work_order: bool = False
    work_order_priority: str = Field(default="medium", max_length=16)  # WorkOrderPriority
    enabled: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class VendorErrorCode(SQLModel, table=True):
    """A vendor's error code in words an operator understands (editable, imported as CSV)."""

    __tablename__ = "vendor_error_code"
    __table_args__ = (UniqueConstraint("organisation_id", "vendor", "model", "vendor_error_code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    vendor: str = Field(max_length=50)
    model: str = Field(default="", max_length=50)  # "" = every model of the vendor
    vendor_error_code: str = Field(max_length=50)
    readable_cause: str = Field(max_length=200)
    severity: str = Field(default="", max_length=16)  # "" = as the alarm rule says
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class MaintenanceSettings(SQLModel, table=True):
    """Per organisation (operator or sub-operator); no row = the defaults below."""

    __tablename__ = "maintenance_settings"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    offline_threshold_s: int = 600
    failed_start_threshold: int = 3  # failed starts in a row on one connector
    verification_s: int = 1800  # available without the fault this long = verified
    digest_window_s: int = 60  # e-mails of one window go out together
    sla_critical_h: int = 4
    sla_high_h: int = 24
    sla_medium_h: int = 72
    sla_low_h: int = 168
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class AlarmNotification(SQLModel, table=True):
    """E-mail outbox: one row per alarm and rule; the digest job sends every unsent row of a
    recipient list in one mail per window (a site-wide outage is one mail, not 500)."""

    __tablename__ = "alarm_notification"
    __table_args__ = (Index("ix_alarm_notification_unsent", "sent_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alarm_id: int = Field(foreign_key="alarm.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    recipients: str = Field(max_length=2000)  # normalised: sorted, comma-separated
    event: str = Field(default="raised", max_length=16)  # raised | closed
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
