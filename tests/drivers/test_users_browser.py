"""Users pages in the real app and headless Chromium: create a driver and an RFID card, block
the card in the list, and the next Authorize of a charge point over OCPP is answered Blocked.
Also: a form keeps what the operator typed when it has errors; the pages at 360 px."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from urllib.parse import urlparse

import pytest
from ocpp.v16 import call
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
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

CARD = "UI-CARD-0001"


async def _authorize(app: RunningApp, id_tag: str) -> str:
    async with connect_charge_point(app.ocpp_url, IDENTITY) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="V"))
        reply = await cp.call(call.Authorize(id_tag=id_tag))
    return reply.id_tag_info["status"]


async def _create_driver(page: Page, name: str, email: str) -> None:
    await page.click("[data-testid=drivers-new]")
    dialog = page.locator("[data-testid=driver-form-dialog]")
    await expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=driver-form-name]", name)
    await page.fill("[data-testid=driver-form-email]", "not-an-email")
    await page.click("[data-testid=driver-form-save]")
    error = page.locator("[data-testid=driver-form-email-error]")
    await expect(error).to_contain_text("not an email address", timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=driver-form-name]")).to_have_value(name)
    await _screenshot(page, "users-driver-form-error-desktop.png")

    await page.fill("[data-testid=driver-form-email]", email)
    await page.click("[data-testid=driver-form-save]")
    await page.wait_for_url(re.compile(r".*/users/drivers/\d+/?$"), timeout=UI_TIMEOUT_MS)


async def _issue_card(page: Page, id_tag: str) -> None:
    await page.click("[data-testid=driver-issue-card]")
    await expect(page.locator("[data-testid=card-form-dialog]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=card-form-id_tag]", id_tag)
    await page.fill("[data-testid=card-form-description]", "Issued in the browser test")
    await page.click("[data-testid=card-form-concurrent]")  # a fleet card
    await _screenshot(page, "users-card-form-desktop.png")
    await page.click("[data-testid=card-form-save]")
    await expect(page.locator(f"[data-testid=driver-card-{id_tag}]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )


async def test_block_a_card_and_the_next_authorize_is_blocked(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/users/drivers")
    await _create_driver(page, "Browser Driver", "browser.driver@example.com")
    await expect(page.get_by_role("heading", name="Browser Driver")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _issue_card(page, CARD)
    await _screenshot(page, "users-driver-desktop.png")
    assert await _authorize(running_app, CARD.lower()) == "Accepted"
    database = running_app.log_path.parent / "ccms.db"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        query = "SELECT concurrent_transactions FROM id_tag WHERE id_tag = ?"
        assert connection.execute(query, (CARD,)).fetchone() == (1,)  # the fleet switch saved

    await page.goto(f"{running_app.web_url}/users/id-tags")
    await page.fill("[data-testid=cards-search]", "ui-card")
    row = page.locator(f"[data-testid=cards-table] [data-testid=cards-block-{CARD}]")
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await row.click()
    unblock = page.locator(f"[data-testid=cards-table] [data-testid=cards-unblock-{CARD}]")
    await expect(unblock).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "users-id-tags-desktop.png")

    assert await _authorize(running_app, CARD) == "Blocked"


async def test_group_with_a_member_and_a_vehicle(running_app: RunningApp, browser: Browser) -> None:
    """Runs after the first test of the module: "Browser Driver" exists."""
    page = await _log_in(browser, running_app, DESKTOP, "/users/groups")
    await page.click("[data-testid=groups-new]")
    await page.fill("[data-testid=group-form-name]", "Browser Fleet")
    await expect(page.locator("[data-testid=group-form-price_per_kwh]")).to_have_count(0)
    await page.fill("[data-testid=group-form-billing_email]", "nope")
    await page.click("[data-testid=group-form-save]")
    await expect(page.locator("[data-testid=group-form-billing_email-error]")).to_contain_text(
        "is not an email address", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=group-form-name]")).to_have_value("Browser Fleet")
    await page.fill("[data-testid=group-form-billing_email]", "fleet@example.com")
    await page.click("[data-testid=group-form-save]")
    await page.wait_for_url(re.compile(r".*/users/groups/\d+/?$"), timeout=UI_TIMEOUT_MS)
    tariff = page.locator("[data-testid=group-tariff-link]")  # members pay the group's tariff
    await expect(tariff).to_have_text("Set the group's tariff in Finance", timeout=UI_TIMEOUT_MS)
    await expect(tariff).to_have_attribute("href", "/finance/tariffs")

    await page.fill("[data-testid=member-driver-search]", "browser")
    await page.click("[data-testid=member-driver]")
    await page.get_by_role("option", name="Browser Driver").click()
    await page.click("[data-testid=member-add]")
    await expect(page.locator("[data-testid=group-members]")).to_contain_text(
        "Browser Driver", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "users-group-desktop.png")
    phone = await _log_in(browser, running_app, PHONE, urlparse(page.url).path)
    remove = phone.locator("[data-testid^=member-remove-]").first
    await expect(remove).to_be_visible(timeout=UI_TIMEOUT_MS)
    box = await remove.bounding_box()
    shown = await phone.locator("[data-testid=group-members]").bounding_box()
    assert box is not None and shown is not None
    assert box["x"] + box["width"] <= shown["x"] + shown["width"], "Remove is cut off"
    await no_sideways_scroll(phone, "a group's page")
    await _screenshot(phone, "users-group-phone.png")

    await page.goto(f"{running_app.web_url}/users/vehicles")
    await page.click("[data-testid=vehicles-new]")
    await page.fill("[data-testid=vehicle-form-make]", "Kia")
    await page.fill("[data-testid=vehicle-form-model]", "EV6")
    await page.fill("[data-testid=vehicle-form-battery_capacity_kwh]", "77,4")
    await page.click("[data-testid=vehicle-form-save]")
    await expect(page.locator("[data-testid=vehicles-table]")).to_contain_text(
        "77.4 kWh", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "users-vehicles-desktop.png")


async def test_users_pages_on_a_phone(running_app: RunningApp, browser: Browser) -> None:
    page = await _log_in(browser, running_app, PHONE, "/users/id-tags")
    await expect(page.locator("[data-testid=cards-list]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=cards-new]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "users-id-tags-phone.png")

    await page.goto(f"{running_app.web_url}/users/drivers")
    card = page.locator("[data-testid^=drivers-card-]").first
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "users-drivers-phone.png")
    await page.locator("[data-testid^=drivers-m-link-]").first.click()
    await page.wait_for_url(re.compile(r".*/users/drivers/\d+/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=driver-status]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "users-driver-phone.png")

    await page.goto(f"{running_app.web_url}/users")
    await expect(page.locator("[data-testid=users-count-drivers]")).to_have_text(
        "1", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=users-count-groups]")).to_have_text("1")
    await _screenshot(page, "users-overview-phone.png")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the Users page scrolls sideways at 360 px ({width} px)"
