"""Finance -> Tariffs in the real app and headless Chromium: make a peak / off-peak tariff with
an idle fee in the editor (a wrong price is named under its field and the typed values stay),
preview a session crossing 18:00, assign it as the network default, then "Which tariff
applies?" names it for the registered charge point. The pages at 360 px: no sideways page
scroll (tables scroll inside their card). Screenshots in artifacts/screenshots/tariffs-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.fixtures.app_process import (
    DESKTOP,
    IDENTITY,
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

NAME = "Browser peak tariff"


def row(index: int, field: str) -> str:
    return f"[data-testid=tariff-row-{index}-{field}]"


async def _make_tariff(page: Page) -> None:
    await page.click("[data-testid=tariffs-new]")
    await page.wait_for_url(re.compile(r".*/finance/tariffs/new/?$"), timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=tariff-name]", NAME)
    await page.fill(row(0, "price"), "abc")
    await page.click("[data-testid=tariff-save]")
    await expect(page.locator(row(0, "price-error"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=tariff-name]")).to_have_value(NAME)
    await _screenshot(page, "tariffs-editor-error-desktop.png")

    await page.fill(row(0, "price"), "0.50")
    await page.click(row(0, "restrictions"))
    await page.fill(row(0, "start_time"), "18:00")
    await page.fill(row(0, "end_time"), "22:00")
    await page.click("[data-testid=tariff-add-energy]")
    await page.fill(row(1, "price"), "0.30")
    await page.click("[data-testid=tariff-add-idle]")
    await page.fill(row(2, "price"), "0.10")
    await page.fill("[data-testid=tariff-idle_grace_minutes]", "10")
    await expect(page.locator(row(0, "summary"))).to_contain_text("18:00-22:00")


async def _preview(page: Page) -> None:
    for field, value in {
        "start": "2026-03-02T17:00",
        "time_zone": "UTC",
        "duration_minutes": "120",
        "energy_kwh": "",
        "power_kw": "11",
        "idle_minutes": "30",
    }.items():
        await page.fill(f"[data-testid=preview-{field}]", value)
    await page.click("[data-testid=preview-run]")
    # 11 kWh x 0.30 + 11 kWh x 0.50 + 20 idle minutes x 0.10 (10 minutes' grace)
    await expect(page.locator("[data-testid=preview-total-excl]")).to_have_text(
        "€10.80", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=preview-lines]")).to_contain_text("18:00 - 19:00")


async def test_make_preview_assign_and_explain_a_tariff(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/finance/tariffs")
    await _make_tariff(page)
    await _preview(page)  # the unsaved rows, priced by the engine
    await _screenshot(page, "tariffs-editor-new-desktop.png")
    await page.click("[data-testid=tariff-save]")
    await page.wait_for_url(re.compile(r".*/finance/tariffs/\d+/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(row(1, "price"))).to_have_value("0.30", timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=tariff-versions]")).to_contain_text("v1")

    await page.click("[data-testid=assign-add]")  # the network default is preselected
    await expect(page.locator("[data-testid=tariff-assignments]")).to_contain_text(
        "Network default", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "tariffs-editor-desktop.png")

    await page.goto(f"{running_app.web_url}/finance/tariffs")
    await expect(page.locator("[data-testid=tariffs]")).to_contain_text(NAME, timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=explain-cp-search]", IDENTITY[:6])
    await page.click("[data-testid=explain-cp]")
    await page.get_by_role("option", name=IDENTITY).click()
    await page.click("[data-testid=explain-run]")
    answer = page.locator("[data-testid=explain-answer]")
    await expect(answer).to_contain_text(NAME, timeout=UI_TIMEOUT_MS)
    await expect(answer).to_contain_text("network default")
    await _screenshot(page, "tariffs-list-desktop.png")


async def test_the_tariff_pages_at_360_px(running_app: RunningApp, browser: Browser) -> None:
    """Runs after the first test of the module: the tariff exists."""
    page = await _log_in(browser, running_app, PHONE, "/finance/tariffs")
    await expect(page.locator("[data-testid=tariffs]")).to_contain_text(NAME, timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(page)
    await _screenshot(page, "tariffs-list-phone.png")

    await page.locator("[data-testid^=tariffs-link-]").first.click()
    await page.wait_for_url(re.compile(r".*/finance/tariffs/\d+/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(row(0, "price"))).to_have_value("0.50", timeout=UI_TIMEOUT_MS)
    await page.click(row(0, "restrictions"))
    await page.click("[data-testid=preview-run]")
    await expect(page.locator("[data-testid=preview-total-incl]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await no_sideways_scroll(page)
    await _screenshot(page, "tariffs-editor-phone.png")
