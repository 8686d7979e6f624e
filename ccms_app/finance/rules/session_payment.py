"""How a charging session is paid: the decisions, without the database or Stripe.

- At the charger (Authorize / StartTransaction), a payer is refused (`payer_refusal`) when
  their wallet is below the network's minimum, or they pay by card and have no saved card
  or card payments are not configured. The IdTagInfo status is "Blocked": the tag is known
  and valid (not "Invalid"), charging is refused for now, until the driver tops up or saves
  a card; "Expired" and "ConcurrentTx" say something else.
- At the end, the amount due is the final cost incl. VAT less the discounts (membership,
  percent voucher), never below 0 (`amount_due`).
- A card session's money (`card_plan`): capture min(due, hold); charge the rest (due above
  the hold) in a second, off-session payment; release the hold when nothing is due.
- A wallet session is stopped (`wallet_exhausted`) once the cost so far of the holder's
  running wallet sessions (plus what their ended sessions still owe) reaches the wallet's
  balance.

The overrun bound. The check runs on every MeterValues of a wallet session (and on every
payment job run); the check before saw a cost below the balance, so the check that stops
the session sees at most one meter interval's cost (MeterValueSampleInterval) above it.
After that CCMS's check delay (about a second), the RemoteStopTransaction's round trip and
the charger's reaction add what the session costs until the charger's StopTransaction. So
a wallet ends at most (one meter interval's cost + the cost of the reaction time) below
zero; with a charger that sends no MeterValues, the payment job's interval
(CCMS_PAYMENT_INTERVAL_S) takes the meter interval's place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BLOCKED = "Blocked"  # OCPP 1.6 AuthorizationStatus (idTagInfo.status)

# Stripe errors that say the card itself refused (a retry with the same card fails again).
# Anything else (network, rate limit, API error) is retried with the same idempotency key.
DECLINE_CODES = frozenset(
    {
        "card_declined",
        "expired_card",
        "incorrect_cvc",
        "incorrect_number",
        "invalid_cvc",
        "invalid_expiry_month",
        "invalid_expiry_year",
        "authentication_required",
        "insufficient_funds",
        "payment_intent_authentication_failure",
        "payment_method_not_available",
        "card_decline_rate_limit_exceeded",
    }
)


def payer_refusal(
    *,
    method: str,
    wallet_total_minor: int | None,
    wallet_minimum_minor: int,
    has_saved_card: bool,
    cards_configured: bool,
) -> str | None:
    """Why a payer may not start charging now (None: they may). `method` is a
    finance.payments.models.PaymentMethod value; `wallet_total_minor` the wallet's balance
    (paid + bonus), None when not read (not a wallet payer)."""
    if method == "wallet":
        balance = wallet_total_minor or 0
        if balance < wallet_minimum_minor:
            return f"wallet balance {balance} is below the minimum {wallet_minimum_minor}"
        return None
    if method == "card":
        if not cards_configured:
            return "card payments are not configured"
        if not has_saved_card:
            return "no saved card"
    return None


def amount_due(total_incl_minor: int, discount_minor: int) -> int:
    """What the payer owes for a session: its final cost less discounts, never negative."""
    return max(total_incl_minor - max(discount_minor, 0), 0)


def capped_discount(total_incl_minor: int, *discounts_minor: int) -> int:
    """The discounts added up, never more than the cost (a 100 % voucher on top of a member
    discount makes the session free, not a credit)."""
    return min(sum(max(d, 0) for d in discounts_minor), max(total_incl_minor, 0))


@dataclass(frozen=True)
class CardPlan:
    """What to do with a card session's money at its end."""

    capture_minor: int  # of the hold (0: nothing to capture)
    excess_minor: int  # charged in a second, off-session payment
    release_hold: bool  # cancel the hold (nothing due)


def card_plan(due_minor: int, hold_minor: int | None) -> CardPlan:
    """Capture min(due, hold), charge the excess apart, release the hold when nothing is due.
    `hold_minor`: the authorised hold, None when no hold is in place (declined, never placed):
    then everything due is one off-session payment."""
    due = max(due_minor, 0)
    if hold_minor is None or hold_minor <= 0:
        return CardPlan(0, due, False)
    if due == 0:
        return CardPlan(0, 0, True)
    captured = min(due, hold_minor)
    return CardPlan(captured, due - captured, False)


def is_decline(code: str, decline_code: str) -> bool:
    """Whether a Stripe failure is the card's refusal (final) rather than a failure to reach
    Stripe or an API error (retried with the same idempotency key)."""
    return bool(decline_code) or code in DECLINE_CODES


def decline_reason(code: str, decline_code: str) -> str:
    """The stop reason recorded for a refused card: "card declined: insufficient_funds"."""
    return f"card declined: {decline_code or code or 'declined'}"


def wallet_exhausted(balance_minor: int, costs_so_far_minor: Iterable[int]) -> bool:
    """The holder's running wallet sessions together have used the balance up (a wallet
    shared by a group's cards runs several sessions on one balance)."""
    return sum(max(c, 0) for c in costs_so_far_minor) >= balance_minor


WALLET_USED_UP = "wallet balance used up"
