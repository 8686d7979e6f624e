"""Request and answer bodies of the wallet and voucher routes (amounts in integer minor
units of the currency named beside them; times UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ccms_app.api.resources import MAX_INT, StrictModel
from ccms_app.core.money import MAX_MINOR

HolderKindName = Literal["driver", "group"]


class WalletOut(BaseModel):
    holder_kind: HolderKindName
    holder_id: int
    name: str
    detail: str = Field(description="The driver's e-mail, the group's name")
    organisation_id: int
    method: str = Field(description="wallet | card | invoice | free")
    currency: str
    paid_minor: int = Field(description="Paid money (refundable); below 0 is a debt")
    bonus_minor: int = Field(description="Bonus credit (never refunded)")
    total_minor: int


class LedgerLineOut(BaseModel):
    transaction_id: int
    kind: str = Field(description="top_up | bonus | voucher | session_charge | refund | ...")
    reference: str = Field(description="What caused it (unique): session:<id>, top_up:<id> ...")
    reason: str
    created_by: str
    created_at: datetime
    session_id: int | None
    paid_minor: int = Field(description="The change of the paid bucket")
    bonus_minor: int = Field(description="The change of the bonus bucket")
    amount_minor: int
    paid_after_minor: int
    bonus_after_minor: int
    balance_after_minor: int


class LedgerPageOut(BaseModel):
    items: list[LedgerLineOut]
    total: int = Field(description="Movements of the wallet, all pages")
    page: int
    page_size: int


class PostedOut(BaseModel):
    """A posted movement and the wallet after it."""

    transaction_id: int
    kind: str
    reference: str
    reason: str
    created_by: str
    created_at: datetime
    wallet: WalletOut


class AdjustmentIn(StrictModel):
    amount_minor: int = Field(
        ge=-MAX_MINOR, le=MAX_MINOR, description="Signed: + adds, - deducts; never 0"
    )
    bucket: Literal["paid", "bonus"]
    reason: str = Field(max_length=500, description="Why (kept in the ledger and the audit log)")


class RefundIn(StrictModel):
    amount_minor: int = Field(ge=1, le=MAX_MINOR, description="At most the paid balance")
    reason: str = Field(max_length=500, description="E.g. the bank transfer's reference")


class HolderRef(StrictModel):
    holder_kind: HolderKindName
    holder_id: int = Field(ge=1, le=MAX_INT)


class EligibleOut(BaseModel):
    holder_kind: str
    holder_id: int
    name: str


class VoucherOut(BaseModel):
    id: int
    organisation_id: int
    code: str
    description: str
    kind: Literal["value", "percent"]
    value_minor: int = Field(description="Value vouchers: the bonus credited")
    percent: str | None = Field(description='Percent vouchers: decimal text, e.g. "12.5"')
    currency: str
    max_redemptions: int | None = Field(description="null: unlimited")
    per_holder_limit: int
    redemption_count: int
    valid_from: datetime | None
    valid_until: datetime | None = Field(description="Exclusive")
    active: bool
    eligible: list[EligibleOut] = Field(description="Empty: anyone of the organisation")
    created_by: str
    created_at: datetime


class VoucherIn(StrictModel):
    code: str = Field(min_length=1, max_length=40, description="3-40 of A-Z 0-9 - _ (any case)")
    description: str = Field("", max_length=200)
    kind: Literal["value", "percent"] = "value"
    value_minor: int | None = Field(None, ge=0, le=MAX_MINOR, description="Value vouchers")
    percent: str | None = Field(
        None, max_length=12, description='Percent vouchers: 0 < p <= 100, e.g. "15"'
    )
    currency: str | None = Field(
        None, max_length=3, description="Default: the organisation's billing currency"
    )
    max_redemptions: int | None = Field(
        1, ge=1, le=1_000_000, description="1 = single-use; null = unlimited"
    )
    per_holder_limit: int = Field(1, ge=1, le=1_000_000)
    valid_from: datetime | None = None
    valid_until: datetime | None = Field(None, description="Exclusive")
    eligible: list[HolderRef] = Field(default_factory=list, max_length=500)
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Default: the key's organisation"
    )


class VoucherChanges(StrictModel):
    """Only the fields sent change. What a code gives is fixed once it was redeemed."""

    code: str | None = Field(None, min_length=1, max_length=40)
    description: str | None = Field(None, max_length=200)
    kind: Literal["value", "percent"] | None = None
    value_minor: int | None = Field(None, ge=0, le=MAX_MINOR)
    percent: str | None = Field(None, max_length=12)
    currency: str | None = Field(None, max_length=3)
    max_redemptions: int | None = Field(None, ge=1, le=1_000_000, description="null: unlimited")
    per_holder_limit: int | None = Field(None, ge=1, le=1_000_000)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    active: bool | None = None
    eligible: list[HolderRef] | None = Field(None, max_length=500)


class RedeemIn(StrictModel):
    code: str = Field(min_length=1, max_length=40)
    holder_kind: HolderKindName
    holder_id: int = Field(ge=1, le=MAX_INT)


class RedemptionOut(BaseModel):
    id: int
    voucher_id: int
    code: str
    holder_kind: str
    holder_id: int
    holder: str | None = Field(None, description="The driver's or group's name")
    holder_ordinal: int
    state: str = Field(description="credited | pending | used")
    amount_minor: int = Field(description="Credited, or discounted on `session_id`")
    session_id: int | None
    ledger_transaction_id: int | None
    created_by: str
    created_at: datetime


class RedemptionPageOut(BaseModel):
    items: list[RedemptionOut]
    total: int
    page: int
    page_size: int
