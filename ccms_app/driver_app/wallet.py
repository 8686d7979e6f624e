"""The signed-in driver's wallet: balance, topping up through Stripe Checkout, the result on
return, vouchers, and how the driver pays (wallet or card, a card saved on Stripe's page).

Thin use cases over finance: the driver is always the holder ("driver", driver_id) in the
scope of the driver's own organisation, whatever the page sends; money moves only in finance
(the top-up webhook credits the wallet, the voucher use case posts to the ledger). Paying,
saving a card and redeeming a voucher need a confirmed e-mail address. Finance's refusals
come back as `DriverAppError` worded for the driver.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ccms_app.accounts import audit
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.driver_app.driver_accounts import DriverPrincipal, require_verified
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules import wallet as rules
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments import card_checkout, payment_accounts, top_ups
from ccms_app.finance.payments import settings as payment_settings
from ccms_app.finance.payments import stripe_gateway as gateway
from ccms_app.finance.payments.models import TopUp
from ccms_app.finance.wallets import vouchers
from ccms_app.finance.wallets.models import HolderKind, RedemptionState
from ccms_app.finance.wallets.wallet_view import get_wallet

log = logging.getLogger(__name__)

DRIVER = HolderKind.DRIVER.value


def scope_of(driver: DriverPrincipal) -> frozenset[int]:
    """The organisations finance may find this driver in: the driver's own (and below)."""
    return organisation_scope(driver.organisation_id)


def actor_of(driver: DriverPrincipal) -> str:
    """Who acted, as finance records it (`created_by`)."""
    return f"driver {driver.email}"[:320]


def refusal(exc: FinanceError, field: str = "") -> DriverAppError:
    """A finance refusal for the driver: its first field message under `field` (or the
    message alone)."""
    message = next(iter(exc.errors.values()), "") or str(exc)
    return DriverAppError(message, {field: message} if field else {})


def not_configured() -> DriverAppError:
    return DriverAppError(
        tr("Card payments are not available at the moment. Please try again later."),
        code="not_configured",
    )


def stripe_refused(exc: gateway.StripeFailure) -> DriverAppError:
    return DriverAppError(tr("Stripe did not accept that: {reason}", reason=str(exc)))


@dataclass(frozen=True)
class WalletSummary:
    """The balance (exact, in the reader's way of writing money) and how the driver pays."""

    currency: str
    balance_minor: int
    bonus_minor: int
    balance_text: str
    bonus_text: str  # "" without bonus credit
    minimum_text: str  # what a wallet must hold to start charging
    method: str  # wallet, card, invoice, free
    card_label: str  # "visa •••• 4242, 12/2030"; "" without a saved card
    payments_ready: bool  # Stripe is configured: top-ups and cards work


def summary(driver: DriverPrincipal) -> WalletSummary:
    wallet = get_wallet(DRIVER, driver.driver_id, scope_of(driver))
    with read_session() as db:
        account = payment_accounts.get_account(db, DRIVER, driver.driver_id)
        minimum = payment_settings.current(db, wallet.holder.organisation_id).wallet_minimum_minor
    held, currency = wallet.balance, wallet.balance.currency
    return WalletSummary(
        currency=currency,
        balance_minor=held.total_minor,
        bonus_minor=held.bonus_minor,
        balance_text=format_money(held.total_minor, currency),
        bonus_text=format_money(held.bonus_minor, currency) if held.bonus_minor else "",
        minimum_text=format_money(minimum, currency),
        method=wallet.method,
        card_label=account.card_label if account is not None else "",
        payments_ready=gateway.configured(),
    )


# --- topping up ---------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    key: str  # rules.choice_key: "package:3", "amount:2000"
    label: str  # "€20.00"; a package: "Plus: pay €50.00"
    detail: str  # a package: "you get €55.00 (€5.00 bonus)"


@dataclass(frozen=True)
class TopUpOffer:
    choices: tuple[Choice, ...]  # packages first, then the fixed amounts
    minimum_text: str  # a typed amount: at least ...
    maximum_text: str  # ... and at most


def offer(driver: DriverPrincipal) -> TopUpOffer:
    """What the driver's organisation offers to top up with."""
    found = top_ups.choices(scope_of(driver), DRIVER, driver.driver_id)
    currency = found.currency
    packages = tuple(
        Choice(
            rules.choice_key(rules.PACKAGE, int(p.id or 0)),
            tr("{name}: pay {pay}", name=p.name, pay=format_money(p.pay_minor, p.currency)),
            tr(
                "you get {credit} ({bonus} bonus)",
                credit=format_money(p.credit_minor, p.currency),
                bonus=format_money(p.credit_minor - p.pay_minor, p.currency),
            )
            if p.credit_minor > p.pay_minor
            else tr("you get {credit}", credit=format_money(p.credit_minor, p.currency)),
        )
        for p in found.packages
    )
    amounts = tuple(
        Choice(rules.choice_key(rules.AMOUNT, a), format_money(a, currency), "")
        for a in found.recharge_amounts
    )
    return TopUpOffer(
        packages + amounts,
        format_money(found.minimum_minor, currency),
        format_money(found.maximum_minor, currency),
    )


def start_top_up(driver: DriverPrincipal, key: str, amount_text: str, base_url: str) -> str:
    """Open a top-up of the chosen package or amount; the Stripe Checkout page to send the
    driver to. DriverAppError (field "amount") for a choice that is not offered or an
    amount outside the limits."""
    require_verified(driver)
    choice = rules.parse_choice(key, amount_text)
    if choice is None:
        message = tr("Choose an amount or a package, or type an amount.")
        raise DriverAppError(message, {"amount": message})
    success_url, cancel_url = rules.top_up_return_urls(base_url, top_ups.TOP_UP_ID)
    request = top_ups.TopUpRequest(
        package_id=choice.package_id,
        recharge_minor=choice.recharge_minor,
        amount_text=choice.amount_text,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    try:
        opened = top_ups.start(
            scope_of(driver), DRIVER, driver.driver_id, request, actor_of(driver)
        )
    except gateway.PaymentsNotConfigured:
        raise not_configured() from None
    except gateway.StripeFailure as exc:
        raise stripe_refused(exc) from exc
    except FinanceError as exc:
        raise refusal(exc, "amount") from exc
    except FinanceNotFound:
        message = tr("That package is not offered.")
        raise DriverAppError(message, {"amount": message}) from None
    log.info("driver top-up opened", extra={"top_up_id": opened.id, "driver": driver.driver_id})
    return opened.checkout_url


@dataclass(frozen=True)
class TopUpResult:
    """How the driver's top-up stands when the driver comes back from Stripe."""

    top_up_id: int
    result: str  # paid, open, cancelled, expired, failed
    text: str
    checkout_url: str  # still open: where to finish paying


def top_up_result(driver: DriverPrincipal, top_up_id: int, cancelled: bool) -> TopUpResult:
    """DriverAppNotFound for another driver's top-up, or none."""
    with read_session() as db:
        found = db.get(TopUp, top_up_id)
    if found is None or (found.holder_kind, found.holder_id) != (DRIVER, driver.driver_id):
        raise DriverAppNotFound(tr("No such top-up."))
    result = rules.top_up_result(str(found.state), cancelled)
    amount = format_money(found.pay_minor + found.bonus_minor, found.currency)
    return TopUpResult(
        top_up_id,
        result,
        tr(rules.RESULT_TEXT[result], amount=amount),
        found.checkout_url if result in ("open", "cancelled") else "",
    )


# --- vouchers -----------------------------------------------------------------------


def redeem(driver: DriverPrincipal, code: str) -> str:
    """Redeem a voucher code for the driver; what it gave, in words. DriverAppError (field
    "code") says why not."""
    require_verified(driver)
    if not code.strip():
        message = tr("Enter a voucher code.")
        raise DriverAppError(message, {"code": message})
    who = audit.Actor(None, driver.organisation_id, actor_of(driver))
    scope = scope_of(driver)
    try:
        done = vouchers.redeem_voucher(code, DRIVER, driver.driver_id, scope, who)
    except FinanceError as exc:
        raise refusal(exc, "code") from exc
    if done.state == RedemptionState.CREDITED:
        currency = get_wallet(DRIVER, driver.driver_id, scope).balance.currency
        return tr(
            "{amount} added to your wallet.", amount=format_money(done.amount_minor, currency)
        )
    return tr("Voucher accepted: the discount applies to your next charging session.")


# --- how the driver pays ------------------------------------------------------------


def choose_method(driver: DriverPrincipal, method: str) -> str:
    """Pay from the wallet or by the saved card; the method now. An operator's arrangement
    (invoice, free) is not the driver's to change."""
    chosen = method.strip().lower()
    if chosen not in rules.DRIVER_METHODS:
        raise DriverAppError(tr("Choose wallet or card."), {"method": tr("Choose wallet or card.")})
    current = summary(driver).method
    if current not in rules.DRIVER_METHODS:
        message = tr("Your operator has arranged how you pay. Ask them to change it.")
        raise DriverAppError(message, {"method": message})
    try:
        account = payment_accounts.set_method(
            scope_of(driver), DRIVER, driver.driver_id, chosen, actor_of(driver)
        )
    except FinanceError as exc:
        message = tr("Add a card first.") if chosen == "card" else str(exc)
        raise DriverAppError(message, {"method": message}) from exc
    return account.method


def start_add_card(driver: DriverPrincipal, base_url: str) -> str:
    """Open Stripe's page that saves a card; its address (the driver comes back to the
    wallet page; the webhook stores the card)."""
    require_verified(driver)
    success_url, cancel_url = rules.card_return_urls(base_url)
    try:
        opened = card_checkout.start_card_checkout(
            scope_of(driver), DRIVER, driver.driver_id, success_url, cancel_url, actor_of(driver)
        )
    except gateway.PaymentsNotConfigured:
        raise not_configured() from None
    except gateway.StripeFailure as exc:
        raise stripe_refused(exc) from exc
    except FinanceError as exc:
        raise refusal(exc) from exc
    return opened.url
