"""Request and answer bodies of the home-charging reimbursement routes
(`api.routes.reimbursements`). Amounts in answers are integer minor units of `currency`
(the exact amount before its one rounding as decimal text); rates are decimal texts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.api.times import UtcInstant


class NewHomeCharger(StrictModel):
    charge_point_id: int = Field(ge=1, le=MAX_INT, description="The charge point at home")
    driver_id: int = Field(ge=1, le=MAX_INT, description="The employee (a driver)")
    rate_per_kwh: str = Field(
        max_length=20, description="The employee's electricity rate per kWh, e.g. 0.32"
    )
    currency: str | None = Field(
        None, max_length=3, description="ISO 4217; default: the employer's billing currency"
    )
    since: UtcInstant | None = Field(None, description="Sessions from then on count (default now)")


class ChargerOut(BaseModel):
    charge_point: str
    rate: str = Field(description='"0.32 EUR/kWh"')


class ReimbursedSessionOut(BaseModel):
    session_id: int
    stopped_at: datetime
    stopped_local: str = Field(description="In the employer's time zone")
    charge_point: str
    id_tag: str
    energy_wh: int
    rate_per_kwh: str


class EmployeeReimbursementOut(BaseModel):
    driver_id: int
    employee: str
    email: str
    organisation_id: int
    month: str
    time_zone: str = Field(description="The employer's billing time zone")
    period_start: datetime = Field(description="UTC, inclusive")
    period_end: datetime = Field(description="UTC, exclusive")
    currency: str
    chargers: list[ChargerOut]
    sessions_count: int
    energy_wh: int
    amount_exact: str = Field(description="Sum of kWh x rate, in major units, before rounding")
    amount_minor: int = Field(description="Rounded half up once, on the total")
    other_sessions: int = Field(description="On the home charger(s) with others' cards: left out")
    other_energy_wh: int
    provisional: bool = Field(description="The month is not over yet")
    sessions: list[ReimbursedSessionOut]
    pdf: str = Field(description="This report as PDF (this API)")
    csv: str = Field(description="This report as CSV (this API)")


class ReimbursementsOut(BaseModel):
    month: str
    items: list[EmployeeReimbursementOut]
