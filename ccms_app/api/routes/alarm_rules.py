"""Alarm rules: which alarms get which severity, who hears of them (browser roles, e-mail
recipients) and whether a work order is created. The same use cases as Maintenance ->
Alarm rules (`maintenance.alarms.rule_admin`).

- `GET /alarm-rules` (+ `/export`, `/{id}`): the list; `notify_role_ids` and
  `email_recipients` as stored, comma-separated.
- `POST /alarm-rules` -> 201, `PATCH /alarm-rules/{id}` (only the fields sent),
  `DELETE /alarm-rules/{id}` -> 204 (its alarms stay, without a rule).
maintenance:view to read, maintenance:edit to change. A rule with vendor, model and error
code "" matches any; the most specific enabled rule wins.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field, StrictBool

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.maintenance.alarms import rule_admin
from ccms_app.maintenance.rules import alarm_rule_form as form_rules

RESOURCE = ListResource(rule_admin.RULE_LIST, Module.MAINTENANCE, "AlarmRule", "alarm_rules")
api = router(RESOURCE.path, "Alarm rules")
AlarmRuleItem = add_list_routes(api, RESOURCE, narrow=filters_checked(rule_admin.RULE_LIST))
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Editor = Annotated[ApiCaller, gate(Module.MAINTENANCE, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}

Cause = Literal[
    "connector_faulted",
    "offline",
    "failed_starts",
    "firmware_failed",
    "diagnostics_failed",
    "data_issue",
    "security_event",
    "meter_anomaly",
]
Severity = Literal["critical", "major", "minor", "warning"]
Priority = Literal["critical", "high", "medium", "low"]
Email = Annotated[str, Field(min_length=3, max_length=form_rules.MAX_EMAIL)]
RoleId = Annotated[int, Field(ge=1, le=MAX_INT, strict=True)]


class AlarmRuleChanges(StrictModel):
    """A partial update: only the fields sent change."""

    name: str | None = Field(None, min_length=1, max_length=form_rules.MAX_NAME)
    cause: Cause | None = None
    vendor: str | None = Field(None, max_length=form_rules.MAX_VENDOR, description='"" = any')
    model: str | None = Field(None, max_length=form_rules.MAX_MODEL, description='"" = any')
    error_code: str | None = Field(
        None, max_length=form_rules.MAX_ERROR_CODE, description='OCPP errorCode; "" = any'
    )
    severity: Severity | None = None
    notify_browser: StrictBool | None = Field(None, description="Live counter and toast")
    notify_role_ids: list[RoleId] | None = Field(
        None, max_length=50, description="Roles whose users hear it; [] = maintenance:view"
    )
    email_recipients: list[Email] | None = Field(
        None, max_length=form_rules.MAX_RECIPIENTS, description="E-mail addresses"
    )
    create_work_order: StrictBool | None = None
    work_order_priority: Priority | None = None
    enabled: StrictBool | None = None


class NewAlarmRule(AlarmRuleChanges):
    name: str = Field(min_length=1, max_length=form_rules.MAX_NAME)
    cause: Cause
    severity: Severity
    organisation_id: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        strict=True,
        description="Whose alarms it rules (default: the key's)",
    )


def _form(body: AlarmRuleChanges, exclude_unset: bool) -> dict[str, str]:
    values = body.model_dump(exclude_unset=exclude_unset, exclude={"organisation_id"})
    form: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            form[key] = "true" if value else "false"
        elif isinstance(value, list):
            form[key] = ",".join(str(v) for v in value)
        else:
            form[key] = str(value)
    return form


@api.post(
    "",
    status_code=201,
    response_model=AlarmRuleItem,
    summary="Create an alarm rule",
    operation_id="create_alarm_rule",
)
async def create_alarm_rule(body: NewAlarmRule, caller: Editor, response: Response) -> Any:
    rule_id = await asyncio.to_thread(
        rule_admin.create_rule, caller.caller, _form(body, False), body.organisation_id
    )
    return await read_back(RESOURCE, rule_id, caller, response)


@api.patch(
    "/{id}",
    response_model=AlarmRuleItem,
    summary="Change an alarm rule (only the fields sent)",
    operation_id="update_alarm_rule",
    responses=NOT_IN_SCOPE,
)
async def update_alarm_rule(id: Id, body: AlarmRuleChanges, caller: Editor) -> Any:
    await asyncio.to_thread(rule_admin.update_rule, caller.caller, id, _form(body, True))
    return await read_back(RESOURCE, id, caller)


@api.delete(
    "/{id}",
    status_code=204,
    summary="Delete an alarm rule (its alarms stay)",
    operation_id="delete_alarm_rule",
    responses=NOT_IN_SCOPE,
)
async def delete_alarm_rule(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(rule_admin.delete_rule, caller.caller, id)
    return Response(status_code=204)
