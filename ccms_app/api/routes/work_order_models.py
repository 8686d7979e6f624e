"""The REST API's shapes of a work order's detail, its history, photos, parts and time, and
the bodies that change it (api/routes/work_orders.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.maintenance.work_orders.inputs import (
    MINUTES_MAX,
    PART_MAX,
    QUANTITY_MAX,
    TEXT_MAX,
    TITLE_MAX,
)
from ccms_app.network.rules.asset_validation import MAX_CONNECTOR_ID

Priority = Literal["critical", "high", "medium", "low"]
WorkAction = Literal["claim", "start", "hold", "resume", "resolve", "close", "reopen"]
RemoteAction = Literal["Reset", "UnlockConnector", "ChangeAvailability", "GetDiagnostics"]


class Answer(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WorkOrderEventItem(Answer):
    id: int
    at: datetime
    actor: str = Field(description='Who: an e-mail, "" = CCMS')
    kind: str = Field(description="status, note, photo, part, time, assigned or command")
    from_status: str
    to_status: str
    text: str


class WorkOrderPhotoItem(Answer):
    id: int
    work_order_id: int
    file_name: str
    content_type: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime


class WorkOrderPartItem(Answer):
    id: int
    part: str
    quantity: int
    added_by: str
    added_at: datetime


class WorkOrderTimeItem(Answer):
    id: int
    minutes: int
    note: str
    logged_by: str
    logged_at: datetime


class WorkOrderAlarm(Answer):
    id: int
    cause: str
    severity: str
    status: str
    error_code: str
    vendor_error_code: str
    readable_cause: str


class WorkOrderDetail(Answer):
    """One work order with its timeline (newest first), photos, parts and time."""

    id: int
    organisation_id: int
    title: str
    description: str
    priority: str
    status: str
    source: str = Field(description="manual, alarm, rule or plan")
    charge_point_id: int
    charge_point: str = Field(description="The charge point's identity")
    charge_point_online: bool
    connector_id: int | None
    station_id: int | None
    station: str
    timezone: str = Field(description="The station's time zone (UTC without a station)")
    alarm: WorkOrderAlarm | None
    plan_id: int | None
    assignee_account_id: int | None
    assignee: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    overdue: bool
    started_at: datetime | None
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    resolution: str
    time_spent_min: int
    actions: list[str] = Field(description="What this key's account may do now")
    events: list[WorkOrderEventItem]
    photos: list[WorkOrderPhotoItem]
    parts: list[WorkOrderPartItem]
    times: list[WorkOrderTimeItem]


class NewWorkOrder(StrictModel):
    charge_point_id: int = Field(ge=1, le=MAX_INT, strict=True)
    title: str = Field(max_length=TITLE_MAX, description="What is wrong, in a few words")
    description: str = Field("", max_length=TEXT_MAX)
    priority: Priority = "medium"
    connector_id: int | None = Field(
        None, ge=1, le=MAX_CONNECTOR_ID, strict=True, description="None: the whole charge point"
    )
    alarm_id: int | None = Field(
        None, ge=1, le=MAX_INT, strict=True, description="An alarm of this charge point"
    )
    assignee_account_id: int | None = Field(None, ge=1, le=MAX_INT, strict=True)


class WorkOrderAction(StrictModel):
    action: WorkAction
    text: str = Field(
        "", max_length=TEXT_MAX, description="resolve: the resolution (required); else a reason"
    )


class Assignee(StrictModel):
    assignee_account_id: int | None = Field(
        ge=1, le=MAX_INT, strict=True, description="None: nobody"
    )


class Note(StrictModel):
    text: str = Field(max_length=TEXT_MAX)


class Part(StrictModel):
    part: str = Field(max_length=PART_MAX)
    quantity: int = Field(1, ge=1, le=QUANTITY_MAX, strict=True)


class TimeSpent(StrictModel):
    minutes: int = Field(ge=1, le=MINUTES_MAX, strict=True)
    note: str = Field("", max_length=500)


class RemoteCommand(StrictModel):
    action: RemoteAction
    type: Literal["Soft", "Hard", "Operative", "Inoperative"] | None = Field(
        None,
        description="Reset: Soft (default) or Hard; ChangeAvailability: Operative or Inoperative",
    )
    connector_id: int | None = Field(
        None,
        ge=0,
        le=MAX_CONNECTOR_ID,
        strict=True,
        description="UnlockConnector: required (>= 1); ChangeAvailability: 0 = whole charge point",
    )


class CommandOutcome(Answer):
    """The command's record once it finished (its lifecycle's final state)."""

    id: int
    charge_point_id: int
    action: str
    status: str = Field(description="accepted, rejected, failed, timed_out or offline")
    error: str
    requested_by: str
    created_at: datetime
    updated_at: datetime
