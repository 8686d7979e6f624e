"""Every Maintenance page at 1440 and 360 px, in the real app and headless Chromium, with a bit
of everything seeded (an alarm raised over real OCPP and its rule's work order, a work order
by hand with a long title, a vendor code, a plan, a technician covering an area): each page
shows its sub-navigation, nothing scrolls sideways, and a screenshot of each is saved
(artifacts/screenshots/maintenance-pages-<page>-<width>.png) for a person to look at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from playwright.async_api import Browser, Page, expect
from sqlmodel import Session, col, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, VendorErrorCode
from ccms_app.maintenance.work_orders.creation import create_work_order
from ccms_app.maintenance.work_orders.models import (
    MaintenancePlan,
    MaintenanceStaff,
    MaintenanceStaffArea,
    WorkOrder,
)
from ccms_app.network.models import ChargePoint, Connector, OperationArea, Station
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    ADMIN_EMAIL,
    IDENTITY,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}
PAGES = (
    "",
    "alarms",
    "alarm",
    "work-orders",
    "work-order",
    "events",
    "reports",
    "plans",
    "staff",
    "alarm-rules",
)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _seed(app: RunningApp) -> int:
    """Everything but the alarm (raised over OCPP); the hand-made work order's id."""
    engine = db.make_engine(app.database_url)
    try:
        with Session(db.writer_engine(engine)) as s:
            admin = s.exec(
                select(OperatorAccount).where(col(OperatorAccount.email) == ADMIN_EMAIL)
            ).one()
            org_id = admin.organisation_id
            area = OperationArea(organisation_id=org_id, name="Harbour and old town")
            s.add(area)
            s.flush()
            station = Station(
                organisation_id=org_id, area_id=area.id, name="Harbour P+R, upper deck level 4"
            )
            s.add(station)
            s.flush()
            cp = ChargePoint(
                organisation_id=org_id,
                station_id=station.id,
                identity="CP-HARBOUR-UPPER-DECK-0042",
                vendor="ACME",
                model="AC22",
                registration_state="registered",
            )
            s.add(cp)
            s.flush()
            cp_id = stored_id(cp.id)
            s.add(Connector(organisation_id=org_id, charge_point_id=cp_id, connector_id=1))
            technician = OperatorAccount(
                organisation_id=org_id,
                email="pia.phone-technician@example.com",
                full_name="Pia Phone-Technician",
                password_hash=auth.hash_password("a long technician password 9"),
                role_id=auth.built_in_role_id(s, MAINTENANCE_STAFF),
            )
            s.add(technician)
            s.flush()
            tech_id = stored_id(technician.id)
            s.add(
                MaintenanceStaff(
                    account_id=tech_id, organisation_id=org_id, phone="+48 600 100 200"
                )
            )
            s.flush()
            s.add(MaintenanceStaffArea(account_id=tech_id, area_id=stored_id(area.id)))
            s.add(
                AlarmRule(
                    organisation_id=org_id,
                    name="Faulted connectors: mail the night shift and open a work order",
                    cause="connector_faulted",
                    severity="major",
                    email_recipients="night-shift@example.com, maintenance-lead@example.com",
                    create_work_order=True,
                    work_order_priority="high",
                )
            )
            s.add(
                VendorErrorCode(
                    organisation_id=org_id,
                    vendor="ACME",
                    vendor_error_code="E-42",
                    readable_cause="Residual current device tripped (water in the socket?)",
                    severity="major",
                )
            )
            s.add(
                MaintenancePlan(
                    organisation_id=org_id,
                    name="Half-yearly inspection of every ACME AC22 wallbox",
                    vendor="ACME",
                    model="AC22",
                    every_months=6,
                    next_due_at=utc_now() + timedelta(days=30),
                )
            )
            order = create_work_order(
                s,
                organisation_id=org_id,
                charge_point_id=cp_id,
                title="Connector 1 cable sheath torn open near the handle, exposed wires",
                description="A driver reported the cable sheath open near the handle. "
                "Take a replacement cable (type 2, 7 m) and the crimping kit.",
                priority="critical",
                source="manual",
                actor=ADMIN_EMAIL,
                connector_id=1,
                assignee_account_id=tech_id,
                now=utc_now(),
            )
            order_id = stored_id(order.id)
            s.commit()
    finally:
        engine.dispose()
    return order_id


def _latest_alarm_id(app: RunningApp) -> int:
    engine = db.make_engine(app.database_url)
    try:
        with Session(engine) as s:
            alarm = s.exec(select(Alarm).order_by(col(Alarm.id).desc())).first()
            return stored_id(alarm.id) if alarm is not None else 0
    finally:
        engine.dispose()


def _rule_work_order(app: RunningApp) -> int:
    engine = db.make_engine(app.database_url)
    try:
        with Session(engine) as s:
            order = s.exec(select(WorkOrder).where(WorkOrder.source == "rule")).first()
            return stored_id(order.id) if order is not None else 0
    finally:
        engine.dispose()


async def _tour(page: Page, app: RunningApp, width: int, ids: dict[str, int]) -> None:
    for name in PAGES:
        path = {
            "": "/maintenance",
            "alarm": f"/maintenance/alarms/{ids['alarm']}",
            "work-order": f"/maintenance/work-orders/{ids['work_order']}",
        }.get(name, f"/maintenance/{name}")
        await page.goto(f"{app.web_url}{path}")
        await expect(
            page.locator("[data-testid=maintenance-tab-alarms] >> visible=true")
        ).to_be_visible(timeout=UI_TIMEOUT_MS)
        await page.wait_for_load_state("networkidle")
        await page.wait_for_timeout(1500)  # the page's on_load data
        scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width} px ({scroll_width} px)"
        await _screenshot(page, f"maintenance-pages-{name or 'overview'}-{width}.png")


async def test_every_maintenance_page_at_1440_and_360_px(
    running_app: RunningApp, browser: Browser
) -> None:
    work_order_id = _seed(running_app)
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(
            call.BootNotification(charge_point_model="AC22", charge_point_vendor="ACME")
        )
        assert boot.status == "Accepted"
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code="GroundFailure",
                status="Faulted",
                timestamp=_now(),
                info="RCD tripped",
                vendor_id="ACME",
                vendor_error_code="E-42",
            )
        )
        wide = await _log_in(browser, running_app, WIDE, "/maintenance")
        count = wide.locator("[data-testid=alarm-bell-count] >> visible=true")
        await expect(count).to_have_text("1", timeout=UI_TIMEOUT_MS)
        ids = {"alarm": _latest_alarm_id(running_app), "work_order": work_order_id}
        assert ids["alarm"] and _rule_work_order(running_app)
        await _tour(wide, running_app, WIDE["width"], ids)
        phone = await _log_in(browser, running_app, PHONE, "/maintenance")
        await _tour(phone, running_app, PHONE["width"], ids)
