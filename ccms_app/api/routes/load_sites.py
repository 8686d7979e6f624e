"""Load sites: a station's grid connection shared between its charge points. The same use
cases as Load Balancing -> Sites (`load_balancing.site_admin`, `.building_load`).

- `GET /load-sites`, `GET /load-sites/{id}`: the sites of the key's scope with their root
  limits (`limit_a` per phase and / or `limit_kw`, less `margin_a`).
- `POST /load-sites` -> 201 (one per station; creates the grid connection node),
  `PATCH /load-sites/{id}` (only the fields sent; null clears an optional one),
  `DELETE /load-sites/{id}` -> 204 (with its tree, plans, priorities, readings, decisions).
- `PUT /load-sites/{id}/building-load`: a building load reading, per phase
  (`l1_a`, `l2_a`, `l3_a`), one current for all (`current_a`) or a power (`power_kw`);
  negative = exporting (a PV roof), which frees capacity under the dynamic strategy.
The tree, plans and priorities are in `load_site_tree` / `load_site_plans`, the live view in
`load_site_live`. load_balancing:view to read, load_balancing:edit to change.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.api.times import UtcInstant
from ccms_app.load_balancing import building_load, site_admin
from ccms_app.load_balancing.rules import reading_form
from ccms_app.load_balancing.rules import site_form as form
from ccms_app.load_balancing.site_admin import SiteView
from ccms_app.load_balancing.site_rows import InUseError

problems.register({InUseError: 409})

api = router("/load-sites", "Load balancing")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.LOAD_BALANCING, Action.EDIT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}

Amps = Annotated[float, Field(gt=0, le=form.MAX_LIMIT_A, description="Per phase, A")]
Kilowatts = Annotated[float, Field(gt=0, le=form.MAX_LIMIT_KW, description="Three-phase, kW")]


class StrictBody(StrictModel):
    """A body whose numbers are numbers: true, "5" or 3.0 for an integer are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class LoadSiteChanges(StrictBody):
    """A partial update: only the fields sent change; null clears an optional one."""

    name: str | None = Field(None, min_length=1, max_length=form.MAX_NAME)
    strategy: Literal["static", "dynamic"] | None = Field(
        None, description="static: a fixed total; dynamic: the limit less the building load"
    )
    enabled: StrictBool | None = None
    min_current_a: float | None = Field(
        None, ge=0, le=form.MAX_MIN_CURRENT_A, description="A car gets 0 or at least this (AC)"
    )
    change_threshold_a: float | None = Field(
        None,
        ge=form.MIN_THRESHOLD_A,
        le=form.MAX_THRESHOLD_A,
        description="A new limit is sent when it moves more than this",
    )
    profile_validity_s: int | None = Field(
        None,
        ge=form.MIN_VALIDITY_S,
        le=form.MAX_VALIDITY_S,
        description="Live profiles expire after this (fail-safe); refreshed at half of it",
    )
    meter_charge_point_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="A site meter reporting over OCPP (dynamic)"
    )
    meter_connector_id: int | None = Field(None, ge=0, le=100)
    building_load_max_age_s: int | None = Field(
        None,
        ge=form.MIN_MAX_AGE_S,
        le=form.MAX_MAX_AGE_S,
        description="An older reading is stale: the 24 h peak is assumed",
    )
    limit_a: Amps | None = Field(None, description="The grid connection's limit per phase, A")
    limit_kw: Kilowatts | None = Field(None, description="The grid connection's limit, kW")
    margin_a: float | None = Field(
        None, ge=0, le=form.MAX_LIMIT_A, description="Kept free on every phase, A"
    )


class NewLoadSite(LoadSiteChanges):
    station_id: int = Field(ge=1, le=MAX_INT, description="The station (one site each)")
    name: str = Field(min_length=1, max_length=form.MAX_NAME)


class LoadSiteList(BaseModel):
    items: list[SiteView]
    total: int


Current = Annotated[float, Field(ge=-reading_form.MAX_READING_A, le=reading_form.MAX_READING_A)]


class BuildingLoad(StrictBody):
    """One of: l1_a + l2_a + l3_a; current_a; power_kw. Negative: the building exports."""

    l1_a: Current | None = Field(None, description="Phase L1, A")
    l2_a: Current | None = Field(None, description="Phase L2, A")
    l3_a: Current | None = Field(None, description="Phase L3, A")
    current_a: Current | None = Field(None, description="The same current on every phase, A")
    power_kw: float | None = Field(
        None,
        ge=-reading_form.MAX_READING_KW,
        le=reading_form.MAX_READING_KW,
        description="Three-phase power, kW (spread evenly at 230 V)",
    )
    measured_at: UtcInstant | None = Field(
        None, description="When measured (ISO 8601 with offset; default now; <= 5 min ahead)"
    )


class BuildingLoadReading(BaseModel):
    site_id: int
    measured_at: datetime
    l1_a: float
    l2_a: float
    l3_a: float


def changes(body: BaseModel) -> dict[str, Any]:
    """Only the fields sent (null included: it clears the field)."""
    return body.model_dump(exclude_unset=True)


@api.get("", response_model=LoadSiteList, summary="Load sites", operation_id="list_load_sites")
async def list_load_sites(caller: Viewer) -> Any:
    sites = await asyncio.to_thread(site_admin.list_sites, caller.caller)
    return {"items": sites, "total": len(sites)}


@api.post(
    "",
    status_code=201,
    response_model=SiteView,
    summary="Create a load site at a station",
    operation_id="create_load_site",
)
async def create_load_site(body: NewLoadSite, caller: Editor, response: Response) -> Any:
    site = await asyncio.to_thread(site_admin.create_site, caller.caller, changes(body))
    response.headers["Location"] = f"/api/v1/load-sites/{site.id}"
    return site


@api.get(
    "/{id}",
    response_model=SiteView,
    summary="A load site",
    operation_id="get_load_site",
    responses=NOT_IN_SCOPE,
)
async def get_load_site(id: Id, caller: Viewer) -> Any:
    return await asyncio.to_thread(site_admin.get_site, caller.caller, id)


@api.patch(
    "/{id}",
    response_model=SiteView,
    summary="Change a load site (only the fields sent)",
    operation_id="update_load_site",
    responses=NOT_IN_SCOPE,
)
async def update_load_site(id: Id, body: LoadSiteChanges, caller: Editor) -> Any:
    return await asyncio.to_thread(site_admin.update_site, caller.caller, id, changes(body))


@api.delete(
    "/{id}",
    status_code=204,
    summary="Delete a load site with its tree, plans, priorities and history",
    operation_id="delete_load_site",
    responses=NOT_IN_SCOPE,
)
async def delete_load_site(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(site_admin.delete_site, caller.caller, id)
    return Response(status_code=204)


@api.put(
    "/{id}/building-load",
    response_model=BuildingLoadReading,
    summary="Report the building's load (dynamic strategy)",
    operation_id="put_building_load",
    responses=NOT_IN_SCOPE,
)
async def put_building_load(id: Id, body: BuildingLoad, caller: Editor) -> Any:
    data = body.model_dump(exclude_none=True)
    return await asyncio.to_thread(building_load.put_reading, caller.caller, id, data)
