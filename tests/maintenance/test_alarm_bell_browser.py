"""The alarm bell and toast in the real app and headless Chromium, over real OCPP.

A connector reports Faulted: within seconds, without a reload, an open page's bell counts
the alarm and a toast names it and links to it; dismissing the toast keeps the counter, and
an undismissed toast hides itself after ~10 s (the counter stays) and does not come back on the
next pages. On a 360 px phone the bell
sits in the top bar and the toast spans the screen's width. (Written
for the lead's end-to-end run; needs the alarm engine and the shell wiring of
maintenance.notifications.components.bell.install() in ccms_app.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ocpp.v16 import call
from playwright.async_api import Browser, Page, expect

from tests.fixtures.app_process import (  # the app and browser fixtures, shared
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
__all__ = ["browser", "running_app"]

BELL = "[data-testid=alarm-bell] >> visible=true"
COUNT = "[data-testid=alarm-bell-count] >> visible=true"
TOAST = "[data-testid=alarm-toast]"
# The tab watches the alarms (what was open before it joined is no news, not toasted).
WATCHING = "[data-testid=alarm-bell][data-watching=true] >> visible=true"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def _no_reload(page: Page) -> None:
    """A reload would drop this marker: what changes must come by push."""
    await page.evaluate("window.__ccmsNoReload = true")


async def _still_same_page(page: Page) -> None:
    assert await page.evaluate("window.__ccmsNoReload === true")


async def test_a_faulted_connector_rings_the_bell_on_any_page(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/assets")
    await expect(page.locator(WATCHING)).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator(COUNT)).to_have_count(0)
    await _no_reload(page)
    phone = await _log_in(browser, running_app, PHONE, "/")
    await expect(phone.locator(WATCHING)).to_be_visible(timeout=UI_TIMEOUT_MS)

    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        assert boot.status == "Accepted"
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code="GroundFailure",
                status="Faulted",
                timestamp=_now(),
                info="RCD",
                vendor_id="Acme",
                vendor_error_code="E-417",
            )
        )
        await expect(page.locator(COUNT)).to_have_text("1", timeout=UI_TIMEOUT_MS)
        toast = page.locator(TOAST)
        await expect(toast).to_be_visible(timeout=UI_TIMEOUT_MS)
        await expect(toast).to_contain_text("Connector faulted")
        await expect(toast).to_contain_text(f"{IDENTITY} connector 1")
        item = toast.locator("[data-testid=alarm-toast-item]").first
        assert (await item.get_attribute("href") or "").startswith("/maintenance/alarms/")
        await _still_same_page(page)
        await _screenshot(page, "alarm-toast-desktop.png")

        # The phone (while its toast shows: it hides itself after ~10 s): the bell in the
        # top bar, a toast as wide as the screen allows.
        await expect(phone.locator(COUNT)).to_have_text("1", timeout=UI_TIMEOUT_MS)
        phone_toast = phone.locator(TOAST)
        await expect(phone_toast).to_be_visible(timeout=UI_TIMEOUT_MS)
        box = await phone_toast.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        await _screenshot(phone, "alarm-toast-phone.png")

        # Dismissed: the toast goes, the counter stays; the next page shows it too.
        await toast.locator("[data-testid=alarm-toast-dismiss]").click()
        await expect(toast).to_be_hidden(timeout=UI_TIMEOUT_MS)
        await expect(page.locator(COUNT)).to_have_text("1")
        await page.locator("[data-testid=nav-live] >> visible=true").click()
        await page.wait_for_url("**/live", timeout=UI_TIMEOUT_MS)
        await expect(page.locator(COUNT)).to_have_text("1", timeout=UI_TIMEOUT_MS)
        await expect(page.locator(TOAST)).to_be_hidden()

        # The phone's toast, not dismissed, hides itself; the counter stays.
        await expect(phone_toast).to_be_hidden(timeout=UI_TIMEOUT_MS)
        await expect(phone.locator(COUNT)).to_have_text("1")
        # It stays hidden on the next pages (each mounts the shell, and the card, again).
        await phone.locator(BELL).click()
        await phone.wait_for_url("**/maintenance/alarms", timeout=UI_TIMEOUT_MS)
        await expect(phone.locator(COUNT)).to_have_text("1", timeout=UI_TIMEOUT_MS)
        await expect(phone.locator(TOAST)).to_have_count(0)
        await phone.locator("a[href^='/maintenance/alarms/'] >> visible=true").first.click()
        await phone.wait_for_url("**/maintenance/alarms/*", timeout=UI_TIMEOUT_MS)
        await expect(phone.locator(COUNT)).to_have_text("1", timeout=UI_TIMEOUT_MS)
        await expect(phone.locator(TOAST)).to_have_count(0)

        # The charger recovers: the alarm closes and the counter empties.
        await cp.call(
            call.StatusNotification(
                connector_id=1, error_code="NoError", status="Available", timestamp=_now()
            )
        )
        await expect(page.locator(COUNT)).to_have_count(0, timeout=UI_TIMEOUT_MS)
