"""The charge point page in the real app and headless Chromium, driven over real OCPP.

From Live Monitoring to the charge point's page; its connectors follow StatusNotifications
live; a Reset sent from the page reaches the charge point and its history moves to accepted
without a reload; the message log filters by action, opens a raw frame, exports CSV. Then a
bulk Reset from Live Monitoring reports per charge point; the Sessions tab follows a
transaction the charge point starts and stops. Screenshots at 1366 and 360 px.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action, ChargePointErrorCode, ChargePointStatus
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
    running_app,
)
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

DETAIL = f"/charge-points/{IDENTITY}"


class ConfigurableChargePoint(ScriptedChargePoint):
    """Reports two keys, one read-only, and applies changes only after a reboot."""

    @on(Action.get_configuration)
    async def on_get_configuration(self, **payload: Any) -> call_result.GetConfiguration:
        self.received.append(("GetConfiguration", payload))
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
            ]
        )

    @on(Action.change_configuration)
    async def on_change_configuration(self, **payload: Any) -> call_result.ChangeConfiguration:
        self.received.append(("ChangeConfiguration", payload))
        return call_result.ChangeConfiguration(status="RebootRequired")


async def _boot(cp: ScriptedChargePoint) -> None:
    boot = await cp.call(
        call.BootNotification(
            charge_point_model="Wallbox X2",
            charge_point_vendor="ACME",
            charge_point_serial_number="SN-4711",
            firmware_version="1.2.3",
        )
    )
    assert boot.status == "Accepted"
    await _status(cp, ChargePointStatus.available, ChargePointErrorCode.no_error)


async def _status(
    cp: ScriptedChargePoint, status: ChargePointStatus, error: ChargePointErrorCode
) -> None:
    await cp.call(call.StatusNotification(connector_id=1, error_code=error, status=status))


async def _open_from_live_monitoring(page: Page) -> None:
    await page.click(f"[data-testid=cp-link-{IDENTITY}] >> visible=true")
    await page.wait_for_url(re.compile(rf".*{re.escape(DETAIL)}/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=cp-identity]")).to_have_text(IDENTITY)
    await expect(page.locator("[data-testid=cp-vendor]")).to_have_text("ACME")
    await expect(page.locator("[data-testid=cp-firmware]")).to_have_text("1.2.3")


async def _send_hard_reset(page: Page) -> None:
    await page.click("[data-testid=tab-commands]")
    await page.get_by_role("radio", name="Hard").click()
    await page.click("[data-testid=command-send]")
    await expect(page.locator("[data-testid=command-outcome]")).to_have_text(
        "Reset accepted by the charge point.", timeout=UI_TIMEOUT_MS
    )
    newest = page.locator("[data-testid=history-row]").first
    await expect(newest).to_contain_text("Reset", timeout=UI_TIMEOUT_MS)
    await expect(newest).to_contain_text("type=Hard")
    await expect(newest).to_contain_text("accepted", timeout=UI_TIMEOUT_MS)


async def _filter_log_and_export(page: Page) -> None:
    await page.click("[data-testid=tab-log]")
    await page.click("[data-testid=log-action]")
    await page.get_by_role("option", name="Reset", exact=True).click()
    await expect(page.locator("[data-testid=log-total]")).to_have_text(
        "2 messages", timeout=UI_TIMEOUT_MS
    )
    rows = page.locator("[data-testid=log-row]")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("CALLRESULT")  # the answer is the newest

    await rows.last.click()  # the CALL the CSMS sent
    raw = page.locator("[data-testid=log-raw]")
    await expect(raw).to_contain_text('"type": "Hard"', timeout=UI_TIMEOUT_MS)
    frame = json.loads(await raw.inner_text())
    assert frame[0] == 2 and frame[2] == "Reset" and frame[3] == {"type": "Hard"}
    await page.keyboard.press("Escape")

    async with page.expect_download(timeout=UI_TIMEOUT_MS) as download_info:
        await page.click("[data-testid=log-export]")
    download = await download_info.value
    assert download.suggested_filename.startswith(f"ocpp-log-{IDENTITY}-")
    assert download.suggested_filename.endswith(".csv")
    text = (await download.path()).read_text(encoding="utf-8")
    records = list(csv.DictReader(io.StringIO(text)))
    assert [(r["direction"], r["message_type"], r["action"]) for r in records] == [
        ("in", "CALLRESULT", "Reset"),
        ("out", "CALL", "Reset"),
    ]
    assert json.loads(records[1]["payload"])[3] == {"type": "Hard"}


async def _bulk_soft_reset(page: Page) -> None:
    await page.click("[data-testid=bulk-select-all]")
    await expect(page.locator("[data-testid=bulk-count]")).to_have_text("1 selected")
    await page.click("[data-testid=bulk-send]")  # Reset, Soft: the form's defaults
    await expect(page.locator("[data-testid=bulk-summary]")).to_have_text(
        "Reset: 1 of 1 accepted.", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(f"[data-testid=bulk-result-{IDENTITY}]")).to_contain_text("accepted")


async def test_charge_point_page_commands_and_message_log(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/live")
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        await _boot(cp)
        await expect(page.locator(f"[data-testid=cp-row-{IDENTITY}]")).to_contain_text(
            "1: Available", timeout=UI_TIMEOUT_MS
        )
        await _open_from_live_monitoring(page)
        connector = page.locator("[data-testid=cp-connector-1]")
        await expect(connector).to_have_text("Available", timeout=UI_TIMEOUT_MS)

        # A reload would drop this marker: everything below must arrive by push.
        await page.evaluate("window.__ccmsNoReload = true")
        await _status(cp, ChargePointStatus.unavailable, ChargePointErrorCode.no_error)
        await expect(connector).to_have_text("Unavailable", timeout=UI_TIMEOUT_MS)
        await _send_hard_reset(page)
        assert ("Reset", {"type": "Hard"}) in cp.received
        await _screenshot(page, "charge-point-desktop.png")
        await _filter_log_and_export(page)
        await _screenshot(page, "charge-point-log-desktop.png")
        assert await page.evaluate("window.__ccmsNoReload === true")

        phone = await _log_in(browser, running_app, PHONE, DETAIL)
        await expect(phone.locator("[data-testid=cp-connector-1]")).to_have_text(
            "Unavailable", timeout=UI_TIMEOUT_MS
        )
        await expect(phone.locator("[data-testid=history-row]").first).to_contain_text(
            "accepted", timeout=UI_TIMEOUT_MS
        )
        await _screenshot(phone, "charge-point-phone.png")
        # Every tab is on the screen (the strip wraps on a phone), none hidden off its edge.
        rights = await phone.eval_on_selector_all(
            "[data-testid^=tab-]", "tabs => tabs.map(t => t.getBoundingClientRect().right)"
        )
        assert len(rights) >= 9 and max(rights) <= PHONE["width"], rights
        await phone.click("[data-testid=tab-log]")
        await expect(phone.locator("[data-testid=log-row]").first).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await _screenshot(phone, "charge-point-log-phone.png")
        await phone.click("[data-testid=tab-configuration]")
        await _screenshot(phone, "charge-point-configuration-phone.png")

        await page.click("[data-testid=back-to-live]")
        await _bulk_soft_reset(page)
        await _screenshot(page, "live-monitoring-bulk-desktop.png")
        assert ("Reset", {"type": "Soft"}) in cp.received


async def test_configuration_and_reservations_sections(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, DETAIL)
    async with connect_charge_point(
        running_app.ocpp_url, IDENTITY, cls=ConfigurableChargePoint
    ) as cp:
        await _boot(cp)
        await expect(page.locator("[data-testid=cp-online]")).to_contain_text(
            "Online", timeout=UI_TIMEOUT_MS
        )
        await page.click("[data-testid=tab-configuration]")
        await page.click("[data-testid=config-fetch]")
        writable = page.locator("[data-testid=config-row-HeartbeatInterval]")
        readonly = page.locator("[data-testid=config-row-NumberOfConnectors]")
        await expect(writable).to_contain_text("300", timeout=UI_TIMEOUT_MS)
        await expect(readonly).to_contain_text("read-only")
        await expect(readonly.get_by_role("button")).to_have_count(0)

        await page.click("[data-testid=config-edit-HeartbeatInterval]")
        await page.fill("[data-testid=config-edit-value]", "60")
        await page.click("[data-testid=config-save]")
        await expect(page.locator("[data-testid=config-message]")).to_have_text(
            "HeartbeatInterval changed: the charge point applies it after a reboot.",
            timeout=UI_TIMEOUT_MS,
        )
        await expect(writable).to_contain_text("60")
        await expect(writable).to_contain_text("reboot required")
        assert ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}) in cp.received
        await _screenshot(page, "charge-point-configuration-desktop.png")

        await page.click("[data-testid=tab-reservations]")
        # A connector, not 0 (the whole charge point: many chargers reject ReserveNow there).
        await expect(page.locator("[data-testid=reserve-connector]")).to_have_text("1")
        await page.fill("[data-testid=reserve-id-tag]", "NO-SUCH-TAG")
        await page.click("[data-testid=reserve-send]")
        await expect(page.locator("[data-testid=reserve-message]")).to_contain_text(
            "'NO-SUCH-TAG' is not known", timeout=UI_TIMEOUT_MS
        )

        await page.click("[data-testid=tab-commands]")
        newest = page.locator("[data-testid=history-row]").first
        await expect(newest).to_contain_text("ChangeConfiguration", timeout=UI_TIMEOUT_MS)
        await expect(newest).to_contain_text("reboot required")


async def test_a_reconnect_keeps_what_the_operator_typed_and_the_open_tab(
    running_app: RunningApp, browser: Browser
) -> None:
    """A phone changing networks reconnects: the page refreshes what it shows, and keeps the
    tab, the command chosen and the id tag typed but not sent yet."""
    page = await _log_in(browser, running_app, DESKTOP, DETAIL)
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        await _boot(cp)
        await expect(page.locator("[data-testid=cp-firmware]")).to_have_text(
            "1.2.3", timeout=UI_TIMEOUT_MS
        )
        await page.click("[data-testid=tab-commands]")
        hard = page.get_by_role("radio", name="Hard")
        await hard.click()
        await expect(hard).to_be_checked(timeout=UI_TIMEOUT_MS)  # the server's form says Hard
        await page.click("[data-testid=tab-reservations]")
        await page.fill("[data-testid=reserve-id-tag]", "TAG-TYPED")
        await page.click("[data-testid=reserve-connector]")  # the id tag flushes on blur
        await page.get_by_role("option", name="0", exact=True).click()
        # The select follows the server's form: once it shows 0, the id tag arrived before it.
        await expect(page.locator("[data-testid=reserve-connector]")).to_have_text(
            "0", timeout=UI_TIMEOUT_MS
        )

        await page.context.set_offline(True)
        await expect(page.locator("[data-testid=connection-lost]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        boot = await cp.call(
            call.BootNotification(
                charge_point_model="Wallbox X2",
                charge_point_vendor="ACME",
                firmware_version="1.2.4",
            )
        )
        assert boot.status == "Accepted"
        await page.context.set_offline(False)
        await expect(page.locator("[data-testid=connection-lost]")).to_be_hidden(
            timeout=UI_TIMEOUT_MS
        )

        # on_load ran again (the firmware the charge point booted with meanwhile)...
        await expect(page.locator("[data-testid=cp-firmware]")).to_have_text(
            "1.2.4", timeout=UI_TIMEOUT_MS
        )
        # ... and left the operator's tab and forms as they were.
        await expect(page.locator("[data-testid=reserve-id-tag]")).to_have_value("TAG-TYPED")
        await expect(page.locator("[data-testid=reserve-connector]")).to_have_text("0")
        await page.click("[data-testid=tab-commands]")
        await expect(page.get_by_role("radio", name="Hard")).to_be_checked()

        # Opening the page anew (another charge point, then back) starts with fresh forms.
        await page.goto(f"{running_app.web_url}/charge-points/NO-SUCH-CP")
        await expect(page.get_by_text("There is no charge point NO-SUCH-CP")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await page.goto(f"{running_app.web_url}{DETAIL}")
        await expect(page.locator("[data-testid=cp-firmware]")).to_have_text(
            "1.2.4", timeout=UI_TIMEOUT_MS
        )
        await expect(page.get_by_role("radio", name="Soft")).to_be_checked()
        await page.click("[data-testid=tab-reservations]")
        await expect(page.locator("[data-testid=reserve-id-tag]")).to_have_value("")


async def test_sessions_tab_follows_a_real_transaction(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, DETAIL)
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        await _boot(cp)
        await page.click("[data-testid=tab-sessions]")
        await page.evaluate("window.__ccmsNoReload = true")
        started = await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="UNKNOWN-TAG",  # still a session (OCPP): refused, flagged (Invalid tag)
                meter_start=1000,
                timestamp=datetime.now(UTC).isoformat(),
            )
        )
        tx = started.transaction_id
        row = page.locator("[data-testid=cp-sessions-row]", has_text="UNKNOWN-TAG").first
        await expect(row).to_contain_text(str(tx), timeout=UI_TIMEOUT_MS)
        await expect(row).to_contain_text("Refused")  # not running: it holds no card
        await expect(row.locator("[data-testid=session-flagged]")).to_be_visible()

        await cp.call(
            call.StopTransaction(
                transaction_id=tx, meter_stop=13_500, timestamp=datetime.now(UTC).isoformat()
            )
        )
        await expect(row).to_contain_text("12.50 kWh", timeout=UI_TIMEOUT_MS)
        await expect(row).to_contain_text("completed")
        assert await page.evaluate("window.__ccmsNoReload === true")
        await _screenshot(page, "charge-point-sessions-desktop.png")

        phone = await _log_in(browser, running_app, PHONE, DETAIL)
        await phone.click("[data-testid=tab-sessions]")
        await expect(phone.locator("[data-testid=cp-sessions-row]").first).to_contain_text(
            "UNKNOWN-TAG", timeout=UI_TIMEOUT_MS
        )
        await _screenshot(phone, "charge-point-sessions-phone.png")
