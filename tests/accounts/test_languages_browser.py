"""Languages in a real browser (issue 17): the login page follows the browser's language,
the picker switches the tab at once, the account keeps its choice in every browser, and in the
pseudo-language every word of the shell and the login page comes from the catalog."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core import db
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DESKTOP,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "running_app"]

# Words that are data, not interface: the operator's e-mail, role and organisation, the brand.
DATA = re.compile(r"^(CCMS|Administrator|admin@example\.com|[\w.@ -]*@[\w.-]+)$")


async def _login_page(browser: Browser, app: RunningApp, locale: str, viewport: dict) -> Page:
    context = await browser.new_context(locale=locale, viewport=viewport)
    page = await context.new_page()
    await page.goto(f"{app.web_url}/live")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    return page


async def _log_in(page: Page) -> None:
    await page.fill("#email", ADMIN_EMAIL)
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/live/?$"), timeout=UI_TIMEOUT_MS)


async def _choose(page: Page, name: str) -> None:
    await page.locator("[data-testid=language]:visible").first.click()
    await page.get_by_role("option", name=name).click()


def _set_account_language(code: str) -> None:
    with db.session_scope() as session:
        account = session.exec(
            select(OperatorAccount).where(OperatorAccount.email == ADMIN_EMAIL)
        ).one()
        account.language = code
        session.add(account)


def _account_language() -> str:
    with db.read_session() as session:
        account = session.exec(
            select(OperatorAccount).where(OperatorAccount.email == ADMIN_EMAIL)
        ).one()
        return account.language


async def test_the_login_page_follows_the_browser_and_the_account_keeps_its_choice(
    browser: Browser, running_app: RunningApp
) -> None:
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        chinese = await _login_page(browser, running_app, "zh-CN", PHONE)
        submit = chinese.locator("[data-testid=login-submit]")
        await expect(submit).to_have_text("登录", timeout=UI_TIMEOUT_MS)
        await expect(chinese.get_by_text("登录运营商控制台")).to_be_visible()
        await no_sideways_scroll(chinese, "the login page in Chinese")
        await _screenshot(chinese, "login-zh-360.png")
        await _choose(chinese, "Deutsch")  # on the login page: this tab only
        await expect(submit).to_have_text("Anmelden", timeout=UI_TIMEOUT_MS)
        await chinese.fill("#email", ADMIN_EMAIL)
        await chinese.fill("#password", "a wrong password")
        await submit.click()
        error = chinese.locator("[data-testid=login-error]")
        await expect(error).to_have_text(
            "Unbekannte E-Mail-Adresse oder falsches Passwort.", timeout=UI_TIMEOUT_MS
        )
        assert _account_language() == ""  # nobody signed in chose anything yet

        english = await _login_page(browser, running_app, "en-GB", DESKTOP)
        await expect(english.locator("[data-testid=login-submit]")).to_have_text("Log in")
        await _log_in(english)
        await expect(english.locator("[data-testid=logout]:visible")).to_have_text("Log out")
        await _choose(english, "简体中文")  # signed in: the account's language from now on
        await expect(english.locator("[data-testid=logout]:visible")).to_have_text(
            "退出登录", timeout=UI_TIMEOUT_MS
        )
        await expect(english.get_by_text("实时监控").first).to_be_visible()
        await _screenshot(english, "shell-zh-1440.png")
        assert _account_language() == "zh_Hans"

        german_browser = await _login_page(browser, running_app, "de-DE", DESKTOP)
        await expect(german_browser.locator("[data-testid=login-submit]")).to_have_text(
            "Anmelden", timeout=UI_TIMEOUT_MS
        )
        await _log_in(german_browser)  # the account's choice wins over the browser's
        await expect(german_browser.locator("[data-testid=logout]:visible")).to_have_text(
            "退出登录", timeout=UI_TIMEOUT_MS
        )
    finally:
        db.set_engine(None)


async def _visible_words(page: Page, root_selector: str) -> list[str]:
    """Every visible text and aria-label inside the first element matching the selector."""
    return await page.evaluate(
        """(selector) => {
            const root = document.querySelector(selector);
            const found = [];
            const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
                const text = walk.currentNode.textContent.trim();
                const shown = walk.currentNode.parentElement.getClientRects().length > 0;
                if (text && shown) found.push(text);
            }
            for (const el of root.querySelectorAll('[aria-label]')) {
                found.push(el.getAttribute('aria-label'));
            }
            return found;
        }""",
        root_selector,
    )


def _outside_the_catalog(words: list[str]) -> list[str]:
    return [word for word in words if "⟦" not in word and not DATA.match(word)]


async def test_every_word_of_the_shell_and_login_page_comes_from_the_catalog(
    browser: Browser, running_app: RunningApp
) -> None:
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        await _pseudo_language_pages(browser, running_app)
    finally:
        db.set_engine(None)


async def _pseudo_language_pages(browser: Browser, running_app: RunningApp) -> None:
    context = await browser.new_context(locale="en-US", viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(f"{running_app.web_url}/login?lang=qps&next=/live")
    submit = page.locator("[data-testid=login-submit]")
    await expect(submit).to_have_text("⟦Log in⟧", timeout=UI_TIMEOUT_MS)
    words = await _visible_words(page, "#login-form")
    assert words and _outside_the_catalog(words) == []
    _set_account_language("qps")  # not in the picker: the account's language, set directly
    await page.fill("#email", ADMIN_EMAIL)
    await page.fill("#password", ADMIN_PASSWORD)
    await submit.click()
    await page.wait_for_url(re.compile(r".*/live/?$"), timeout=UI_TIMEOUT_MS)
    logout = page.locator("[data-testid=logout]:visible")
    await expect(logout).to_have_text("⟦Log out⟧", timeout=UI_TIMEOUT_MS)
    words = await _visible_words(page, "[data-testid=sidebar]")
    assert "⟦Live Monitoring⟧" in words
    assert _outside_the_catalog(words) == [], "shell text that bypasses the catalog"
