"""The wallet ledger (double entry) and vouchers.

A wallet's balance is the sum of its ledger entries, never a stored number: every top-up,
bonus, voucher, session charge, refund and manual adjustment is one `LedgerTransaction` whose
`LedgerEntry` rows sum to zero across accounts (the money comes from somewhere). Entries carry
a bucket: "paid" money (refundable) or "bonus" credit (never refunded). Amounts are integer
minor units of the account's currency; a positive amount raises the account's balance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class HolderKind(StrEnum):
    """Who a wallet, payment account, membership or voucher restriction belongs to."""

    DRIVER = "driver"
    GROUP = "group"


class AccountKind(StrEnum):
    """Ledger accounts. Wallets belong to a holder; the others are the organisation's own
    (holder_kind "" and holder_id 0) and show where wallet money came from or went to."""

    WALLET = "wallet"
    STRIPE_CLEARING = "stripe_clearing"  # money received from / returned through Stripe
    CHARGING_REVENUE = "charging_revenue"  # sessions paid from wallets
    PROMOTIONS = "promotions"  # bonus credit and vouchers given away
    ADJUSTMENTS = "adjustments"  # manual corrections by an operator
    MEMBERSHIP_FEES = "membership_fees"  # plan fees paid from wallets
    PAYOUTS = "payouts"  # paid money returned outside Stripe (bank transfer, cash)


class Bucket(StrEnum):
    PAID = "paid"  # money the holder paid in: refundable
    BONUS = "bonus"  # given by the operator (top-up bonus, voucher): spent, never refunded


class LedgerKind(StrEnum):
    TOP_UP = "top_up"
    BONUS = "bonus"
    VOUCHER = "voucher"
    SESSION_CHARGE = "session_charge"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"
    MEMBERSHIP_FEE = "membership_fee"
    RESERVATION_FEE = "reservation_fee"  # a reservation that expired unused


class LedgerAccount(SQLModel, table=True):
    __tablename__ = "ledger_account"
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "holder_kind", "holder_id", "currency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=24)
    holder_kind: str = Field(default="", max_length=16)  # "" for the organisation's accounts
    holder_id: int = 0
    currency: str = Field(max_length=3)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LedgerTransaction(SQLModel, table=True):
    """One money movement. `reference` is unique: the record that caused it ("top_up:12",
    "session:4711", ...), so doing the same thing twice posts nothing the second time."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (Index("ix_ledger_transaction_org_created", "organisation_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=24)
    reference: str = Field(max_length=120, unique=True)
    reason: str = Field(default="", max_length=500)
    session_id: int | None = Field(default=None, foreign_key="charging_session.id", index=True)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"
    # Covering: a balance (SUM per bucket) is read from the index alone, no table look-ups.
    __table_args__ = (
        Index("ix_ledger_entry_account_bucket", "account_id", "bucket", "amount_minor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledger_transaction.id", index=True)
    account_id: int = Field(foreign_key="ledger_account.id")
    bucket: str = Field(default=Bucket.PAID, max_length=8)
    amount_minor: int  # signed: + raises the account's balance


class VoucherKind(StrEnum):
    VALUE = "value"  # credits `value_minor` to the wallet as bonus
    PERCENT = "percent"  # `percent` off the holder's next charged session


class Voucher(SQLModel, table=True):
    """A promo code. `redemption_count` is raised with a guarded UPDATE (count < max), so a
    code is never redeemed more often than `max_redemptions`, however many redeem at once."""

    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str = Field(max_length=40)  # stored in capitals; codes are matched case-insensitively
    description: str = Field(default="", max_length=200)
    kind: str = Field(default=VoucherKind.VALUE, max_length=8)
    value_minor: int = 0
    percent: str = Field(default="", max_length=8)  # Decimal text, e.g. "15"
    currency: str = Field(default="EUR", max_length=3)
    max_redemptions: int | None = None  # None = unlimited (the form proposes 1: single use)
    per_holder_limit: int = 1
    redemption_count: int = 0
    valid_from: datetime | None = Field(default=None, sa_column=utc_column())
    valid_until: datetime | None = Field(default=None, sa_column=utc_column())
    active: bool = True
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class VoucherEligibility(SQLModel, table=True):
    """A voucher limited to these groups / drivers (no row = anyone of the organisation)."""

    __tablename__ = "voucher_eligibility"
    __table_args__ = (UniqueConstraint("voucher_id", "holder_kind", "holder_id"),)

    id: int | None = Field(default=None, primary_key=True)
    voucher_id: int = Field(foreign_key="voucher.id", index=True)
    holder_kind: str = Field(max_length=16)
    holder_id: int


class RedemptionState(StrEnum):
    CREDITED = "credited"  # value voucher: bonus on the wallet
    PENDING = "pending"  # percent voucher: waits for the next charged session
    USED = "used"  # percent voucher applied to `session_id`


class VoucherRedemption(SQLModel, table=True):
    """`holder_ordinal` (1, 2, ...) per voucher and holder makes the per-holder limit hold
    under concurrent redemptions: the unique key refuses a second "first" redemption."""

    __tablename__ = "voucher_redemption"
    __table_args__ = (UniqueConstraint("voucher_id", "holder_kind", "holder_id", "holder_ordinal"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    voucher_id: int = Field(foreign_key="voucher.id", index=True)
    holder_kind: str = Field(max_length=16)
    holder_id: int
    holder_ordinal: int = 1
    state: str = Field(default=RedemptionState.CREDITED, max_length=16)
    amount_minor: int = 0  # credited, or discounted on `session_id`
    ledger_transaction_id: int | None = Field(default=None, foreign_key="ledger_transaction.id")
    session_id: int | None = Field(default=None, foreign_key="charging_session.id")
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
