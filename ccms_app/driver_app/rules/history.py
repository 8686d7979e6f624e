"""How the driver app words a charging session's cost and payment (pure: message ids and
tones; the use case translates them).

A cost is shown as finance stored it, and said honestly when it is not final: running (the
cost so far), held for review (the operator checks it first; the amount may change), not
billed (no tariff applies), or being priced (no cost row yet). Payment states are
`finance.payments.models.SessionPaymentState` values, compared as strings here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.core.i18n import N_

PAGE_SIZE = 20
NO_COST = "none"


@dataclass(frozen=True)
class CostWords:
    label: str  # a message id ("" : the amount says it all)
    tone: str  # a colour scheme: green, amber, gray, blue
    show_amount: bool


COST_WORDS: dict[str, CostWords] = {
    "final": CostWords("", "green", True),
    "running": CostWords(N_("Cost so far"), "blue", True),
    "review": CostWords(N_("Held for review: the amount may still change"), "amber", True),
    "unpriced": CostWords(N_("Not billed"), "gray", False),
    NO_COST: CostWords(N_("Being priced"), "gray", False),
}
REFUSED = CostWords(N_("Not started: the charger refused it"), "gray", False)


def cost_words(session_status: str, cost_state: str | None) -> CostWords:
    """What to say about a session's cost (see the module docstring)."""
    if session_status == "refused" and not cost_state:
        return REFUSED
    return COST_WORDS.get(cost_state or NO_COST, COST_WORDS[NO_COST])


# How it was paid: by the payment's method and state, else by what the cost row recorded.
_SETTLED = {
    "wallet": N_("Paid from your wallet"),
    "card": N_("Paid by card"),
    "invoice": N_("On your invoice"),
    "free": N_("Free"),
}
_PENDING = {
    "wallet": N_("To be paid from your wallet"),
    "card": N_("To be paid by card"),
    "invoice": N_("Goes on your invoice"),
    "free": N_("Free"),
}
_FAILED = N_("Payment failed: it will be tried again")
_DECLINED = N_("Card declined")
_RECORDED = {
    "wallet": N_("Wallet"),
    "card": N_("Card"),
    "invoice": N_("Invoice"),
    "free": N_("Free"),
    "group account": N_("Billed to your group's account"),
    "driver account": N_("Billed to your account"),
}


def payment_words(method: str | None, state: str | None, recorded: str) -> str:
    """A message id for how the session was (or will be) paid; "" when nothing is known."""
    if method:
        if state == "settled":
            return _SETTLED.get(method, "")
        if state == "failed":
            return _FAILED
        if state == "hold_failed":
            return _DECLINED
        return _PENDING.get(method, "")
    return _RECORDED.get(recorded, "")


def id_from_path(path: str, prefix: str) -> int:
    """`/app/history/42` with prefix `/app/history/` -> 42; 0 when no number follows."""
    tail = path.split(prefix, 1)[1] if prefix in path else ""
    first = tail.strip("/").split("/")[0].split("?")[0]
    return int(first) if first.isdigit() and len(first) < 19 else 0
