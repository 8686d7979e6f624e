"""Home in the real app and headless Chromium, at 1440 and 360 px: an operator in Tokyo with
a session earlier today (12.5 kWh, €7.50), one two years ago (8 kWh, €4.00), a running one
at 7.4 kW and a few power samples, seeded as rows. The network tiles, today and this month,
live power per station, the 24 h curve and the four bar charts show them; switching day /
month / year redraws the charts (their plotly data) and the table of numbers; nothing
scrolls sideways. Screenshots go to var/screens-analytics/home-*.png for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import func
from sqlmodel import col, select

from ccms_app.accounts.models import OperatorAccount
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.display import time_zone
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.revenue import local_midnight
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from tests.analytics import seed
from tests.analytics.test_home_figures import _power, _sample
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
ZONE = "Asia/Tokyo"
SCREENS = PROJECT_ROOT / "var" / "screens-analytics"


@dataclass(frozen=True)
class Seeded:
    today_key: str  # "2026-11-02": today in Tokyo
    old_year: str  # the year of the session two years ago
    station: int
    stations: int
    charge_points: int
    connectors: int


def _seed(app: RunningApp) -> Seeded:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(time_zone(ZONE)).date()
    midnight = local_midnight(today, ZONE)
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
        station = seed.station(org, "Harbour Car Park", ZONE)
        cp1 = seed.charge_point(org, station, "CP-HOME-1")
        cp2 = seed.charge_point(org, station, "CP-HOME-2")
        with db.session_scope() as s:
            for cp, connector_id in ((cp1, 1), (cp1, 2), (cp2, 1)):
                s.add(Connector(organisation_id=org, charge_point_id=cp, connector_id=connector_id))
        # Inside today in Tokyo whatever the hour: the middle third of the day so far.
        third = (now - midnight) / 3
        seed.charging_session(
            org, cp1, midnight + third, midnight + 2 * third, 12_500, amount_incl_minor=750
        )
        old = now - timedelta(days=800)
        seed.charging_session(org, cp2, old, old + timedelta(hours=1), 8_000, amount_incl_minor=400)
        running = seed.charging_session(
            org, cp2, now - timedelta(minutes=10), None, 0, readings=[(now, 0)]
        )
        _power(running, 7_400.0)
        for minutes, watts in ((20, 3_000), (15, 7_400), (10, 7_400)):
            _sample(org, now - timedelta(minutes=minutes), watts)
        with db.read_session() as s:
            counted = (
                col(ChargePoint.organisation_id) == org,
                col(ChargePoint.registration_state) != RegistrationState.UNREGISTERED,
            )
            stations = s.execute(
                select(func.count()).select_from(Station).where(col(Station.organisation_id) == org)
            ).scalar_one()
            charge_points = s.execute(
                select(func.count()).select_from(ChargePoint).where(*counted)
            ).scalar_one()
            connectors = s.execute(
                select(func.count())
                .select_from(Connector)
                .join(ChargePoint, col(ChargePoint.id) == col(Connector.charge_point_id))
                .where(*counted)
            ).scalar_one()
    finally:
        db.set_engine(None)
    return Seeded(
        today.isoformat(),
        str(old.astimezone(time_zone(ZONE)).year),
        station,
        int(stations),
        int(charge_points),
        int(connectors),
    )


async def _chart_data(page: Page, key: str) -> tuple[list[str], list[float]]:
    """The bar chart's x (bucket labels) and y, as plotly holds them on its graph div."""
    graph = page.locator(f"[data-testid=home-chart-{key}] .js-plotly-plot >> visible=true").first
    await expect(graph).to_be_attached(timeout=UI_TIMEOUT_MS)
    data = await graph.evaluate("g => [g.data[0].x, g.data[0].y]")
    return list(data[0]), [float(v) for v in data[1]]


async def _expect_buckets(page: Page, count: int) -> None:
    graph = page.locator("[data-testid=home-chart-energy] .js-plotly-plot").first
    for _ in range(UI_TIMEOUT_MS // 250):
        if await graph.evaluate("g => (g.data && g.data[0].x.length) || 0") == count:
            return
        await page.wait_for_timeout(250)
    raise AssertionError(f"the charts did not switch to {count} buckets")


async def _switch(page: Page, label: str, count: int) -> None:
    await page.locator("[data-testid=home-period]").get_by_role("radio", name=label).click()
    await _expect_buckets(page, count)


async def _no_sideways(page: Page, width: int) -> None:
    scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"Home scrolls sideways at {width} px ({scroll_width} px)"


async def _shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENS / name), full_page=True)


async def _check_figures(page: Page, seeded: Seeded) -> None:
    """Today's and this month's tiles, the network's size, live power per station."""
    for prefix in ("today", "month"):  # the old session is neither today nor this month
        await expect(page.locator(f"[data-testid={prefix}-sessions]")).to_have_text(
            "1", timeout=UI_TIMEOUT_MS
        )
        await expect(page.locator(f"[data-testid={prefix}-energy]")).to_have_text("12.5 kWh")
        await expect(page.locator(f"[data-testid={prefix}-revenue]")).to_have_text("€7.50")
    await expect(page.locator("[data-testid=net-stations]")).to_have_text(str(seeded.stations))
    await expect(page.locator("[data-testid=net-charge_points]")).to_have_text(
        str(seeded.charge_points)
    )
    await expect(page.locator("[data-testid=net-connectors]")).to_have_text(str(seeded.connectors))
    await expect(page.locator("[data-testid=net-sub_operators]")).to_have_text("0")
    await expect(page.locator("[data-testid=net-licence]")).to_have_text("No terms")
    site = page.locator(f"[data-testid=site-power-{seeded.station}]")
    await expect(site).to_contain_text("Harbour Car Park")
    await expect(site).to_contain_text("7.4 kW")
    await expect(page.locator("[data-testid=live-power]")).to_have_text("7.4 kW")
    await expect(page.locator("[data-testid=home-power-curve] .js-plotly-plot")).to_be_attached()
    await expect(page.locator("[data-testid=home-power-curve-note]")).to_contain_text(
        "samples start when CCMS runs; a point every 5 minutes"
    )


async def _check_periods(page: Page, seeded: Seeded) -> None:
    """Days, years, months: the charts' data and the table's numbers follow the switch."""
    labels, sessions = await _chart_data(page, "sessions")
    assert len(labels) == 30 and sessions[-1] == 1 and sum(sessions) == 1
    _labels, energy = await _chart_data(page, "energy")
    assert energy[-1] == 12.5
    await page.click("[data-testid=home-period-numbers]")
    today_row = page.locator(f"[data-testid=home-period-{seeded.today_key}]")
    await expect(today_row).to_contain_text("12.5 kWh")
    await expect(today_row).to_contain_text("€7.50")
    total = page.locator("[data-testid=home-period-total]")
    await expect(total).to_contain_text("€7.50")
    await _shot(page, "home-1440.png")

    await _switch(page, "By year", 5)
    labels, sessions = await _chart_data(page, "sessions")
    assert sum(sessions) == 2 and seeded.old_year in labels
    _labels, revenue = await _chart_data(page, "revenue")
    assert sum(revenue) == 11.5
    await expect(total).to_contain_text("20.5 kWh")
    await expect(total).to_contain_text("€11.50")
    await expect(page.locator(f"[data-testid=home-period-{seeded.old_year}]")).to_contain_text(
        "8.0 kWh"
    )
    await _shot(page, "home-years-1440.png")

    await _switch(page, "By month", 12)
    _labels, sessions = await _chart_data(page, "sessions")
    assert sum(sessions) == 1
    await expect(total).to_contain_text("12.5 kWh")
    await expect(total).not_to_contain_text("20.5 kWh")


async def test_home_at_1440_and_360_px(running_app: RunningApp, browser: Browser) -> None:
    seeded = _seed(running_app)
    wide = await _log_in(browser, running_app, WIDE, "/")
    await _check_figures(wide, seeded)
    await wide.wait_for_load_state("networkidle")
    await _no_sideways(wide, WIDE["width"])
    await _check_periods(wide, seeded)
    await _no_sideways(wide, WIDE["width"])

    phone = await _log_in(browser, running_app, PHONE, "/")
    await expect(phone.locator("[data-testid=today-energy]")).to_have_text(
        "12.5 kWh", timeout=UI_TIMEOUT_MS
    )
    _labels, energy = await _chart_data(phone, "energy")
    assert energy[-1] == 12.5
    await phone.click("[data-testid=home-period-numbers]")
    await phone.wait_for_load_state("networkidle")
    await phone.wait_for_timeout(800)
    await _no_sideways(phone, PHONE["width"])
    await _shot(phone, "home-360.png")
    await _switch(phone, "By year", 5)
    await _no_sideways(phone, PHONE["width"])
