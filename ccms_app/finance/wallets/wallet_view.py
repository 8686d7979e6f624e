"""One wallet as the operator reads it: the holder, its payment method, its balance and its
ledger, newest first, with the balance after each movement.

The ledger is read per transaction (a charge that took bonus and paid money is one line with
both parts); the running balance is a window SUM over the wallet's transactions in the order
they were posted, computed in SQL, so a page deep in a long ledger still shows the right
balance without reading the earlier pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import col

from ccms_app.core.db import read_session
from ccms_app.core.display import format_date
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import MAX_PAGE_SIZE
from ccms_app.core.rows import table_of
from ccms_app.finance.payments.models import PaymentAccount, PaymentMethod
from ccms_app.finance.wallets.holders import Holder, find_holder
from ccms_app.finance.wallets.ledger import WalletBalance, balance
from ccms_app.finance.wallets.models import (
    AccountKind,
    Bucket,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
)

ACCOUNTS = table_of(LedgerAccount)
ENTRIES = table_of(LedgerEntry)
TRANSACTIONS = table_of(LedgerTransaction)

KIND_LABELS: dict[str, str] = {
    "top_up": N_("top-up"),
    "bonus": N_("bonus"),
    "voucher": N_("voucher"),
    "session_charge": N_("session charge"),
    "refund": N_("refund"),
    "adjustment": N_("adjustment"),
    "membership_fee": N_("membership fee"),
    "reservation_fee": N_("reservation fee"),
}


def _day(text: str) -> str:
    return format_date(date.fromisoformat(text), "%Y-%m-%d", "yMd")


# The reasons CCMS itself writes on a ledger transaction (stored in English, as the ledger
# and the API keep them), per transaction kind: how each reads in the reader's language.
# A reason an operator typed (an adjustment, a refund) is shown as typed.
_SYSTEM_REASONS: dict[str, tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = {
    LedgerKind.VOUCHER: (
        (re.compile(r"voucher (?P<code>.+)"), lambda m: tr("voucher {code}", code=m["code"])),
    ),
    LedgerKind.TOP_UP: (
        (
            re.compile(r"Top-up (?P<id>\d+) paid through Stripe Checkout"),
            lambda m: tr("Top-up {id} paid through Stripe Checkout", id=m["id"]),
        ),
        (re.compile(r"Demo top-up"), lambda m: tr("Demo top-up")),
        (
            re.compile(r"Demo top-up \((?P<name>.+)\)"),
            lambda m: tr("Demo top-up ({name})", name=m["name"]),
        ),
    ),
    LedgerKind.SESSION_CHARGE: (
        (
            re.compile(r"charging session (?P<id>\d+)"),
            lambda m: tr("charging session {session_id}", session_id=m["id"]),
        ),
    ),
    LedgerKind.RESERVATION_FEE: (
        (
            re.compile(r"reservation (?P<id>\d+) expired unused"),
            lambda m: tr("reservation {reservation_id} expired unused", reservation_id=m["id"]),
        ),
    ),
    LedgerKind.MEMBERSHIP_FEE: (
        (
            re.compile(r"Membership (?P<plan>.+), period from (?P<day>\d{4}-\d{2}-\d{2})"),
            lambda m: tr(
                "Membership {plan}, period from {day}", plan=m["plan"], day=_day(m["day"])
            ),
        ),
    ),
}


def reason_text(kind: str, reason: str) -> str:
    """A transaction's reason as the reader reads it: the words CCMS wrote in the reader's
    language, anything else as it was typed."""
    for pattern, words in _SYSTEM_REASONS.get(kind, ()):
        found = pattern.fullmatch(reason)
        if found is not None:
            return words(found)
    return reason


@dataclass(frozen=True)
class Wallet:
    holder: Holder
    method: str
    balance: WalletBalance


@dataclass(frozen=True)
class LedgerLine:
    """One transaction as it moved this wallet, and the wallet's balance after it."""

    transaction_id: int
    kind: str
    reference: str
    reason: str
    created_by: str
    created_at: datetime
    session_id: int | None
    paid_minor: int
    bonus_minor: int
    paid_after_minor: int
    bonus_after_minor: int

    @property
    def amount_minor(self) -> int:
        return self.paid_minor + self.bonus_minor

    @property
    def balance_after_minor(self) -> int:
        return self.paid_after_minor + self.bonus_after_minor


@dataclass(frozen=True)
class LedgerPage:
    lines: list[LedgerLine]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def get_wallet(holder_kind: str, holder_id: int, scope: Collection[int]) -> Wallet:
    """The holder's wallet in its organisation's currency; FinanceNotFound outside scope."""
    with read_session() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        method = db.execute(
            select(col(PaymentAccount.method)).where(
                col(PaymentAccount.holder_kind) == holder.kind,
                col(PaymentAccount.holder_id) == holder.id,
            )
        ).scalar_one_or_none()
        return Wallet(
            holder,
            str(method or PaymentMethod.INVOICE),
            balance(db, holder.kind, holder.id, holder.currency),
        )


def _sum_of(bucket: str) -> Any:
    return func.sum(case((ENTRIES.c.bucket == bucket, ENTRIES.c.amount_minor), else_=0))


def ledger_page(
    holder_kind: str, holder_id: int, scope: Collection[int], page: int = 1, page_size: int = 25
) -> LedgerPage:
    """One page of the wallet's ledger, newest first; FinanceNotFound outside scope."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    with read_session() as db:
        holder = find_holder(db, holder_kind, holder_id, scope)
        wallet_ids = select(ACCOUNTS.c.id).where(
            ACCOUNTS.c.kind == AccountKind.WALLET,
            ACCOUNTS.c.holder_kind == holder.kind,
            ACCOUNTS.c.holder_id == holder.id,
            ACCOUNTS.c.currency == holder.currency,
        )
        mine = ENTRIES.c.account_id.in_(wallet_ids.scalar_subquery())
        total = db.execute(
            select(func.count(func.distinct(ENTRIES.c.transaction_id))).where(mine)
        ).scalar_one()
        last_page = max(1, -(-total // page_size))
        page = max(1, min(page, last_page))
        paid, bonus = _sum_of(Bucket.PAID), _sum_of(Bucket.BONUS)
        order = TRANSACTIONS.c.id
        rows = db.execute(
            select(
                TRANSACTIONS.c.id,
                TRANSACTIONS.c.kind,
                TRANSACTIONS.c.reference,
                TRANSACTIONS.c.reason,
                TRANSACTIONS.c.created_by,
                TRANSACTIONS.c.created_at,
                TRANSACTIONS.c.session_id,
                paid,
                bonus,
                func.sum(paid).over(order_by=order),
                func.sum(bonus).over(order_by=order),
            )
            .join(ENTRIES, ENTRIES.c.transaction_id == TRANSACTIONS.c.id)
            .where(mine)
            .group_by(TRANSACTIONS.c.id)
            .order_by(order.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).all()
    lines = [
        LedgerLine(
            transaction_id=int(r[0]),
            kind=str(r[1]),
            reference=str(r[2]),
            reason=str(r[3] or ""),
            created_by=str(r[4] or ""),
            created_at=r[5],
            session_id=r[6],
            paid_minor=int(r[7]),
            bonus_minor=int(r[8]),
            paid_after_minor=int(r[9]),
            bonus_after_minor=int(r[10]),
        )
        for r in rows
    ]
    return LedgerPage(lines, int(total), page, page_size)
