"""Analytics -> Statistics in the real app and headless Chromium, at 1440 and 360 px: three
stations' worth of charge points in every state, charging in March 2025 and February 2025
(Berlin time), a work order and two faults, seeded as rows. The page renders its plotly
charts and nothing scrolls sideways; switching day / month / year and choosing a station
change the numbers; the sessions' CSV export adds up to the totals the page shows.
Screenshots go to var/screens-analytics/ for a person to look at."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.finance.models import BillingProfile
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.work_orders.models import WorkOrder, WorkOrderStatus
from ccms_app.network.models import ChargePoint, Connector
from tests.analytics import seed
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}
SCREENS = PROJECT_ROOT / "var" / "screens-analytics"
ZONE = "Europe/Berlin"


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def _seed(app: RunningApp) -> dict[str, int]:
    """Depot North (area North: CP-A online, CP-B offline) and Street Parking (CP-C online,
    its connector Faulted);
    March 2025: 3 Mar 10 kWh EUR 5.00 (A) and 20 kWh EUR 8.00 (B), 15 Mar 6 kWh EUR 3.00
    (C); February: 8 kWh EUR 4.00 (A)."""
    db.set_engine(db.make_engine(app.database_url))
    try:
        with db.session_scope() as s:
            org = int(root_organisation(s).id or 0)
            profile = s.get(BillingProfile, org) or BillingProfile(organisation_id=org)
            profile.time_zone, profile.currency = ZONE, "EUR"
            s.add(profile)
        area = seed.area(org, "North")
        depot = seed.station(org, "Depot North", ZONE, area)
        street = seed.station(org, "Street Parking", ZONE)
        cp_a = seed.charge_point(org, depot, "STAT-CP-A")
        cp_b = seed.charge_point(org, depot, "STAT-CP-B")
        cp_c = seed.charge_point(org, street, "STAT-CP-C")
        with db.session_scope() as s:
            a, b = s.get(ChargePoint, cp_a), s.get(ChargePoint, cp_b)
            assert a is not None and b is not None
            a.vendor, a.model, a.min_power_w, a.max_power_w = "ACME", "AC22", 3_700, 22_000
            b.is_online = False
            s.add_all([a, b])
            s.add(Connector(organisation_id=org, charge_point_id=cp_c, connector_id=1,
                            status="Faulted"))  # fmt: skip
            s.add(WorkOrder(organisation_id=org, title="Faulted connector",
                            charge_point_id=cp_c, created_at=at(3, 15, 10)))  # fmt: skip
            s.add(WorkOrder(organisation_id=org, title="Cable", status=WorkOrderStatus.CLOSED,
                            charge_point_id=cp_a, created_at=at(3, 4, 10)))  # fmt: skip
            s.add(Alarm(organisation_id=org, charge_point_id=cp_c, cause="connector_faulted",
                        fault_started_at=at(3, 15, 9)))  # fmt: skip
            s.add(Alarm(organisation_id=org, charge_point_id=cp_b, cause="offline",
                        fault_started_at=at(3, 20, 9)))  # fmt: skip
        for cp, start, wh, minor in [
            (cp_a, at(3, 3, 9), 10_000, 500),
            (cp_b, at(3, 3, 12), 20_000, 800),
            (cp_c, at(3, 15, 8), 6_000, 300),
            (cp_a, at(2, 10, 9), 8_000, 400),
        ]:
            seed.charging_session(
                org, cp, start, start.replace(hour=start.hour + 1), wh, amount_incl_minor=minor
            )
        return {"street": street}
    finally:
        db.set_engine(None)


def _visible(page: Page, testid: str) -> Locator:
    return page.locator(f"[data-testid='{testid}'] >> visible=true").first


async def _settle(page: Page) -> None:
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(800)


async def _no_sideways(page: Page, width: int, what: str) -> None:
    scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{what} scrolls sideways at {width} px ({scroll_width} px)"


async def _shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name), full_page=True)


async def _march(page: Page) -> None:
    """Choose 1-31 March 2025 (the To day first, so no step asks for too many days)."""
    await page.fill("[data-testid='stats-filter-to']", "2025-03-31")
    await page.fill("[data-testid='stats-filter-from']", "2025-03-01")
    await expect(_visible(page, "stats-total-orders")).to_have_text("3", timeout=UI_TIMEOUT_MS)


async def _totals(page: Page, orders: str, energy: str, amount: str) -> None:
    await expect(_visible(page, "stats-total-orders")).to_have_text(orders, timeout=UI_TIMEOUT_MS)
    await expect(_visible(page, "stats-total-energy")).to_have_text(energy)
    await expect(_visible(page, "stats-total-amount")).to_have_text(amount)


async def _charts_rendered(page: Page) -> None:
    for key in ("orders", "energy", "amount"):
        chart = page.locator(f"[data-testid='stats-chart-{key}'] .js-plotly-plot")
        await expect(chart).to_be_visible(timeout=UI_TIMEOUT_MS)
        bars = page.locator(f"[data-testid='stats-chart-{key}'] .barlayer .trace")
        await expect(bars).to_have_count(1)
    pie = page.locator("[data-testid='stats-faults-pie'] .js-plotly-plot")
    await expect(pie).to_be_visible()


async def _kind(page: Page, name: str) -> None:
    await page.locator("[data-testid='stats-filter-kind']").get_by_role("radio", name=name).click()


async def _csv_sums(page: Page) -> tuple[int, Decimal, Decimal, int]:
    async with page.expect_download() as info:
        await page.click("[data-testid='stats-sessions-export'] >> visible=true")
    download = await info.value
    assert download.suggested_filename == "charging-sessions-2025-03-01-to-2025-03-31.csv"
    rows = list(csv.DictReader(io.StringIO((await download.path()).read_text("utf-8"))))
    return (
        sum(int(r["Orders in range"]) for r in rows),
        sum((Decimal(r["Energy in range (kWh)"]) for r in rows), Decimal(0)),
        sum((Decimal(r["Amount in range incl. VAT"] or "0") for r in rows), Decimal(0)),
        len(rows),
    )


async def _desktop(page: Page) -> None:
    # the app's own CP-BROWSER-1 (registered, not connected) at its own station too
    await expect(_visible(page, "stats-count-charge_points")).to_have_text(
        "4", timeout=UI_TIMEOUT_MS
    )
    for key, value in (("online", "2"), ("offline", "2"), ("faulted", "1"), ("stations", "3")):
        await expect(_visible(page, f"stats-count-{key}")).to_have_text(value)
    await _march(page)
    await _totals(page, "3", "36.00 kWh", "€16.00")
    # against 1-28 February: one order of 8 kWh and EUR 4.00
    await expect(_visible(page, "stats-total-orders-change")).to_have_text("+200.0 %")
    await expect(_visible(page, "stats-total-energy-change")).to_have_text("+350.0 %")
    await expect(_visible(page, "stats-total-amount-change")).to_have_text("+300.0 %")
    table = _visible(page, "stats-buckets")
    await expect(table.locator("[data-testid='stats-bucket-2025-03-03']")).to_contain_text(
        "30.00 kWh"
    )
    await expect(table.locator("tbody tr")).to_have_count(32)  # 31 days and the total
    await expect(_visible(page, "stats-wo-total")).to_have_text("2")
    await expect(_visible(page, "stats-fault-connector_faulted")).to_contain_text("50.0 %")
    await _charts_rendered(page)
    # the CSV's rows add up to the totals shown
    assert await _csv_sums(page) == (3, Decimal("36.000"), Decimal("16.00"), 3)
    await _settle(page)
    await _no_sideways(page, WIDE["width"], "/analytics")
    await _shot(page, "statistics-days-1440.png")

    await _kind(page, "Month")
    await expect(table.locator("tbody tr")).to_have_count(2, timeout=UI_TIMEOUT_MS)
    await expect(table.locator("[data-testid='stats-bucket-2025-03']")).to_contain_text("36.00")
    await _kind(page, "Year")
    year = table.locator("[data-testid='stats-bucket-2025']")
    await expect(year).to_contain_text("01 Mar-31 Mar 2025", timeout=UI_TIMEOUT_MS)
    await expect(year).to_contain_text("€16.00")
    await _kind(page, "Day")
    await expect(table.locator("tbody tr")).to_have_count(32, timeout=UI_TIMEOUT_MS)

    await page.click("[data-testid='stats-filter-station']")
    await page.get_by_role("option", name="Street Parking").click()
    await _totals(page, "1", "6.00 kWh", "€3.00")
    await expect(_visible(page, "stats-count-charge_points")).to_have_text("1")
    await expect(_visible(page, "stats-total-orders-change")).to_have_text("no data")
    await expect(_visible(page, "stats-wo-total")).to_have_text("1")
    await expect(_visible(page, "stats-sessions-range")).to_have_text("1-1 of 1")
    assert await _csv_sums(page) == (1, Decimal("6.000"), Decimal("3.00"), 1)
    await _settle(page)
    await _shot(page, "statistics-street-1440.png")


async def test_statistics_at_1440_and_360_px(running_app: RunningApp, browser: Browser) -> None:
    _seed(running_app)
    wide = await _log_in(browser, running_app, WIDE, "/analytics")
    await _desktop(wide)

    phone = await _log_in(browser, running_app, PHONE, "/analytics")
    await _march(phone)
    await _totals(phone, "3", "36.00 kWh", "€16.00")
    await _charts_rendered(phone)
    cards = phone.locator("[data-testid^='stats-sessions-card-'] >> visible=true")
    await expect(cards).to_have_count(3)
    await _settle(phone)
    await _no_sideways(phone, PHONE["width"], "/analytics")
    await _shot(phone, "statistics-days-360.png")
