"""Payment methods per payer, payment records (Stripe and wallet), top-ups and their
packages, each session's payment, Stripe webhook events, per-organisation payment settings.

Amounts are integer minor units; times UTC. Every Stripe call that moves money carries an
idempotency key derived from the `Payment` row it acts for (`Payment.idempotency_key`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class PaymentMethod(StrEnum):
    """How a driver or group pays for charging. Without a `PaymentAccount` row a payer is
    billed by monthly invoice, as before payments existed."""

    WALLET = "wallet"  # prepaid balance, charged at the end of each session
    CARD = "card"  # Stripe: a hold at the start, captured at the end
    INVOICE = "invoice"  # postpaid: the monthly invoice
    FREE = "free"  # the operator's own cards: priced, never charged


class PaymentAccount(SQLModel, table=True):
    """A driver's or group's payment method and Stripe customer (saved card)."""

    __tablename__ = "payment_account"
    __table_args__ = (UniqueConstraint("holder_kind", "holder_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    holder_kind: str = Field(max_length=16)  # finance.wallets.models.HolderKind
    holder_id: int
    method: str = Field(default=PaymentMethod.INVOICE, max_length=16)
    stripe_customer_id: str = Field(default="", max_length=64)
    card_payment_method_id: str = Field(default="", max_length=64)  # saved by a SetupIntent
    card_label: str = Field(default="", max_length=64)  # "visa •••• 4242, 12/2030"
    setup_intent_id: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class PaymentSettings(SQLModel, table=True):
    """An organisation's payment figures (currency comes from its billing profile)."""

    __tablename__ = "payment_settings"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    card_hold_minor: int = 5000  # placed when a card-paying session starts
    wallet_minimum_minor: int = 500  # below it, a wallet-paying id tag is refused
    recharge_amounts: str = Field(default="1000,2000,5000", max_length=200)  # minor units
    top_up_minimum_minor: int = 500
    top_up_maximum_minor: int = 50000
    memberships_enabled: bool = True
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class TopUpPackage(SQLModel, table=True):
    """ "Pay 50, get 55": `pay_minor` charged, `credit_minor` credited (the rest is bonus)."""

    __tablename__ = "top_up_package"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    pay_minor: int
    credit_minor: int
    currency: str = Field(default="EUR", max_length=3)
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class PaymentKind(StrEnum):
    CARD_HOLD = "card_hold"  # PaymentIntent, manual capture, placed at a session's start
    CARD_EXCESS = "card_excess"  # the cost above the hold, charged off-session at the end
    TOP_UP = "top_up"  # Stripe Checkout into a wallet
    MEMBERSHIP_FEE = "membership_fee"  # a membership's monthly fee (Stripe invoice)
    REFUND = "refund"  # money returned (Stripe refund of one of the above)


class PaymentStatus(StrEnum):
    PENDING = "pending"  # recorded; Stripe not called yet or not answered
    REQUIRES_ACTION = "requires_action"  # the customer must act (Checkout open, 3-D Secure)
    AUTHORIZED = "authorized"  # a hold in place (requires_capture)
    SUCCEEDED = "succeeded"  # money taken (captured / paid)
    CANCELED = "canceled"  # hold released, Checkout expired
    FAILED = "failed"  # declined or errored; `error` says why
    REFUNDED = "refunded"  # wholly refunded (partly: `refunded_minor`)


class Payment(SQLModel, table=True):
    """One payment with Stripe as CCMS sees it. `stripe_status` / `stripe_amount_minor` are
    what Stripe last reported (API answer or webhook); when they disagree with ours the row
    is flagged `mismatch` and shows in the reconciliation list."""

    __table_args__ = (
        Index("ix_payment_org_created", "organisation_id", "created_at"),
        Index("ix_payment_mismatch", "organisation_id", "mismatch"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=24)
    holder_kind: str = Field(default="", max_length=16)
    holder_id: int = 0
    session_id: int | None = Field(default=None, foreign_key="charging_session.id", index=True)
    top_up_id: int | None = Field(default=None, foreign_key="top_up.id", index=True)
    membership_id: int | None = Field(default=None, foreign_key="membership.id", index=True)
    refund_of_id: int | None = Field(default=None, foreign_key="payment.id")
    currency: str = Field(max_length=3)
    amount_minor: int  # what we ask for (the hold, the top-up, the refund)
    captured_minor: int = 0  # taken (a hold: what was captured)
    refunded_minor: int = 0
    status: str = Field(default=PaymentStatus.PENDING, max_length=24)
    idempotency_key: str = Field(max_length=120, unique=True)
    stripe_id: str = Field(default="", max_length=120, index=True)  # pi_, cs_, re_, in_
    stripe_status: str = Field(default="", max_length=40)
    stripe_amount_minor: int | None = None
    mismatch: bool = False
    mismatch_note: str = Field(default="", max_length=300)
    error: str = Field(default="", max_length=300)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class TopUpState(StrEnum):
    OPEN = "open"  # Checkout created, waiting for the driver
    PAID = "paid"  # credited to the wallet
    EXPIRED = "expired"
    FAILED = "failed"


class TopUp(SQLModel, table=True):
    """A wallet recharge through Stripe Checkout (recharge history)."""

    __tablename__ = "top_up"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    holder_kind: str = Field(max_length=16)
    holder_id: int
    package_id: int | None = Field(default=None, foreign_key="top_up_package.id")
    pay_minor: int
    bonus_minor: int = 0
    currency: str = Field(max_length=3)
    state: str = Field(default=TopUpState.OPEN, max_length=16)
    checkout_session_id: str = Field(default="", max_length=120, index=True)
    checkout_url: str = Field(default="", max_length=500)
    ledger_transaction_id: int | None = Field(default=None, foreign_key="ledger_transaction.id")
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    paid_at: datetime | None = Field(default=None, sa_column=utc_column())


class SessionPaymentState(StrEnum):
    OPEN = "open"  # running; nothing to do yet (wallet, invoice, free)
    HOLD_PENDING = "hold_pending"  # card: the hold is to be placed
    HELD = "held"  # card: hold in place
    HOLD_FAILED = "hold_failed"  # card: declined; the session is stopped
    TO_SETTLE = "to_settle"  # ended and priced: charge / capture / release next
    SETTLED = "settled"  # charged (wallet), captured (card), or nothing to charge
    FAILED = "failed"  # capture or charge failed; `note` says why (retried by the job)


class SessionPayment(SQLModel, table=True):
    """How a session is paid: the payer's method when it started, its hold, what was
    charged, why CCMS stopped it (wallet empty, card declined)."""

    __tablename__ = "session_payment"
    __table_args__ = (Index("ix_session_payment_state", "state"),)

    session_id: int = Field(foreign_key="charging_session.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    method: str = Field(max_length=16)
    holder_kind: str = Field(default="", max_length=16)
    holder_id: int = 0
    state: str = Field(default=SessionPaymentState.OPEN, max_length=16)
    hold_payment_id: int | None = Field(default=None, foreign_key="payment.id")
    charged_minor: int = 0  # taken from the wallet or the card
    discount_minor: int = 0  # membership / voucher benefits taken off the cost
    membership_id: int | None = Field(default=None, foreign_key="membership.id")
    included_wh: int = 0  # of the membership's included energy
    stop_requested_at: datetime | None = Field(default=None, sa_column=utc_column())
    stop_reason: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    settled_at: datetime | None = Field(default=None, sa_column=utc_column())


class StripeEvent(SQLModel, table=True):
    """Every webhook event received, once: its id is the key, so a replay is recognised."""

    __tablename__ = "stripe_event"

    id: str = Field(primary_key=True, max_length=80)  # evt_...
    type: str = Field(max_length=80)
    stripe_created: datetime | None = Field(default=None, sa_column=utc_column())
    received_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    processed_at: datetime | None = Field(default=None, sa_column=utc_column())
    outcome: str = Field(default="", max_length=300)
    payload: str = Field(sa_column=Column(Text, nullable=False))
