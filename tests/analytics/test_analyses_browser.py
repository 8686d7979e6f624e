"""Business analyses in the real app and headless Chromium, at 1440 and 360 px: an operator
in Berlin with sessions in last month (2 orders, 15 kWh, EUR 7.50), the month before (1, 5 kWh,
EUR 2.50) and the same month a year before (1, 10 kWh, EUR 5.00), a running session at 11 kW
at one station and power samples at another, seeded as rows. Choosing last month shows the
seeded comparison and its changes; the year chart, a station's 24 h curve and the status
chart are plotly charts; choosing the other station shows its curve; nothing scrolls
sideways. Screenshots go to var/screens-analytics/analyses-*.png for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import insert
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.analytics.models import PowerSample
from ccms_app.analytics.rules.cycles import add_months, first_of_month
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.display import time_zone
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.revenue import local_midnight
from ccms_app.network.models import ChargePoint, Connector
from tests.analytics import seed
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
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
ZONE = "Europe/Berlin"
SCREENS = PROJECT_ROOT / "var" / "screens-analytics"
ROUTE = "/analytics/analyses"


@dataclass(frozen=True)
class Seeded:
    month_label: str  # "March 2026": last month, the one the test chooses
    depot: int
    harbour: int


def _session(org: int, cp: int, day: date, kwh: int, cents: int) -> None:
    """A session from 10:00 to 11:00 local time on `day`."""
    start = local_midnight(day, ZONE) + timedelta(hours=10)
    seed.charging_session(
        org, cp, start, start + timedelta(hours=1), kwh * 1000, amount_incl_minor=cents
    )


def _seed(app: RunningApp) -> Seeded:
    now = datetime.now(UTC).replace(microsecond=0)
    chosen = add_months(first_of_month(now.astimezone(time_zone(ZONE)).date()), -1)
    db.set_engine(db.make_engine(app.database_url))
    try:
        with db.session_scope() as s:
            admin = s.exec(
                select(OperatorAccount).where(col(OperatorAccount.email) == ADMIN_EMAIL)
            ).one()
            org = int(admin.organisation_id)
            profile = s.get(BillingProfile, org) or BillingProfile(organisation_id=org)
            profile.time_zone, profile.currency = ZONE, "EUR"
            s.add(profile)
        depot = seed.station(org, "Depot North", ZONE)
        harbour = seed.station(org, "Harbour Car Park", ZONE)
        cp1 = seed.charge_point(org, depot, "CP-AN-1")
        cp2 = seed.charge_point(org, harbour, "CP-AN-2")
        with db.session_scope() as s:
            for cp in (cp1, cp2):  # in service for two years: the range counts in full
                found = s.get(ChargePoint, cp)
                assert found is not None
                found.created_at = now - timedelta(days=800)
            for cp, connector_id in ((cp1, 1), (cp1, 2), (cp2, 1)):
                s.add(Connector(organisation_id=org, charge_point_id=cp, connector_id=connector_id))
        _session(org, cp1, chosen.replace(day=3), 12, 600)
        _session(org, cp2, chosen.replace(day=5), 3, 150)
        _session(org, cp1, add_months(chosen, -1).replace(day=3), 5, 250)
        _session(org, cp2, add_months(chosen, -12).replace(day=3), 10, 500)
        running = seed.charging_session(org, cp1, now - timedelta(minutes=40), None, 4_000)
        with db.session_scope() as s:
            row = s.get(ChargingSession, running)
            assert row is not None
            row.power_w = 11_000.0
        samples = []
        for n in range(1, 48):  # every 15 minutes over the last 12 hours
            at = now - timedelta(minutes=15 * n)
            samples.append(
                {
                    "organisation_id": org, "station_id": None, "at": at,
                    "power_w": 7_000 + 100 * (n % 9), "charging": 1,
                    "online": 3, "offline": n % 2, "faulted": 1 if n % 7 == 0 else 0,
                }
            )  # fmt: skip
            samples.append(
                {
                    "organisation_id": org, "station_id": harbour, "at": at,
                    "power_w": 7_000 + 100 * (n % 9), "charging": 1,
                }
            )  # fmt: skip
        with db.session_scope() as s:
            s.execute(insert(PowerSample), samples)
        return Seeded(chosen.strftime("%B %Y"), depot, harbour)
    finally:
        db.set_engine(None)


async def _no_sideways(page: Page, width: int) -> None:
    scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{ROUTE} scrolls sideways at {width} px ({scroll_width} px)"


async def _row_has(page: Page, testid: str, *texts: str) -> None:
    row = page.locator(f"[data-testid='{testid}']")
    for text in texts:
        await expect(row).to_contain_text(text, timeout=UI_TIMEOUT_MS)


async def _tour(page: Page, width: int, seeded: Seeded) -> None:
    await expect(page.locator("[data-testid='an-cycle-orders']")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await page.click("[data-testid='an-month']")
    await page.get_by_role("option", name=seeded.month_label).click()
    await _row_has(page, "an-cycle-orders", "2", "1", "+100.0 %")
    await _row_has(page, "an-cycle-energy", "15.0 kWh", "5.0 kWh", "+200.0 %", "10.0 kWh")
    await _row_has(page, "an-cycle-energy", "+50.0 %")
    await _row_has(page, "an-cycle-amount-EUR", "€7.50", "€2.50", "+200.0 %", "€5.00")
    await expect(page.locator("[data-testid='an-cycle-labels']")).to_contain_text(
        seeded.month_label[:3]
    )
    # live power: the depot charges at 11 kW, ranked first, its curve shown
    await _row_has(page, f"an-power-{seeded.depot}", "Depot North", "11.0 kW")
    await expect(page.locator("[data-testid='an-curve-title']")).to_contain_text("Depot North")
    await page.click("[data-testid='an-power-station']")
    await page.get_by_role("option", name="Harbour Car Park").click()
    await expect(page.locator("[data-testid='an-curve-title']")).to_contain_text(
        "Harbour Car Park", timeout=UI_TIMEOUT_MS
    )
    curve = page.locator("[data-testid='an-curve'] .js-plotly-plot .scatterlayer .trace")
    await expect(curve.first).to_be_attached(timeout=UI_TIMEOUT_MS)
    # usage and availability rows for both stations; every chart drawn by plotly
    await expect(page.locator(f"[data-testid='an-usage-station-{seeded.harbour}']")).to_be_visible()
    depot = page.locator(f"[data-testid='an-avail-station-{seeded.depot}']")
    await expect(depot).to_contain_text("100.00 %")  # no outage recorded
    for chart in ("an-year-chart", "an-curve", "an-status-chart"):
        plot = page.locator(f"[data-testid='{chart}'] .js-plotly-plot .main-svg")
        await expect(plot.first).to_be_attached(timeout=UI_TIMEOUT_MS)
    bars = page.locator("[data-testid='an-year-chart'] .barlayer .trace")
    await expect(bars).to_have_count(2)
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(800)
    await _no_sideways(page, width)
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / f"analyses-{width}.png"), full_page=True)


async def test_business_analyses_at_1440_and_360_px(
    running_app: RunningApp, browser: Browser
) -> None:
    seeded = _seed(running_app)
    wide = await _log_in(browser, running_app, WIDE, ROUTE)
    await _tour(wide, WIDE["width"], seeded)
    phone = await _log_in(browser, running_app, PHONE, ROUTE)
    await _tour(phone, PHONE["width"], seeded)
