"""Pure rules of the driver's wallet page: what a top-up choice names, where Stripe sends
the driver back, which payment methods a driver may pick, what a membership gives in words,
and how a top-up's state reads on return."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from ccms_app.core.i18n import N_, tr
from ccms_app.driver_app.rules.paths import APP

WALLET = f"{APP}/wallet"
CUSTOM = "custom"  # the choice "type an amount"
PACKAGE, AMOUNT = "package", "amount"
# A driver may move between paying from the wallet and by card; "invoice" and "free" are
# arrangements an operator makes, which the driver sees but cannot change.
DRIVER_METHODS = ("wallet", "card")
MAX_ID = 2**62  # an id from a query string or a button beyond this is no id of ours


@dataclass(frozen=True)
class TopUpChoice:
    """What the driver picked: a package, one of the fixed amounts, or a typed amount."""

    package_id: int | None = None
    recharge_minor: int | None = None
    amount_text: str = ""


def choice_key(kind: str, value: int) -> str:
    """ "package:3", "amount:2000": how a choice is named on the page and in tests."""
    return f"{kind}:{value}"


def parse_id(text: object) -> int | None:
    """A positive id from a query string or a payload, None for anything else."""
    raw = str(text or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    value = int(raw)
    return value if 0 < value < MAX_ID else None


def parse_choice(key: str, amount_text: str) -> TopUpChoice | None:
    """The choice a key names (the typed amount for "custom"); None for a key that names
    nothing (the page then asks the driver to choose)."""
    if key == CUSTOM:
        return TopUpChoice(amount_text=amount_text.strip()) if amount_text.strip() else None
    kind, _, value = key.partition(":")
    number = parse_id(value)
    if number is None:
        return None
    if kind == PACKAGE:
        return TopUpChoice(package_id=number)
    if kind == AMOUNT:
        return TopUpChoice(recharge_minor=number)
    return None


def top_up_return_urls(base_url: str, top_up_id_placeholder: str) -> tuple[str, str]:
    """(success, cancel): the wallet page again, naming the top-up (`top_up_id_placeholder`
    is replaced by the new top-up's id when it is opened)."""
    base = base_url.rstrip("/") + WALLET
    return (
        f"{base}?top_up={top_up_id_placeholder}",
        f"{base}?top_up={top_up_id_placeholder}&cancelled=1",
    )


def card_return_urls(base_url: str) -> tuple[str, str]:
    """(success, cancel) of the page that saves a card."""
    base = base_url.rstrip("/") + WALLET
    return f"{base}?{urlencode({'card': 'added'})}", f"{base}?{urlencode({'card': 'cancelled'})}"


# How a top-up reads when the driver comes back from Stripe, by its state.
RESULT_TEXT = {
    "paid": N_("Paid: {amount} is in your wallet."),
    "open": N_("Waiting for Stripe to confirm your payment of {amount}."),
    "cancelled": N_("You left the payment page. Nothing was charged."),
    "expired": N_("The payment page expired. Nothing was charged."),
    "failed": N_("The payment could not be started. Nothing was charged."),
}


# A top-up in the recharge history, by its state.
STATE_LABELS = {
    "open": N_("not paid yet"),
    "paid": N_("paid"),
    "expired": N_("expired"),
    "failed": N_("failed"),
}


def top_up_result(state: str, cancelled: bool) -> str:
    """The result's key: a top-up still open after "cancel" was left, not paid."""
    if state == "open" and cancelled:
        return "cancelled"
    return state if state in RESULT_TEXT else "open"


def benefit_lines(
    discount_percent: Decimal | None, included_kwh: str, member_tariff: str
) -> list[str]:
    """What a membership plan gives, in words, in the reader's language."""
    lines: list[str] = []
    if discount_percent:
        shown = format(discount_percent.normalize(), "f")
        lines.append(tr("{percent} % off every charging session", percent=shown))
    if included_kwh and included_kwh != "0":
        lines.append(tr("{kwh} kWh included every month", kwh=included_kwh))
    if member_tariff:
        lines.append(tr("Member prices ({tariff})", tariff=member_tariff))
    return lines
