"""The wallet ledger: balanced transactions, balances as sums, idempotent postings.

Every function runs inside the caller's transaction (`core.db.session_scope()`), so a
posting commits with whatever caused it (a session's stop, a webhook, an operator's form).

- A transaction's entries sum to zero per currency (money comes from somewhere); a wallet's
  balance is SUM(entries) per bucket, never a stored number.
- `reference` is unique: the record that caused the movement ("session:4711",
  "top_up:12"). Posting a reference a second time writes nothing and returns None; the
  transaction row is inserted with INSERT .. ON CONFLICT DO NOTHING, so two callers racing
  with the same reference cannot both post (PostgreSQL makes the second wait for the first
  and then skip; SQLite runs writing transactions one after the other).
- Charges and refunds read the balance before deciding: on PostgreSQL they first lock the
  wallet's account row (SELECT .. FOR UPDATE) so two charges cannot both spend the same
  credit; on SQLite `session_scope` opens the transaction with BEGIN IMMEDIATE, which already
  serialises writers (busy_timeout makes the next one wait instead of failing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id, table_of
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, UserGroup
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.rules import ledger as rules
from ccms_app.finance.wallets.models import (
    AccountKind,
    Bucket,
    HolderKind,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
)

ACCOUNTS = table_of(LedgerAccount)
TRANSACTIONS = table_of(LedgerTransaction)
ENTRIES = table_of(LedgerEntry)


class LedgerError(FinanceError):
    """Unbalanced postings, an unknown holder, a refund above the paid balance ..."""


@dataclass(frozen=True)
class Posting:
    """One entry to be written: `amount_minor` signed, + raises that account's balance."""

    account: LedgerAccount
    amount_minor: int
    bucket: Bucket = Bucket.PAID


@dataclass(frozen=True)
class WalletBalance:
    paid_minor: int
    bonus_minor: int
    currency: str

    @property
    def total_minor(self) -> int:
        return self.paid_minor + self.bonus_minor


def _insert(db: Session) -> Callable[[Table], Any]:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return sqlite_insert if db.get_bind().dialect.name == "sqlite" else postgresql_insert


def holder_organisation(db: Session, holder_kind: str, holder_id: int) -> int | None:
    """The organisation of a driver or group account, None when there is no such holder."""
    row: Driver | UserGroup | None = None
    if holder_kind == HolderKind.DRIVER:
        row = db.get(Driver, holder_id)
    elif holder_kind == HolderKind.GROUP:
        row = db.get(UserGroup, holder_id)
    return None if row is None else row.organisation_id


def _get_or_create(
    db: Session, organisation_id: int, kind: str, holder_kind: str, holder_id: int, currency: str
) -> LedgerAccount:
    """The account row; created with ON CONFLICT DO NOTHING so a race creates it once."""
    where = (
        col(LedgerAccount.organisation_id) == organisation_id,
        col(LedgerAccount.kind) == kind,
        col(LedgerAccount.holder_kind) == holder_kind,
        col(LedgerAccount.holder_id) == holder_id,
        col(LedgerAccount.currency) == currency,
    )
    found = db.execute(select(LedgerAccount).where(*where)).scalar_one_or_none()
    if found is not None:
        return found
    db.execute(
        _insert(db)(ACCOUNTS)
        .values(
            organisation_id=organisation_id,
            kind=kind,
            holder_kind=holder_kind,
            holder_id=holder_id,
            currency=currency,
            created_at=utc_now(),
        )
        .on_conflict_do_nothing()
    )
    return db.execute(select(LedgerAccount).where(*where)).scalar_one()


def wallet_account(
    db: Session, organisation_id: int, holder_kind: str, holder_id: int, currency: str
) -> LedgerAccount:
    """The holder's wallet account in `currency` (created on first use). LedgerError when the
    holder does not exist or belongs to another organisation."""
    if holder_organisation(db, holder_kind, holder_id) != organisation_id:
        raise LedgerError(
            tr(
                "No {holder} {holder_id} in this organisation.",
                holder=holder_kind or "holder",
                holder_id=holder_id,
            )
        )
    return _get_or_create(
        db, organisation_id, AccountKind.WALLET, holder_kind, holder_id, currency.upper()
    )


def house_account(
    db: Session, organisation_id: int, kind: AccountKind, currency: str
) -> LedgerAccount:
    """One of the organisation's own accounts (Stripe clearing, revenue, promotions ...)."""
    if kind == AccountKind.WALLET:
        raise LedgerError(tr("A wallet belongs to a holder: use wallet_account."))
    return _get_or_create(db, organisation_id, kind, "", 0, currency.upper())


def post(
    db: Session,
    *,
    organisation_id: int,
    kind: LedgerKind,
    reference: str,
    postings: Sequence[Posting],
    reason: str = "",
    session_id: int | None = None,
    created_by: str = "",
) -> LedgerTransaction | None:
    """Write one balanced transaction; None (and nothing written) when `reference` was
    already posted. Zero amounts are left out. LedgerError for unbalanced postings, an
    account of another organisation, or a reference that is empty or too long."""
    if not reference or len(reference) > rules.MAX_REFERENCE:
        raise LedgerError(
            tr(
                "A ledger reference has 1 to {max_reference} characters.",
                max_reference=rules.MAX_REFERENCE,
            )
        )
    entries = [p for p in postings if p.amount_minor != 0]
    if any(p.account.organisation_id != organisation_id for p in entries):
        raise LedgerError(
            tr("Every posting must be on an account of the transaction's organisation.")
        )
    unbalanced = rules.unbalanced_currencies((p.account.currency, p.amount_minor) for p in entries)
    if unbalanced:
        raise LedgerError(
            tr(
                "Unbalanced postings in {unbalanced}: they must sum to 0.",
                unbalanced=", ".join(unbalanced),
            )
        )
    transaction_id = db.execute(
        _insert(db)(TRANSACTIONS)
        .values(
            organisation_id=organisation_id,
            kind=str(kind),
            reference=reference,
            reason=reason.strip()[: rules.MAX_REASON],
            session_id=session_id,
            created_by=created_by[:320],
            created_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["reference"])
        .returning(TRANSACTIONS.c.id)
    ).scalar_one_or_none()
    if transaction_id is None:
        return None
    if entries:
        db.execute(
            insert(ENTRIES),
            [
                {
                    "transaction_id": transaction_id,
                    "account_id": stored_id(p.account.id),
                    "bucket": str(p.bucket),
                    "amount_minor": p.amount_minor,
                }
                for p in entries
            ],
        )
    return db.get(LedgerTransaction, transaction_id)


def already_posted(db: Session, reference: str) -> bool:
    """Whether a transaction with this reference exists (e.g. to tell a repeat apart)."""
    found = db.execute(
        select(TRANSACTIONS.c.id).where(TRANSACTIONS.c.reference == reference)
    ).first()
    return found is not None


def account_balance(db: Session, account_id: int) -> dict[str, int]:
    """SUM(entries) per bucket of one account."""
    rows = db.execute(
        select(ENTRIES.c.bucket, func.coalesce(func.sum(ENTRIES.c.amount_minor), 0))
        .where(ENTRIES.c.account_id == account_id)
        .group_by(ENTRIES.c.bucket)
    ).all()
    return {str(bucket): int(total) for bucket, total in rows}


# Built once: Authorize / StartTransaction of a wallet payer read a balance in the OCPP writer.
_BALANCE = (
    select(ENTRIES.c.bucket, func.coalesce(func.sum(ENTRIES.c.amount_minor), 0))
    .join(ACCOUNTS, ACCOUNTS.c.id == ENTRIES.c.account_id)
    .where(
        ACCOUNTS.c.kind == AccountKind.WALLET,
        ACCOUNTS.c.holder_kind == bindparam("holder_kind"),
        ACCOUNTS.c.holder_id == bindparam("holder_id"),
        ACCOUNTS.c.currency == bindparam("currency"),
    )
    .group_by(ENTRIES.c.bucket)
)


def balance(db: Session, holder_kind: str, holder_id: int, currency: str) -> WalletBalance:
    """The holder's wallet balance in `currency`: SUM(entries) per bucket (0 without a wallet)."""
    rows = db.execute(
        _BALANCE, {"holder_kind": holder_kind, "holder_id": holder_id, "currency": currency.upper()}
    ).all()
    sums = {str(bucket): int(total) for bucket, total in rows}
    return WalletBalance(sums.get(Bucket.PAID, 0), sums.get(Bucket.BONUS, 0), currency.upper())


def locked_wallet(
    db: Session, organisation_id: int, holder_kind: str, holder_id: int, currency: str
) -> LedgerAccount:
    """The wallet account, its row locked until the transaction ends (PostgreSQL; SQLite
    ignores FOR UPDATE and is serialised by BEGIN IMMEDIATE)."""
    account = wallet_account(db, organisation_id, holder_kind, holder_id, currency)
    db.execute(
        select(ACCOUNTS.c.id).where(ACCOUNTS.c.id == stored_id(account.id)).with_for_update()
    )
    return account


def credit_wallet(
    db: Session,
    *,
    organisation_id: int,
    holder_kind: str,
    holder_id: int,
    currency: str,
    paid_minor: int,
    bonus_minor: int,
    kind: LedgerKind,
    reference: str,
    reason: str = "",
    created_by: str = "",
    paid_from: AccountKind = AccountKind.STRIPE_CLEARING,
    bonus_from: AccountKind = AccountKind.PROMOTIONS,
) -> LedgerTransaction | None:
    """Raise a wallet: `paid_minor` from `paid_from` (a top-up), `bonus_minor` from
    `bonus_from` (a package's bonus, a voucher). Both >= 0, one of them > 0. The wallet is
    locked as for a charge: on PostgreSQL a credit committing between a charge's look at the
    bonus and its posting would otherwise leave bonus unspent while paid money was taken."""
    if paid_minor < 0 or bonus_minor < 0 or paid_minor + bonus_minor == 0:
        raise LedgerError(tr("A credit adds a positive amount (paid and bonus are not negative)."))
    wallet = locked_wallet(db, organisation_id, holder_kind, holder_id, currency)
    postings: list[Posting] = []
    if paid_minor:
        source = house_account(db, organisation_id, paid_from, currency)
        postings += [Posting(wallet, paid_minor), Posting(source, -paid_minor)]
    if bonus_minor:
        source = house_account(db, organisation_id, bonus_from, currency)
        postings += [
            Posting(wallet, bonus_minor, Bucket.BONUS),
            Posting(source, -bonus_minor, Bucket.BONUS),
        ]
    return post(
        db,
        organisation_id=organisation_id,
        kind=kind,
        reference=reference,
        postings=postings,
        reason=reason,
        created_by=created_by,
    )


def charge_wallet(
    db: Session,
    *,
    organisation_id: int,
    holder_kind: str,
    holder_id: int,
    currency: str,
    amount_minor: int,
    kind: LedgerKind,
    reference: str,
    to: AccountKind = AccountKind.CHARGING_REVENUE,
    session_id: int | None = None,
    reason: str = "",
    created_by: str = "",
) -> LedgerTransaction | None:
    """Take `amount_minor` from a wallet into `to`: bonus credit first, then paid money (which
    may go below zero; the caller decides whether that is allowed). A zero amount posts
    nothing and returns None."""
    if amount_minor < 0:
        raise LedgerError(tr("A charge is not negative."))
    if amount_minor == 0 or already_posted(db, reference):
        return None
    wallet = locked_wallet(db, organisation_id, holder_kind, holder_id, currency)
    split = rules.split_charge(
        amount_minor, account_balance(db, stored_id(wallet.id)).get(Bucket.BONUS, 0)
    )
    revenue = house_account(db, organisation_id, to, currency)
    postings = [
        Posting(wallet, -split.from_bonus, Bucket.BONUS),
        Posting(revenue, split.from_bonus, Bucket.BONUS),
        Posting(wallet, -split.from_paid),
        Posting(revenue, split.from_paid),
    ]
    return post(
        db,
        organisation_id=organisation_id,
        kind=kind,
        reference=reference,
        postings=postings,
        reason=reason,
        session_id=session_id,
        created_by=created_by,
    )


def refund_paid(
    db: Session,
    *,
    organisation_id: int,
    holder_kind: str,
    holder_id: int,
    currency: str,
    amount_minor: int,
    reference: str,
    reason: str,
    created_by: str,
    to: AccountKind = AccountKind.STRIPE_CLEARING,
) -> LedgerTransaction | None:
    """Return paid money (never bonus) to the holder, through Stripe clearing unless `to`
    says how else it left (PAYOUTS: a bank transfer): at most the paid balance, else
    LedgerError. None when `reference` was already posted."""
    if already_posted(db, reference):
        return None
    wallet = locked_wallet(db, organisation_id, holder_kind, holder_id, currency)
    paid = account_balance(db, stored_id(wallet.id)).get(Bucket.PAID, 0)
    problem = rules.refund_problem(amount_minor, paid)
    if problem:
        raise LedgerError(problem, {"amount": problem})
    clearing = house_account(db, organisation_id, to, currency)
    return post(
        db,
        organisation_id=organisation_id,
        kind=LedgerKind.REFUND,
        reference=reference,
        postings=[Posting(wallet, -amount_minor), Posting(clearing, amount_minor)],
        reason=reason,
        created_by=created_by,
    )
