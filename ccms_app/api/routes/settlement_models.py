"""Request and answer bodies of the partner settlement routes (`api.routes.settlements`).

Amounts in answers are integer minor units of `currency`; in requests, as the web form
takes them, decimal texts in major units ("0.30"). Percentages are decimal texts ("12.5").
Times are UTC instants; `valid_until` is the first instant an agreement no longer covers.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.api.times import UtcInstant
from ccms_app.finance.rules.settlement import NAME_MAX

AMOUNT_DOC = "Decimal text in major units, e.g. 0.30 (at most the currency's decimals)"


class AgreementChanges(StrictModel):
    """A partial change: only the fields sent change; null clears station_id (all stations)
    and valid_until (open-ended)."""

    station_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="One of the partner's stations; null: all of them"
    )
    name: str | None = Field(None, max_length=NAME_MAX)
    operator_percent: str | None = Field(
        None, max_length=20, description="The operator's share of the income excl. VAT, 0-100"
    )
    fee_per_session: str | None = Field(None, max_length=20, description=AMOUNT_DOC)
    platform_fee: str | None = Field(None, max_length=20, description="Per month. " + AMOUNT_DOC)
    currency: str | None = Field(
        None, max_length=3, description="ISO 4217; must be the partner's sessions' currency"
    )
    valid_from: UtcInstant | None = Field(None, description="The first instant covered")
    valid_until: UtcInstant | None = Field(
        None, description="The first instant no longer covered; null: open-ended"
    )


class NewAgreement(AgreementChanges):
    partner_organisation_id: int = Field(ge=1, le=MAX_INT, description="A sub-operator")
    name: str = Field(max_length=NAME_MAX)
    operator_percent: str = Field(
        max_length=20, description="The operator's share of the income excl. VAT, 0-100"
    )
    valid_from: UtcInstant = Field(description="The first instant covered")


class FiguresOut(BaseModel):
    sessions: int
    energy_wh: int
    income_excl_minor: int
    vat_minor: int
    income_incl_minor: int
    commission_minor: int = Field(description="Rounded half up once for the whole settlement")
    session_fees_minor: int
    platform_fee_minor: int
    due_minor: int = Field(description="Due to the partner; negative: the partner owes it")


class AgreementFiguresOut(BaseModel):
    agreement_id: int
    name: str
    station_id: int | None
    operator_percent: str
    fee_per_session_minor: int
    monthly_platform_fee_minor: int
    month_share: str = Field(description="Share of the month in force (1: all of it)")
    figures: FiguresOut


class SettledSessionOut(BaseModel):
    session_id: int
    stopped_at: datetime
    stopped_local: str = Field(description="In the settlement's time zone")
    station_id: int | None
    station: str
    charge_point: str
    connector_id: int
    id_tag: str
    energy_wh: int
    currency: str
    income_excl_minor: int
    vat_minor: int
    income_incl_minor: int
    agreement_id: int | None = Field(description="null: no agreement covers it")
    not_covered: str = Field("", description="Why no agreement covers it")


class SettlementOut(BaseModel):
    partner_id: int
    partner_name: str
    operator_id: int
    month: str
    time_zone: str = Field(description="The operator's billing time zone")
    period_start: datetime = Field(description="UTC, inclusive")
    period_end: datetime = Field(description="UTC, exclusive")
    currency: str
    provisional: bool = Field(description="The month is not over yet")
    commission_exact: str = Field(description="Minor units, before the one rounding")
    agreements: list[AgreementFiguresOut]
    totals: FiguresOut
    sessions: list[SettledSessionOut]
    notes: list[str]
    pdf: str = Field(description="This settlement as PDF (this API)")
    csv: str = Field(description="This settlement as CSV (this API)")
