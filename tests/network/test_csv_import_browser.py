"""CSV import in the real app and headless Chromium: download the template, upload a file with
an error, see the error's line and column, fix the file, import, find the rows in the list.
At desktop width and at 360 px (screenshots in artifacts/screenshots/import-*.png)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.fixtures.app_process import (
    DESKTOP,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

STATION = "Browser Test Depot"  # registered by tests/fixtures/app_process.py
HEADER = "identity;station;charging_method;phases;max_power_kw;connectors\r\n"


def _csv(prefix: str, power: str) -> dict:
    text = (
        HEADER
        + f"{prefix}-1;{STATION};AC;3;22;1:Type2:22|2:Type2:22\r\n"
        + f"{prefix}-2;{STATION};AC;3;{power};1:Type2\r\n"
    )
    return {
        "name": f"{prefix.lower()}.csv",
        "mimeType": "text/csv",
        "buffer": ("\ufeff" + text).encode(),
    }


async def _open_import(page: Page) -> None:
    await page.click("[data-testid=tab-charge-points]")
    await page.click("[data-testid=import-open-charge_points] >> visible=true")
    await expect(page.locator("[data-testid=import-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)


async def _choose(page: Page, file: dict) -> None:
    await page.locator("[data-testid=import-dropzone] input[type=file]").set_input_files(file)


async def test_template_download(running_app: RunningApp, browser: Browser) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/assets")
    await _open_import(page)
    async with page.expect_download(timeout=UI_TIMEOUT_MS) as info:
        await page.click("[data-testid=import-template-charge_points]")
    download = await info.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    assert next(csv.reader(io.StringIO(text)))[:2] == ["identity", "station"]
    assert download.suggested_filename == "ccms-charge-points-template.csv"


async def _error_then_fix(page: Page, prefix: str, shot: str, mobile: bool) -> None:
    await _open_import(page)
    await _choose(page, _csv(prefix, "-5"))
    summary = page.locator("[data-testid=import-error-summary]")
    await expect(summary).to_contain_text("1 problem found:", timeout=UI_TIMEOUT_MS)
    errors = page.locator(
        "[data-testid=import-errors-mobile]" if mobile else "[data-testid=import-errors]"
    )
    await expect(errors).to_be_visible()
    text = await errors.inner_text()
    assert "3" in text and "max_power_kw" in text and "more than 0 kW" in text
    await expect(page.locator("[data-testid=import-run]")).to_be_disabled()
    await _screenshot(page, f"import-error-{shot}.png")

    await _choose(page, _csv(prefix, "11"))
    await expect(page.locator("[data-testid=import-valid]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    created = page.locator("[data-testid=import-summary-charge_points-created]")
    await expect(created).to_have_text("2")
    await page.click("[data-testid=import-run]")
    await expect(page.locator("[data-testid=import-done]")).to_contain_text(
        "2 created", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, f"import-done-{shot}.png")
    await page.click("[data-testid=import-close]")
    await expect(page.locator("[data-testid=import-dialog]")).to_be_hidden()


async def test_import_with_an_error_then_fixed_at_desktop(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/assets")
    await _error_then_fix(page, "IMP-D", "desktop", mobile=False)
    await page.fill("[data-testid=charge-points-search]", "IMP-D")
    await expect(page.locator("[data-testid=charge-points-range]")).to_have_text(
        re.compile(r"^1.2 of 2$"), timeout=UI_TIMEOUT_MS
    )


async def test_import_with_an_error_then_fixed_at_360px(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/assets")
    await _error_then_fix(page, "IMP-M", "phone", mobile=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 360 px ({width} px)"
