"""System > Settings in the real app and headless Chromium, at 1440 and 360 px: an operator
changes the heartbeat interval and the organisation's name, sees both in the page's trail of
changes, gets a per-field error for a time zone that is none, presses the SMTP test with
e-mail off, and reads the page in German on a phone with nothing scrolling sideways.
Screenshots go to var/screens-system/settings-*.png for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.system.models import SystemSetting
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    browser,
    no_sideways_scroll,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}
SCREENS = PROJECT_ROOT / "var" / "screens-system"


async def _shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name), full_page=True)


async def _type(page: Page, field: str, value: str) -> None:
    box = page.locator(f"[data-testid=settings-{field}]")
    await box.fill(value)


def _stored_heartbeat(app: RunningApp) -> str | None:
    db.set_engine(db.make_engine(app.database_url))
    try:
        with db.read_session() as session:
            row = session.get(SystemSetting, "heartbeat_interval")
            return row.value if row is not None else None
    finally:
        db.set_engine(None)


def _set_language(app: RunningApp, code: str) -> None:
    db.set_engine(db.make_engine(app.database_url))
    try:
        with db.session_scope() as session:
            account = session.exec(
                select(OperatorAccount).where(col(OperatorAccount.email) == ADMIN_EMAIL)
            ).one()
            account.language = code
            session.add(account)
    finally:
        db.set_engine(None)


async def test_change_settings_and_see_them_in_the_trail(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/system")
    heartbeat = page.locator("[data-testid=settings-heartbeat_interval]")
    await expect(heartbeat).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=settings-section-changes]")).to_contain_text(
        "No setting changed yet."
    )

    await _type(page, "heartbeat_interval", "5")
    await page.click("[data-testid=settings-save-connections]")
    error = page.locator("[data-testid=settings-heartbeat_interval-error]")
    await expect(error).to_contain_text("from 10 to 86400", timeout=UI_TIMEOUT_MS)
    assert _stored_heartbeat(running_app) is None

    await _type(page, "heartbeat_interval", "45")
    await page.click("[data-testid=settings-save-connections]")
    await expect(page.get_by_text("Settings saved.")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(error).to_have_count(0)
    assert _stored_heartbeat(running_app) == "45"
    trail = page.locator("[data-testid=settings-section-changes]")
    await expect(trail).to_contain_text("Heartbeat interval (s)", timeout=UI_TIMEOUT_MS)
    await expect(trail).to_contain_text("300 (default) -> 45")
    await expect(trail).to_contain_text(ADMIN_EMAIL)

    await _type(page, "seller_name", "Volt Harbour GmbH")
    await _type(page, "time_zone", "Mars/Olympus")
    await page.click("[data-testid=settings-save-region]")
    await expect(page.locator("[data-testid=settings-time_zone-error]")).to_contain_text(
        "Mars/Olympus is not a time zone", timeout=UI_TIMEOUT_MS
    )
    await _type(page, "time_zone", "Europe/Berlin")
    await page.click("[data-testid=settings-save-region]")
    await expect(trail).to_contain_text("UTC -> Europe/Berlin", timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=settings-save-operator]")  # the name typed above
    await expect(trail).to_contain_text("(empty) -> Volt Harbour GmbH", timeout=UI_TIMEOUT_MS)
    await expect(trail).to_contain_text("Europe/Berlin")  # times now in the operator's zone

    await page.click("[data-testid=settings-smtp-test]")
    await expect(page.locator("[data-testid=settings-smtp-result]")).to_contain_text(
        "CCMS_SMTP_HOST", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=policy-pending]")).to_be_checked()
    await expect(page.locator("[data-testid=security-events-refresh]")).to_be_visible()
    await _shot(page, "settings-desktop.png")

    await page.reload()
    await expect(heartbeat).to_have_value("45", timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=settings-seller_name]")).to_have_value(
        "Volt Harbour GmbH"
    )


async def test_the_page_on_a_phone_in_german(running_app: RunningApp, browser: Browser) -> None:
    _set_language(running_app, "de")
    try:
        page = await _log_in(browser, running_app, PHONE, "/system")
        await expect(page.locator("[data-testid=settings-section-operator]")).to_contain_text(
            "Betreiber", timeout=UI_TIMEOUT_MS
        )
        await expect(page.locator("[data-testid=settings-section-retention]")).to_contain_text(
            "Datenaufbewahrung"
        )
        await _type(page, "message_log_retention_days", "4000")
        await page.click("[data-testid=settings-save-retention]")
        await expect(
            page.locator("[data-testid=settings-message_log_retention_days-error]")
        ).to_contain_text("für immer", timeout=UI_TIMEOUT_MS)
        await no_sideways_scroll(page, "System > Settings")
        await _shot(page, "settings-phone-de.png")
    finally:
        _set_language(running_app, "")
