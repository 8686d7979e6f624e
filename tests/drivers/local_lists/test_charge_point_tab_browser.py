"""Local authorization lists in the real app and headless Chromium: the charge point page's
Local list tab (versions, entries, Sync now) over a simulated charger, and the Users page's
out-of-date list with Sync all and its link to the local lists pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import Session, col, select

from ccms_app.core import db
from ccms_app.drivers.local_lists.assignments import assign_list
from ccms_app.drivers.local_lists.entries import add_id_tags
from ccms_app.drivers.local_lists.lists import create_list
from ccms_app.drivers.local_lists.marks import mark_id_tags_changed
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint
from ocpp_server.simulator import SimulatedChargePoint
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    DESKTOP,
    IDENTITY,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

OFFLINE_CP = "CP-BROWSER-LIST-OFF"
TAGS = ["BROWSER-TAG-1", "BROWSER-TAG-2"]


@pytest.fixture(scope="module")
def app_database(running_app: RunningApp) -> Iterator[None]:
    """This module's process talks to the app's database (next to the app's log)."""
    engine = db.make_engine(f"sqlite:///{running_app.log_path.parent / 'ccms.db'}")
    db.set_engine(engine)
    yield
    db.set_engine(None)
    engine.dispose()


@pytest.fixture(scope="module")
def fleet_list(app_database: None) -> int:
    """Two id tags in a list assigned to the browser test charge point and an offline one."""
    with db.session_scope() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
        s.add(
            ChargePoint(
                identity=OFFLINE_CP,
                organisation_id=cp.organisation_id,
                registration_state="registered",
            )
        )
        for tag in TAGS:
            s.add(IdTag(id_tag=tag, organisation_id=cp.organisation_id))
        org_id = cp.organisation_id
    view = create_list(org_id, "Browser fleet")
    add_id_tags(view.id, TAGS)
    with db.session_scope() as s:
        ids = s.exec(
            select(ChargePoint.id).where(col(ChargePoint.identity).in_([IDENTITY, OFFLINE_CP]))
        ).all()
    assign_list(view.id, list(ids))
    return view.id


def _block(tag: str) -> None:
    with Session(db.get_engine()) as s:
        row = s.exec(select(IdTag).where(IdTag.id_tag == tag)).one()
        row.status = "blocked"
        s.add(row)
        s.commit()
    mark_id_tags_changed([tag])


async def test_local_list_tab_syncs_and_shows_entries(
    running_app: RunningApp, browser: Browser, fleet_list: int
) -> None:
    charger = SimulatedChargePoint(IDENTITY, running_app.ocpp_url, meter_interval=300)
    await charger.connect()
    try:
        page = await _log_in(browser, running_app, DESKTOP, f"/charge-points/{IDENTITY}")
        await page.click("[data-testid=tab-local-list]")
        await expect(page.locator("[data-testid=local-list-lists]")).to_have_text(
            "Browser fleet", timeout=UI_TIMEOUT_MS
        )
        await page.click("[data-testid=local-list-sync]")
        # The scheduler may have synced it already after the boot: either way it is in sync.
        await expect(page.locator("[data-testid=local-list-message]")).to_contain_text(
            re.compile("local list", re.IGNORECASE), timeout=UI_TIMEOUT_MS
        )
        await expect(page.locator("[data-testid=local-list-state]")).to_have_text(
            "In sync", timeout=UI_TIMEOUT_MS
        )
        await expect(page.locator("[data-testid=local-list-entries]")).to_contain_text(
            TAGS[0], timeout=UI_TIMEOUT_MS
        )
        assert sorted(charger.local_list) == TAGS

        _block(TAGS[0])
        await page.click("[data-testid=local-list-sync]")
        row = page.locator(f"[data-testid=local-entry-{TAGS[0]}]")
        await expect(row).to_contain_text("Blocked", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("[data-testid=local-list-state]")).to_have_text(
            "In sync", timeout=UI_TIMEOUT_MS
        )
        assert charger.local_list[TAGS[0]].status == "Blocked"
        await _screenshot(page, "local-list-tab-desktop.png")
    finally:
        await charger.close()


async def test_users_page_lists_out_of_date_charge_points(
    running_app: RunningApp, browser: Browser, fleet_list: int
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/users")
    await expect(page.locator("[data-testid=local-lists-link]")).to_have_attribute(
        "href", "/users/local-lists", timeout=UI_TIMEOUT_MS
    )
    stale = page.locator(f"[data-testid=stale-{OFFLINE_CP}]")
    await expect(stale).to_contain_text("never synced", timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=local-lists-sync-all]")
    await expect(page.locator("[data-testid=local-lists-message]")).to_contain_text(
        "charge point offline", timeout=UI_TIMEOUT_MS
    )
    await expect(stale).to_contain_text("charge point offline", timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "users-local-lists-desktop.png")
