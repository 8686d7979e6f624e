"""White label in the real app and headless Chromium: the operator sets a product name, login
text, primary colour and logo on System > Branding (a bad file gets its reason, a light
colour its contrast warning); then a fresh browser, not logged in, sees the brand on the
login page (name, logo, text, colours) and never the word "CCMS", at 1440 and 360 px, with
nothing scrolling sideways. Screenshots: artifacts/screenshots/branding-*.png.

Run with CCMS_TEST_WEB_WORKDIR=var/web-test-brand to keep this frontend build apart.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, expect

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

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}
NAME = "Voltaris Charge"
LOGIN_TEXT = "Welcome to Voltaris: charge at 400 sites across Hamburg."
PRIMARY = "#1d4ed8"


def _logo() -> bytes:
    """A 240 x 60 PNG: a blue bar with a white stripe (looks like a logo on a screenshot)."""
    image = Image.new("RGB", (240, 60), (29, 78, 216))
    ImageDraw.Draw(image).rectangle((12, 24, 228, 36), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def _field(page: Page, name: str, value: str) -> None:
    await page.fill(f"[data-testid=brand-field-{name}]", value)


async def _set_brand(page: Page) -> None:
    await expect(page.locator("[data-testid=brand-save]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _field(page, "product_name", NAME)
    await _field(page, "login_text", LOGIN_TEXT)
    # A light primary first: the contrast warning says its ratio; then a readable one.
    await page.fill("[data-testid=brand-colour-primary_colour]", "#facc15")
    warning = page.locator("[data-testid=brand-warning]").first
    await expect(warning).to_contain_text("1.53:1", timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=brand-colour-primary_colour]", PRIMARY)
    await expect(page.locator("[data-testid=brand-warning]")).to_have_count(
        0, timeout=UI_TIMEOUT_MS
    )
    await page.click("[data-testid=brand-save]")
    await expect(page.locator("[data-testid=brand-name]").first).to_have_text(
        NAME, timeout=UI_TIMEOUT_MS
    )


async def _upload_logo(page: Page) -> None:
    picker = page.locator("[data-testid=brand-logo-dropzone] input[type=file]")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    await picker.set_input_files({"name": "logo.svg", "mimeType": "image/png", "buffer": svg})
    await page.click("[data-testid=brand-logo-upload]")
    await expect(page.locator("[data-testid=brand-logo-error]")).to_contain_text(
        "SVG files are not accepted", timeout=UI_TIMEOUT_MS
    )
    await picker.set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": _logo()})
    await page.click("[data-testid=brand-logo-upload]")
    await expect(page.locator("[data-testid=brand-logo-remove]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=brand-logo-error]")).to_have_count(0)


async def _logo_shown(page: Page) -> None:
    logo = page.locator("[data-testid=brand-logo]").first
    await expect(logo).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert re.search(r"/brand/\d+/logo\?v=\d+", await logo.get_attribute("src") or "")
    width = await logo.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width == 240  # the uploaded image, served by the public route


async def _no_ccms(page: Page, what: str) -> None:
    shown = await page.evaluate("document.body.innerText + ' ' + document.title")
    assert "CCMS" not in shown, f"{what} shows the word CCMS"
    assert "Reflex" not in shown, f"{what} shows the word Reflex"


async def _login_page(browser: Browser, app: RunningApp, viewport: dict, name: str) -> None:
    """A fresh browser (no cookies): the login page in the brand."""
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await page.goto(f"{app.web_url}/login")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=brand-name]").first).to_have_text(
        NAME, timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=brand-login-text]")).to_have_text(LOGIN_TEXT)
    await _logo_shown(page)
    teal = await page.evaluate(
        "getComputedStyle(document.querySelector('.radix-themes')).getPropertyValue('--teal-9')"
    )
    assert teal.strip() == PRIMARY
    button = await page.locator("[data-testid=login-submit]").evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert button == "rgb(29, 78, 216)"  # the brand's colour, not the theme's teal
    await _no_ccms(page, f"the login page at {viewport['width']} px")
    name_box = await page.locator("[data-testid=brand-name]").first.bounding_box()
    picker_box = await page.get_by_role("combobox").first.bounding_box()
    assert name_box is not None and picker_box is not None
    assert name_box["x"] + name_box["width"] <= picker_box["x"], "the name runs under the picker"
    if viewport["width"] <= PHONE["width"]:
        await no_sideways_scroll(page, "the login page")
    await _screenshot(page, name)
    await context.close()


async def test_a_brand_set_on_the_branding_page_shows_on_the_login_page(
    browser: Browser, running_app: RunningApp
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/system/branding")
    await _set_brand(page)
    await _upload_logo(page)
    await _logo_shown(page)  # the sidebar follows at once
    await _screenshot(page, "branding-page-1440.png")

    phone = await _log_in(browser, running_app, PHONE, "/system/branding")
    await expect(phone.locator("[data-testid=brand-preview]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(phone, "the branding page")
    await _screenshot(phone, "branding-page-360.png")

    await _login_page(browser, running_app, WIDE, "branding-login-1440.png")
    await _login_page(browser, running_app, PHONE, "branding-login-360.png")
