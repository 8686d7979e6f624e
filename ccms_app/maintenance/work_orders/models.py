"""Work orders, their history, photos, parts and time, maintenance staff and preventive
maintenance plans.

Status: open -> assigned -> in_progress -> on_hold -> resolved -> closed (reopen possible;
rules/work_order_status.py says which moves are allowed). Every change is a WorkOrderEvent
with time and person. A resolved work order is verified by CCMS (`verified_at`) when its
charge point stayed available without the fault long enough, and closed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"


class WorkOrderPriority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class WorkOrderSource(StrEnum):
    MANUAL = "manual"  # by hand, for any charge point
    ALARM = "alarm"  # by an operator, from an alarm
    RULE = "rule"  # automatically, by an alarm rule
    PLAN = "plan"  # preventive maintenance plan


class WorkOrder(SQLModel, table=True):
    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_org_status_due", "organisation_id", "status", "due_at"),
        Index("ix_work_order_assignee_status", "assignee_account_id", "status"),
        # A plan creates one work order per charge point and due date, however often it runs.
        UniqueConstraint("plan_id", "charge_point_id", "plan_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))  # the fault
    priority: str = Field(default=WorkOrderPriority.MEDIUM, max_length=16)
    status: str = Field(default=WorkOrderStatus.OPEN, max_length=16)
    source: str = Field(default=WorkOrderSource.MANUAL, max_length=16)
    charge_point_id: int = Field(foreign_key="charge_point.id", index=True)
    connector_id: int | None = None
    station_id: int | None = Field(default=None, foreign_key="station.id")
    alarm_id: int | None = Field(default=None, foreign_key="alarm.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="maintenance_plan.id")
    plan_due_at: datetime | None = Field(default=None, sa_column=utc_column())
    assignee_account_id: int | None = Field(default=None, foreign_key="operator_account.id")
    created_by: str = Field(default="", max_length=320)  # "" = CCMS (rule or plan)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=utc_column())  # from the SLA
    started_at: datetime | None = Field(default=None, sa_column=utc_column())
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column())
    verified_at: datetime | None = Field(default=None, sa_column=utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=utc_column())
    resolution: str = Field(default="", sa_column=Column(Text, nullable=False))
    time_spent_min: int = 0  # sum of WorkOrderTime rows, kept for lists and reports


class WorkOrderEvent(SQLModel, table=True):
    """The work order's history: status changes (from -> to), notes, photos, parts, time,
    assignment, commands sent from it, verification."""

    __tablename__ = "work_order_event"

    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    actor: str = Field(default="", max_length=320)  # "" = CCMS
    kind: str = Field(max_length=16)  # status | note | photo | part | time | assigned | command
    from_status: str = Field(default="", max_length=16)
    to_status: str = Field(default="", max_length=16)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))


class WorkOrderPhoto(SQLModel, table=True):
    __tablename__ = "work_order_photo"

    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    file_name: str = Field(max_length=200)  # as uploaded, for display
    stored_name: str = Field(
        max_length=100
    )  # in CCMS_WORK_ORDER_PHOTO_DIR, never the upload's name
    content_type: str = Field(max_length=40)
    size_bytes: int
    uploaded_by: str = Field(default="", max_length=320)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class WorkOrderPart(SQLModel, table=True):
    __tablename__ = "work_order_part"

    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    part: str = Field(max_length=200)
    quantity: int = 1
    added_by: str = Field(default="", max_length=320)
    added_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class WorkOrderTime(SQLModel, table=True):
    __tablename__ = "work_order_time"

    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_order.id", index=True)
    minutes: int
    note: str = Field(default="", max_length=500)
    logged_by: str = Field(default="", max_length=320)
    logged_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class MaintenanceStaff(SQLModel, table=True):
    """A person with the Maintenance staff role as maintenance sees them: contact, on duty and
    the operation areas they cover (MaintenanceStaffArea)."""

    __tablename__ = "maintenance_staff"

    account_id: int = Field(foreign_key="operator_account.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    phone: str = Field(default="", max_length=40)
    on_duty: bool = True
    notes: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class MaintenanceStaffArea(SQLModel, table=True):
    __tablename__ = "maintenance_staff_area"

    account_id: int = Field(foreign_key="maintenance_staff.account_id", primary_key=True)
    area_id: int = Field(foreign_key="operation_area.id", primary_key=True)


class MaintenancePlan(SQLModel, table=True):
    """Preventive maintenance: every `every_months` months a work order for the charge point,
    or for every charge point of a vendor/model in the organisation."""

    __tablename__ = "maintenance_plan"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)
    charge_point_id: int | None = Field(default=None, foreign_key="charge_point.id")
    vendor: str = Field(default="", max_length=50)  # with model: every such charge point
    model: str = Field(default="", max_length=50)
    every_months: int
    next_due_at: datetime = Field(sa_column=utc_column(nullable=False))
    last_run_at: datetime | None = Field(default=None, sa_column=utc_column())
    priority: str = Field(default=WorkOrderPriority.LOW, max_length=16)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    enabled: bool = True
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
