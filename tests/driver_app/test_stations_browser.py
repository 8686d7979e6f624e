"""Find a charger in the real app, in headless Chromium at 360 px: a driver signs in, sees the
station with a free connector and their price, filters, marks a favourite, and watches a
connector turn busy and free again as a simulated charger sends StatusNotifications (pushed:
no reload). Screenshots at 360 px and 1440 px go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from ccms_app.core import db
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.finance import tariff_assignments, tariffs
from ccms_app.finance.models import AssignmentTarget
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from tests.driver_app.support import PASSWORD, signed_in_driver
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
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

EMAIL = "station-finder@example.com"
WIDE = {"width": 1440, "height": 900}


def _prepare(app: RunningApp) -> tuple[int, int, int]:
    """The depot placed on the map with a Type2 22 kW connector and a network price; a second
    station whose charger is offline; a signed-up driver. (station, connector row, other)"""
    with session_scope() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
        station = s.get(Station, cp.station_id)
        assert station is not None
        station.address, station.latitude, station.longitude = "Am Kai 1, Hamburg", 53.54, 9.97
        station.timezone = "Europe/Berlin"
        s.add(station)
        connector = Connector(
            organisation_id=cp.organisation_id,
            charge_point_id=cp.id,
            connector_id=1,
            connector_type="Type2",
            max_power_w=22_000,
        )
        other = Station(
            organisation_id=cp.organisation_id,
            name="Zeche Nord",
            address="Zechenweg 2, Essen",
            latitude=51.46,
            longitude=7.01,
            opening_hours="Mo-Su 06:00-22:00",
        )
        s.add_all([connector, other])
        s.flush()
        far = ChargePoint(
            organisation_id=cp.organisation_id,
            station_id=other.id,
            identity="CP-BROWSER-OFFLINE",
            registration_state=RegistrationState.REGISTERED,
        )
        s.add(far)
        s.flush()
        s.add(
            Connector(
                organisation_id=cp.organisation_id,
                charge_point_id=far.id,
                connector_id=1,
                connector_type="CCS2",
                max_power_w=150_000,
            )
        )
        org, ids = cp.organisation_id, (int(station.id or 0), int(connector.id or 0))
        other_id = int(other.id or 0)
    tariff = tariffs.create_tariff(
        {org},
        org,
        "Standard",
        {
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [
                        {
                            "type": "ENERGY",
                            "price": Decimal("0.30"),
                            "vat": Decimal(19),
                            "step_size": 1,
                        }
                    ]
                }
            ],
        },
        valid_from=utc_now() - timedelta(hours=1),
    )
    tariff_assignments.assign({org}, tariff.id, AssignmentTarget.NETWORK, org, "test")
    signed_in_driver(EMAIL, name="Sam Finder")
    return ids[0], ids[1], other_id


@pytest.fixture(scope="module")
def prepared(running_app: RunningApp) -> Iterator[tuple[int, int, int]]:
    engine = db.make_engine(running_app.database_url)
    db.set_engine(engine)
    try:
        yield _prepare(running_app)
    finally:
        db.set_engine(None)
        engine.dispose()


async def _sign_in(browser: Browser, app: RunningApp, viewport: dict) -> Page:
    context = await browser.new_context(
        viewport=viewport,
        geolocation={"latitude": 53.55, "longitude": 10.0},
        permissions=["geolocation"],
    )
    page = await context.new_page()
    await page.goto(f"{app.web_url}/app")
    await expect(page.locator("#app-email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("#app-email", EMAIL)
    await page.fill("#app-password", PASSWORD)
    await page.click("[data-testid=app-sign-in-submit]")
    await expect(page.locator("[data-testid=stations-list]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    return page


async def _map_drawn(page: Page) -> None:
    """The map's canvas is there (plotly loads on its own); give its markers a moment."""
    canvas = page.locator("[data-testid=stations-map] canvas").first
    await expect(canvas).to_be_visible(timeout=30_000)
    await page.wait_for_timeout(1500)


async def _status(cp: object, status: ChargePointStatus) -> None:
    await cp.call(  # type: ignore[attr-defined]
        call.StatusNotification(
            connector_id=1, error_code=ChargePointErrorCode.no_error, status=status
        )
    )


async def test_find_a_charger_at_360px(
    running_app: RunningApp, browser: Browser, prepared: tuple[int, int, int]
) -> None:
    station, connector, other = prepared
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="B", charge_point_vendor="T"))
        assert boot.status == "Accepted"
        await _status(cp, ChargePointStatus.available)

        page = await _sign_in(browser, running_app, PHONE)
        card = page.locator(f"[data-testid=station-{station}]")
        row = card.locator(f"[data-testid=connector-{connector}]")
        await expect(row).to_have_attribute("data-availability", "free", timeout=UI_TIMEOUT_MS)
        await expect(row).to_contain_text("Type2 · 22 kW")
        await expect(row).to_contain_text("connector 1")
        await expect(card.locator(f"[data-testid=price-{connector}]")).to_have_text("€0.357/kWh")
        await expect(page.locator(f"[data-testid=station-{other}]")).to_contain_text("Essen")
        await expect(card.locator(f"[data-testid=directions-{station}]")).to_have_attribute(
            "href", "https://www.google.com/maps/dir/?api=1&destination=53.540000,9.970000"
        )
        await no_sideways_scroll(page, "the stations list")
        await _map_drawn(page)
        await _screenshot(page, "app-stations-360.png")

        # Filters: available now hides the offline station; a search that finds nothing.
        await page.click("[data-testid=filter-available]")
        await expect(page.locator(f"[data-testid=station-{other}]")).to_have_count(0)
        await expect(card).to_be_visible()
        await page.click("[data-testid=filter-available]")
        await page.fill("[data-testid=stations-search]", "essen")
        await expect(page.locator(f"[data-testid=station-{station}]")).to_have_count(0)
        await expect(page.locator(f"[data-testid=station-{other}]")).to_be_visible()
        await page.fill("[data-testid=stations-search]", "no such place")
        await expect(page.locator("[data-testid=stations-none-match]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await page.fill("[data-testid=stations-search]", "")
        await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)

        # Near me: the browser's position sorts and measures.
        await page.click("[data-testid=stations-near-me]")
        await expect(page.locator(f"[data-testid=distance-{station}]")).to_contain_text(
            "km", timeout=UI_TIMEOUT_MS
        )

        # The favourite star, and the favourites filter.
        star = page.locator(f"[data-testid=favourite-{station}]")
        await star.click()
        await expect(star).to_have_attribute("aria-pressed", "true", timeout=UI_TIMEOUT_MS)
        await page.click("[data-testid=filter-favourites]")
        await expect(page.locator(f"[data-testid=station-{other}]")).to_have_count(0)
        await expect(card).to_be_visible()
        await page.click("[data-testid=filter-favourites]")

        # Live: the charger's status reaches the list without a reload.
        await page.evaluate("window.__ccmsNoReload = true")
        await _status(cp, ChargePointStatus.charging)
        await expect(row).to_have_attribute("data-availability", "busy", timeout=UI_TIMEOUT_MS)
        assert await page.evaluate("window.__ccmsNoReload === true")

        # The station page: every connector, Charge here once it is free again (pushed too).
        await page.click(f"[data-testid=station-link-{station}]")
        await expect(page.locator("[data-testid=station-page]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        charge = page.locator(f"[data-testid=charge-{connector}]")
        await expect(charge).to_have_count(0)
        await expect(page.locator(f"[data-testid=reserve-{connector}]")).to_have_attribute(
            "href", f"/app/reserve/{connector}"
        )
        await _status(cp, ChargePointStatus.available)
        await expect(charge).to_have_attribute(
            "href", f"/app/c/{IDENTITY}/1", timeout=UI_TIMEOUT_MS
        )
        await no_sideways_scroll(page, "the station page")
        await _screenshot(page, "app-station-360.png")

        wide = await _sign_in(browser, running_app, WIDE)
        await expect(wide.locator(f"[data-testid=price-{connector}]")).to_have_text("€0.357/kWh")
        await _map_drawn(wide)
        await _screenshot(wide, "app-stations-1440.png")
        await wide.goto(f"{running_app.web_url}/app/stations/{station}")
        await expect(wide.locator("[data-testid=station-page]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await _screenshot(wide, "app-station-1440.png")
        await wide.goto(f"{running_app.web_url}/app/stations/999999")
        await expect(wide.locator("[data-testid=station-not-found]")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
