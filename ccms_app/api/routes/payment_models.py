"""Request and answer bodies of the payments API (payments, top-ups, packages, payment
settings, payment accounts). Amounts are integer minor units of the named currency.

Request bodies are strict: `0` is not `false` and `true` is not `1` (the schema says
boolean / integer, so does the check), unknown fields are refused. Amounts that go to Stripe
stay within what Stripe takes (`finance.rules.stripe_limits`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.finance.rules.payments import MAX_RECHARGE_AMOUNTS, REASON_MAX
from ccms_app.finance.rules.stripe_limits import STRIPE_MAX_MINOR, URL_MAX

MAX_MINOR = 10**9
HolderKindIn = Literal["driver", "group"]
CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
# An absolute http(s) URL of printable ASCII; the host is checked by the use case.
URL_PATTERN = r"^(https?://[!-~]+)?$"
URL_DOC = "Where Stripe sends the payer back (absolute http(s) URL); default: the Top-ups page"
ChargeMinor = Annotated[int, Field(ge=1, le=STRIPE_MAX_MINOR)]


class StrictBody(StrictModel):
    """No type coercion either: JSON's types as the schema states them."""

    model_config = ConfigDict(extra="forbid", strict=True)


class RefundIn(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount_minor": 500, "reason": "Charger fault"}]}
    )

    amount_minor: int | None = Field(
        None, ge=1, le=STRIPE_MAX_MINOR, description="Minor units; left out: all that is left"
    )
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Why (audit log)")


class TopUpIn(StrictBody):
    """Exactly one of package_id, recharge_minor (one of the fixed recharge amounts) or
    amount_minor (within the organisation's top-up minimum and maximum)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "holder_kind": "driver",
                    "holder_id": 1,
                    "recharge_minor": 1000,
                    "success_url": "https://app.example/top-ups/done?id={CHECKOUT_SESSION_ID}",
                }
            ]
        }
    )

    holder_kind: HolderKindIn
    holder_id: int = Field(ge=1, le=MAX_INT)
    package_id: int | None = Field(None, ge=1, le=MAX_INT)
    recharge_minor: int | None = Field(None, ge=1, le=STRIPE_MAX_MINOR)
    amount_minor: int | None = Field(None, ge=1, le=STRIPE_MAX_MINOR)
    success_url: str = Field("", max_length=URL_MAX, pattern=URL_PATTERN, description=URL_DOC)
    cancel_url: str = Field("", max_length=URL_MAX, pattern=URL_PATTERN, description=URL_DOC)


class PackageIn(StrictBody):
    organisation_id: int | None = Field(None, ge=1, le=MAX_INT, description="Default: the key's")
    name: str = Field(min_length=1, max_length=100)
    pay_minor: int = Field(ge=1, le=STRIPE_MAX_MINOR, description="Charged through Stripe")
    credit_minor: int = Field(ge=1, le=MAX_MINOR, description="Credited; the rest is bonus")
    currency: str | None = Field(
        None,
        min_length=3,
        max_length=3,
        pattern=CURRENCY_PATTERN,
        description="ISO 4217, e.g. EUR; default: the organisation's billing currency",
    )
    active: bool = True


class PackageChanges(StrictBody):
    name: str | None = Field(None, min_length=1, max_length=100)
    pay_minor: int | None = Field(None, ge=1, le=STRIPE_MAX_MINOR)
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


class PaymentSettingsBody(StrictBody):
    card_hold_minor: int = Field(ge=1, le=STRIPE_MAX_MINOR, description="Held on the card")
    wallet_minimum_minor: int = Field(ge=0, le=MAX_MINOR)
    recharge_amounts_minor: list[ChargeMinor] = Field(max_length=MAX_RECHARGE_AMOUNTS)
    top_up_minimum_minor: int = Field(ge=1, le=STRIPE_MAX_MINOR)
    top_up_maximum_minor: int = Field(ge=1, le=STRIPE_MAX_MINOR)
    memberships_enabled: bool


class PaymentSettingsOut(BaseModel):
    """What is stored (the body's limits are for new values: not repeated here)."""

    card_hold_minor: int
    wallet_minimum_minor: int
    recharge_amounts_minor: list[int]
    top_up_minimum_minor: int
    top_up_maximum_minor: int
    memberships_enabled: bool
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


class PaymentMethodIn(StrictBody):
    method: Literal["wallet", "card", "invoice", "free"]


class CardSetupOut(BaseModel):
    setup_intent_id: str
    client_secret: str = Field(description="For Stripe.js confirmCardSetup")
