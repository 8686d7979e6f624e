"""Charging profiles: what the Smart charging tab of a charge point shows, and its commands.

- `GET /charging-profiles?charge_point=<identity>`: the charge point's profiles as the tab
  lists them (`control.smart_charging.profile_views.list_profiles`): the ones installed and
  in force, or with `history=true` every profile ever sent, newest first. `status` is what
  the tab shows (accepted, or ended / expired for an accepted one whose transaction ended or
  whose validTo passed; else as stored: rejected, replaced, cleared, ...).
- `POST /charging-profiles` (SetChargingProfile) and `POST /charging-profiles/clear`
  (ClearChargingProfile) are OCPP commands: they run the tab's use cases, which send the
  command and wait for the charge point's answer; the answer holds the command record
  (`command.status`) next to the profile(s). A profile the charge point refused is still
  recorded (201) with that status.

Listing needs live_monitoring:view; set and clear need live_monitoring:control.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.api.routes.reservations import CommandRecord
from ccms_app.api.times import UtcInstant
from ccms_app.control.commands import UnknownChargePointError
from ccms_app.control.models import StoredChargingProfile
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.smart_charging.profile_commands import clear_profiles, set_profile
from ccms_app.control.smart_charging.profile_views import ProfileView, list_profiles
from ccms_app.core import listing
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.charge_point_admin import find_by_identity
from ocpp_server.smart_charging.profiles import MAX_PERIODS

problems.register({CommandInputError: 422, UnknownChargePointError: 404})

# Which charge point a stored profile belongs to, scoped (for GET /{id}).
PROFILE_OWNERS = ListSpec(
    name="charging profiles",
    base=lambda: select(StoredChargingProfile),
    columns=(
        ListColumn("id", "Profile", StoredChargingProfile.id),
        ListColumn("charge_point_id", "Charge point", StoredChargingProfile.charge_point_id),
    ),
    organisation_column=StoredChargingProfile.organisation_id,
    id_column=StoredChargingProfile.id,
    default_sort="id",
)
Purpose = Literal["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"]
Kind = Literal["Absolute", "Recurring", "Relative"]
Recurrency = Literal["Daily", "Weekly"]
RateUnit = Literal["W", "A"]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Quantity = Annotated[Decimal, Field(ge=0, le=10**9, description="W or A, steps of 0.1")]

api = router("/charging-profiles", "Charging profiles")
Viewer = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.VIEW)]
Controller = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.CONTROL)]


# --- what is answered --------------------------------------------------------------------


class PeriodOut(BaseModel):
    start_period: int = Field(description="Seconds from the start of the schedule")
    limit: float
    number_phases: int | None


class ChargingProfile(BaseModel):
    """One SetChargingProfile as recorded, and what became of it."""

    id: int = Field(description="The record's id (the OCPP id is charging_profile_id)")
    charge_point: str
    charge_point_id: int
    connector_id: int = Field(description="0: the charge point as a whole")
    charging_profile_id: int
    stack_level: int
    purpose: str
    kind: str
    recurrency_kind: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    transaction_id: int | None
    charging_rate_unit: str
    duration: int | None
    start_schedule: datetime | None
    min_charging_rate: float | None
    periods: list[PeriodOut]
    status: str = Field(description="As the Smart charging tab shows it (ended, expired, ...)")
    stored_status: str
    active: bool = Field(description="Installed on the charge point and in force")
    detail: str
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ProfileView) -> ChargingProfile:
        p, schedule = view.profile, view.profile.schedule
        rate = schedule.min_charging_rate
        return cls(
            id=view.id,
            charge_point=view.charge_point_identity,
            charge_point_id=view.charge_point_id,
            connector_id=view.connector_id,
            charging_profile_id=p.charging_profile_id,
            stack_level=p.stack_level,
            purpose=p.purpose.value,
            kind=p.kind.value,
            recurrency_kind=p.recurrency_kind.value if p.recurrency_kind else None,
            valid_from=p.valid_from,
            valid_to=p.valid_to,
            transaction_id=p.transaction_id,
            charging_rate_unit=schedule.charging_rate_unit.value,
            duration=schedule.duration,
            start_schedule=schedule.start_schedule,
            min_charging_rate=None if rate is None else float(rate),
            periods=[
                PeriodOut(
                    start_period=q.start_period, limit=float(q.limit), number_phases=q.number_phases
                )
                for q in schedule.periods
            ],
            status=view.shown_status,
            stored_status=view.status,
            active=view.is_active,
            detail=view.detail,
            created_by=view.created_by,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class ChargingProfilePage(BaseModel):
    items: list[ChargingProfile]
    total: int = Field(description="Profiles matching, all pages")
    page: int
    page_size: int


class ProfileCommand(BaseModel):
    profile: ChargingProfile
    command: CommandRecord | None = Field(description="The SetChargingProfile sent")


class ClearCommand(BaseModel):
    command: CommandRecord = Field(description="The ClearChargingProfile sent")
    cleared: list[ChargingProfile] = Field(description="Profiles it cleared")


# --- what is asked -----------------------------------------------------------------------


class ProfileListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    charge_point: str = Field(min_length=1, max_length=64, description="Its identity")
    history: bool = Field(False, description="Every profile ever sent, not only those in force")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(25, ge=1, le=listing.MAX_PAGE_SIZE)


class SchedulePeriod(StrictModel):
    start_period: Count
    limit: Quantity
    number_phases: int | None = Field(None, ge=1, le=3)


class ChargingSchedule(StrictModel):
    charging_rate_unit: RateUnit
    charging_schedule_period: list[SchedulePeriod] = Field(min_length=1, max_length=MAX_PERIODS)
    duration: Count | None = None
    start_schedule: UtcInstant | None = None
    min_charging_rate: Quantity | None = None


class ProfileSpec(StrictModel):
    """An OCPP 1.6 csChargingProfiles in snake_case; without an id CCMS assigns the next one."""

    charging_profile_id: int | None = Field(None, ge=1, le=MAX_INT)
    stack_level: Count
    charging_profile_purpose: Purpose
    charging_profile_kind: Kind
    recurrency_kind: Recurrency | None = None
    valid_from: UtcInstant | None = None
    valid_to: UtcInstant | None = None
    transaction_id: int | None = Field(None, ge=1, le=MAX_INT, description="TxProfile only")
    charging_schedule: ChargingSchedule


class NewChargingProfile(StrictModel):
    charge_point: str = Field(min_length=1, max_length=64, description="Its identity")
    connector_id: Count = Field(0, description="0: the charge point as a whole")
    profile: ProfileSpec


class ClearRequest(StrictModel):
    """ClearChargingProfile by OCPP id, or by connector / purpose / stack level (none: all)."""

    charge_point: str = Field(min_length=1, max_length=64, description="Its identity")
    charging_profile_id: int | None = Field(None, ge=1, le=MAX_INT)
    connector_id: Count | None = None
    purpose: Purpose | None = None
    stack_level: Count | None = None


# --- routes ------------------------------------------------------------------------------


def profiles_page(params: ProfileListParams, caller: ApiCaller) -> ChargingProfilePage:
    charge_point = find_by_identity(caller.scope, params.charge_point)
    views = list_profiles(charge_point.id, active_only=not params.history)
    first = (params.page - 1) * params.page_size
    shown = views[first : first + params.page_size]
    return ChargingProfilePage(
        items=[ChargingProfile.of(v) for v in shown],
        total=len(views),
        page=params.page,
        page_size=params.page_size,
    )


def one_profile(profile_id: int, caller: ApiCaller) -> ChargingProfile:
    owner = listing.fetch_one(PROFILE_OWNERS, profile_id, caller.scope)
    found = [] if owner is None else list_profiles(owner["charge_point_id"], active_only=False)
    for view in found:
        if view.id == profile_id:
            return ChargingProfile.of(view)
    raise Problem(404, f"No charging profile {profile_id} in this key's scope.")


@api.get(
    "",
    response_model=ChargingProfilePage,
    summary="A charge point's charging profiles, as its Smart charging tab lists them",
    operation_id="list_charging_profiles",
)
async def list_charging_profiles(
    params: Annotated[ProfileListParams, Query()], caller: Viewer
) -> Any:
    return await asyncio.to_thread(profiles_page, params, caller)


@api.get(
    "/{id}",
    response_model=ChargingProfile,
    summary="One recorded charging profile",
    operation_id="get_charging_profile",
)
async def get_charging_profile(id: Annotated[int, Path(ge=1, le=MAX_INT)], caller: Viewer) -> Any:
    return await asyncio.to_thread(one_profile, id, caller)


@api.post(
    "",
    status_code=201,
    response_model=ProfileCommand,
    summary="Install a charging profile (SetChargingProfile): the answer holds the command",
    operation_id="create_charging_profile",
)
async def create_charging_profile(
    body: NewChargingProfile, caller: Controller, response: Response
) -> Any:
    charge_point = await asyncio.to_thread(find_by_identity, caller.scope, body.charge_point)
    spec = body.profile.model_dump(exclude_none=True)
    view = await set_profile(charge_point.id, body.connector_id, spec, caller.principal.email)
    response.headers["Location"] = f"/api/v1/charging-profiles/{view.id}"
    command = None if view.command is None else CommandRecord.of(view.command)
    return ProfileCommand(profile=ChargingProfile.of(view), command=command)


@api.post(
    "/clear",
    response_model=ClearCommand,
    summary="Clear charging profiles (ClearChargingProfile): the answer holds the command",
    operation_id="clear_charging_profiles",
)
async def clear_charging_profiles(body: ClearRequest, caller: Controller) -> Any:
    charge_point = await asyncio.to_thread(find_by_identity, caller.scope, body.charge_point)
    result = await clear_profiles(
        charge_point.id,
        requested_by=caller.principal.email,
        charging_profile_id=body.charging_profile_id,
        connector_id=body.connector_id,
        purpose=body.purpose,
        stack_level=body.stack_level,
    )
    return ClearCommand(
        command=CommandRecord.of(result.command),
        cleared=[ChargingProfile.of(v) for v in result.cleared],
    )
