"""Alarms: the Maintenance -> Alarms list, one alarm with its timeline, and what operators do
with them (the same use cases as the pages: `maintenance.alarms.actions`).

- `GET /alarms`: filters status (open, acknowledged, closed, or active = open or
  acknowledged), severity, cause, charge_point (identity) / charge_point_id, station_id,
  area_id, assignee_account_id, excluded_reason ("none" = counted), organisation_id, and
  `first_raised_at_from` / `_to`; search (`q`) charge point, station, codes, readable
  cause, assignee; `/export` streams them as CSV or JSON lines.
- `GET /alarms/{id}`: the alarm, its `activity` (oldest first) and its `work_orders`.
- `POST /alarms/{id}/acknowledge`, `/assign`, `/comments` (201), `/close` (a reason is
  required), `/reopen`, `/exclusion` (NEVI excluded downtime reason, "" to count it);
  `POST /alarms/acknowledge` acknowledges many open alarms at once.
maintenance:view to read, maintenance:edit to act. 409 when the alarm's state refuses the
action (closing a closed alarm, acknowledging twice, reopening while a newer alarm of the
same fault is open). Times UTC; downtime in seconds.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field, create_model

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import TimeRange
from ccms_app.maintenance.alarms import actions, detail
from ccms_app.maintenance.alarms.actions import AlarmStateError
from ccms_app.maintenance.alarms.listing import ALARM_LIST
from ccms_app.maintenance.rules import alarm_admin

problems.register({AlarmStateError: 409})

RESOURCE = ListResource(ALARM_LIST, Module.MAINTENANCE, "Alarm", "alarms", with_get=False)
RAISED = TimeRange(ALARM_LIST.column("first_raised_at"))
api = router(RESOURCE.path, "Alarms")
_checked = filters_checked(ALARM_LIST)
AlarmItem = add_list_routes(
    api,
    RESOURCE,
    extra=RAISED.fields(),
    narrow=lambda params, caller: [*_checked(params, caller), *RAISED.conditions(params)],
)
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}
ExclusionReason = Literal[
    "",
    "utility_interruption",
    "vehicle_fault",
    "scheduled_maintenance",
    "vandalism",
    "natural_disaster",
    "outside_operating_hours",
]


class ActivityOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description='Who did it; "" = CCMS')
    kind: str = Field(
        description="raised, repeated, acknowledged, assigned, unassigned, comment, closed, "
        "reopened, excluded, exclusion_removed, notified, ..."
    )
    text: str


class WorkOrderRefOut(BaseModel):
    id: int
    title: str
    status: str
    priority: str
    created_at: datetime


AlarmDetailOut = create_model(
    "AlarmDetail",
    __base__=AlarmItem,
    activity=(list[ActivityOut], Field(description="What happened to it, oldest first")),
    work_orders=(list[WorkOrderRefOut], Field(description="Its work orders, newest first")),
)


class AssignIn(StrictModel):
    assignee_account_id: int | None = Field(
        ge=1,
        le=MAX_INT,
        strict=True,
        description="An operator account that can see the alarm; null: nobody",
    )


class CommentIn(StrictModel):
    text: str = Field(min_length=1, max_length=alarm_admin.MAX_COMMENT)


class CloseIn(StrictModel):
    reason: str = Field(
        min_length=1,
        max_length=alarm_admin.MAX_CLOSE_REASON,
        description="What was done, or why no action is needed",
    )


class ReopenIn(StrictModel):
    note: str = Field("", max_length=alarm_admin.MAX_CLOSE_REASON)


class ExclusionIn(StrictModel):
    reason: ExclusionReason = Field(
        description="Why the downtime is excluded from uptime (23 CFR 680.116(b)); "
        '"" counts it again'
    )


class BulkAcknowledgeIn(StrictModel):
    alarm_ids: list[Annotated[int, Field(ge=1, le=MAX_INT, strict=True)]] = Field(
        min_length=1, max_length=alarm_admin.MAX_BULK
    )


class BulkAcknowledgedOut(BaseModel):
    acknowledged: list[int] = Field(description="The alarms acknowledged now")


def _detail(alarm_id: int, caller: ApiCaller) -> dict[str, Any]:
    found = detail.alarm_detail(alarm_id, caller.scope)
    return {
        **found.row,
        "activity": [a.__dict__ for a in found.activity],
        "work_orders": [w.__dict__ for w in found.work_orders],
    }


@api.get(
    "/{id}",
    response_model=AlarmDetailOut,
    summary="One alarm with its timeline and work orders",
    operation_id="get_alarm",
    responses=NOT_IN_SCOPE,
)
async def get_alarm(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(_detail, id, caller)


@api.post(
    "/acknowledge",
    response_model=BulkAcknowledgedOut,
    summary="Acknowledge many open alarms (others are left as they are)",
    operation_id="acknowledge_alarms",
)
async def acknowledge_alarms(body: BulkAcknowledgeIn, caller: Editor) -> Any:
    done = await asyncio.to_thread(actions.acknowledge_many, caller.caller, body.alarm_ids)
    return {"acknowledged": done}


@api.post(
    "/{id}/acknowledge",
    response_model=AlarmItem,
    summary="Acknowledge: someone is on it",
    operation_id="acknowledge_alarm",
    responses=NOT_IN_SCOPE,
)
async def acknowledge_alarm(id: Id, caller: Editor) -> Any:
    await asyncio.to_thread(actions.acknowledge, caller.caller, id)
    return await read_back(RESOURCE, id, caller)


@api.post(
    "/{id}/assign",
    response_model=AlarmItem,
    summary="Give the alarm to an operator account (null: nobody)",
    operation_id="assign_alarm",
    responses=NOT_IN_SCOPE,
)
async def assign_alarm(id: Id, body: AssignIn, caller: Editor) -> Any:
    await asyncio.to_thread(actions.assign, caller.caller, id, body.assignee_account_id)
    return await read_back(RESOURCE, id, caller)


@api.post(
    "/{id}/comments",
    status_code=201,
    response_model=ActivityOut,
    summary="A comment on the alarm's timeline",
    operation_id="comment_alarm",
    responses=NOT_IN_SCOPE,
)
async def comment_alarm(id: Id, body: CommentIn, caller: Editor) -> Any:
    row = await asyncio.to_thread(actions.comment, caller.caller, id, body.text)
    return {"id": row.id, "at": row.at, "actor": row.actor, "kind": row.kind, "text": row.text}


@api.post(
    "/{id}/close",
    response_model=AlarmItem,
    summary="Close with a reason; the next fault opens a new alarm",
    operation_id="close_alarm",
    responses=NOT_IN_SCOPE,
)
async def close_alarm(id: Id, body: CloseIn, caller: Editor) -> Any:
    await asyncio.to_thread(actions.close, caller.caller, id, body.reason)
    return await read_back(RESOURCE, id, caller)


@api.post(
    "/{id}/reopen",
    response_model=AlarmItem,
    summary="Open a closed alarm again",
    operation_id="reopen_alarm",
    responses=NOT_IN_SCOPE,
)
async def reopen_alarm(id: Id, body: ReopenIn, caller: Editor) -> Any:
    await asyncio.to_thread(actions.reopen, caller.caller, id, body.note)
    return await read_back(RESOURCE, id, caller)


@api.post(
    "/{id}/exclusion",
    response_model=AlarmItem,
    summary="Exclude the alarm's downtime from uptime (NEVI), or count it again",
    operation_id="set_alarm_exclusion",
    responses=NOT_IN_SCOPE,
)
async def set_alarm_exclusion(id: Id, body: ExclusionIn, caller: Editor) -> Any:
    await asyncio.to_thread(actions.set_exclusion, caller.caller, id, body.reason)
    return await read_back(RESOURCE, id, caller)
