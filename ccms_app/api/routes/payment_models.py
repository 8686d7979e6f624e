"""Request and answer bodies of the payments API (payments, top-ups, packages, payment
settings, payment accounts). Amounts are integer minor units of the named currency."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.finance.rules.payments import MAX_RECHARGE_AMOUNTS, REASON_MAX

MAX_MINOR = 10**9
Minor = Field(ge=0, le=MAX_MINOR)
HolderKindIn = Literal["driver", "group"]


class RefundIn(StrictModel):
    amount_minor: int | None = Field(
        None, ge=1, le=MAX_MINOR, description="Minor units; left out: all that is left"
    )
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Why (audit log)")


class TopUpIn(StrictModel):
    """Exactly one of package_id, recharge_minor (one of the fixed recharge amounts) or
    amount_minor (within the organisation's top-up minimum and maximum)."""

    holder_kind: HolderKindIn
    holder_id: int = Field(ge=1, le=MAX_INT)
    package_id: int | None = Field(None, ge=1, le=MAX_INT)
    recharge_minor: int | None = Field(None, ge=1, le=MAX_MINOR)
    amount_minor: int | None = Field(None, ge=1, le=MAX_MINOR)
    success_url: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$")
    cancel_url: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$")


class PackageIn(StrictModel):
    organisation_id: int | None = Field(None, ge=1, le=MAX_INT, description="Default: the key's")
    name: str = Field(min_length=1, max_length=100)
    pay_minor: int = Field(ge=1, le=MAX_MINOR)
    credit_minor: int = Field(ge=1, le=MAX_MINOR, description="Credited; the rest is bonus")
    currency: str = Field("", max_length=3, description="Default: the organisation's")
    active: bool = True


class PackageChanges(StrictModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    pay_minor: int | None = Field(None, ge=1, le=MAX_MINOR)
    credit_minor: int | None = Field(None, ge=1, le=MAX_MINOR)
    active: bool | None = None


class PackageOut(BaseModel):
    id: int
    organisation_id: int
    name: str
    pay_minor: int
    credit_minor: int
    bonus_minor: int
    currency: str
    active: bool


class PackageList(BaseModel):
    items: list[PackageOut]


class PaymentSettingsBody(StrictModel):
    card_hold_minor: int = Field(ge=1, le=MAX_MINOR)
    wallet_minimum_minor: int = Field(ge=0, le=MAX_MINOR)
    recharge_amounts_minor: list[int] = Field(max_length=MAX_RECHARGE_AMOUNTS)
    top_up_minimum_minor: int = Field(ge=1, le=MAX_MINOR)
    top_up_maximum_minor: int = Field(ge=1, le=MAX_MINOR)
    memberships_enabled: bool


class PaymentSettingsOut(PaymentSettingsBody):
    organisation_id: int
    currency: str
    stripe_configured: bool = Field(description="False: card payments and top-ups are off")


class PaymentAccountOut(BaseModel):
    holder_kind: str
    holder_id: int
    organisation_id: int
    method: str = Field(description="wallet | card | invoice | free")
    card_label: str = Field(description='The saved card: "visa •••• 4242, 12/2030"')
    has_card: bool
    stripe_customer_id: str


class PaymentMethodIn(StrictModel):
    method: Literal["wallet", "card", "invoice", "free"]


class CardSetupOut(BaseModel):
    setup_intent_id: str
    client_secret: str = Field(description="For Stripe.js confirmCardSetup")
