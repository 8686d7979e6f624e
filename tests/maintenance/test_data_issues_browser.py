"""Charger data issues in the real app and headless Chromium, over real OCPP.

A charge point stops a transaction CCMS never issued: the issue shows on the Maintenance page
(with its payload and policy), as a data warning in Live Monitoring that links to the charge
point's Data issues tab; resolving it there takes the warning off an open Live Monitoring tab
without a reload. On a phone, "Resolve all shown" clears the rest; a session started with an
unknown id tag is listed under Flagged sessions. Screenshots at 1366 and 360 px.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from ocpp.v16 import call
from playwright.async_api import Browser, Locator, Page, expect

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
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

WARNING_LINK = "[data-testid^=warning-link-data-]"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def _stop_unknown(cp: ScriptedChargePoint, transaction_id: int) -> None:
    """A StopTransaction CCMS never issued the transaction of: answered, kept as an issue."""
    reply = await cp.call(
        call.StopTransaction(
            transaction_id=transaction_id, meter_stop=12_345, timestamp=_now(), id_tag=None
        )
    )
    assert reply is not None  # a CALLRESULT, so the charger stops retrying


def _visible(page: Page, selector: str) -> Locator:
    return page.locator(f"{selector} >> visible=true")


async def _check_maintenance(page: Page, transaction_id: int) -> None:
    """The issue is listed; its dialog shows the stored payload and the kind's policy."""
    rows = _visible(page, "[data-testid^=issues-row-]")
    await expect(rows).to_have_count(1, timeout=UI_TIMEOUT_MS)
    await expect(rows.first).to_contain_text(f"unknown transaction {transaction_id}")
    await expect(rows.first).to_contain_text("Stop of an unknown transaction")
    await rows.first.locator("[data-testid^=issues-view-]").click()
    payload = page.locator("[data-testid=issues-payload]")
    await expect(payload).to_contain_text(str(transaction_id), timeout=UI_TIMEOUT_MS)
    stored = json.loads(await payload.inner_text())
    assert stored["transaction_id"] == transaction_id and stored["meter_stop"] == 12_345
    await expect(page.locator("[data-testid=issues-policy]")).to_contain_text(
        "StopTransaction with transaction id 0, -1 or unknown"
    )
    await _screenshot(page, "maintenance-issue-dialog-desktop.png")
    await page.keyboard.press("Escape")
    await expect(page.locator("[data-testid=issues-dialog]")).to_be_hidden(timeout=UI_TIMEOUT_MS)


async def _check_export(page: Page, transaction_id: int) -> None:
    """The CSV holds the listed issues with their stored payload."""
    async with page.expect_download(timeout=UI_TIMEOUT_MS) as download_info:
        await page.click("[data-testid=issues-export]")
    download = await download_info.value
    assert download.suggested_filename == "data-issues.csv"
    text = (await download.path()).read_text(encoding="utf-8")
    (record,) = csv.DictReader(io.StringIO(text))
    assert record["Charge point"] == IDENTITY and record["State"] == "unresolved"
    assert json.loads(record["Payload"])["transaction_id"] == transaction_id


async def _flagged_session(cp: ScriptedChargePoint) -> int:
    started = await cp.call(
        call.StartTransaction(
            connector_id=1, id_tag="NOBODY-KNOWS", meter_start=0, timestamp=_now()
        )
    )
    await cp.call(
        call.StopTransaction(
            transaction_id=started.transaction_id, meter_stop=800, timestamp=_now()
        )
    )
    return started.transaction_id


async def test_a_data_issue_from_a_charger_is_seen_and_resolved(
    running_app: RunningApp, browser: Browser
) -> None:
    live = await _log_in(browser, running_app, DESKTOP, "/live")
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        assert boot.status == "Accepted"
        await _stop_unknown(cp, 4711)
        warning = live.locator(WARNING_LINK)
        await expect(warning).to_contain_text("1 data issue", timeout=UI_TIMEOUT_MS)
        await expect(warning).to_contain_text("unknown transaction 4711")
        await _screenshot(live, "live-monitoring-data-warning-desktop.png")
        # A reload would drop this marker: the warning must leave by push.
        await live.evaluate("window.__ccmsNoReload = true")

        page = await _log_in(browser, running_app, DESKTOP, "/maintenance")
        await _check_maintenance(page, 4711)
        await _check_export(page, 4711)
        # The data issue raised an alarm too (the engine), counted live on the overview.
        await expect(page.locator("[data-testid=not-built]")).to_have_count(0)
        await expect(page.locator("[data-testid=maintenance-tab-alarms]")).to_be_visible()
        await _screenshot(page, "maintenance-desktop.png")

        # Live Monitoring's warning opens the charge point's Data issues tab.
        await page.goto(f"{running_app.web_url}/live")
        await page.locator(WARNING_LINK).click()
        await page.wait_for_url(re.compile(r".*\?tab=data-issues$"), timeout=UI_TIMEOUT_MS)
        tab_rows = _visible(page, "[data-testid^=cp-issues-row-]")
        await expect(tab_rows).to_have_count(1, timeout=UI_TIMEOUT_MS)
        await expect(tab_rows.first).to_contain_text("unknown transaction 4711")
        await _screenshot(page, "charge-point-data-issues-desktop.png")
        await tab_rows.first.locator("[data-testid^=cp-issues-resolve-]").click()
        await expect(page.locator("[data-testid=cp-issues-empty]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )

        await expect(live.locator(WARNING_LINK)).to_have_count(0, timeout=UI_TIMEOUT_MS)
        assert await live.evaluate("window.__ccmsNoReload === true")

        # Resolved issues stay on Maintenance, with who resolved them.
        await page.goto(f"{running_app.web_url}/maintenance")
        await expect(page.locator("[data-testid=issues-empty]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await page.click("[data-testid=issues-filter-state]")
        await page.get_by_role("option", name="Resolved", exact=True).click()
        resolved = _visible(page, "[data-testid^=issues-row-]")
        await expect(resolved).to_have_count(1, timeout=UI_TIMEOUT_MS)
        await expect(resolved.first).to_contain_text("resolved")

        await _phone_resolves_all(browser, running_app, cp, live)


async def _phone_resolves_all(
    browser: Browser, app: RunningApp, cp: ScriptedChargePoint, live: Page
) -> None:
    for transaction_id in (4712, 4713):
        await _stop_unknown(cp, transaction_id)
    transaction_id = await _flagged_session(cp)
    await expect(live.locator(WARNING_LINK)).to_contain_text("2 data issues", timeout=UI_TIMEOUT_MS)

    phone = await _log_in(browser, app, PHONE, "/maintenance")
    cards = _visible(phone, "[data-testid^=issues-card-]")
    await expect(cards).to_have_count(2, timeout=UI_TIMEOUT_MS)
    flagged = _visible(phone, f"[data-testid=flagged-card-{transaction_id}]")
    await expect(flagged).to_contain_text("started with id tag status Invalid")
    await _screenshot(phone, "maintenance-phone.png")
    await phone.click("[data-testid=issues-resolve-all]")
    await phone.click("[data-testid=issues-confirm-all]")
    await expect(phone.locator("[data-testid=issues-empty]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(live.locator(WARNING_LINK)).to_have_count(0, timeout=UI_TIMEOUT_MS)

    await _stop_unknown(cp, 4714)  # the tab on a phone
    await phone.goto(f"{app.web_url}/charge-points/{IDENTITY}?tab=data-issues")
    await expect(_visible(phone, "[data-testid^=cp-issues-card-]")).to_have_count(
        1, timeout=UI_TIMEOUT_MS
    )
    await _screenshot(phone, "charge-point-data-issues-phone.png")
