"""Finance tables: tariffs (versioned) and their assignments, session costs, billing profiles,
document numbering and the issued documents (receipts, invoices, credit notes).

Money is integer minor units of the row's currency; VAT percentages and prices per unit are
Decimal kept as text (SQLite has no exact decimal type). Times are UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ccms_app.core.types import utc_column, utc_now


class Tariff(SQLModel, table=True):
    """A named tariff of an organisation; its prices live in its versions."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    currency: str = Field(default="EUR", max_length=3)
    archived: bool = False  # no longer assignable; sessions priced with it keep it
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class TariffVersion(SQLModel, table=True):
    """The tariff's prices from `valid_from` on. A session is priced with the version valid
    when it started: editing a tariff adds a version, never changes one."""

    __tablename__ = "tariff_version"
    __table_args__ = (
        UniqueConstraint("tariff_id", "number"),
        Index("ix_tariff_version_valid", "tariff_id", "valid_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tariff_id: int = Field(foreign_key="tariff.id")
    number: int
    valid_from: datetime = Field(sa_column=utc_column(nullable=False))
    # The OCPI 2.2.1 Tariff JSON (elements, min/max price, CCMS fields): finance.tariff_json.
    definition: str = Field(sa_column=Column(Text, nullable=False))
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class AssignmentTarget(StrEnum):
    """What a tariff is assigned to, most specific last (resolution: finance.tariff_resolution)."""

    NETWORK = "network"  # target_id = the organisation's id
    STATION = "station"
    CHARGE_POINT = "charge_point"
    CONNECTOR = "connector"
    GROUP = "group"
    DRIVER = "driver"


class TariffAssignment(SQLModel, table=True):
    __tablename__ = "tariff_assignment"
    __table_args__ = (UniqueConstraint("organisation_id", "target_kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    tariff_id: int = Field(foreign_key="tariff.id", index=True)
    target_kind: str = Field(max_length=16)
    target_id: int
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class CostState(StrEnum):
    RUNNING = "running"  # the session runs: cost so far
    FINAL = "final"  # priced at its stop
    REVIEW = "review"  # held for an operator (finance.rules.pricing_policy says why)
    UNPRICED = "unpriced"  # no tariff applies: free by configuration, said so


# SessionCost.payment_method when no payment says otherwise: whose account the card charges.
GROUP_ACCOUNT = "group account"
DRIVER_ACCOUNT = "driver account"


class SessionCost(SQLModel, table=True):
    """A session's cost and its breakdown (OCPI CDR-like JSON), one row per session."""

    __tablename__ = "session_cost"
    __table_args__ = (
        Index("ix_session_cost_org_state", "organisation_id", "state"),
        # the analytics roll-up asks each minute which costs changed (revision 0023)
        Index("ix_session_cost_priced_at", "priced_at"),
    )

    session_id: int = Field(foreign_key="charging_session.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    state: str = Field(default=CostState.RUNNING, max_length=16)
    tariff_id: int | None = Field(default=None, foreign_key="tariff.id")
    tariff_version_id: int | None = Field(default=None, foreign_key="tariff_version.id")
    tariff_reason: str = Field(default="", max_length=200)  # why this tariff applied
    currency: str = Field(default="EUR", max_length=3)
    total_excl_minor: int = 0
    total_incl_minor: int = 0
    energy_excl_minor: int = 0
    time_excl_minor: int = 0
    parking_excl_minor: int = 0
    fixed_excl_minor: int = 0
    vat_minor: int = 0
    payment_method: str = Field(default="", max_length=32)
    note: str = Field(default="", max_length=500)  # the pricing policy's words, if any
    breakdown: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    priced_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    invoice_id: int | None = Field(default=None, foreign_key="billing_document.id", index=True)


class BillingProfile(SQLModel, table=True):
    """An organisation's seller details and finance defaults (operator or sub-operator)."""

    __tablename__ = "billing_profile"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    currency: str = Field(default="EUR", max_length=3)
    vat_percent: str = Field(default="", max_length=8)  # "" = no VAT unless a tariff says
    rounding: str = Field(default="half_up", max_length=16)
    time_zone: str = Field(default="UTC", max_length=64)
    # The language of its receipts, invoices and e-mails to drivers (a core.i18n code).
    language: str = Field(default="en", max_length=16)
    seller_name: str = Field(default="", max_length=200)
    seller_address: str = Field(default="", max_length=500)
    seller_vat_id: str = Field(default="", max_length=32)
    seller_email: str = Field(default="", max_length=320)
    logo_path: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))


class DocumentKind(StrEnum):
    RECEIPT = "receipt"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class DocumentSequence(SQLModel, table=True):
    """The next number of each document series of an issuing organisation: taken inside the
    issuing transaction (row lock), so numbers never skip or repeat."""

    __tablename__ = "document_sequence"

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    next_number: int = 1


class BillingDocument(SQLModel, table=True):
    """An issued receipt, invoice or credit note: frozen once issued (lines and seller as
    JSON); a correction is a credit note, never an edit."""

    __tablename__ = "billing_document"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "sequence_no"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=16)
    sequence_no: int
    number: str = Field(max_length=40, index=True)
    issued_at: datetime = Field(default_factory=utc_now, sa_column=utc_column(nullable=False))
    currency: str = Field(max_length=3)
    total_excl_minor: int
    vat_minor: int
    total_incl_minor: int
    session_id: int | None = Field(default=None, foreign_key="charging_session.id", index=True)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    user_group_id: int | None = Field(default=None, foreign_key="user_group.id", index=True)
    period_start: datetime | None = Field(default=None, sa_column=utc_column())
    period_end: datetime | None = Field(default=None, sa_column=utc_column())
    credits_document_id: int | None = Field(default=None, foreign_key="billing_document.id")
    buyer_name: str = Field(default="", max_length=200)
    buyer_email: str = Field(default="", max_length=320)
    content: str = Field(sa_column=Column(Text, nullable=False))  # seller, buyer, lines, VAT
    emailed_at: datetime | None = Field(default=None, sa_column=utc_column())
    email_error: str = Field(default="", max_length=300)
