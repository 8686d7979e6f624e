"""History, reservations and the account in the real app and headless Chromium, at 360 px:
a priced session in the history (its detail with the breakdown), the reserve page with the
fee shown before reserving, blocking a lost card, adding a vehicle (a bad capacity first).
Screenshots at 360 and 1440 px; nothing scrolls sideways on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import select

from ccms_app.accounts.organisations import root_organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.drivers.models import IdTag
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.session_pricing import reprice
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.network.models import ChargePoint, Connector
from tests.driver_app.browser import both_widths, sign_in_at, tid
from tests.driver_app.support import PASSWORD
from tests.driver_app.test_history import TARIFF
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

EMAIL = "account-driver@example.com"
CARD = "04A23B1C"


@pytest.fixture(scope="module")
def app(running_app: RunningApp) -> Iterator[tuple[RunningApp, int, int]]:
    """The running app with the tests' tariff as network default, a driver with 20.00 EUR,
    an RFID card, a finished session priced by the real pricing (12.5 kWh), and connector 1
    of the test charge point; yields the app, the session and the connector row."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
        scope = frozenset({operator_id})
        tariff = create_tariff(
            scope, operator_id, "Standard", TARIFF, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
        )
        assign(scope, tariff.id, AssignmentTarget.NETWORK, operator_id, "test")
        driver_accounts.sign_up(driver_accounts.SignUp("Ada Account", EMAIL, PASSWORD))
        account = driver_accounts.find_account(EMAIL)
        assert account is not None and account.email_verified_at is not None
        start = utc_now() - timedelta(hours=5)
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
                reference="top_up:browser-account",
            )
            session.add(
                IdTag(organisation_id=operator_id, id_tag=CARD, driver_id=account.driver_id)
            )
            app_tag = session.get(IdTag, account.app_id_tag_id)
            cp = session.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
            connector = Connector(
                organisation_id=cp.organisation_id,
                charge_point_id=int(cp.id or 0),
                connector_id=1,
                connector_type="Type2",
                max_power_w=22_000,
                status="Available",
            )
            charged = ChargingSession(
                organisation_id=cp.organisation_id,
                charge_point_id=int(cp.id or 0),
                connector_id=1,
                id_tag=app_tag.id_tag if app_tag else "",
                status="completed",
                start_time=start,
                stop_time=start + timedelta(minutes=75),
                meter_start_wh=2_000,
                meter_stop_wh=14_500,
                energy_wh=12_500,
            )
            session.add_all([connector, charged])
            session.flush()
            session_id, connector_pk = int(charged.id or 0), int(connector.id or 0)
        reprice(scope, session_id, "test")
    finally:
        db.set_engine(None)
    yield running_app, session_id, connector_pk


async def test_history_reserve_block_a_card_and_add_a_vehicle(
    app: tuple[RunningApp, int, int], browser: Browser
) -> None:
    running, session_id, connector_pk = app
    page = await sign_in_at(browser, running, "/app/history", EMAIL)
    row = page.locator(tid("history-row")).first
    await expect(row).to_contain_text("Browser Test Depot", timeout=UI_TIMEOUT_MS)
    # 12.5 kWh x 0.30 = 3.75 + 19 % VAT = 4.4625 -> 4.46
    await expect(row.locator(tid("history-amount"))).to_have_text("€4.46")
    await expect(row).to_contain_text("12.50 kWh")
    await no_sideways_scroll(page, "the history")
    await both_widths(page, "driver-app-history")

    await row.locator(tid("history-open")).click()
    await page.wait_for_url(re.compile(rf".*/app/history/{session_id}/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("history-detail-total"))).to_have_text(
        "€4.46", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(tid("history-line"))).to_have_count(1)
    await no_sideways_scroll(page, "a session's detail")
    await _screenshot(page, "driver-app-history-detail-360.png")

    await page.goto(f"{running.web_url}/app/reserve/{connector_pk}")
    fee = page.locator(tid("reserve-fee"))
    await expect(fee).to_contain_text("€0.71", timeout=UI_TIMEOUT_MS)
    await expect(fee).to_contain_text("€1.90")
    await page.get_by_role("radio", name="15 min").click()
    await expect(fee).to_contain_text("€1.55", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("reserve-submit"))).to_contain_text("15")
    await no_sideways_scroll(page, "the reserve page")
    await both_widths(page, "driver-app-reserve")

    await page.click(tid("app-tab-account"))
    await page.wait_for_url(re.compile(r".*/app/account/?$"), timeout=UI_TIMEOUT_MS)
    card = page.locator(tid("card-row")).filter(has_text=CARD)
    await expect(card.locator(tid("card-status"))).to_have_text("Active", timeout=UI_TIMEOUT_MS)
    await card.locator(tid("card-block")).click()
    await expect(card.locator(tid("card-block-confirm"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "driver-app-account-block-confirm-360.png")
    await card.locator(tid("card-block-confirm")).click()
    await expect(card.locator(tid("card-status"))).to_have_text("Blocked", timeout=UI_TIMEOUT_MS)
    await expect(card.locator(tid("card-block"))).to_have_count(0)

    await page.click(tid("vehicle-add"))
    await page.fill(tid("vehicle-make"), "Kia")
    await page.fill(tid("vehicle-model"), "EV6")
    await page.fill(tid("vehicle-battery_capacity_kwh"), "lots")
    await page.click(tid("vehicle-save"))
    error = page.locator(tid("vehicle-battery_capacity_kwh-error"))
    await expect(error).to_contain_text("is not a number of kWh", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("vehicle-model"))).to_have_value("EV6")  # kept
    await page.fill(tid("vehicle-battery_capacity_kwh"), "77.4")
    await page.fill(tid("vehicle-licence_plate"), "hh ev 6")
    await page.click(tid("vehicle-save"))
    vehicle = page.locator(tid("vehicle-row"))
    await expect(vehicle).to_contain_text("Kia EV6", timeout=UI_TIMEOUT_MS)
    await expect(vehicle).to_contain_text("77.4 kWh battery")
    await expect(vehicle).to_contain_text("HH EV 6")
    await no_sideways_scroll(page, "the account")
    await expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await both_widths(page, "driver-app-account")
    with_plate = await page.locator(tid("account-name")).inner_text()
    assert with_plate == "Ada Account"

    # Signing out forgets the tab's states: the next driver here starts from fresh ones.
    tab_token = await page.evaluate("window.sessionStorage.getItem('token')")
    await page.click(tid("account-sign-out"))
    await page.wait_for_url(re.compile(r".*/app/login.*"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("#app-email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.wait_for_function(  # Reflex takes a token when the page connects
        "window.sessionStorage.getItem('token') !== null", timeout=UI_TIMEOUT_MS
    )
    assert await page.evaluate("window.sessionStorage.getItem('token')") != tab_token
