"""Finance -> Documents in the real app and headless Chromium: the list shows an issued
receipt with its total and e-mail state, its PDF downloads over HTTP, a credit note is
refused without a reason and then issued, the invoice run says how many it issued, the
history page issues a session's receipt. Screenshots at 1440 px and 360 px; no page
scrolls sideways on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.organisations import root_organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.documents import previous_month
from ccms_app.network.models import ChargePoint, Station
from tests.finance.documents.support import World, charge
from tests.fixtures.app_process import (
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
STOP = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    receipt_id: int
    unbilled_session: int  # final, no receipt yet: the history page issues it


def _network(operator_id: int) -> World:
    """A billing profile, a station and a driver's card of the running app's operator."""
    with db.session_scope() as s:
        if s.get(BillingProfile, operator_id) is None:
            s.add(
                BillingProfile(
                    organisation_id=operator_id,
                    currency="EUR",
                    time_zone="Europe/Berlin",
                    seller_name="Browser Charging GmbH",
                )
            )
        station = Station(organisation_id=operator_id, name="Docs Depot", timezone="Europe/Berlin")
        s.add(station)
        s.flush()
        cp = ChargePoint(organisation_id=operator_id, station_id=station.id, identity="CP-DOCS-1")
        driver = Driver(organisation_id=operator_id, name="Dora Docs", email="dora@example.com")
        s.add_all([cp, driver])
        s.flush()
        s.add(IdTag(organisation_id=operator_id, id_tag="CARD-DOCS", driver_id=driver.id))
        return World(operator_id, stored_id(cp.id), stored_id(driver.id), 0)


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Seeded:
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
        world = _network(operator_id)
        receipt = issue_receipt(charge(world, "CARD-DOCS", STOP), STOP)
        month = previous_month(utc_now(), "Europe/Berlin")
        charge(world, "CARD-DOCS", datetime(month.year, month.month, 12, 9, tzinfo=UTC))
        unbilled = charge(world, "CARD-DOCS", datetime(2026, 1, 20, 9, tzinfo=UTC))
        return Seeded(receipt.id or 0, unbilled)
    finally:
        db.set_engine(None)


async def test_documents_list_pdf_credit_note_and_invoices(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/documents")
    row = page.locator(
        f"[data-testid=documents-table] [data-testid=documents-row-{seeded.receipt_id}]"
    )
    await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(row).to_contain_text("R-000001")
    await expect(row).to_contain_text("Dora Docs")
    total = page.locator(f"[data-testid=documents-total-{seeded.receipt_id}]").first
    await expect(total).to_have_text("€8.33")
    await expect(
        page.locator(f"[data-testid=documents-email-{seeded.receipt_id}]").first
    ).to_have_text("not sent")
    await _screenshot(page, "finance-documents-1440.png")

    async with page.expect_download() as download_info:
        await page.click(
            f"[data-testid=documents-table] [data-testid=documents-pdf-{seeded.receipt_id}]"
        )
    download = await download_info.value
    assert download.suggested_filename == "R-000001.pdf"

    await page.click(
        f"[data-testid=documents-table] [data-testid=documents-credit-{seeded.receipt_id}]"
    )
    dialog = page.locator("[data-testid=credit-dialog]")
    await expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=credit-save]")
    await expect(page.locator("[data-testid=credit-error]")).to_contain_text(
        "say why", timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=credit-reason]", "Charger counted twice")
    await page.click("[data-testid=credit-save]")
    await expect(dialog).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await expect(row).to_contain_text("CN-000001", timeout=UI_TIMEOUT_MS)
    await expect(
        page.locator(
            f"[data-testid=documents-table] [data-testid=documents-credit-{seeded.receipt_id}]"
        )
    ).to_have_count(0)

    await page.click("[data-testid=invoices-open]")
    await expect(page.locator("[data-testid=invoices-dialog]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=invoices-issue]")
    await expect(page.locator("[data-testid=invoices-result]")).to_contain_text(
        "1 invoice issued", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-documents-invoices-1440.png")
    await page.keyboard.press("Escape")
    await page.click("[data-testid=documents-filter-kind]")
    await page.get_by_role("option", name="invoice").click()
    await expect(page.locator("[data-testid=documents-range]")).to_contain_text("of 1")


async def test_the_history_page_issues_a_receipt(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    path = f"/finance/history/{seeded.unbilled_session}"
    page = await _log_in(browser, running_app, WIDE, path)
    issue = page.locator("[data-testid=history-receipt-issue]")
    link = page.locator("[data-testid=history-receipt-pdf]")
    # The app's billing job may issue it first (every minute): then the link shows at once.
    await expect(issue.or_(link)).to_be_visible(timeout=UI_TIMEOUT_MS)
    if await issue.count():
        await issue.click()
    await expect(link).to_contain_text("Receipt R-", timeout=UI_TIMEOUT_MS)
    async with page.expect_download() as download_info:
        await link.click()
    assert (await download_info.value).suggested_filename.startswith("R-")


async def test_the_documents_page_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/documents")
    card = page.locator(f"[data-testid=documents-card-{seeded.receipt_id}]")
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(card).to_contain_text("€8.33")
    await _screenshot(page, "finance-documents-360.png")
    await no_sideways_scroll(page, "the documents list")
