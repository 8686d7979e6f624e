"""Charging history (Finance): every session with its cost; billing profiles per organisation.

- `GET /charging-history`: the Finance -> Charging history list through the same spec
  (`finance.history.spec.HISTORY_LIST`): search, filters (station, charge point, id tag,
  driver id or part of a name, group, status, cost state, payment method), a start-time range
  (`start_time_from` inclusive, `start_time_to` exclusive), sort, pages or cursor. Amounts
  are integer minor units of `currency`; times UTC (`timezone` is the station's).
  `order=desc` lists newest first, as the page does.
- `GET /charging-history/export?format=csv|jsonl`: every matching session, streamed.
- `GET /charging-history/{id}`: one session with its cost and the breakdown lines as priced
  (decimals as text, exact); `cost` is null before pricing.
- `GET / PUT /billing-profiles/{id}`: an organisation's billing settings (`id` = the
  organisation's); a key sees and edits its organisation's and its sub-operators'. PUT
  replaces every field (an empty one clears it); the checks and messages are the settings
  page's (`finance.billing_profiles`). The logo is set on the page, not here.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field, create_model
from sqlalchemy.sql.elements import ColumnElement

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import TimeRange
from ccms_app.finance import billing_profiles
from ccms_app.finance.billing_profiles import ProfileNotFound
from ccms_app.finance.history.detail import HistoryNotFound, stored_cost, stored_lines
from ccms_app.finance.history.spec import HISTORY_EXPORT, HISTORY_LIST
from ccms_app.finance.models import BillingProfile, SessionCost
from ccms_app.finance.rules import billing_profile as rules
from ccms_app.finance.rules.billing_profile import BillingProfileError

problems.register({BillingProfileError: 422, ProfileNotFound: 404, HistoryNotFound: 404})

RESOURCE = ListResource(
    HISTORY_LIST, Module.FINANCE, "ChargingHistorySession", "charging_history", with_get=False
)
STARTED = TimeRange(HISTORY_LIST.column("start_time"))
api = router(RESOURCE.path, "Charging history")


def _conditions(params: BaseModel, _caller: ApiCaller) -> list[ColumnElement[bool]]:
    """The start-time range; before that, every filter value is checked (a wrong cost state
    is a 400 here, not an error in the middle of a streamed export)."""
    values = params.model_dump()
    for column in HISTORY_LIST.columns:
        if column.filterable and values.get(column.key) is not None:
            column.selects(values[column.key])
    return STARTED.conditions(params)


EXPORT = ListResource(HISTORY_EXPORT, Module.FINANCE, "ChargingHistorySession", "charging_history")
ChargingHistorySession = add_list_routes(
    api, RESOURCE, extra=STARTED.fields(), narrow=_conditions, export=EXPORT
)
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]


class CostLine(BaseModel):
    """One priced piece: a dimension of one tariff element over [start, end)."""

    start: str | None = Field(None, description="ISO 8601, UTC")
    end: str | None = None
    dimension: str | None = Field(None, description="ENERGY | TIME | PARKING_TIME | FLAT")
    fee: str | None = None
    element_index: int | None = None
    quantity: str | None = Field(None, description="kWh, hours or 1, before the step size")
    billed_quantity: str | None = None
    unit_price: str | None = Field(None, description="Excl. VAT, per unit")
    vat: str | None = Field(None, description="Percent; null: no VAT applies")
    amount_excl_vat: str | None = Field(None, description="Exact, before rounding")


class SessionCostOut(BaseModel):
    state: str = Field(description="running | final | review | unpriced")
    currency: str
    total_excl_minor: int
    vat_minor: int
    total_incl_minor: int
    energy_excl_minor: int
    time_excl_minor: int
    parking_excl_minor: int
    fixed_excl_minor: int
    payment_method: str
    tariff_id: int | None
    tariff_version_id: int | None
    tariff_reason: str = Field(description="Why this tariff applied")
    note: str = Field(description="The pricing policy's words, e.g. why it is held for review")
    priced_at: datetime
    lines: list[CostLine]


ChargingHistoryDetail = create_model(
    "ChargingHistoryDetail",
    __base__=ChargingHistorySession,
    cost=(SessionCostOut | None, Field(None, description="Null before the session is priced")),
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _line(line: dict[str, Any]) -> CostLine:
    index = line.get("element_index")
    return CostLine(
        **{key: _text(line.get(key)) for key in CostLine.model_fields if key != "element_index"},
        element_index=index if isinstance(index, int) else None,
    )


def _cost(cost: SessionCost) -> SessionCostOut:
    fields = {k: getattr(cost, k) for k in SessionCostOut.model_fields if k != "lines"}
    return SessionCostOut(**fields, lines=[_line(line) for line in stored_lines(cost.breakdown)])


@api.get(
    "/{id}",
    response_model=ChargingHistoryDetail,
    summary="One session with its cost breakdown",
    operation_id="get_charging_history_session",
    responses={404: {"description": "Not in this key's scope"}},
)
async def get_charging_history_session(id: Id, caller: Viewer) -> Any:
    row, cost = await asyncio.to_thread(stored_cost, caller.scope, id)
    return {**row, "cost": None if cost is None else _cost(cost)}


# --- billing profiles --------------------------------------------------------------------

profiles_api = router("/billing-profiles", "Billing profiles")


class BillingProfileOut(BaseModel):
    organisation_id: int
    currency: str = Field(description="ISO 4217")
    vat_percent: str = Field(description='Default VAT percent; "" = none')
    rounding: str = Field(description="half_up | half_even")
    time_zone: str = Field(description="IANA")
    language: str = Field(description="Receipts, invoices, e-mails to drivers: en | de | zh_Hans")
    seller_name: str
    seller_address: str
    seller_vat_id: str
    seller_email: str
    has_logo: bool
    updated_at: datetime


class BillingProfileIn(StrictModel):
    """Every setting; an empty optional one clears it."""

    currency: str = Field(max_length=8, description="ISO 4217, e.g. EUR")
    vat_percent: str = Field("", max_length=12, description='0 to 100, 2 decimals; "" = none')
    rounding: str = Field("half_up", max_length=16, description="half_up | half_even")
    time_zone: str = Field(max_length=rules.ZONE_MAX, description="IANA, e.g. Europe/Berlin")
    language: str = Field(
        "en", max_length=16, description="Receipts, invoices, e-mails to drivers: en | de | zh_Hans"
    )
    seller_name: str = Field("", max_length=rules.NAME_MAX)
    seller_address: str = Field("", max_length=rules.ADDRESS_MAX)
    seller_vat_id: str = Field("", max_length=rules.VAT_ID_MAX)
    seller_email: str = Field("", max_length=rules.EMAIL_MAX)


def _profile(profile: BillingProfile) -> BillingProfileOut:
    return BillingProfileOut(
        **billing_profiles.profile_form(profile),
        organisation_id=profile.organisation_id,
        has_logo=bool(profile.logo_path),
        updated_at=profile.updated_at,
    )


@profiles_api.get(
    "/{id}",
    response_model=BillingProfileOut,
    summary="An organisation's billing settings (defaults until saved)",
    operation_id="get_billing_profile",
    responses={404: {"description": "Not in this key's scope"}},
)
async def get_billing_profile(id: Id, caller: Viewer) -> Any:
    profile = await asyncio.to_thread(billing_profiles.get_profile, id, caller.scope)
    return _profile(profile)


@profiles_api.put(
    "/{id}",
    response_model=BillingProfileOut,
    summary="Replace an organisation's billing settings",
    operation_id="update_billing_profile",
    responses={404: {"description": "Not in this key's scope"}},
)
async def update_billing_profile(id: Id, body: BillingProfileIn, caller: Editor) -> Any:
    actor = f"api key {caller.api_key_id}"
    profile = await asyncio.to_thread(
        billing_profiles.save_profile, id, as_form(body), actor, caller.scope
    )
    return _profile(profile)
