"""Alarm management in the real app and headless Chromium: the Alarms list shows a seeded
alarm, its page acknowledges it, takes a comment and closes it with a reason; the alarm rules
page adds a rule. On a desktop (1440 px) and a 360 px phone (nothing scrolls sideways;
tables scroll inside their card). Screenshots of each page at both widths.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmActivity
from ccms_app.maintenance.rules.alarm_causes import open_key
from ccms_app.network.models import ChargePoint
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
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

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

WIDE = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class Seeded:
    desktop_alarm: int
    phone_alarm: int


def _alarm(session: Session, cp: ChargePoint, connector_id: int) -> int:
    began = utc_now() - timedelta(minutes=42)
    alarm = Alarm(
        organisation_id=cp.organisation_id,
        charge_point_id=cp.id or 0,
        connector_id=connector_id,
        cause="connector_faulted",
        severity="critical",
        open_key=open_key(cp.id or 0, connector_id, "connector_faulted"),
        error_code="GroundFailure",
        info="RCD tripped",
        vendor_id="Acme",
        vendor_error_code="E-17",
        readable_cause="Residual current device tripped",
        occurrences=3,
        fault_started_at=began,
        first_raised_at=began,
        last_raised_at=began,
    )
    session.add(alarm)
    session.flush()
    session.add(AlarmActivity(alarm_id=alarm.id or 0, kind="raised", at=began))
    return alarm.id or 0


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Iterator[Seeded]:
    """Two open alarms on the test charge point (one per viewport), written straight to the
    app's database as the engine would."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            cp = session.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
            assert session.get(Organisation, cp.organisation_id) is not None
            desktop, phone = _alarm(session, cp, 1), _alarm(session, cp, 2)
        yield Seeded(desktop, phone)
    finally:
        db.set_engine(None)


async def _work_an_alarm(page: Page, alarm_id: int, suffix: str) -> None:
    """List -> alarm page -> acknowledge, comment, close with a reason."""
    row = page.locator(f"[data-testid=alarms-link-{alarm_id}] >> visible=true")
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, f"maintenance-alarms-{suffix}.png")
    await row.click()
    await page.wait_for_url(f"**/maintenance/alarms/{alarm_id}", timeout=UI_TIMEOUT_MS)
    summary = page.locator("[data-testid=alarm-summary]")
    await expect(summary).to_contain_text("Residual current device tripped", timeout=UI_TIMEOUT_MS)
    await expect(summary).to_contain_text("E-17")
    await expect(page.locator("[data-testid=alarm-charge-point]")).to_have_text(IDENTITY)

    await page.click("[data-testid=alarm-acknowledge]")
    await expect(page.locator("[data-testid=alarm-status]")).to_have_text(
        "acknowledged", timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=alarm-comment]", f"Technician on the way ({suffix})")
    await page.click("[data-testid=alarm-comment-add]")
    await expect(page.locator("[data-testid=alarm-timeline]")).to_contain_text(
        f"Technician on the way ({suffix})", timeout=UI_TIMEOUT_MS
    )

    await page.click("[data-testid=alarm-close]")
    await page.click("[data-testid=alarm-close-confirm]")  # no reason yet: refused
    await expect(page.locator("[data-testid=alarm-close-reason-error]")).to_contain_text(
        "Give a reason", timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=alarm-close-reason]", "Replaced the RCD")
    await page.click("[data-testid=alarm-close-confirm]")
    await expect(page.locator("[data-testid=alarm-status]")).to_have_text(
        "closed", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=alarm-close-reason-text]")).to_have_text(
        "Replaced the RCD"
    )
    await expect(page.locator("[data-testid=alarm-activity-closed]")).to_be_visible()
    await _screenshot(page, f"maintenance-alarm-detail-{suffix}.png")


async def test_alarm_list_and_page_on_a_desktop(
    browser: Browser, running_app: RunningApp, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/maintenance/alarms")
    await _work_an_alarm(page, seeded.desktop_alarm, "1440")
    await page.goto(f"{running_app.web_url}/maintenance/alarms")
    await page.click("[data-testid=alarms-filter-status]")
    await page.get_by_role("option", name="Closed").click()
    status_chip = page.locator("[data-testid=alarms-filter-status]")
    await expect(status_chip).to_have_text("Status: Closed", timeout=UI_TIMEOUT_MS)
    await expect(
        page.locator(f"[data-testid=alarms-link-{seeded.desktop_alarm}] >> visible=true")
    ).to_be_visible(timeout=UI_TIMEOUT_MS)


async def test_alarm_page_on_a_phone(
    browser: Browser, running_app: RunningApp, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/maintenance/alarms")
    await expect(
        page.locator(f"[data-testid=alarms-link-{seeded.phone_alarm}] >> visible=true")
    ).to_be_visible(timeout=UI_TIMEOUT_MS)
    await no_sideways_scroll(page, "the alarm list")
    await _work_an_alarm(page, seeded.phone_alarm, "360")
    await no_sideways_scroll(page, "the alarm page")
    for path, name in (("/maintenance/events", "events"), ("/maintenance/alarm-rules", "rules")):
        await page.goto(f"{running_app.web_url}{path}")
        tab = page.locator(f"[data-testid=maintenance-tab-{path.rsplit('/', 1)[1]}]")
        await expect(tab).to_be_visible(timeout=UI_TIMEOUT_MS)
        await page.wait_for_timeout(500)  # the list's first page
        await no_sideways_scroll(page, f"the {name} page")
        await _screenshot(page, f"maintenance-{name}-360.png")


async def test_rules_page_adds_a_rule(browser: Browser, running_app: RunningApp) -> None:
    for viewport, suffix in ((WIDE, "1440"), (PHONE, "360")):
        page = await _log_in(browser, running_app, viewport, "/maintenance/alarm-rules")
        name = f"Acme faults {suffix}"
        await page.click("[data-testid=rule-new]")
        await page.fill("[data-testid=rule-name]", name)
        await page.fill("[data-testid=rule-vendor]", "Acme")
        await page.fill("[data-testid=rule-email_recipients]", "ops@example.com, not-an-address")
        await page.click("[data-testid=rule-save]")
        await expect(page.locator("[data-testid=rule-email_recipients-error]")).to_have_text(
            "'not-an-address' is not an e-mail address.", timeout=UI_TIMEOUT_MS
        )
        await page.fill("[data-testid=rule-email_recipients]", "ops@example.com")
        await page.click("[data-testid=rule-save]")
        await expect(page.locator("[data-testid=rule-dialog]")).to_be_hidden(timeout=UI_TIMEOUT_MS)
        await expect(page.locator("[data-testid=rules-list] >> visible=true")).to_contain_text(
            name, timeout=UI_TIMEOUT_MS
        )
        if viewport is PHONE:
            await no_sideways_scroll(page, "the alarm rules page")
        await _screenshot(page, f"maintenance-alarm-rules-{suffix}.png")
        await page.close()
