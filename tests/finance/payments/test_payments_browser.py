"""Finance -> Payments and Top-ups in the real app and headless Chromium, with the fake Stripe
server (the app process gets the CCMS_STRIPE_* variables pointing at it): the payments list
with a paid top-up, the Reconciliation view listing only the payment Stripe reports
differently, a refund refused without a reason and then made, the list filtered by its
address (`?kind=...&status=...`, as the overview links); a top-up started from the page
(its Checkout link shown) and a package created; both pages at 1440 px and 360 px, without
sideways scrolling on a phone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.config import get_settings
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.payments import top_ups, webhook_dispatch, webhook_handlers
from ccms_app.finance.payments.top_ups import TopUpRequest
from tests.fixtures.app_process import (
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)
from tests.fixtures.fake_stripe import FakeStripe, running_fake_stripe, stripe_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}


@pytest.fixture(scope="module", autouse=True)
def stripe_for_the_app() -> Iterator[FakeStripe]:
    """Before the module's app starts: a fake Stripe, and the variables that point both the
    app process and this test process at it."""
    with running_fake_stripe() as fake:
        saved = {name: os.environ.get(name) for name in stripe_environment(fake)}
        os.environ.update(stripe_environment(fake))
        get_settings.cache_clear()
        try:
            yield fake
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            get_settings.cache_clear()


@dataclass(frozen=True)
class Seeded:
    paid_payment: int  # a top-up's payment, paid: refundable
    odd_payment: int  # a top-up Stripe reports with another amount: reconciliation


def _deliver(fake: FakeStripe, event_type: str, obj: dict) -> None:
    """What the webhook route does with Stripe's delivery, in this process."""
    payload, headers = fake.signed_request(event_type, obj)
    receipt = webhook_dispatch.receive(payload, headers["Stripe-Signature"])
    assert receipt.status == 200, receipt.message


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp, stripe_for_the_app: FakeStripe) -> Seeded:
    fake = stripe_for_the_app
    webhook_handlers.install()
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
            if session.get(BillingProfile, operator_id) is None:
                session.add(
                    BillingProfile(
                        organisation_id=operator_id, currency="EUR", time_zone="Europe/Berlin"
                    )
                )
            driver = Driver(
                organisation_id=operator_id, name="Paula Payer", email="paula@example.com"
            )
            session.add(driver)
            session.flush()
            driver_id = stored_id(driver.id)
        scope = [operator_id]
        paid = top_ups.start(scope, "driver", driver_id, TopUpRequest(recharge_minor=2000), "seed")
        _deliver(fake, "checkout.session.completed", fake.complete(paid.checkout_session_id))
        odd = top_ups.start(scope, "driver", driver_id, TopUpRequest(recharge_minor=1000), "seed")
        completed = {**fake.complete(odd.checkout_session_id), "amount_total": 900}
        _deliver(fake, "checkout.session.completed", completed)
        return Seeded(
            top_ups.payment_of_id(int(paid.id or 0)), top_ups.payment_of_id(int(odd.id or 0))
        )
    finally:
        db.set_engine(None)


async def test_payments_reconciliation_and_a_refund(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/payments")
    table = page.locator("[data-testid=payments-table]")
    paid = table.locator(f"[data-testid=payments-row-{seeded.paid_payment}]")
    odd = table.locator(f"[data-testid=payments-row-{seeded.odd_payment}]")
    await expect(paid).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(paid).to_contain_text("top-up")
    await expect(paid).to_contain_text("Paula Payer")
    await expect(paid).to_contain_text("€20.00")
    await expect(
        odd.locator(f"[data-testid=payments-mismatch-{seeded.odd_payment}]")
    ).to_be_visible()
    await _screenshot(page, "finance-payments-1440.png")

    await page.click("[data-testid=payments-view-reconciliation]")
    await expect(paid).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await expect(odd).to_contain_text("Stripe received 9.00 EUR")
    await _screenshot(page, "finance-payments-reconciliation-1440.png")
    await page.click("[data-testid=payments-view-all]")
    await expect(paid).to_be_visible(timeout=UI_TIMEOUT_MS)

    await paid.locator(f"[data-testid=payments-refund-{seeded.paid_payment}]").click()
    dialog = page.locator("[data-testid=refund-dialog]")
    await expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=refund-amount]", "5")
    await page.click("[data-testid=refund-save]")
    await expect(page.locator("[data-testid=refund-reason-error]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-payments-refund-error-1440.png")
    await page.fill("[data-testid=refund-reason]", "Charger fault")
    await page.click("[data-testid=refund-save]")
    await expect(dialog).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await expect(paid).to_contain_text("€5.00", timeout=UI_TIMEOUT_MS)  # refunded so far
    await expect(table).to_contain_text("refund")


async def test_a_top_up_from_the_page_and_a_package(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/top-ups")
    await expect(page.locator("[data-testid=top-up-form]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=top-up-query]", "paula")
    await page.click("[data-testid=top-up-holder]")
    await page.get_by_role("option", name="Paula Payer (paula@example.com)").click()
    await page.click("[data-testid=top-up-recharge]")
    await page.get_by_role("option", name="€50.00").click()
    await page.click("[data-testid=top-up-start]")
    link = page.locator("[data-testid=top-up-checkout]")
    await expect(link).to_contain_text("/checkout/cs_", timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=top-ups-table]")).to_contain_text("€50.00")

    await page.click("[data-testid=packages-new]")
    await expect(page.locator("[data-testid=package-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=package-name]", "Pay 50, get 55")
    await page.fill("[data-testid=package-pay]", "50")
    await page.fill("[data-testid=package-credit]", "45")
    await page.click("[data-testid=package-save]")
    await expect(page.locator("[data-testid=package-credit-error]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-top-ups-package-error-1440.png")
    await page.fill("[data-testid=package-credit]", "55")
    await page.click("[data-testid=package-save]")
    await expect(page.locator("[data-testid=packages-card]")).to_contain_text(
        "Pay 50, get 55", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=packages-card]")).to_contain_text("bonus €5.00")
    await _screenshot(page, "finance-top-ups-1440.png")


async def test_payments_and_top_ups_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/payments")
    card = page.locator(f"[data-testid=payments-card-{seeded.odd_payment}]")
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(card).to_contain_text("€10.00")
    await _screenshot(page, "finance-payments-360.png")
    await no_sideways_scroll(page, "the payments list")
    # a link with filters in its query (as the overview's) opens the list filtered
    await page.goto(f"{running_app.web_url}/finance/payments?kind=top_up&status=succeeded")
    paid = page.locator(f"[data-testid=payments-card-{seeded.paid_payment}]")
    await expect(paid).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(card).to_have_count(0)

    await page.goto(f"{running_app.web_url}/finance/top-ups")
    await expect(page.locator("[data-testid=top-up-form]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=packages-card]")).to_be_visible()
    await _screenshot(page, "finance-top-ups-360.png")
    await no_sideways_scroll(page, "the top-ups page")

    await page.goto(f"{running_app.web_url}/finance/settings")
    section = page.locator("[data-testid=payments-settings]")
    await expect(section).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=payments-stripe]")).to_contain_text("configured")
    await _screenshot(page, "finance-settings-payments-360.png")
    await no_sideways_scroll(page, "the billing settings with payments")
