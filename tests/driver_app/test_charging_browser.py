"""Charging from the driver app in the real app and headless Chromium, at 360 px: the QR
label's page of a simulated charger, Start, the session's live energy and cost moving by push,
Stop, and the finished session's cost. Screenshots at 360 and 1440 px; nothing scrolls
sideways on a phone."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.driver_app import driver_accounts
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ocpp_server.simulator.charge_point import SimulatedChargePoint
from tests.driver_app.browser import sign_in_at, tid, wide_screenshot
from tests.driver_app.support import PASSWORD
from tests.fixtures.app_process import (
    IDENTITY,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

EMAIL = "phone-driver@example.com"
ENERGY = {
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}]}
    ],
}


@pytest.fixture(scope="module")
def quick_costs() -> Iterator[None]:
    """The app re-prices running sessions every 2 s (30 by default), so the test sees the
    live cost job push a new cost within seconds."""
    before = os.environ.get("CCMS_LIVE_COST_INTERVAL_S")
    os.environ["CCMS_LIVE_COST_INTERVAL_S"] = "2"
    yield
    if before is None:
        os.environ.pop("CCMS_LIVE_COST_INTERVAL_S", None)
    else:
        os.environ["CCMS_LIVE_COST_INTERVAL_S"] = before


@pytest.fixture(scope="module")
def app(quick_costs: None, running_app: RunningApp) -> Iterator[RunningApp]:
    """The running app with 0.30 EUR/kWh + 19 % VAT as the network default and a signed-up
    driver (verified: the app sends no e-mail here) with 20.00 EUR in the wallet."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
        scope = frozenset({operator_id})
        tariff = create_tariff(
            scope, operator_id, "Energy", ENERGY, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
        )
        assign(scope, tariff.id, AssignmentTarget.NETWORK, operator_id, "test")
        driver_accounts.sign_up(driver_accounts.SignUp("Phoebe Phone", EMAIL, PASSWORD))
        account = driver_accounts.find_account(EMAIL)
        assert account is not None and account.email_verified_at is not None
        with db.session_scope() as session:
            credit_wallet(
                session,
                organisation_id=operator_id,
                holder_kind="driver",
                holder_id=account.driver_id,
                currency="EUR",
                paid_minor=2_000,
                bonus_minor=0,
                kind=LedgerKind.TOP_UP,
                reference="top_up:browser-driver",
            )
    finally:
        db.set_engine(None)
    yield running_app


async def test_start_on_the_qr_page_watch_it_live_and_stop(
    app: RunningApp, browser: Browser
) -> None:
    charger = SimulatedChargePoint(IDENTITY, app.ocpp_url, meter_interval=2)
    await charger.connect()
    try:
        await charger.wait_accepted(timeout=UI_TIMEOUT_MS / 1000)
        page = await sign_in_at(browser, app, f"/app/c/{IDENTITY}/1", EMAIL)
        offer = page.locator(tid("connector-offer"))
        await expect(offer).to_contain_text("Browser Test Depot", timeout=UI_TIMEOUT_MS)
        await expect(page.locator(tid("connector-state"))).to_have_text("Free")
        await expect(page.locator(tid("connector-price"))).to_contain_text("€0.357")
        await no_sideways_scroll(page, "the QR page")
        await _screenshot(page, "driver-app-charge-here-360.png")
        await wide_screenshot(page, "driver-app-charge-here-1440.png")

        await page.click(tid("start-charging"))
        await page.wait_for_url(re.compile(r".*/app/charging$"), timeout=UI_TIMEOUT_MS)
        session = page.locator(tid("live-session"))
        await expect(session).to_be_visible(timeout=UI_TIMEOUT_MS)
        energy = page.locator(tid("session-energy"))
        first = await energy.inner_text()
        await expect(energy).not_to_have_text(first, timeout=UI_TIMEOUT_MS)  # pushed, no reload
        cost = page.locator(tid("session-cost"))
        await expect(cost).to_contain_text("€", timeout=UI_TIMEOUT_MS)
        priced = await cost.inner_text()
        await expect(cost).not_to_have_text(priced, timeout=3 * UI_TIMEOUT_MS)  # it moves
        await no_sideways_scroll(page, "the Charging tab")
        await _screenshot(page, "driver-app-charging-360.png")
        await wide_screenshot(page, "driver-app-charging-1440.png")

        await page.click(tid("session-stop"))
        await expect(page.locator(tid("stop-confirm"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await _screenshot(page, "driver-app-stop-confirm-360.png")
        await page.click(tid("stop-confirm"))
        last = page.locator(tid("last-session"))
        await expect(last).to_be_visible(timeout=UI_TIMEOUT_MS)
        await expect(page.locator(tid("last-cost"))).to_contain_text("€", timeout=UI_TIMEOUT_MS)
        await expect(page.locator(tid("no-session"))).to_be_visible()
        await no_sideways_scroll(page, "the Charging tab after the stop")
        await _screenshot(page, "driver-app-charging-done-360.png")
        await wide_screenshot(page, "driver-app-charging-done-1440.png")
    finally:
        await charger.close()
