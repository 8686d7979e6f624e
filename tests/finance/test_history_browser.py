"""Finance -> Charging history and Billing settings in the real app and headless Chromium: the
list shows a priced session with its amount, a station filter narrows it, the session's page
shows the cost breakdown and the power / energy chart; billing settings refuse a wrong VAT
naming the field, then save. Screenshots at 1440 px and 360 px; no page scrolls sideways on
a phone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from tests.finance.test_history import Seeded, seed_history
from tests.fixtures.app_process import (
    DESKTOP,
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


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Seeded:
    """The history's sessions in the running app's database (its operator's network)."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
        return seed_history(operator_id)
    finally:
        db.set_engine(None)


async def test_history_list_filter_and_detail(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/history")
    priced = page.locator(f"[data-testid=history-table] [data-testid=history-row-{seeded.priced}]")
    await expect(priced).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator(f"[data-testid=history-amount-{seeded.priced}]").first).to_have_text(
        "€7.14"
    )
    await expect(priced).to_contain_text("Depot North")
    await expect(priced).to_contain_text("driver account")
    await expect(page.locator("[data-testid=history-range]")).to_contain_text("of 5")
    await _screenshot(page, "finance-history-1440.png")

    await page.click("[data-testid=history-filter-station_id]")
    await page.get_by_role("option", name="Depot South").click()
    review = page.locator(f"[data-testid=history-table] [data-testid=history-row-{seeded.review}]")
    await expect(review).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(priced).to_have_count(0)
    await expect(page.locator("[data-testid=history-range]")).to_contain_text("of 1")
    # The chip still says what it filters (its options came from the database).
    station_chip = page.locator("[data-testid=history-filter-station_id]")
    await expect(station_chip).to_have_text("Station: Depot South")
    await page.click("[data-testid=history-clear]")
    await expect(station_chip).to_have_text("Station: all", timeout=UI_TIMEOUT_MS)
    await expect(priced).to_be_visible(timeout=UI_TIMEOUT_MS)

    await page.click(f"[data-testid=history-table] [data-testid=history-link-{seeded.priced}]")
    await page.wait_for_url(
        re.compile(rf".*/finance/history/{seeded.priced}/?$"), timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=history-line]")).to_have_count(2, timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=history-cost-total_incl]")).to_have_text("€7.14")
    await expect(page.locator("[data-testid=history-tariff]")).to_contain_text("Standard AC")
    chart = page.locator("[data-testid=history-chart] .js-plotly-plot")
    await expect(chart).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=history-chart] .scatterlayer .trace")).to_have_count(2)
    await _screenshot(page, "finance-history-detail-1440.png")

    await page.goto(f"{running_app.web_url}/finance/history/{seeded.review}")
    await expect(page.locator("[data-testid=history-review-note]")).to_contain_text(
        "review threshold", timeout=UI_TIMEOUT_MS
    )
    # The operator checked it: released for billing, the note goes, no release button left.
    await page.locator("[data-testid=history-release]").click()
    await expect(page.locator("[data-testid=history-review-note]")).to_have_count(
        0, timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=history-release]")).to_have_count(0)
    await page.goto(f"{running_app.web_url}/finance/history/987654")
    await expect(page.locator("[data-testid=history-not-found]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )


async def test_billing_settings_name_the_wrong_field(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/settings")
    vat = page.locator("[data-testid=billing-vat_percent]")
    await expect(vat).to_be_visible(timeout=UI_TIMEOUT_MS)
    await vat.fill("19.555")
    await page.fill("[data-testid=billing-seller_name]", "Browser Charging GmbH")
    await page.click("[data-testid=billing-save]")
    error = page.locator("[data-testid=billing-vat_percent-error]")
    await expect(error).to_contain_text("at most 2 decimals", timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=billing-seller_name]")).to_have_value(
        "Browser Charging GmbH"
    )
    await _screenshot(page, "finance-settings-error-1440.png")
    await vat.fill("19")
    await page.click("[data-testid=billing-save]")
    await expect(error).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await page.reload()
    await expect(page.locator("[data-testid=billing-seller_name]")).to_have_value(
        "Browser Charging GmbH", timeout=UI_TIMEOUT_MS
    )
    await expect(vat).to_have_value("19")
    await _screenshot(page, "finance-settings-1440.png")


async def test_the_pages_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/history")
    card = page.locator(f"[data-testid=history-card-{seeded.priced}]")
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(card).to_contain_text("€7.14")
    # A list builds one layout (ui/viewport.py): no table rows behind a phone's cards, and a
    # window widened past the breakpoint gets the table instead of the cards.
    row = page.locator(f"[data-testid=history-row-{seeded.priced}]")
    await expect(row).to_have_count(0)
    await page.set_viewport_size(DESKTOP)
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(card).to_have_count(0)
    await page.set_viewport_size(PHONE)
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-history-360.png")
    await no_sideways_scroll(page, "the charging history")

    await page.goto(f"{running_app.web_url}/finance/history/{seeded.priced}")
    await expect(page.locator("[data-testid=history-chart] .js-plotly-plot")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-history-detail-360.png")
    await no_sideways_scroll(page, "a session's page")

    await page.goto(f"{running_app.web_url}/finance/settings")
    await expect(page.locator("[data-testid=billing-currency]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-settings-360.png")
    await no_sideways_scroll(page, "the billing settings")
