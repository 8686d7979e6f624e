"""A technician's phone changes networks while they write on a work order (real app, headless
Chromium, 360 px): the websocket reconnects, the page shows what changed meanwhile and keeps
the note and the resolution they were typing. (Run only with `-m browser`.)"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import Session

from ccms_app.core import db
from ccms_app.maintenance.work_orders.models import WorkOrder
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    browser,
    no_sideways_scroll,
    running_app,
)
from tests.maintenance.test_work_orders_browser import LIST, _seed, _status, _tech_login

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

NOTE = "Sheath split near the handle, conductors look"
RESOLUTION = "Cable replaced, insulation"


def _retitle(app: RunningApp, work_order_id: int, title: str) -> None:
    """The office renames the work order in the running app's database."""
    engine = db.make_engine(app.database_url)
    try:
        with Session(db.writer_engine(engine)) as s:
            order = s.get(WorkOrder, work_order_id)
            assert order is not None
            order.title = title
            s.add(order)
            s.commit()
    finally:
        engine.dispose()


async def test_a_reconnect_keeps_the_note_a_technician_is_typing_on_a_phone(
    running_app: RunningApp, browser: Browser
) -> None:
    work_order_id = _seed(running_app)
    page = await _tech_login(browser, running_app, PHONE, f"{LIST}/{work_order_id}")
    await _status(page, "Open")
    await page.click("[data-testid=work-order-claim]")
    await _status(page, "Assigned")
    await page.click("[data-testid=work-order-start]")
    await _status(page, "In progress")

    note = page.locator("[data-testid=work-order-note]")
    reason = page.locator("[data-testid=work-order-reason]")
    await note.fill(NOTE)
    await reason.fill(RESOLUTION)  # the note flushes on blur
    await page.fill("[data-testid=work-order-minutes]", "15")
    await page.click("[data-testid=work-order-log-time]")
    # The time logged shows: the note and the resolution, sent before it, reached the server.
    await expect(page.locator("[data-testid=work-order-time]")).to_contain_text(
        "15 min", timeout=UI_TIMEOUT_MS
    )

    await page.context.set_offline(True)
    await expect(page.locator("[data-testid=connection-lost]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    _retitle(running_app, work_order_id, "Cable torn at the handle")
    await page.context.set_offline(False)
    await expect(page.locator("[data-testid=connection-lost]")).to_be_hidden(timeout=UI_TIMEOUT_MS)

    # on_load ran again (the title the office gave meanwhile)...
    await expect(
        page.get_by_role("heading", name=re.compile("Cable torn at the handle"))
    ).to_be_visible(timeout=UI_TIMEOUT_MS)
    # ... and left what the technician was typing.
    await expect(note).to_have_value(NOTE)
    await expect(reason).to_have_value(RESOLUTION)
    await no_sideways_scroll(page, "the work order page")

    await page.click("[data-testid=work-order-add-note]")
    await expect(page.locator("[data-testid=work-order-event]").first).to_contain_text(
        NOTE, timeout=UI_TIMEOUT_MS
    )
    await expect(note).to_have_value("")
