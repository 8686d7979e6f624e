"""Every page of the app in a real browser in German, on a network with data (the demo's,
plus a charger that is not registered yet): the page shows, nothing scrolls sideways on a
phone or on a 1440 px laptop (German words are long), no row's buttons are hidden past the
edge of its table, the shell reads in German, no heading, column header or form label is
left in English where the catalog has German for it (a caption the server built past the
catalog), and a screenshot of each page at both widths is kept
(artifacts/screenshots/i18n-de-*). Literal words in compiled pages are checked without a
browser (test_pages_use_catalog.py); Chinese: the same pages were looked at with
`_every_page_in(browser, app, "zh_Hans", DESKTOP)`."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.accounts.web_session import DRIVER_SESSION_COOKIE
from ccms_app.ccms_app import app
from ccms_app.core import db
from ccms_app.core.i18n import catalog
from ccms_app.core.types import utc_now
from ccms_app.demo import seed_demo
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.rules.paths import FORGOT, RESET, SIGN_IN, SIGN_UP
from ccms_app.network.charge_points import touch
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    running_app,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "running_app"]

# Every page without a parameter in its route (a page of one thing needs that thing); the
# driver app's pages are walked by a driver, before and after signing in.
_PLAIN = sorted(f"/{route}" for route in app._unevaluated_pages if "[" not in route)
ROUTES = ["/", *(r for r in _PLAIN if r not in ("/index", "/login") and not r.startswith("/app"))]
DRIVER_PUBLIC = [SIGN_IN, SIGN_UP, FORGOT, RESET]
DRIVER_ROUTES = [r for r in _PLAIN if r.startswith("/app") and r not in DRIVER_PUBLIC]
# Captions that are data, not interface: the operator's e-mail, organisation, role, a number.
DATA = re.compile(
    r"^(CCMS|#|[A-Z0-9._:-]+|Test Operator|Administrator|[\w.@ -]*@[\w.-]+|[\d\s.,:%/\u2013-]*)$"
)
CAPTIONS = "h1, h2, h3, th, label"
LAPTOP = {"width": 1440, "height": 900}
UNREGISTERED = "WALLBOX-NOT-YET-REGISTERED-0001"
# Buttons in a row's last cell (its actions) that sit past the edge of the box their table
# scrolls in: the operator cannot see them without scrolling the table.
_HIDDEN_ACTIONS = """() => [...document.querySelectorAll('tr > td:last-child button')]
  .filter(b => b.offsetParent !== null)
  .filter(b => {
    let box = b.parentElement;
    while (box && !['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)) {
      box = box.parentElement;
    }
    if (!box) return false;
    const edge = box.getBoundingClientRect(), own = b.getBoundingClientRect();
    return own.right > edge.right + 1 || own.left < edge.left - 1;
  })
  .map(b => (b.innerText || b.getAttribute('aria-label') || b.outerHTML.slice(0, 60)).trim())"""
DRIVER_PASSWORD = "lantern orbit tulip harbour"


def _set_account_language(code: str) -> None:
    with db.session_scope() as session:
        account = session.exec(
            select(OperatorAccount).where(OperatorAccount.email == ADMIN_EMAIL)
        ).one()
        account.language = code
        session.add(account)


async def _signed_in(browser: Browser, app_: RunningApp, viewport: dict, language: str) -> Page:
    _set_account_language(language)
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await page.goto(f"{app_.web_url}/login")
    await page.fill("#email", ADMIN_EMAIL)
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=logout]").first).to_be_attached(timeout=UI_TIMEOUT_MS)
    await page.wait_for_load_state("networkidle")
    return page


async def _show(page: Page, app_: RunningApp, route: str) -> None:
    await page.goto(f"{app_.web_url}{route}")
    await expect(page.locator("h1, h2").first).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.wait_for_load_state("networkidle")


async def _english_captions(page: Page, words: dict[str, str]) -> list[str]:
    """The visible captions still in English though the catalog has them translated. A page
    shown before its tab's language arrived (a signed-out page takes it from the browser once
    it is running) is given until UI_TIMEOUT_MS to turn: what is English then stays English."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while True:
        captions = await page.locator(CAPTIONS).evaluate_all(
            "els => els.filter(e => e.offsetParent !== null).map(e => e.innerText.trim())"
        )
        untranslated = [c for c in captions if words.get(c, c) != c and not DATA.match(c)]
        if not untranslated or time.monotonic() > deadline:
            return untranslated
        await asyncio.sleep(0.25)


def _name(route: str) -> str:
    return route.strip("/").replace("/", "-") or "home"


async def _every_page_in(
    browser: Browser, app_: RunningApp, language: str, viewport: dict
) -> dict[str, list[str]]:
    """Shows every page; returns, per page, the captions still in English though the catalog
    has them in `language` (a caption built or written past the catalog)."""
    page = await _signed_in(browser, app_, viewport, language)
    words = catalog(language)
    english: dict[str, list[str]] = {}
    for route in ROUTES:
        await _show(page, app_, route)
        await expect(page.locator("[data-testid=logout]").first).to_have_text(
            words["Log out"], timeout=UI_TIMEOUT_MS
        )
        await _fits(page, route, language, viewport)
        untranslated = await _english_captions(page, words)
        if untranslated:
            english[route] = sorted(set(untranslated))
        await page.set_viewport_size(LAPTOP)
        await _fits(page, route, language, LAPTOP)
        await page.set_viewport_size(viewport)
    await page.context.close()
    return english


async def _fits(page: Page, route: str, language: str, viewport: dict) -> None:
    """The page at this width: kept as a screenshot, no sideways scroll, every row's buttons
    in sight."""
    width = await page.evaluate("document.scrollingElement.scrollWidth")
    await _screenshot(page, f"i18n-{language}-{_name(route)}-{viewport['width']}.png")
    assert width <= viewport["width"], f"{route} scrolls sideways ({width} px) in {language}"
    hidden = await page.evaluate(_HIDDEN_ACTIONS)
    assert not hidden, f"{route} at {viewport['width']} px: row buttons past the edge: {hidden}"


async def _every_driver_page_in(
    browser: Browser, app_: RunningApp, language: str, viewport: dict
) -> dict[str, list[str]]:
    """The driver app's pages: the sign-in pages in the browser's language, then every page
    of a driver who chose `language`; captions still in English, per page."""
    link = driver_accounts.sign_up(
        driver_accounts.SignUp("Dora Deutsch", "dora@example.com", DRIVER_PASSWORD, language)
    )
    token = driver_accounts.open_session(link.account_id)
    context = await browser.new_context(viewport=viewport, locale=language.replace("_", "-"))
    page = await context.new_page()
    words = catalog(language)
    english: dict[str, list[str]] = {}
    for route in [*DRIVER_PUBLIC, None, *DRIVER_ROUTES]:
        if route is None:  # signed in from here on
            await context.add_cookies(
                [{"name": DRIVER_SESSION_COOKIE, "value": token, "url": app_.web_url}]
            )
            continue
        await _show(page, app_, route)
        if route in DRIVER_ROUTES:
            await expect(page.locator("[data-testid=app-tab-wallet]")).to_have_text(
                words["Wallet"], timeout=UI_TIMEOUT_MS
            )
        await _fits(page, route, language, viewport)
        untranslated = await _english_captions(page, words)
        if untranslated:
            english[route] = sorted(set(untranslated))
    await context.close()
    return english


def _network_with_data() -> None:
    """The demo network (stations, charge points, drivers, tariffs, work orders...) and a
    charger that connected but is not registered: lists with rows, menus and buttons."""
    seed_demo(10)
    with db.session_scope() as session:
        touch(session, UNREGISTERED, utc_now())


async def test_every_page_in_german_on_a_phone_and_a_laptop(
    browser: Browser, running_app: RunningApp
) -> None:
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        _network_with_data()
        english = await _every_page_in(browser, running_app, "de", PHONE)
        english |= await _every_driver_page_in(browser, running_app, "de", PHONE)
        assert english == {}, "captions left in English"
    finally:
        _set_account_language("")
        db.set_engine(None)
