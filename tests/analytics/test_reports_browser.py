"""Analytics -> Reports in the real app and headless Chromium, at 1440 and 360 px, on the
hand-computed November 2026 of tests/analytics/test_reports.py: the sessions report shows
its totals, chart, summary and detail; choosing a station changes the numbers; the summary
CSV holds the page's totals and the detail CSV the sessions the page counts; the energy and
availability reports render; the monthly e-mail's recipients are checked and saved; nothing
scrolls sideways. Screenshots go to var/screens-analytics/ for a person to look at."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from tests.analytics.test_reports import seed_reports
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    ADMIN_EMAIL,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}
SCREENS = PROJECT_ROOT / "var" / "screens-analytics"
ROUTE = "/analytics/reports"


def _seed(app: RunningApp) -> None:
    """The network of tests/analytics/test_reports.py in the admin's organisation."""
    engine = db.make_engine(app.database_url)
    db.set_engine(engine)
    try:
        with db.session_scope() as s:
            admin = s.exec(
                select(OperatorAccount).where(col(OperatorAccount.email) == ADMIN_EMAIL)
            ).one()
            org = admin.organisation_id
        seed_reports(org)
    finally:
        db.set_engine(None)
        engine.dispose()


def tid(testid: str) -> str:
    return f"[data-testid='{testid}'] >> visible=true"


def _visible(page: Page, testid: str) -> Locator:
    return page.locator(tid(testid)).first


async def _settle(page: Page) -> None:
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(800)


async def _no_sideways(page: Page, width: int) -> None:
    scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{ROUTE} scrolls sideways at {width} px ({scroll_width} px)"


async def _shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / f"reports-{name}.png"), full_page=True)


async def _november(page: Page) -> None:
    await page.fill(tid("reports-filter-from"), "2026-11-01")
    await page.fill(tid("reports-filter-to"), "2026-11-30")
    await expect(_visible(page, "reports-range")).to_contain_text(
        "01 Nov 2026 to 30 Nov 2026", timeout=UI_TIMEOUT_MS
    )


async def _choose(page: Page, select: str, option: str) -> None:
    await page.click(tid(f"reports-filter-{select}"))
    await page.get_by_role("option", name=option, exact=True).click()


async def _download(page: Page, testid: str) -> tuple[str, str]:
    async with page.expect_download() as download_info:
        await page.click(tid(testid))
    download = await download_info.value
    return download.suggested_filename, (await download.path()).read_text(encoding="utf-8")


async def _sessions_report(page: Page) -> None:
    """All of November, then only Depot: the totals change; the CSVs hold the page's."""
    await expect(_visible(page, "reports-total-orders")).to_have_text("4", timeout=UI_TIMEOUT_MS)
    await expect(_visible(page, "reports-total-energy")).to_have_text("35.000 kWh")
    await expect(_visible(page, "reports-total-incl")).to_have_text("€19.00")
    await expect(page.locator(".js-plotly-plot .barlayer .trace").first).to_be_attached()
    await _choose(page, "location", "Depot")
    await expect(_visible(page, "reports-total-orders")).to_have_text("2", timeout=UI_TIMEOUT_MS)
    await expect(_visible(page, "reports-total-energy")).to_have_text("27.000 kWh")
    await expect(_visible(page, "reports-total-incl")).to_have_text("€17.00")
    await expect(_visible(page, "reports-bucket-total")).to_contain_text("27.000 kWh")
    await expect(_visible(page, "reports-detail-total")).to_contain_text("2 sessions")
    name, text = await _download(page, "reports-export-summary")
    assert name == "sessions-summary-2026-11-01-2026-11-30.csv"
    total = list(csv.DictReader(io.StringIO(text)))[-1]
    shown = [await _visible(page, f"reports-total-{k}").inner_text() for k in ("orders", "energy")]
    assert [total["Orders"], f"{total['Energy (kWh)']} kWh"] == shown
    assert f"€{total['Amount incl. VAT (EUR)']}" == "€17.00"
    _name, detail = await _download(page, "reports-detail-export")
    rows = list(csv.DictReader(io.StringIO(detail)))
    assert [r["Charge point"] for r in rows] == ["CP-2", "CP-1"]  # S2, S4: started in November
    assert sum(Decimal(r["Amount incl. VAT"] or 0) for r in rows) == Decimal("15.00")
    await expect(_visible(page, "reports-detail-total")).to_contain_text("€15.00")


async def _other_reports(page: Page, width: int, energy: str, availability: str) -> None:
    await page.click(f"{tid('reports-filter-report')} >> text=Energy")
    await expect(_visible(page, "reports-energy-total")).to_have_text(energy, timeout=UI_TIMEOUT_MS)
    await expect(_visible(page, "reports-charge-points")).to_contain_text("CP-2")
    await _settle(page)
    await _no_sideways(page, width)
    await _shot(page, f"energy-{width}")
    await page.click(f"{tid('reports-filter-report')} >> text=Availability")
    await expect(_visible(page, "reports-availability-total")).to_have_text(
        availability, timeout=UI_TIMEOUT_MS
    )
    await _settle(page)
    await _no_sideways(page, width)
    await _shot(page, f"availability-{width}")
    await page.click(f"{tid('reports-filter-report')} >> text=Sessions")
    await expect(_visible(page, "reports-total-orders")).to_be_visible(timeout=UI_TIMEOUT_MS)


async def _recipients(page: Page, app: RunningApp) -> None:
    box = _visible(page, "reports-monthly-recipients")
    await box.fill("ops@example.com, not an address")
    await page.wait_for_timeout(600)  # the box sends what was typed after 300 ms
    await page.click(tid("reports-monthly-save"))
    await expect(_visible(page, "reports-error-recipients")).to_contain_text(
        "not an address", timeout=UI_TIMEOUT_MS
    )
    await box.fill("Ops@Example.com, boss@example.com")
    await page.wait_for_timeout(600)
    await page.click(tid("reports-monthly-enabled"))
    await page.click(tid("reports-monthly-save"))
    await expect(page.get_by_text("Monthly report saved.")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.goto(f"{app.web_url}{ROUTE}")
    await expect(_visible(page, "reports-monthly-recipients")).to_have_value(
        "ops@example.com, boss@example.com", timeout=UI_TIMEOUT_MS
    )
    await expect(_visible(page, "reports-monthly-enabled")).to_be_checked()


async def test_the_reports_page_on_desktop_and_phone(
    running_app: RunningApp, browser: Browser
) -> None:
    _seed(running_app)
    page = await _log_in(browser, running_app, WIDE, ROUTE)
    await _november(page)
    await _sessions_report(page)
    await _settle(page)
    await _no_sideways(page, WIDE["width"])
    await _shot(page, "sessions-1440")
    await _other_reports(page, WIDE["width"], "27.000 kWh", "99.583 %")  # Depot
    await _recipients(page, running_app)

    phone = await _log_in(browser, running_app, PHONE, ROUTE)
    await _november(phone)
    await expect(_visible(phone, "reports-total-orders")).to_have_text("4", timeout=UI_TIMEOUT_MS)
    cards = phone.locator("[data-testid^='reports-detail-card-'] >> visible=true")
    await expect(cards.first).to_be_visible(timeout=UI_TIMEOUT_MS)  # the detail as cards
    await _settle(phone)
    await _no_sideways(phone, PHONE["width"])
    await _shot(phone, "sessions-360")
    await _other_reports(phone, PHONE["width"], "35.000 kWh", "99.630 %")  # every station
