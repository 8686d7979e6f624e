"""Issue 18's whole journey in the real app and headless Chromium at 360 px, over real OCPP
with a simulated charger and the fake Stripe server: a new driver signs up (the verification
mail arrives at a local SMTP server and its link is opened), tops up the wallet on Stripe's
hosted page, finds the free connector on the Stations tab (map and list), starts charging on
the QR page, watches the live energy and cost, stops, sees the receipt in the history, and
the wallet balance is exactly the top-up less the session's cost. The app installs (manifest,
icons, a service worker controlling the page)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from sqlmodel import col, select

from ccms_app.accounts.organisations import root_organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.driver_app import driver_accounts
from ccms_app.finance.models import AssignmentTarget, BillingProfile, SessionCost
from ccms_app.finance.payments.holders import organisation_currency
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.finance.wallets.ledger import balance
from ccms_app.network.models import ChargePoint, Station
from ocpp_server.simulator import SimulatedChargePoint
from tests.driver_app.browser import every_control_is_named, in_app_db, tid
from tests.fixtures.app_process import (
    IDENTITY,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)
from tests.fixtures.fake_stripe import FakeStripe, running_fake_stripe, stripe_environment
from tests.fixtures.smtp import Inbox, free_port, smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

EMAIL = "new.driver@example.com"
PASSWORD = "copper lagoon whistle ember"
ENERGY = {
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}]}
    ],
}


@pytest.fixture(scope="module", autouse=True)
def outside_world() -> Iterator[tuple[FakeStripe, Inbox]]:
    """Before the module's app starts: a fake Stripe and a local SMTP server, the app pointed
    at both, live costs every second and receipts every two."""
    port = free_port()
    with running_fake_stripe() as fake, smtp_server(port) as inbox:
        values = {
            **stripe_environment(fake),
            "CCMS_SMTP_HOST": "127.0.0.1",
            "CCMS_SMTP_PORT": str(port),
            "CCMS_SMTP_FROM": "app@ccms.example",
            "CCMS_LIVE_COST_INTERVAL_S": "1",
            "CCMS_BILLING_INTERVAL_S": "2",
        }
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield fake, inbox
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture(scope="module")
def network(running_app: RunningApp, outside_world: tuple[FakeStripe, Inbox]) -> int:
    """0.30 EUR/kWh + 19 % VAT, a Berlin station on the map, the fake's webhooks going to the
    app; the station's id."""
    fake, _ = outside_world
    fake.webhook_url = f"{running_app.web_url}/webhooks/stripe"
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = stored_id(root_organisation(session).id)
            session.merge(
                BillingProfile(
                    organisation_id=operator_id,
                    currency="EUR",
                    time_zone="Europe/Berlin",
                    seller_name="Journey Charging GmbH",
                    seller_email="billing@journey.example",
                )
            )
            cp = session.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
            station = session.get(Station, cp.station_id)
            assert station is not None
            station.address, station.latitude, station.longitude = (
                "Spreeufer 5, Berlin",
                52.52,
                13.4,
            )
            station.timezone = "Europe/Berlin"
            session.add(station)
            station_id = stored_id(station.id)
        scope = frozenset({operator_id})
        tariff = create_tariff(
            scope, operator_id, "Energy", ENERGY, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
        )
        assign(scope, tariff.id, AssignmentTarget.NETWORK, operator_id, "test")
    finally:
        db.set_engine(None)
    return station_id


async def _sign_up(page: Page, app: RunningApp, inbox: Inbox) -> None:
    await page.goto(f"{app.web_url}/app")
    await expect(page.locator("#app-email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert "/app/login" in page.url
    await no_sideways_scroll(page, "the sign-in page")
    await every_control_is_named(page, "the sign-in page")
    await _screenshot(page, "driver-app-sign-in-360.png")
    await page.click(tid("app-to-sign-up"))
    await expect(page.locator("#app-name")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("#app-name", "Nia Newcomer")
    await page.fill("#app-email", EMAIL)
    await page.fill("#app-password", PASSWORD)
    await _screenshot(page, "driver-app-sign-up-360.png")
    await every_control_is_named(page, "the sign-up page")
    await page.press("#app-password", "Enter")  # the keyboard sends the form
    await page.wait_for_url(re.compile(r".*/app/?\?welcome=1$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("verify-banner"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    # the verification mail reached the SMTP server; its link confirms the address
    assert [m["To"] for m in inbox.messages] == [EMAIL]
    link = re.search(r"(http\S+/app/auth/verify\?token=\S+)", inbox.messages[0].get_content())
    assert link is not None
    await page.goto(link.group(1))
    await page.wait_for_url(re.compile(r".*/app/?\?verified=1$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("stations-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("verify-banner"))).to_have_count(0)


async def _top_up(page: Page, fake: FakeStripe) -> None:
    await page.click(tid("app-tab-wallet"))
    balance_shown = page.locator(tid("wallet-balance"))
    await expect(balance_shown).to_have_text("€0.00", timeout=UI_TIMEOUT_MS)
    await page.click(tid("top-up-choice-amount-2000"))
    await page.click(tid("top-up-start"))
    await page.wait_for_url(re.compile(r".*/checkout/cs_"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("stripe-amount"))).to_have_text("20.00 EUR")
    await page.click(tid("stripe-pay"))
    await page.wait_for_url(re.compile(r".*/app/wallet/?\?top_up=\d+$"), timeout=UI_TIMEOUT_MS)
    await expect(balance_shown).to_have_text("€20.00", timeout=UI_TIMEOUT_MS)
    assert fake.deliveries == [("checkout.session.completed", 200)]


async def _find_and_start(page: Page, station_id: int) -> None:
    await page.click(tid("app-tab-app"))
    await expect(page.locator(tid("stations-map"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    card = page.locator(tid(f"station-{station_id}"))
    await expect(card).to_contain_text("Spreeufer 5, Berlin", timeout=UI_TIMEOUT_MS)
    await expect(card.locator(tid("price-1"))).to_have_text("€0.357/kWh")
    await no_sideways_scroll(page, "the Stations tab")
    await every_control_is_named(page, "the Stations tab")
    await _screenshot(page, "driver-app-journey-stations-360.png")
    await page.click(tid(f"station-link-{station_id}"))
    await expect(page.locator(tid("station-page"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.click(tid("charge-1"))
    await page.wait_for_url(re.compile(rf".*/app/c/{IDENTITY}/1$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("connector-state"))).to_have_text("Free", timeout=UI_TIMEOUT_MS)
    await page.click(tid("start-charging"))
    await page.wait_for_url(re.compile(r".*/app/charging$"), timeout=UI_TIMEOUT_MS)


async def _watch_and_stop(page: Page) -> str:
    """The live figures move by push; stop; the finished session's cost as shown."""
    await expect(page.locator(tid("live-session"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    energy, cost = page.locator(tid("session-energy")), page.locator(tid("session-cost"))
    first = await energy.inner_text()
    await expect(energy).not_to_have_text(first, timeout=UI_TIMEOUT_MS)
    await expect(cost).to_contain_text("€", timeout=UI_TIMEOUT_MS)
    so_far = await cost.inner_text()
    await expect(cost).not_to_have_text(so_far, timeout=3 * UI_TIMEOUT_MS)
    await no_sideways_scroll(page, "the live session")
    await every_control_is_named(page, "the live session")
    await _screenshot(page, "driver-app-journey-charging-360.png")
    await page.click(tid("session-stop"))
    await page.click(tid("stop-confirm"))
    await expect(page.locator(tid("last-session"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    last_cost = page.locator(tid("last-cost"))
    await expect(last_cost).to_contain_text("€", timeout=UI_TIMEOUT_MS)
    return await last_cost.inner_text()


async def _receipt_issued(page: Page, receipt: Locator) -> None:
    """The billing run (every 2 s here) issues the receipt after the stop; the driver opens
    the history again to see it."""
    for _ in range(10):
        if await receipt.count():
            break
        await page.wait_for_timeout(1500)
        await page.reload()
        await expect(page.locator(tid("history-row")).first).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(receipt).to_be_visible(timeout=UI_TIMEOUT_MS)


def _final_cost_minor(app: RunningApp) -> tuple[int, int]:
    """The driver's one session's final cost incl. VAT, and the wallet balance, both in
    minor units, from the app's database."""
    with in_app_db(app):
        account = driver_accounts.find_account(EMAIL)
        assert account is not None
        with db.read_session() as session:
            sessions = session.exec(select(ChargingSession)).all()
            assert len(sessions) == 1 and sessions[0].stop_time is not None
            cost = session.exec(
                select(SessionCost).where(col(SessionCost.session_id) == sessions[0].id)
            ).one()
            currency = organisation_currency(session, account.organisation_id)
            left = balance(session, "driver", account.driver_id, currency).total_minor
        return cost.total_incl_minor, left


async def test_a_new_driver_signs_up_tops_up_charges_and_pays_exactly_the_session(
    running_app: RunningApp,
    browser: Browser,
    network: int,
    outside_world: tuple[FakeStripe, Inbox],
) -> None:
    fake, inbox = outside_world
    charger = SimulatedChargePoint(IDENTITY, running_app.ocpp_url, meter_interval=1)
    await charger.connect()
    try:
        await charger.wait_accepted(timeout=UI_TIMEOUT_MS / 1000)
        page = await browser.new_page(viewport=PHONE)
        await _sign_up(page, running_app, inbox)
        await _top_up(page, fake)
        await _find_and_start(page, network)
        shown_cost = await _watch_and_stop(page)
    finally:
        await charger.close()

    cost_minor, left_minor = _final_cost_minor(running_app)
    assert cost_minor > 0
    assert shown_cost == f"€{Decimal(cost_minor) / 100:.2f}"
    assert left_minor == 2000 - cost_minor  # the wallet paid exactly the session

    await page.click(tid("app-tab-history"))
    row = page.locator(tid("history-row")).first
    await expect(row.locator(tid("history-amount"))).to_have_text(shown_cost, timeout=UI_TIMEOUT_MS)
    receipt = row.locator(tid("history-receipt"))
    await _receipt_issued(page, receipt)
    href = await receipt.get_attribute("href")
    assert href is not None
    pdf = await page.request.get(f"{running_app.web_url}{href}")
    assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
    await no_sideways_scroll(page, "the history")
    await every_control_is_named(page, "the history")
    await _screenshot(page, "driver-app-journey-history-360.png")

    await page.click(tid("app-tab-wallet"))
    left = f"€{Decimal(left_minor) / 100:.2f}"
    await expect(page.locator(tid("wallet-balance"))).to_have_text(left, timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "driver-app-journey-wallet-360.png")
    await every_control_is_named(page, "the wallet")

    # installable: a manifest in the brand, its icon, and a service worker controlling /app
    manifest = await page.request.get(f"{running_app.web_url}/app/manifest.webmanifest")
    assert manifest.ok and (await manifest.json())["start_url"] == "/app"
    icon = await page.request.get(f"{running_app.web_url}/app/icon-192.png")
    assert icon.ok and icon.headers["content-type"] == "image/png"
    scope = await page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope.endswith("/app")
