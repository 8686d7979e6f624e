"""The real app in headless Chromium: log in, watch Live Monitoring change over OCPP, command.

Starts `reflex run --env prod --single-port` (what `ccms run` runs) on free ports against a
migrated temporary SQLite database, drives Debian's Chromium with Playwright and connects an
ocpp-library charge point over a real websocket. The frontend is built in var/web-test, kept
between runs (npm install happens once) and separate from the `.web` of a running `ccms run`.
Screenshots go to artifacts/screenshots/, the app's log to
artifacts/browser-test-live_monitoring_browser.log (see tests/fixtures/app_process.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from playwright.async_api import Browser, Page, expect

from tests.fixtures.app_process import (  # shared with the other browser tests
    DESKTOP,
    IDENTITY,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["DESKTOP", "IDENTITY", "UI_TIMEOUT_MS", "RunningApp", "_log_in", "_screenshot"]
__all__ += ["browser", "running_app"]  # fixtures, also imported from here by other modules


async def _status(
    cp: Any, connector_id: int, status: ChargePointStatus, error: ChargePointErrorCode
) -> None:
    await cp.call(
        call.StatusNotification(connector_id=connector_id, error_code=error, status=status)
    )


async def _lose_and_regain_the_server(page: Page) -> None:
    """The browser loses the server: a plain banner, the live indicator says since when; the
    connection comes back: both go, without a reload."""
    banner = page.locator("[data-testid=connection-lost]")
    indicator = page.locator("[data-testid=live-indicator]").first
    await page.context.set_offline(True)
    await expect(banner).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(indicator).to_have_attribute("data-connection", "lost")
    await expect(indicator).to_contain_text("Connection lost · data as of")
    await _screenshot(page, "live-monitoring-connection-lost-desktop.png")
    await page.context.set_offline(False)
    await expect(banner).to_be_hidden(timeout=UI_TIMEOUT_MS)
    await expect(indicator).to_have_attribute("data-connection", "live")
    assert await page.evaluate("window.__ccmsNoReload === true")


async def test_live_monitoring_shows_ocpp_status_without_reload(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/live")
    row = page.locator(f"[data-testid=cp-row-{IDENTITY}]")
    connector = row.locator(f"[data-testid=connector-{IDENTITY}-1]")
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="B", charge_point_vendor="T"))
        assert boot.status == "Accepted"
        await _status(cp, 1, ChargePointStatus.available, ChargePointErrorCode.no_error)
        await expect(connector).to_have_text("1: Available", timeout=UI_TIMEOUT_MS)

        # A reload would drop this marker: the change below must arrive by push.
        await page.evaluate("window.__ccmsNoReload = true")
        await _status(cp, 1, ChargePointStatus.faulted, ChargePointErrorCode.ground_failure)
        await expect(connector).to_have_text("1: Faulted (GroundFailure)", timeout=UI_TIMEOUT_MS)
        # The charge point's status is its connectors' (connector 0 never said Faulted).
        await expect(row.locator(f"[data-testid=cp-status-{IDENTITY}]")).to_have_text("Faulted")
        await expect(page.locator("[data-testid=warnings]")).to_contain_text(
            "Connector 1 faulted: GroundFailure", timeout=UI_TIMEOUT_MS
        )
        assert await page.evaluate("window.__ccmsNoReload === true")
        await _screenshot(page, "live-monitoring-desktop.png")
        await _lose_and_regain_the_server(page)
        await _filter_and_select(page)

        await _send_remote_start(page)
        await _screenshot(page, "live-monitoring-command-desktop.png")
        assert ("RemoteStartTransaction", {"id_tag": "BROWSER-TAG", "connector_id": 1}) in [
            (action, payload) for action, payload in cp.received
        ]

        phone = await _log_in(browser, running_app, PHONE, "/live")
        card = phone.locator(f"[data-testid=cp-card-{IDENTITY}]")
        await expect(card).to_contain_text("1: Faulted (GroundFailure)", timeout=UI_TIMEOUT_MS)
        await _screenshot(phone, "live-monitoring-phone.png")
        # Each charge point is rendered once (issue 8): cards on the phone, rows on the desktop.
        await expect(phone.locator(f"[data-testid=cp-row-{IDENTITY}]")).to_have_count(0)
        await expect(page.locator(f"[data-testid=cp-card-{IDENTITY}]")).to_have_count(0)

        await phone.goto(f"{running_app.web_url}/")
        faulted = phone.locator("[data-testid=count-faulted]")
        await expect(faulted).to_have_text("1", timeout=UI_TIMEOUT_MS)
        await expect(phone.locator("[data-testid=all-warnings]")).to_contain_text(
            "Live Monitoring (1 warning)", timeout=UI_TIMEOUT_MS
        )
        await _screenshot(phone, "home-phone.png")

        # Home (its own counts-only state) follows the charger without a reload too.
        await phone.evaluate("window.__ccmsNoReload = true")
        await _status(cp, 1, ChargePointStatus.available, ChargePointErrorCode.no_error)
        await expect(faulted).to_have_text("0", timeout=UI_TIMEOUT_MS)
        assert await phone.evaluate("window.__ccmsNoReload === true")
        await expect(connector).to_have_text("1: Available", timeout=UI_TIMEOUT_MS)
        home = await _log_in(browser, running_app, {"width": 1440, "height": 900}, "/")
        await expect(home.locator("[data-testid=count-online]")).to_have_text(
            "1", timeout=UI_TIMEOUT_MS
        )
        await _screenshot(home, "home-desktop.png")

    await _log_out(page, running_app)


async def _filter_and_select(page: Page) -> None:
    """The warnings' "Faulted" count lists the faulted charge points (a filter run on the
    server); "select all matching" selects across every page of that list."""
    await page.click("[data-testid=show-faulted]")
    await expect(page.locator("[data-testid=live-charge-points-range]")).to_have_text(
        "1-1 of 1", timeout=UI_TIMEOUT_MS
    )
    await page.click("[data-testid=bulk-select-matching]")
    await expect(page.locator("[data-testid=bulk-count]")).to_have_text(
        "1 selected", timeout=UI_TIMEOUT_MS
    )
    await page.click("[data-testid=live-charge-points-clear]")
    await expect(page.locator("[data-testid=live-charge-points-range]")).to_have_text(
        "1-1 of 1", timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=live-charge-points-search]", "no-such-charge-point")
    await expect(page.locator("[data-testid=live-charge-points-empty]")).to_contain_text(
        "Nothing matches", timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=live-charge-points-search]", "")
    await expect(page.locator(f"[data-testid=cp-row-{IDENTITY}]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )


async def _send_remote_start(page: Page) -> None:
    """The command dialog: RemoteStartTransaction reaches the charge point and is accepted."""
    await page.click(f"[data-testid=commands-{IDENTITY}] >> visible=true")
    await page.fill("[data-testid=command-id-tag]", "BROWSER-TAG")
    await page.click("[data-testid=command-send]")
    outcome = page.locator("[data-testid=command-outcome]")
    await expect(outcome).to_have_text(
        "Remote start accepted by the charge point.", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=recent-commands]")).to_contain_text(
        "accepted", timeout=UI_TIMEOUT_MS
    )


async def _log_out(page: Page, app: RunningApp) -> None:
    await page.keyboard.press("Escape")  # close the command dialog
    await page.click("[data-testid=logout] >> visible=true")
    await page.wait_for_url(re.compile(r".*/login/?$"), timeout=UI_TIMEOUT_MS)
    await page.goto(f"{app.web_url}/live")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert "/login" in page.url
