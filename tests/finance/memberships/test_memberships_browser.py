"""Finance -> Memberships in the real app and headless Chromium: a plan created from its form
(a missing benefit named first), a driver enrolled (the first fee taken from the wallet) and
listed with period and included kWh, the membership cancelled at period end; the driver page
shows the membership. Each test stands alone on the module's seed. Screenshots at 1440 px and
360 px; no page scrolls sideways on a phone.

Needs ccms_app.ccms_app to register the page (memberships.PAGES) and the driver page to mount
finance.components.memberships.membership_badge.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import Session

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver
from ccms_app.finance.memberships import enrolment, plans
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
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
ROUTE = "/finance/memberships"
ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Seeded:
    member_id: int  # Mia: a member of Gold (seeded)
    newcomer_id: int  # Max: enrolled by the test
    renews_on: str  # Mia's period end, in the operator's zone (Europe/Berlin)


def _driver_with_money(s: Session, operator_id: int, name: str) -> int:
    driver = Driver(organisation_id=operator_id, name=name)
    s.add(driver)
    s.flush()
    credit_wallet(
        s,
        organisation_id=operator_id,
        holder_kind="driver",
        holder_id=stored_id(driver.id),
        currency="EUR",
        paid_minor=5000,
        bonus_minor=0,
        kind=LedgerKind.TOP_UP,
        reference=f"browser-top-up:{driver.id}",
    )
    return stored_id(driver.id)


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Seeded:
    """A billing profile, two drivers with 50.00 EUR each, Mia a member of Gold."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as s:
            operator_id = stored_id(root_organisation(s).id)
            if s.get(BillingProfile, operator_id) is None:
                s.add(BillingProfile(organisation_id=operator_id, currency="EUR", time_zone=ZONE))
            mia = _driver_with_money(s, operator_id, "Mia Member")
            max_id = _driver_with_money(s, operator_id, "Max Newcomer")
        scope = frozenset({operator_id})
        form = {"name": "Gold", "monthly_fee": "9.90", "discount_percent": "10"}
        gold = plans.create_plan(scope, operator_id, form | {"fee_collection": "wallet"}, "t")
        view = enrolment.enrol(scope, gold.id, "driver", mia, "browser test")
        return Seeded(mia, max_id, local_text(view.current_period_end, ZONE, with_time=False))
    finally:
        db.set_engine(None)


async def test_plan_enrol_and_cancel(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, ROUTE)
    plans_table = page.locator("[data-testid=membership-plans-table]")
    await expect(plans_table).to_contain_text("Gold", timeout=UI_TIMEOUT_MS)

    await page.click("[data-testid=membership-plans-new]")
    await expect(page.locator("[data-testid=plan-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=plan-name]", "Silver")
    await page.fill("[data-testid=plan-monthly_fee]", "9.90")
    await page.click("[data-testid=plan-save]")
    await expect(page.locator("[data-testid=plan-benefits-error]")).to_contain_text(
        "at least one benefit", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-memberships-plan-error-1440.png")
    await page.fill("[data-testid=plan-discount_percent]", "10")
    await page.fill("[data-testid=plan-included_kwh]", "50")
    await page.click("[data-testid=plan-save]")
    await expect(page.locator("[data-testid=plan-dialog]")).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await expect(plans_table).to_contain_text("Silver", timeout=UI_TIMEOUT_MS)
    await expect(plans_table).to_contain_text("10 % off, 50 kWh included")

    await page.click("[data-testid=memberships-enrol]")
    await expect(page.locator("[data-testid=enrol-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=enrol-plan]")
    await page.get_by_role("option", name="Silver · 9.90 EUR / month").click()
    await page.fill("[data-testid=enrol-holder-search]", "Max")
    await page.click("[data-testid=enrol-holder]")
    await page.get_by_role("option", name="Max Newcomer").click()
    await page.click("[data-testid=enrol-save]")
    await expect(page.locator("[data-testid=enrol-dialog]")).to_have_count(0, timeout=UI_TIMEOUT_MS)
    members = page.locator("[data-testid=memberships-table]")
    newcomer = members.locator("tr", has_text="Max Newcomer")
    await expect(newcomer).to_contain_text("0 of 50 kWh", timeout=UI_TIMEOUT_MS)
    await expect(newcomer).to_contain_text("active")
    await _screenshot(page, "finance-memberships-1440.png")

    await newcomer.locator("[data-testid^=memberships-cancel-]").click()
    await expect(page.locator("[data-testid=cancel-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=cancel-save]")
    await expect(newcomer).to_contain_text("ends at period end", timeout=UI_TIMEOUT_MS)


async def test_the_driver_page_shows_the_membership(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, f"/users/drivers/{seeded.member_id}")
    await expect(page.locator("[data-testid=driver-membership]")).to_contain_text(
        "Gold", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=driver-membership-detail]")).to_have_text(
        f"active, renews {seeded.renews_on}"
    )
    await _screenshot(page, "driver-membership-1440.png")


async def test_the_memberships_page_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, ROUTE)
    await expect(page.locator("[data-testid^=memberships-card-]").first).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-memberships-360.png")
    await no_sideways_scroll(page, "the memberships page")
    await page.click("[data-testid=membership-plans-new]")
    await expect(page.locator("[data-testid=plan-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-memberships-plan-360.png")
    await no_sideways_scroll(page, "the plan form")
