"""Charger security in the real app and headless Chromium: the System page's unknown-identity
policy and security events, and the Live Monitoring password dialog, checked over OCPP."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.headers import build_authorization_basic

from tests.monitoring.test_live_monitoring_browser import (  # the app and browser fixtures, reused
    DESKTOP,
    IDENTITY,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]


async def _connect_status(app: RunningApp, identity: str, authorization: str | None) -> int:
    """101 when the websocket opened, else the HTTP status the server refused it with."""
    headers = {"Authorization": authorization} if authorization else None
    try:
        async with connect(
            f"{app.ocpp_url}/{identity}",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers=headers,
            open_timeout=5,
        ):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


async def _security_events(page: Page) -> str:
    await page.click("[data-testid=security-events-refresh]")
    table = page.locator("[data-testid=security-events]")
    await expect(table).to_be_visible(timeout=UI_TIMEOUT_MS)
    return await table.inner_text()


async def test_unknown_policy_and_events_on_the_system_page(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/system")
    await expect(page.locator("[data-testid=policy-pending]")).to_be_checked(timeout=UI_TIMEOUT_MS)
    assert await _connect_status(running_app, "CP-STRANGER-1", None) == 101

    await page.click("[data-testid=policy-reject]")
    await expect(page.get_by_text("Unknown charge points are now refused.")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )

    assert await _connect_status(running_app, "CP-STRANGER-2", None) == 404
    events = await _security_events(page)
    assert "CP-STRANGER-2" in events and "Unknown identity refused" in events
    await page.reload()
    await expect(page.locator("[data-testid=policy-reject]")).to_be_checked(timeout=UI_TIMEOUT_MS)

    # Every charge point must authenticate: a registered one without a password is refused.
    assert await _connect_status(running_app, IDENTITY, None) == 101
    await page.click("[data-testid=auth-required]")
    await expect(page.get_by_text("Every charge point must now authenticate.")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    assert await _connect_status(running_app, IDENTITY, None) == 401
    await page.click("[data-testid=security-events-refresh]")
    await expect(page.locator("[data-testid=security-events]")).to_contain_text(
        "No password set (required)", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "system-security-desktop.png")
    await page.click("[data-testid=auth-required]")  # off again for the other tests
    await expect(page.get_by_text("may connect again")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert await _connect_status(running_app, IDENTITY, None) == 101


async def test_generate_a_password_in_live_monitoring(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/live")
    await page.click(f"[data-testid=password-{IDENTITY}] >> visible=true")
    await expect(page.locator("[data-testid=password-status]")).to_contain_text(
        "none", timeout=UI_TIMEOUT_MS
    )

    await page.click("[data-testid=password-generate]")
    revealed = page.locator("[data-testid=password-revealed]")
    await expect(revealed).to_be_visible(timeout=UI_TIMEOUT_MS)
    key = (await revealed.inner_text()).strip()
    await expect(page.locator("[data-testid=password-status]")).to_contain_text("set")
    await _screenshot(page, "charge-point-password-desktop.png")

    good = build_authorization_basic(IDENTITY, key)
    assert await _connect_status(running_app, IDENTITY, good) == 101
    assert await _connect_status(running_app, IDENTITY, None) == 401

    await page.keyboard.press("Escape")
    await page.click(f"[data-testid=password-{IDENTITY}] >> visible=true")
    await expect(page.locator("[data-testid=password-status]")).to_contain_text(
        "set", timeout=UI_TIMEOUT_MS
    )
    await expect(revealed).to_have_count(0)  # shown once only

    await page.click("[data-testid=password-clear]")
    await expect(page.locator("[data-testid=password-message]")).to_contain_text(
        "cleared", timeout=UI_TIMEOUT_MS
    )
    assert await _connect_status(running_app, IDENTITY, None) == 101
