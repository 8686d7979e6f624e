"""A load site's time plans and priority rules. The same use cases as the site editor
(`load_balancing.plan_admin`).

- `GET /load-sites/{id}/plans`, `POST` -> 201: a different site limit (`limit_a` per phase
  or `limit_kw`) on some weekdays (ISO digits, "12345" = Monday to Friday) between two local
  times of the station (HH:MM; end before start: over midnight; equal: all day). Of two
  plans in force the higher `priority` wins. `PATCH` / `DELETE /load-plans/{id}`.
- `GET /load-sites/{id}/priorities`, `POST` -> 201: sessions matching a user group, a
  membership plan (ref: their id), an id tag (ref: the tag) or a charge point (ref: its id)
  are served first, higher `priority` first. `PATCH` / `DELETE /load-priorities/{id}`.
load_balancing:view to read, load_balancing:edit to change.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field, StrictBool

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT
from ccms_app.api.routes.load_sites import NOT_IN_SCOPE, Amps, Kilowatts, StrictBody, changes
from ccms_app.load_balancing import plan_admin
from ccms_app.load_balancing.plan_admin import PlanView, PriorityView
from ccms_app.load_balancing.rules import site_form as form

api = router("", "Load balancing")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.EDIT)]
Priority = Annotated[int, Field(ge=-form.MAX_PRIORITY, le=form.MAX_PRIORITY)]
Clock = Annotated[str, Field(max_length=5, description="Local HH:MM")]


class LoadPlanChanges(StrictBody):
    """A partial update: only the fields sent change; null clears a limit."""

    name: str | None = Field(None, min_length=1, max_length=form.MAX_NAME)
    priority: Priority | None = None
    weekdays: str | None = Field(None, max_length=20, description="ISO digits, Monday = 1")
    start_time: Clock | None = None
    end_time: Clock | None = None
    limit_a: Amps | None = None
    limit_kw: Kilowatts | None = None
    enabled: StrictBool | None = None


class NewLoadPlan(LoadPlanChanges):
    name: str = Field(min_length=1, max_length=form.MAX_NAME)


Kind = Literal["user_group", "membership_plan", "id_tag", "charge_point"]


class LoadPriorityChanges(StrictBody):
    """A partial update: only the fields sent change."""

    kind: Kind | None = None
    ref: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="A user group, membership plan or charge point id, or the id tag",
    )
    priority: Priority | None = None
    label: str | None = Field(None, max_length=form.MAX_LABEL)


class NewLoadPriority(LoadPriorityChanges):
    kind: Kind
    ref: str = Field(min_length=1, max_length=20)


@api.get(
    "/load-sites/{id}/plans",
    response_model=list[PlanView],
    summary="A load site's time plans",
    operation_id="list_load_plans",
    responses=NOT_IN_SCOPE,
)
async def list_load_plans(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(plan_admin.list_plans, caller.caller, id)


@api.post(
    "/load-sites/{id}/plans",
    status_code=201,
    response_model=PlanView,
    summary="Add a time plan",
    operation_id="create_load_plan",
    responses=NOT_IN_SCOPE,
)
async def create_load_plan(id: Id, body: NewLoadPlan, caller: Editor) -> Any:
    return await asyncio.to_thread(plan_admin.add_plan, caller.caller, id, changes(body))


@api.patch(
    "/load-plans/{id}",
    response_model=PlanView,
    summary="Change a time plan (only the fields sent)",
    operation_id="update_load_plan",
    responses=NOT_IN_SCOPE,
)
async def update_load_plan(id: Id, body: LoadPlanChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(plan_admin.update_plan, caller.caller, id, changes(body))


@api.delete(
    "/load-plans/{id}",
    status_code=204,
    summary="Delete a time plan",
    operation_id="delete_load_plan",
    responses=NOT_IN_SCOPE,
)
async def delete_load_plan(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(plan_admin.delete_plan, caller.caller, id)
    return Response(status_code=204)


@api.get(
    "/load-sites/{id}/priorities",
    response_model=list[PriorityView],
    summary="A load site's priority rules",
    operation_id="list_load_priorities",
    responses=NOT_IN_SCOPE,
)
async def list_load_priorities(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(plan_admin.list_priorities, caller.caller, id)


@api.post(
    "/load-sites/{id}/priorities",
    status_code=201,
    response_model=PriorityView,
    summary="Add a priority rule",
    operation_id="create_load_priority",
    responses=NOT_IN_SCOPE,
)
async def create_load_priority(id: Id, body: NewLoadPriority, caller: Editor) -> Any:
    return await asyncio.to_thread(plan_admin.add_priority, caller.caller, id, changes(body))


@api.patch(
    "/load-priorities/{id}",
    response_model=PriorityView,
    summary="Change a priority rule (only the fields sent)",
    operation_id="update_load_priority",
    responses=NOT_IN_SCOPE,
)
async def update_load_priority(id: Id, body: LoadPriorityChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(plan_admin.update_priority, caller.caller, id, changes(body))


@api.delete(
    "/load-priorities/{id}",
    status_code=204,
    summary="Delete a priority rule",
    operation_id="delete_load_priority",
    responses=NOT_IN_SCOPE,
)
async def delete_load_priority(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(plan_admin.delete_priority, caller.caller, id)
    return Response(status_code=204)
