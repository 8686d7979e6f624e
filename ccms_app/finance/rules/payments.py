"""Payment decisions without the database or Stripe: reconciliation, payment settings, top-up
packages and amounts, refunds.

Reconciliation (`mismatch_note`): a `Payment` row says what CCMS expects (its status and the
amount taken); Stripe's last report (API answer or webhook) is kept beside it. They must
agree once our row has settled; while a call is under way (pending, open Checkout, a hold
being captured) Stripe may be ahead of us and nothing is flagged. A disagreement is never
fixed by overwriting our amounts: it is flagged with a sentence for the operator, stored in
English (webhooks write it: nobody reads it then) and shown in the reader's language
(`mismatch_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ccms_app.core.i18n import N_, tr
from ccms_app.core.money import MoneyError, format_minor, normalise_currency, parse_minor
from ccms_app.core.stored_text import reword
from ccms_app.finance.errors import FinanceError

# Our statuses (finance.payments.models.PaymentStatus), spelled here to stay pure.
PENDING, REQUIRES_ACTION, AUTHORIZED = "pending", "requires_action", "authorized"
SUCCEEDED, CANCELED, FAILED, REFUNDED = "succeeded", "canceled", "failed", "refunded"
IN_FLIGHT = frozenset({PENDING, REQUIRES_ACTION, AUTHORIZED})

# Stripe's statuses that mean money was taken / nothing was taken.
STRIPE_TAKEN = frozenset({"succeeded", "complete", "paid"})
STRIPE_NOT_TAKEN = frozenset({"canceled", "expired", "requires_payment_method", "failed"})

# What a PaymentIntent status means for our row (None: leave our status as it is).
INTENT_STATUS: dict[str, str] = {
    "requires_capture": AUTHORIZED,
    "succeeded": SUCCEEDED,
    "canceled": CANCELED,
    "requires_action": REQUIRES_ACTION,
}

MAX_RECHARGE_AMOUNTS = 8
REASON_MAX = 300

# The reconciliation's sentences (stored in English, shown by `mismatch_text`).
STRIPE_HOLDS = N_("Stripe holds {held}, CCMS asked for {asked}")
STRIPE_REPORTS = N_("Stripe reports {stripe_status}, CCMS recorded {taken} taken")
STRIPE_CAPTURED = N_("Stripe captured {captured}, CCMS expected {expected}")
STRIPE_CAPTURED_OURS_NOT = N_("Stripe captured {captured}, CCMS recorded the payment {status}")
STRIPE_REFUNDED = N_("Stripe refunded {refunded}, CCMS recorded {recorded}")
MISMATCHES = (
    STRIPE_HOLDS,
    STRIPE_REPORTS,
    STRIPE_CAPTURED,
    STRIPE_CAPTURED_OURS_NOT,
    STRIPE_REFUNDED,
)
# Our statuses a sentence names, as people read them.
STATUS_WORDS = {CANCELED: N_("canceled"), FAILED: N_("failed")}


def mismatch_note(
    *,
    status: str,
    amount_minor: int,
    captured_minor: int,
    stripe_status: str,
    stripe_amount_minor: int | None,
    currency: str,
) -> str:
    """Why Stripe's report disagrees with our row; "" when it agrees or cannot yet.

    `stripe_amount_minor` is the amount Stripe said was taken (succeeded / paid) or held
    (requires_capture)."""
    if not stripe_status:
        return ""

    def money(minor: int | None) -> str:
        return format_minor(int(minor or 0), currency, with_code=False)

    if status == AUTHORIZED and stripe_status == "requires_capture":
        if stripe_amount_minor is not None and stripe_amount_minor != amount_minor:
            return STRIPE_HOLDS.format(held=money(stripe_amount_minor), asked=money(amount_minor))
        return ""
    if status in IN_FLIGHT:
        return ""
    if status in (SUCCEEDED, REFUNDED):
        if stripe_status in STRIPE_NOT_TAKEN:
            return STRIPE_REPORTS.format(stripe_status=stripe_status, taken=money(captured_minor))
        taken = stripe_status in STRIPE_TAKEN and stripe_amount_minor is not None
        if taken and stripe_amount_minor != captured_minor:
            return STRIPE_CAPTURED.format(
                captured=money(stripe_amount_minor), expected=money(captured_minor)
            )
        return ""
    if stripe_status in STRIPE_TAKEN:  # ours canceled or failed
        return STRIPE_CAPTURED_OURS_NOT.format(captured=money(stripe_amount_minor), status=status)
    return ""


def refunded_note(*, ours_minor: int, stripe_minor: int, currency: str) -> str:
    """Stripe refunded more than CCMS knows of (a refund made outside CCMS); "" otherwise.
    Less is not flagged: a refund CCMS recorded may still be on its way."""
    if stripe_minor <= ours_minor:
        return ""
    return STRIPE_REFUNDED.format(
        refunded=format_minor(stripe_minor, currency, False),
        recorded=format_minor(ours_minor, currency, False),
    )


def mismatch_text(stored: str) -> str:
    """A stored reconciliation sentence in the reader's language, the product named as the
    reader's brand names it; a sentence of another wording as stored."""
    if not stored:
        return ""
    return reword(stored, MISMATCHES, {"status": _status_word})


def _status_word(status: str) -> str:
    return tr(STATUS_WORDS[status]) if status in STATUS_WORDS else status


# --- payment settings ----------------------------------------------------------------------

SETTINGS_FIELDS = (
    "card_hold",
    "wallet_minimum",
    "recharge_amounts",
    "top_up_minimum",
    "top_up_maximum",
    "memberships_enabled",
)


@dataclass(frozen=True)
class SettingsValues:
    card_hold_minor: int
    wallet_minimum_minor: int
    recharge_amounts: tuple[int, ...]
    top_up_minimum_minor: int
    top_up_maximum_minor: int
    memberships_enabled: bool


def _amount(
    form: Mapping[str, str], name: str, currency: str, errors: dict[str, str], positive: bool
) -> int:
    text = str(form.get(name, "")).strip()
    if not text:
        errors[name] = tr("Required.")
        return 0
    try:
        minor = parse_minor(text, currency)
    except MoneyError as error:
        errors[name] = str(error)
        return 0
    if positive and minor <= 0:
        errors[name] = tr("Must be more than 0.")
    return minor


def parse_amount_list(text: str, currency: str) -> tuple[int, ...]:
    """ "10, 20, 50" -> (1000, 2000, 5000) in EUR; sorted, without repeats. FinanceError."""
    parts = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]
    if len(parts) > MAX_RECHARGE_AMOUNTS:
        raise FinanceError(
            tr("At most {max_recharge_amounts} amounts.", max_recharge_amounts=MAX_RECHARGE_AMOUNTS)
        )
    amounts = set()
    for part in parts:
        try:
            minor = parse_minor(part, currency)
        except MoneyError as error:
            raise FinanceError(str(error)) from error
        if minor <= 0:
            raise FinanceError(tr("Every amount must be more than 0."))
        amounts.add(minor)
    return tuple(sorted(amounts))


def check_settings(form: Mapping[str, str], currency: str) -> SettingsValues:
    """The form's payment settings (amounts typed in major units of `currency`), or a
    FinanceError naming every wrong field."""
    errors: dict[str, str] = {}
    hold = _amount(form, "card_hold", currency, errors, positive=True)
    minimum = _amount(form, "wallet_minimum", currency, errors, positive=False)
    low = _amount(form, "top_up_minimum", currency, errors, positive=True)
    high = _amount(form, "top_up_maximum", currency, errors, positive=True)
    if "top_up_minimum" not in errors and "top_up_maximum" not in errors and high < low:
        errors["top_up_maximum"] = tr("Must not be below the top-up minimum.")
    amounts: tuple[int, ...] = ()
    try:
        amounts = parse_amount_list(str(form.get("recharge_amounts", "")), currency)
    except FinanceError as error:
        errors["recharge_amounts"] = str(error)
    if not errors and any(not low <= amount <= high for amount in amounts):
        errors["recharge_amounts"] = tr(
            "Every amount must lie between the top-up minimum and maximum."
        )
    if errors:
        raise FinanceError(tr("Check the payment settings."), errors)
    enabled = str(form.get("memberships_enabled", "")).strip().lower() in ("1", "true", "yes", "on")
    return SettingsValues(hold, minimum, amounts, low, high, enabled)


def settings_form(values: SettingsValues, currency: str) -> dict[str, str]:
    """The settings as the form's strings (what `check_settings` takes back)."""

    def text(minor: int) -> str:
        return format_minor(minor, currency, with_code=False)

    return {
        "card_hold": text(values.card_hold_minor),
        "wallet_minimum": text(values.wallet_minimum_minor),
        "recharge_amounts": ", ".join(text(a) for a in values.recharge_amounts),
        "top_up_minimum": text(values.top_up_minimum_minor),
        "top_up_maximum": text(values.top_up_maximum_minor),
        "memberships_enabled": "true" if values.memberships_enabled else "false",
    }


def stored_amounts(text: str) -> tuple[int, ...]:
    """The stored recharge amounts ("1000,2000,5000", minor units)."""
    return tuple(int(part) for part in text.split(",") if part.strip().isdigit())


# --- top-up packages and amounts -----------------------------------------------------------


@dataclass(frozen=True)
class PackageValues:
    name: str
    pay_minor: int
    credit_minor: int
    currency: str
    active: bool

    @property
    def bonus_minor(self) -> int:
        return self.credit_minor - self.pay_minor


def check_package(form: Mapping[str, str], default_currency: str) -> PackageValues:
    """A top-up package ("pay 50, get 55"): FinanceError naming every wrong field."""
    errors: dict[str, str] = {}
    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = tr("Required.")
    elif len(name) > 100:
        errors["name"] = tr("At most 100 characters.")
    currency = default_currency
    if str(form.get("currency", "")).strip():
        try:
            currency = normalise_currency(str(form["currency"]))
        except MoneyError as error:
            errors["currency"] = str(error)
    pay = _amount(form, "pay", currency, errors, positive=True)
    credit = _amount(form, "credit", currency, errors, positive=True)
    if "pay" not in errors and "credit" not in errors and credit < pay:
        errors["credit"] = tr("The credit must be at least what is paid (the rest is bonus).")
    if errors:
        raise FinanceError(tr("Check the package."), errors)
    active = str(form.get("active", "true")).strip().lower() not in ("0", "false", "no", "off")
    return PackageValues(name, pay, credit, currency, active)


def custom_amount(text: str, currency: str, minimum: int, maximum: int) -> int:
    """A typed top-up amount within the organisation's limits; FinanceError on "amount"."""
    try:
        minor = parse_minor(text, currency)
    except MoneyError as error:
        raise FinanceError(str(error), {"amount": str(error)}) from error
    if not minimum <= minor <= maximum:
        message = tr(
            "Top-ups are between {minimum} and {maximum}.",
            minimum=format_minor(minimum, currency),
            maximum=format_minor(maximum, currency),
        )
        raise FinanceError(message, {"amount": message})
    return minor


# --- refunds -----------------------------------------------------------------------------


def check_refund(
    *, amount_text: str, reason: str, captured_minor: int, refunded_minor: int, currency: str
) -> tuple[int, str]:
    """(amount, reason) of a refund: the amount (empty = all that is left) within what was
    taken and not refunded yet; a reason is required. FinanceError naming the fields."""
    errors: dict[str, str] = {}
    left = captured_minor - refunded_minor
    amount = left
    if amount_text.strip():
        try:
            amount = parse_minor(amount_text, currency)
        except MoneyError as error:
            errors["amount"] = str(error)
    if "amount" not in errors and amount <= 0:
        errors["amount"] = (
            tr("Nothing is left to refund.") if left <= 0 else tr("Must be more than 0.")
        )
    elif "amount" not in errors and amount > left:
        errors["amount"] = tr(
            "At most {format_minor} can be refunded.", format_minor=format_minor(left, currency)
        )
    cleaned = " ".join(reason.split())
    if not cleaned:
        errors["reason"] = tr("Say why the money is returned.")
    elif len(cleaned) > REASON_MAX:
        errors["reason"] = tr("At most {reason_max} characters.", reason_max=REASON_MAX)
    if errors:
        raise FinanceError(tr("Check the refund."), errors)
    return amount, cleaned
