"""Membership plans and the memberships of drivers and group accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class FeeCollection(StrEnum):
    STRIPE = "stripe"  # a Stripe subscription on the member's saved card
    WALLET = "wallet"  # taken from the member's wallet each period


class MembershipPlan(SQLModel, table=True):
    __tablename__ = "membership_plan"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    monthly_fee_minor: int = 0
    currency: str = Field(default="EUR", max_length=3)
    fee_collection: str = Field(default=FeeCollection.WALLET, max_length=16)
    discount_percent: str = Field(default="", max_length=8)  # Decimal text; "" = none
    member_tariff_id: int | None = Field(default=None, foreign_key="tariff.id")
    included_wh: int = 0  # energy per period free of charge (energy part of the cost)
    active: bool = True
    stripe_product_id: str = Field(default="", max_length=64)
    stripe_price_id: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"  # the fee could not be collected: benefits paused
    CANCELLED = "cancelled"


class Membership(SQLModel, table=True):
    __table_args__ = (Index("ix_membership_holder", "holder_kind", "holder_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="membership_plan.id", index=True)
    holder_kind: str = Field(max_length=16)
    holder_id: int
    status: str = Field(default=MembershipStatus.ACTIVE, max_length=16)
    started_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    current_period_start: datetime = Field(sa_column=utc_column(nullable=False))
    current_period_end: datetime = Field(sa_column=utc_column(nullable=False))
    cancelled_at: datetime | None = Field(default=None, sa_column=utc_column())
    stripe_subscription_id: str = Field(default="", max_length=64)
    created_by: str = Field(default="", max_length=320)
