"""Finance -> Settlements and Reimbursements in the real app and headless Chromium: a
partner's last month with its totals, its PDF and CSV downloaded over HTTP (full document
requests, not client-side routes), a new agreement refused with a field error and then
saved; the month per employee with its files, a home charger refused for an unknown
identity. Screenshots at 1440 px and 360 px; no page scrolls sideways on a phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, expect

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope, root_organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import Driver, IdTag
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.partners.agreements import AgreementInput, create_agreement
from ccms_app.finance.partners.home_chargers import HomeChargerInput, mark_home_charger
from ccms_app.finance.rules.documents import previous_month
from ccms_app.network.models import ChargePoint, Station
from tests.finance.partners.support import charge
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
PARTNER = "Browser Partner GmbH"
EMPLOYEE = "Erika Employee"


@dataclass(frozen=True)
class Seeded:
    partner_id: int
    employee_id: int
    month: str


def _seed(operator_id: int) -> Seeded:
    """A partner with a station, a session last month and an agreement; an employee with a
    home charger and a session on it last month."""
    month = previous_month(utc_now(), "Europe/Berlin")
    stop = datetime(month.year, month.month, 12, 9, tzinfo=UTC)
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
        partner = Organisation(name=PARTNER, parent_id=operator_id)
        s.add(partner)
        s.flush()
        station = Station(organisation_id=partner.id, name="Partner Depot", timezone="UTC")
        s.add(station)
        s.flush()
        partner_cp = ChargePoint(
            organisation_id=partner.id, station_id=station.id, identity="CP-PARTNER-1"
        )
        home_cp = ChargePoint(organisation_id=operator_id, identity="CP-HOME-ERIKA")
        employee = Driver(organisation_id=operator_id, name=EMPLOYEE, email="erika@example.com")
        s.add_all([partner_cp, home_cp, employee])
        s.flush()
        s.add(IdTag(organisation_id=operator_id, id_tag="ERIKA-CARD", driver_id=employee.id))
        ids = (stored_id(partner.id), stored_id(partner_cp.id), stored_id(home_cp.id))
        employee_id = stored_id(employee.id)
    partner_id, partner_cp_id, home_cp_id = ids
    scope = organisation_scope(operator_id)
    create_agreement(
        operator_id,
        scope,
        AgreementInput(
            partner_id,
            None,
            "Browser deal",
            "10",
            "0.50",
            "5.00",
            "EUR",
            datetime(2020, 1, 1, tzinfo=UTC),
        ),
        "seed",
    )
    # 10.00 excl.: commission 1.00, fee 0.50, platform fee 5.00 -> 3.50 due
    charge(partner_id, partner_cp_id, stop, (1000, 190, 1190), 10_000)
    mark_home_charger(
        scope,
        HomeChargerInput(home_cp_id, employee_id, "0.30", "EUR", datetime(2020, 1, 1, tzinfo=UTC)),
        "seed",
    )
    # 10 kWh x 0.30 -> 3.00
    charge(operator_id, home_cp_id, stop, energy_wh=10_000, id_tag="ERIKA-CARD", state=None)
    return Seeded(partner_id, employee_id, f"{month:%Y-%m}")


@pytest.fixture(scope="module")
def seeded(running_app: RunningApp) -> Seeded:
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            operator_id = root_organisation(session).id or 0
        return _seed(operator_id)
    finally:
        db.set_engine(None)


async def test_settlements_month_files_and_a_new_agreement(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/settlements")
    await expect(page.locator("[data-testid=settlement-title]")).to_contain_text(
        f"{PARTNER}, {seeded.month}", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=settlement-total-excl]")).to_have_text("€10.00")
    await expect(page.locator("[data-testid=settlement-total-commission]")).to_have_text("€1.00")
    await expect(page.locator("[data-testid=settlement-total-due]")).to_have_text("€3.50")
    await _screenshot(page, "finance-settlements-1440.png")

    opened = page.url  # the static export may serve it with a trailing slash
    assert re.search(r"/finance/settlements/?$", opened), opened
    async with page.expect_download() as pdf_info:
        await page.click("[data-testid=settlement-pdf]")
    pdf = await pdf_info.value
    assert pdf.suggested_filename == f"settlement-{seeded.partner_id}-{seeded.month}.pdf"
    async with page.expect_download() as csv_info:
        await page.click("[data-testid=settlement-csv]")
    assert (await csv_info.value).suggested_filename.endswith(".csv")
    assert page.url == opened  # a download, not a page change

    await page.click("[data-testid=agreements-new]")
    dialog = page.locator("[data-testid=agreement-dialog]")
    await expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=agreement-name]", "Second deal")
    await page.fill("[data-testid=agreement-operator_percent]", "150")
    await page.fill("[data-testid=agreement-valid_from]", "2019-01-01")
    await page.fill("[data-testid=agreement-valid_until]", "2019-12-31")
    await page.click("[data-testid=agreement-save]")
    await expect(page.locator("[data-testid=agreement-operator_percent-error]")).to_contain_text(
        "between 0 and 100", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-settlements-agreement-error-1440.png")
    await page.fill("[data-testid=agreement-operator_percent]", "12.5")
    # The refusal's words may arrive before the button stops loading: a busy button ignores a click.
    await expect(page.locator("[data-testid=agreement-save]")).to_be_enabled(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=agreement-save]")
    await expect(dialog).to_have_count(0, timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=agreements-table]")).to_contain_text("Second deal")


async def test_settlements_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/settlements")
    await expect(page.locator("[data-testid=settlement-total-due]")).to_have_text(
        "€3.50", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-settlements-360.png")
    await no_sideways_scroll(page, "the settlements page")


async def test_reimbursements_month_files_and_the_form(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, WIDE, "/finance/reimbursements")
    amount = page.locator(f"[data-testid=reimbursement-amount-{seeded.employee_id}]")
    await expect(amount).to_have_text("€3.00", timeout=UI_TIMEOUT_MS)
    await expect(
        page.locator(f"[data-testid=reimbursement-row-{seeded.employee_id}]")
    ).to_contain_text(EMPLOYEE)
    await _screenshot(page, "finance-reimbursements-1440.png")
    async with page.expect_download() as pdf_info:
        await page.click(f"[data-testid=reimbursement-pdf-{seeded.employee_id}]")
    name = (await pdf_info.value).suggested_filename
    assert name == f"reimbursement-{seeded.employee_id}-{seeded.month}.pdf"

    await page.click("[data-testid=home-chargers-new]")
    await expect(page.locator("[data-testid=home-charger-dialog]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await page.fill("[data-testid=home-charger-charge_point]", "CP-NOWHERE")
    await page.fill("[data-testid=home-charger-employee]", "erika@example.com")
    await page.fill("[data-testid=home-charger-rate_per_kwh]", "0.30")
    await page.click("[data-testid=home-charger-save]")
    await expect(page.locator("[data-testid=home-charger-charge_point-error]")).to_contain_text(
        "No charge point", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(page, "finance-reimbursements-home-charger-error-1440.png")


async def test_reimbursements_on_a_phone(
    running_app: RunningApp, browser: Browser, seeded: Seeded
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/finance/reimbursements")
    await expect(
        page.locator(f"[data-testid=reimbursement-amount-{seeded.employee_id}]")
    ).to_have_text("€3.00", timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "finance-reimbursements-360.png")
    await no_sideways_scroll(page, "the reimbursements page")
