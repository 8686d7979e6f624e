"""Request bodies of /membership-plans and /memberships (answers are the lists' rows)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.finance.memberships.plans import DESCRIPTION_MAX, NAME_MAX


class PlanChanges(StrictModel):
    """A partial update: only the fields sent change; null clears an optional one."""

    name: str | None = Field(None, max_length=NAME_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    monthly_fee_minor: int | None = Field(
        None, ge=0, le=10**9, description="Minor units of the plan's currency"
    )
    fee_collection: Literal["wallet", "stripe"] | None = Field(
        None, description="wallet: taken from the member's wallet; stripe: card subscription"
    )
    discount_percent: Decimal | None = Field(
        None, ge=0, le=100, description="Off each session's total incl. VAT; null: none"
    )
    member_tariff_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="A tariff of the plan's organisation; null: none"
    )
    included_kwh: Decimal | None = Field(
        None, ge=0, le=1_000_000, description="Free energy per period (kWh); null: none"
    )
    active: bool | None = Field(None, description="Offered to new members")


class NewPlan(PlanChanges):
    name: str = Field(max_length=NAME_MAX)
    monthly_fee_minor: int = Field(ge=0, le=10**9, description="Minor units, 0 or more")
    fee_collection: Literal["wallet", "stripe"] = "wallet"
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Whose plan (default: the key's organisation)"
    )


class NewMembership(StrictModel):
    plan_id: int = Field(ge=1, le=MAX_INT, strict=True)
    holder_kind: Literal["driver", "group"] = Field(description="A driver or a group account")
    holder_id: int = Field(ge=1, le=MAX_INT, strict=True)


class CancelMembership(StrictModel):
    at: Literal["period_end", "now"] = Field(
        "period_end",
        description="period_end: benefits until the paid period ends; now: at once. "
        "No fee is refunded either way.",
    )
