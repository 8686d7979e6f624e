"""The Finance overview in the real app and headless Chromium: revenue of the last 30 days as
a bar chart and as a table (the same numbers), another currency, the last 12 months, the
outstanding and refund figures with their links, and this month's figures of before. At
1440 px and 360 px; nothing scrolls sideways on a phone (the table scrolls in its card)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.display import time_zone
from ccms_app.core.local_time import midnight_of
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.payments.models import TopUp
from tests.finance.test_overview import Seeder
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
ZONE = "Europe/Berlin"


@pytest.fixture(scope="module")
def today_key(running_app: RunningApp) -> str:
    """In the running app's database, minutes ago: a EUR session (€11.90), a GBP session of
    a sub-operator (£9.60), a paid top-up (€50.00) and a card session whose capture failed
    (€20.00). Returns today's day key in the operator's zone.

    All of them at one instant, never before the operator's midnight: minutes ago is
    yesterday (or last month) in Berlin when the suite runs just after midnight there."""
    now = datetime.now(UTC).replace(microsecond=0)
    at = max(now - timedelta(minutes=5), midnight_of(now, ZONE))
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as s:
            operator_id = int(root_organisation(s).id or 0)
            profile = s.get(BillingProfile, operator_id) or BillingProfile(
                organisation_id=operator_id
            )
            profile.time_zone, profile.currency = ZONE, "EUR"
            partner = Organisation(name="Overview Partner GB", parent_id=operator_id)
            s.add_all([profile, partner])
            s.flush()
            partner_id = int(partner.id or 0)
            s.add(BillingProfile(organisation_id=partner_id, currency="GBP"))
            s.add(
                TopUp(
                    organisation_id=operator_id,
                    holder_kind="driver",
                    holder_id=1,
                    pay_minor=5000,
                    bonus_minor=500,
                    currency="EUR",
                    state="paid",
                    paid_at=at,
                )
            )
        seed = Seeder(partner_id)
        seed.charge_point(operator_id, "CP-OVERVIEW-1")
        seed.charge_point(partner_id, "CP-OVERVIEW-2")
        seed.session(operator_id, "OVB-1", at, ("final", "EUR", 1000, 190, 1190), 4000)
        seed.session(partner_id, "OVB-2", at, ("final", "GBP", 800, 160, 960), 3000)
        seed.session(
            operator_id,
            "OVB-3",
            at,
            ("final", "EUR", 1681, 319, 2000),
            method="card",
            state="failed",
        )
    finally:
        db.set_engine(None)
    return now.astimezone(time_zone(ZONE)).date().isoformat()


async def _revenue_shown(page: Page, today: str) -> None:
    chart = page.locator("[data-testid=fin-revenue-chart] .js-plotly-plot")
    await expect(chart).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=fin-revenue-chart] .barlayer .trace")).to_have_count(3)
    table = page.locator("[data-testid=fin-period-table]")
    await expect(table).to_be_visible()
    row = table.locator(f"[data-testid=fin-period-{today}]")
    await expect(row).to_contain_text("€31.90")  # charging incl. VAT: 11.90 + 20.00
    await expect(row).to_contain_text("€50.00")  # the top-up
    await expect(table.locator("[data-testid=fin-period-total]")).to_contain_text("€31.90")


async def test_overview_chart_table_and_figures(
    running_app: RunningApp, browser: Browser, today_key: str
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance")
    await _revenue_shown(page, today_key)
    await expect(page.locator("[data-testid=finance-revenue-EUR]")).to_contain_text("€31.90")
    failed = page.locator("[data-testid=fin-out-card_failed]")
    await expect(failed).to_contain_text("€20.00")
    link = failed.get_by_role("link", name="Card payments failed")
    await expect(link).to_have_attribute("href", "/finance/payments?status=failed")
    await expect(page.locator("[data-testid=fin-refund-card]")).to_contain_text("—")
    await _screenshot(page, "finance-overview-revenue-1440.png")

    await page.locator("[data-testid=fin-currency]").get_by_role("radio", name="GBP").click()
    table = page.locator("[data-testid=fin-period-table]")
    await expect(table.locator("[data-testid=fin-period-total]")).to_contain_text(
        "£9.60", timeout=UI_TIMEOUT_MS
    )
    await page.locator("[data-testid=fin-period]").get_by_role("radio", name="12 months").click()
    month = today_key[:7]
    await expect(table.locator(f"[data-testid=fin-period-{month}]")).to_contain_text(
        "£9.60", timeout=UI_TIMEOUT_MS
    )
    await expect(table.locator("tbody tr")).to_have_count(13)  # 12 months and the total
    await _screenshot(page, "finance-overview-months-1440.png")


async def test_overview_on_a_phone(
    running_app: RunningApp, browser: Browser, today_key: str
) -> None:
    phone = await _log_in(browser, running_app, PHONE, "/finance")
    await _revenue_shown(phone, today_key)
    await expect(phone.locator("[data-testid=fin-out-card_failed]")).to_be_visible()
    await no_sideways_scroll(phone, "Finance overview")
    await _screenshot(phone, "finance-overview-revenue-360.png")
