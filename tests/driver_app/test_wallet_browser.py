"""The driver's wallet in the real app and headless Chromium, at 360 px, with the fake Stripe
server (the app process gets the CCMS_STRIPE_* variables pointing at it; the fake delivers
its signed webhooks to the app's /webhooks/stripe): the driver chooses an amount, is sent to
Stripe's hosted page, pays there, comes back to the wallet and sees the new balance; a
receipt's PDF downloads from the list. Screenshots at 360 and 1440 px; nothing scrolls
sideways on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import select

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.driver_app import driver_accounts
from ccms_app.drivers.models import IdTag
from ccms_app.finance.payments import packages
from ccms_app.network.models import ChargePoint
from tests.driver_app.browser import sign_in_at, tid, wide_screenshot
from tests.driver_app.support import PASSWORD
from tests.driver_app.test_wallet import receipt_of
from tests.finance.payments.test_payments_browser import stripe_for_the_app
from tests.fixtures.app_process import (
    IDENTITY,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)
from tests.fixtures.fake_stripe import FakeStripe

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app", "stripe_for_the_app"]  # fixtures (autouse: Stripe first)

EMAIL = "wallet-driver@example.com"


@pytest.fixture(scope="module")
def app(running_app: RunningApp, stripe_for_the_app: FakeStripe) -> Iterator[RunningApp]:
    """The running app with a top-up package, a signed-up driver (verified: the app sends
    no e-mail here) with one receipt, and the fake's webhooks going to the app."""
    stripe_for_the_app.webhook_url = f"{running_app.web_url}/webhooks/stripe"
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = stored_id(root_organisation(session).id)
        packages.create(
            operator_id, {"name": "Plus", "pay": "50", "credit": "55"}, "test", {operator_id}
        )
        driver_accounts.sign_up(driver_accounts.SignUp("Wanda Wallet", EMAIL, PASSWORD))
        account = driver_accounts.find_account(EMAIL)
        assert account is not None and account.email_verified_at is not None
        with db.read_session() as session:
            tag = session.get(IdTag, account.app_id_tag_id)
            assert tag is not None
            app_tag = tag.id_tag
            cp = session.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
        receipt_of(operator_id, stored_id(cp.id), app_tag, (840, 160, 1000))
    finally:
        db.set_engine(None)
    yield running_app


async def test_a_driver_tops_up_on_stripes_page_and_sees_the_new_balance(
    app: RunningApp, browser: Browser, stripe_for_the_app: FakeStripe
) -> None:
    page = await sign_in_at(browser, app, "/app/wallet", EMAIL)
    balance = page.locator(tid("wallet-balance"))
    await expect(balance).to_have_text("€0.00", timeout=UI_TIMEOUT_MS)
    receipt = page.locator(tid("receipt-row"))
    await expect(receipt).to_have_count(1)
    await expect(receipt).to_contain_text("€10.00")
    await no_sideways_scroll(page, "the wallet")
    await _screenshot(page, "driver-app-wallet-360.png")
    await wide_screenshot(page, "driver-app-wallet-1440.png")

    # the receipt's PDF comes from the app's route, with the driver's own cookie
    href = await page.locator(tid("receipt-pdf")).get_attribute("href")
    assert href is not None and href.startswith("/app/receipts/")
    pdf = await page.request.get(f"{app.web_url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF")

    await page.click(tid("top-up-choice-amount-2000"))
    await expect(page.locator(tid("top-up-choice-amount-2000"))).to_have_attribute(
        "aria-pressed", "true"
    )
    await page.click(tid("top-up-start"))
    await page.wait_for_url(re.compile(r".*/checkout/cs_"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("stripe-amount"))).to_have_text("20.00 EUR")
    await _screenshot(page, "driver-app-wallet-stripe-360.png")
    await page.click(tid("stripe-pay"))

    await page.wait_for_url(re.compile(r".*/app/wallet/?\?top_up=\d+$"), timeout=UI_TIMEOUT_MS)
    await expect(balance).to_have_text("€20.00", timeout=UI_TIMEOUT_MS)
    result = page.locator(tid("top-up-result"))
    await expect(result).to_have_attribute("data-result", "paid")
    await expect(result).to_contain_text("Paid: €20.00 is in your wallet.")
    await expect(page.locator(tid("top-up-row"))).to_have_count(1)
    await expect(page.locator(tid("movement-row")).first).to_contain_text("+€20.00")
    assert stripe_for_the_app.deliveries == [("checkout.session.completed", 200)]
    await no_sideways_scroll(page, "the wallet after the top-up")
    await _screenshot(page, "driver-app-wallet-paid-360.png")
    await wide_screenshot(page, "driver-app-wallet-paid-1440.png")

    # a card, saved on Stripe's page, then chosen to pay with
    await page.click(tid("add-card"))
    await page.wait_for_url(re.compile(r".*/checkout/cs_"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("stripe-pay"))).to_have_text("Save card")
    await page.click(tid("stripe-pay"))
    await page.wait_for_url(re.compile(r".*/app/wallet/?\?card=added$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("saved-card"))).to_contain_text(
        "visa •••• 4242", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(tid("card-notice"))).to_contain_text("Your card is saved")
    await page.click(tid("method-card"))
    await expect(page.locator(tid("method-card"))).to_have_attribute("aria-pressed", "true")
    assert stripe_for_the_app.deliveries[1:] == [
        ("checkout.session.completed", 200),
        ("setup_intent.succeeded", 200),
    ]
    await no_sideways_scroll(page, "the wallet with a card")
    await _screenshot(page, "driver-app-wallet-card-360.png")
