"""Wallet ledger decisions, without a database: how a charge splits over the buckets, whether
a set of postings balances, what a refund or a manual adjustment may do.

Amounts are integer minor units. A wallet has two buckets: "paid" (money the holder paid
in, refundable) and "bonus" (credit the operator gave away, spent but never refunded). A
charge spends bonus credit first, then paid money; the paid bucket may go below zero when
a session overran the balance (the caller decides whether that is allowed), the bonus
bucket never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ccms_app.core.i18n import tr

PAID = "paid"
BONUS = "bonus"
BUCKETS: tuple[str, ...] = (PAID, BONUS)
MAX_REASON = 500
MAX_REFERENCE = 120


@dataclass(frozen=True)
class ChargeSplit:
    """What a charge takes from each bucket (both >= 0, summing to the charge)."""

    from_bonus: int
    from_paid: int


def split_charge(amount_minor: int, bonus_balance_minor: int) -> ChargeSplit:
    """Bonus credit first (only what is there), the rest from paid money."""
    if amount_minor < 0:
        raise ValueError(tr("a charge is not negative"))
    from_bonus = min(amount_minor, max(bonus_balance_minor, 0))
    return ChargeSplit(from_bonus=from_bonus, from_paid=amount_minor - from_bonus)


def unbalanced_currencies(postings: Iterable[tuple[str, int]]) -> list[str]:
    """Currencies whose (currency, amount) postings do not sum to zero: a transaction moves
    money from somewhere to somewhere, so each currency's entries must cancel out."""
    sums: dict[str, int] = {}
    for currency, amount in postings:
        sums[currency] = sums.get(currency, 0) + amount
    return sorted(currency for currency, total in sums.items() if total != 0)


def refund_problem(amount_minor: int, paid_balance_minor: int) -> str | None:
    """Why a paid-out refund of `amount_minor` cannot be made, or None. Only paid money is
    returned, and never more than the holder has paid in and not spent."""
    if amount_minor <= 0:
        return tr("The refund must be more than zero.")
    if amount_minor > paid_balance_minor:
        return tr(
            "A refund returns paid money only: at most the paid balance ({balance} minor units).",
            balance=max(paid_balance_minor, 0),
        )
    return None


def adjustment_problem(amount_minor: int, bucket: str, balance_minor: int) -> str | None:
    """Why a manual adjustment of `amount_minor` (signed) on `bucket` cannot be made, or
    None. An adjustment corrects a balance; it never takes a bucket below zero (a debt
    comes from charging only)."""
    if bucket not in BUCKETS:
        return tr("Choose the bucket: {buckets}.", buckets=" or ".join(BUCKETS))
    if amount_minor == 0:
        return tr("The adjustment must not be zero.")
    if amount_minor < 0 and balance_minor + amount_minor < 0:
        if bucket == PAID:
            return tr(
                "The paid balance is {balance} minor units: an adjustment may not take it "
                "below zero.",
                balance=balance_minor,
            )
        return tr(
            "The bonus balance is {balance} minor units: an adjustment may not take it below zero.",
            balance=balance_minor,
        )
    return None


def reason_problem(reason: str) -> str | None:
    """A refund or an adjustment states why (it is in the ledger and the audit log)."""
    text = reason.strip()
    if not text:
        return tr("Say why (the reason is kept in the ledger).")
    if len(text) > MAX_REASON:
        return tr("At most {reason_max} characters.", reason_max=MAX_REASON)
    return None


def running_balances(amounts_oldest_first: Iterable[int], opening_minor: int = 0) -> list[int]:
    """The balance after each entry, oldest first, starting from `opening_minor`."""
    balances: list[int] = []
    current = opening_minor
    for amount in amounts_oldest_first:
        current += amount
        balances.append(current)
    return balances
