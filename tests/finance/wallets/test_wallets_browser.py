"""Finance -> Wallets and Vouchers in the real app and headless Chromium: the wallet list
with balances, a wallet's page where a manual adjustment shows in the ledger with its reason
and the balance after it, the vouchers list with a code created and redeemed for a driver.
Screenshots at 1440 px and 360 px; no page scrolls sideways on a phone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind, Voucher
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

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class Seeded:
    driver_id: int
    voucher_id: int

    @property
    def key(self) -> str:
        return f"driver:{self.driver_id}"


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Seeded:
    """A driver with 25.00 paid and 2.50 bonus, and a code of 5 redemptions."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as s:
            operator_id = stored_id(root_organisation(s).id)
            if s.get(BillingProfile, operator_id) is None:
                s.add(
                    BillingProfile(
                        organisation_id=operator_id, currency="EUR", time_zone="Europe/Berlin"
                    )
                )
            driver = Driver(organisation_id=operator_id, name="Wanda Wallet", email="w@example.com")
            voucher = Voucher(
                organisation_id=operator_id, code="WELCOME5", value_minor=500, max_redemptions=5
            )
            s.add_all([driver, voucher])
            s.flush()
            credit_wallet(
                s,
                organisation_id=operator_id,
                holder_kind="driver",
                holder_id=stored_id(driver.id),
                currency="EUR",
                paid_minor=2500,
                bonus_minor=250,
                kind=LedgerKind.TOP_UP,
                reference="top_up:browser-1",
                reason="Stripe Checkout",
            )
            return Seeded(stored_id(driver.id), stored_id(voucher.id))
    finally:
        db.set_engine(None)


async def test_a_wallet_and_a_manual_adjustment_in_its_ledger(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/wallets")
    await page.fill("[data-testid=wallets-search]", "Wanda")
    total = page.locator(f'[data-testid="wallets-total-{seeded.key}"]').first
    await expect(total).to_have_text("€27.50", timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-wallets-1440.png")

    await page.locator(f'[data-testid="wallets-link-{seeded.key}"]').first.click()
    await expect(page.locator("[data-testid=wallet-name]")).to_have_text(
        "Wanda Wallet", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=wallet-total]")).to_have_text("€27.50")
    await expect(page.locator("[data-testid=wallet-paid]")).to_have_text("€25.00")

    await page.fill("[data-testid=adjust-amount]", "2.50")
    await page.click("[data-testid=adjust-save]")
    await expect(page.locator("[data-testid=adjust-reason-error]")).to_contain_text(
        "Say why", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-wallet-adjust-error-1440.png")
    await page.click("[data-testid=adjust-bucket]")
    await page.get_by_role("option", name="Bonus credit").click()
    await page.fill("[data-testid=adjust-reason]", "Goodwill for a broken charger")
    await page.click("[data-testid=adjust-save]")
    await expect(page.locator("[data-testid=wallet-total]")).to_have_text(
        "€30.00", timeout=UI_TIMEOUT_MS
    )
    ledger = page.locator("[data-testid=wallet-ledger]")
    newest = ledger.locator("tbody tr").first
    await expect(newest).to_contain_text("adjustment")
    await expect(newest).to_contain_text("Goodwill for a broken charger")
    await expect(newest).to_contain_text("€30.00")
    await expect(page.locator("[data-testid=wallet-ledger-range]")).to_contain_text("2 movements")
    await _screenshot(page, "finance-wallet-1440.png")


async def test_vouchers_create_and_redeem(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/vouchers")
    used = page.locator(f"[data-testid=vouchers-used-{seeded.voucher_id}]").first
    await expect(used).to_have_text("0 / 5", timeout=UI_TIMEOUT_MS)

    await page.click("[data-testid=vouchers-new]")
    await expect(page.locator("[data-testid=voucher-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=voucher-code]", "spring-10")
    await page.fill("[data-testid=voucher-value]", "10")
    await page.click("[data-testid=voucher-save]")
    await expect(page.locator("[data-testid=voucher-dialog]")).to_have_count(
        0, timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=vouchers-table]")).to_contain_text("SPRING-10")
    await _screenshot(page, "finance-vouchers-1440.png")

    await page.click("[data-testid=vouchers-redeem-open]")
    await page.fill("[data-testid=redeem-code]", "welcome5")
    await page.fill("[data-testid=redeem-holder-search]", "Wanda")
    await page.wait_for_timeout(600)  # the search is debounced
    await page.click("[data-testid=redeem-holder]")
    await page.get_by_role("option", name="Wanda Wallet").first.click()
    await page.click("[data-testid=redeem-save]")
    await expect(page.locator("[data-testid=redeem-result]")).to_contain_text(
        "€5.00 credited", timeout=UI_TIMEOUT_MS
    )
    await page.keyboard.press("Escape")
    await expect(used).to_have_text("1 / 5", timeout=UI_TIMEOUT_MS)


async def test_the_wallet_and_voucher_pages_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/wallets")
    card = page.locator(f'[data-testid="wallets-card-{seeded.key}"]')
    await page.fill("[data-testid=wallets-search]", "Wanda")
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-wallets-360.png")
    await no_sideways_scroll(page, "the wallets list")

    await page.goto(f"{running_app.web_url}/finance/wallets/driver/{seeded.driver_id}")
    await expect(page.locator("[data-testid=wallet-ledger]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-wallet-360.png")
    await no_sideways_scroll(page, "a wallet's page")

    await page.goto(f"{running_app.web_url}/finance/vouchers")
    await expect(page.locator(f"[data-testid=vouchers-card-{seeded.voucher_id}]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-vouchers-360.png")
    await no_sideways_scroll(page, "the vouchers list")
