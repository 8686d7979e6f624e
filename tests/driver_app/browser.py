"""What the driver app's browser tests share: sign in on the app's own page, screenshots at
both widths, test ids, the running app's database for setup code."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from playwright.async_api import Browser, Page, expect

from ccms_app.core import db
from tests.driver_app.support import PASSWORD
from tests.fixtures.app_process import PHONE, UI_TIMEOUT_MS, RunningApp, _screenshot

WIDE = {"width": 1440, "height": 900}


def tid(name: str) -> str:
    return f"[data-testid={name}]"


async def sign_in_at(
    browser: Browser, app: RunningApp, path: str, email: str, password: str = PASSWORD
) -> Page:
    """Open `path` signed out on a phone, sign in on the app's page, land back on `path`."""
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{app.web_url}{path}")
    await expect(page.locator("#app-email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("#app-email", email)
    await page.fill("#app-password", password)
    await page.click(tid("app-sign-in-submit"))
    await page.wait_for_url(re.compile(rf".*{re.escape(path)}/?$"), timeout=UI_TIMEOUT_MS)
    return page


async def wide_screenshot(page: Page, name: str) -> None:
    """`name` at 1440 px, then back to the phone."""
    await page.set_viewport_size(WIDE)
    await _screenshot(page, name)
    await page.set_viewport_size(PHONE)


async def both_widths(page: Page, name: str) -> None:
    await _screenshot(page, f"{name}-360.png")
    await wide_screenshot(page, f"{name}-1440.png")


@contextlib.contextmanager
def in_app_db(app: RunningApp) -> Iterator[None]:
    """Use cases and reads against the running app's database for the block."""
    engine = db.make_engine(app.database_url)
    db.set_engine(engine)
    try:
        yield
    finally:
        db.set_engine(None)
        engine.dispose()


_UNNAMED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const named = (el.getAttribute('aria-label') || '').trim()
      || (el.getAttribute('aria-labelledby') || '').trim()
      || (el.labels && [...el.labels].some(l => l.innerText.trim()))
      || (el.innerText || '').trim() || (el.getAttribute('title') || '').trim();
    return !named;
  })
  .map(el => el.outerHTML.slice(0, 80) + ' labels=' + (el.labels ? el.labels.length : '-')
    + ' for=' + [...document.querySelectorAll('label')].filter(l => l.htmlFor === el.id)
      .map(l => l.outerHTML.slice(0, 160)).join('|'))"""


async def every_control_is_named(page: Page, what: str) -> None:
    """A screen reader can name every visible input, button and link on the page (a label,
    an aria-label or its text): what keyboard and assistive users need first."""
    unnamed = await page.evaluate(_UNNAMED)
    assert not unnamed, f"{what}: controls without a name: {unnamed}"
