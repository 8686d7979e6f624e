"""A Maintenance staff technician on a 360 px phone works a work order in the real app and
headless Chromium: opens it from the list, claims it, starts it, writes a note, uploads a
photo (the phone's picker), resolves it; nothing scrolls sideways. Screenshots at 360 and
1440 px. (Written for the lead's end-to-end run; run only with `-m browser`.)
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import Session, col, select

from ccms_app.accounts import auth
from ccms_app.accounts.models import OperatorAccount
from ccms_app.accounts.rules.permissions import MAINTENANCE_STAFF
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.maintenance.work_orders.creation import create_work_order
from ccms_app.network.models import ChargePoint, Connector, OperationArea, Station
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    ADMIN_EMAIL,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    no_sideways_scroll,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

TECH_EMAIL = "wo-tech@example.com"
TECH_PASSWORD = "a long technician password 7"
WIDE = {"width": 1440, "height": 900}
LIST = "/maintenance/work-orders"


def _png() -> bytes:
    """A real 8x8 PNG (what a phone camera would give, only smaller)."""
    raw = b"".join(b"\x00" + b"\x20\x90\x80" * 8 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _seed(app: RunningApp) -> int:
    """A station, a charge point, a technician with a password and an open work order in
    the running app's database; the work order's id."""
    engine = db.make_engine(app.database_url)
    try:
        with Session(db.writer_engine(engine)) as s:
            admin = s.exec(
                select(OperatorAccount).where(col(OperatorAccount.email) == ADMIN_EMAIL)
            ).one()
            org_id = admin.organisation_id
            area = OperationArea(organisation_id=org_id, name="Harbour")
            s.add(area)
            s.flush()
            station = Station(organisation_id=org_id, area_id=area.id, name="Harbour P+R")
            s.add(station)
            s.flush()
            cp = ChargePoint(
                organisation_id=org_id,
                station_id=station.id,
                identity="CP-WO-PHONE",
                vendor="ACME",
                registration_state="registered",
            )
            s.add(cp)
            s.flush()
            s.add(
                Connector(organisation_id=org_id, charge_point_id=stored_id(cp.id), connector_id=1)
            )
            s.add(
                OperatorAccount(
                    organisation_id=org_id,
                    email=TECH_EMAIL,
                    full_name="Pia Phone",
                    password_hash=auth.hash_password(TECH_PASSWORD),
                    role_id=auth.built_in_role_id(s, MAINTENANCE_STAFF),
                )
            )
            order = create_work_order(
                s,
                organisation_id=org_id,
                charge_point_id=stored_id(cp.id),
                title="Connector 1 cable torn",
                description="A driver reported the cable sheath open near the handle.",
                priority="high",
                source="manual",
                actor=ADMIN_EMAIL,
                connector_id=1,
                now=utc_now(),
            )
            work_order_id = stored_id(order.id)
            s.commit()
    finally:
        engine.dispose()
    return work_order_id


async def _tech_login(browser: Browser, app: RunningApp, viewport: dict, path: str) -> Page:
    page = await browser.new_page(viewport=viewport)
    await page.goto(f"{app.web_url}{path}")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("#email", TECH_EMAIL)
    await page.fill("#password", TECH_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(rf".*{re.escape(path)}/?$"), timeout=UI_TIMEOUT_MS)
    return page


async def _status(page: Page, text: str) -> None:
    await expect(page.locator("[data-testid=work-order-status]")).to_have_text(
        text, timeout=UI_TIMEOUT_MS
    )


async def test_a_technician_claims_notes_photographs_and_resolves_on_a_phone(
    running_app: RunningApp, browser: Browser
) -> None:
    work_order_id = _seed(running_app)
    page = await _tech_login(browser, running_app, PHONE, LIST)
    row = page.locator(f"a[href$='{LIST}/{work_order_id}'] >> visible=true")
    await expect(row.first).to_be_visible(timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(page, "the work order list")
    await row.first.click()
    await page.wait_for_url(re.compile(rf".*{LIST}/{work_order_id}/?$"), timeout=UI_TIMEOUT_MS)
    await _status(page, "Open")
    await expect(page.locator("[data-testid=work-order-cp]")).to_contain_text("CP-WO-PHONE")

    await page.click("[data-testid=work-order-claim]")
    await _status(page, "Assigned")
    await expect(page.locator("[data-testid=work-order-assignee]")).to_contain_text("Pia Phone")
    await page.click("[data-testid=work-order-start]")
    await _status(page, "In progress")

    await page.fill("[data-testid=work-order-note]", "Sheath split, conductors intact")
    await page.click("[data-testid=work-order-add-note]")
    events = page.locator("[data-testid=work-order-event]")
    await expect(events.first).to_contain_text(
        "Sheath split, conductors intact", timeout=UI_TIMEOUT_MS
    )

    picker = page.locator("[data-testid=work-order-photo-picker] input[type=file]")
    await picker.set_input_files({"name": "cable.png", "mimeType": "image/png", "buffer": _png()})
    await page.click("[data-testid=work-order-upload-photo]")
    photo = page.locator("[data-testid=work-order-photo] img")
    await expect(photo).to_have_count(1, timeout=UI_TIMEOUT_MS)
    loaded = await photo.first.evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 8  # served through the gate to the signed-in technician

    await page.fill("[data-testid=work-order-reason]", "Cable replaced, insulation tested")
    await page.click("[data-testid=work-order-resolve]")
    await _status(page, "Resolved")
    await expect(events.first).to_contain_text("Resolved", timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(page, "the work order page")
    await _screenshot(page, "work-order-phone-360.png")

    wide = await _tech_login(browser, running_app, WIDE, f"{LIST}/{work_order_id}")
    await _status(wide, "Resolved")
    await expect(wide.locator("[data-testid=work-order-photo]")).to_have_count(
        1, timeout=UI_TIMEOUT_MS
    )
    await _screenshot(wide, "work-order-desktop-1440.png")
