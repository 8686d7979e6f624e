"""A session's cost in the real app and headless Chromium, over real OCPP: the cost so far in
Live Monitoring and on the charge point page while it runs, then this month's revenue on the
Finance overview once it stopped. Screenshots at 1440 px and 360 px; nothing scrolls sideways
on a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.drivers.models import IdTag
from ccms_app.finance.live_costs import refresh_running_costs
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
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

CARD = "CARD-LIVE-COST"
ENERGY_ONLY = {
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "19", "step_size": 1}]}
    ],
}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def priced(running_app: RunningApp) -> None:
    """In the running app's database: 0.30 EUR/kWh + 19 % VAT as the network default."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
            session.add(IdTag(id_tag=CARD, organisation_id=operator_id))
        scope = frozenset({operator_id})
        tariff = create_tariff(
            scope,
            operator_id,
            "Energy only",
            ENERGY_ONLY,
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        )
        assign(scope, tariff.id, AssignmentTarget.NETWORK, operator_id, "test")
    finally:
        db.set_engine(None)


def _refresh_costs(running_app: RunningApp) -> None:
    """What the app's live cost job does every 30 s, done now against its database."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        refresh_running_costs()
    finally:
        db.set_engine(None)


async def test_cost_so_far_then_revenue(
    running_app: RunningApp, browser: Browser, priced: None
) -> None:
    started_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=CARD, meter_start=0, timestamp=iso(started_at)
            )
        )
        tx = started.transaction_id
        sampled = [{"value": "5000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=tx,
                meter_value=[
                    {"timestamp": iso(started_at + timedelta(minutes=19)), "sampled_value": sampled}
                ],
            )
        )
        _refresh_costs(running_app)  # 5 kWh x 0.30 = 1.50 + 19 % VAT = 1.785 -> €1.79

        live = await _log_in(browser, running_app, DESKTOP, "/live")
        await expect(live.locator("body")).to_contain_text("€1.79", timeout=UI_TIMEOUT_MS)
        await _screenshot(live, "live-monitoring-cost-so-far-1440.png")
        page = await _log_in(browser, running_app, DESKTOP, f"/charge-points/{IDENTITY}")
        badge = page.locator(f"[data-testid=cp-session-cost-{tx}]")
        await expect(badge).to_contain_text("€1.79", timeout=UI_TIMEOUT_MS)
        await _screenshot(page, "charge-point-cost-so-far-1440.png")
        overview = await _log_in(browser, running_app, DESKTOP, "/finance")
        await expect(overview.locator("[data-testid=fin-running]")).to_have_text(
            "€1.79", timeout=UI_TIMEOUT_MS
        )

        await cp.call(
            call.StopTransaction(
                transaction_id=tx,
                meter_stop=6000,
                timestamp=iso(started_at + timedelta(minutes=20)),
            )
        )
    # Priced in the stop's commit: 6 kWh x 0.30 = 1.80 + 0.342 VAT -> €2.14.
    await overview.reload()
    revenue = overview.locator("[data-testid=finance-revenue-EUR]")
    await expect(revenue).to_contain_text("€2.14", timeout=UI_TIMEOUT_MS)
    await expect(revenue).to_contain_text("€1.80")
    await _screenshot(overview, "finance-overview-1440.png")

    phone = await _log_in(browser, running_app, PHONE, "/finance")
    await expect(phone.locator("[data-testid=finance-revenue-EUR]")).to_contain_text(
        "€2.14", timeout=UI_TIMEOUT_MS
    )
    await no_sideways_scroll(phone, "Finance overview")
    await _screenshot(phone, "finance-overview-360.png")
    await phone.goto(f"{running_app.web_url}/live")
    await expect(phone.locator("body")).to_contain_text(IDENTITY, timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(phone, "Live Monitoring")
    await _screenshot(phone, "live-monitoring-360.png")
