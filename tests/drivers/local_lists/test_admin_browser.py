"""Local authorization lists set up from the screens, in the real app and headless Chromium:
create a list, paste id tags (an unknown one reported, nothing half-added), pick a card,
assign a connected simulated charge point, Sync now, and the charge point holds the cards."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from ccms_app.core import db
from ccms_app.drivers.local_lists.entries import add_id_tags
from ccms_app.drivers.local_lists.lists import create_list
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint
from ocpp_server.simulator import SimulatedChargePoint
from tests.fixtures.app_process import (  # the app and browser fixtures, shared
    DESKTOP,
    IDENTITY,
    PHONE,
    SCREENSHOTS,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    running_app,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

TAGS = ["DEPOT-CARD-1", "DEPOT-CARD-2"]
LIST_NAME = "Depot cards"
PHONE_LIST = "Night shift"
STATION = "Browser Test Depot"  # IDENTITY's station (tests.fixtures.app_process)


@pytest.fixture(scope="module")
def app_database(running_app: RunningApp) -> Iterator[None]:
    """This module's process talks to the app's database (next to the app's log)."""
    engine = db.make_engine(f"sqlite:///{running_app.log_path.parent / 'ccms.db'}")
    db.set_engine(engine)
    yield
    db.set_engine(None)
    engine.dispose()


@pytest.fixture(scope="module")
def cards(app_database: None) -> list[str]:
    """Two RFID cards of the browser test charge point's operator."""
    with db.session_scope() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
        s.add_all(IdTag(id_tag=tag, organisation_id=cp.organisation_id) for tag in TAGS)
    return TAGS


@pytest.fixture(scope="module")
def night_list(cards: list[str]) -> str:
    """A list made through the services (for the phone test), holding both cards."""
    with db.session_scope() as s:
        cp = s.exec(select(ChargePoint).where(ChargePoint.identity == IDENTITY)).one()
        organisation_id = cp.organisation_id
    view = create_list(organisation_id, PHONE_LIST, "Night shift drivers")
    add_id_tags(view.id, cards)
    return PHONE_LIST


def _tid(value: str) -> str:
    return f"[data-testid='{value}']"


async def _dialog_shot(page: Page, selector: str, name: str) -> None:
    """A screenshot of the screen with a dialog open, once its opening animation ended."""
    await page.locator(selector).evaluate(
        "e => Promise.all(e.getAnimations({subtree: true}).map(a => a.finished))"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / name))


async def _create_list(page: Page) -> str:
    await page.click(_tid("local-lists-new"))
    await page.fill(_tid("local-list-form-name"), LIST_NAME)
    await page.fill(_tid("local-list-form-description"), "Cards of the depot drivers")
    await page.click(_tid("local-list-form-save"))
    await page.wait_for_url(re.compile(r".*/users/local-lists/\d+/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("list-tag-count"))).to_have_text("0", timeout=UI_TIMEOUT_MS)
    return page.url


async def _fill_paste(page: Page, text: str) -> None:
    """Type into the paste box and wait until the server has it (its line count shows it):
    the box sends its text debounced, so a click right after typing could add the old text."""
    await page.fill(_tid("paste-text"), text)
    lines = sum(1 for line in text.splitlines() if line.strip())
    await expect(page.get_by_text(f"{lines} line(s)")).to_be_visible(timeout=UI_TIMEOUT_MS)
    # A check still running shows a busy button, and a busy button ignores a click.
    await expect(page.locator(_tid("paste-add"))).to_be_enabled(timeout=UI_TIMEOUT_MS)


async def _paste(page: Page, text: str) -> None:
    await page.click(_tid("add-tab-paste"))
    await _fill_paste(page, text)
    await page.click(_tid("paste-add"))


async def _add_cards(page: Page) -> None:
    # A paste with an unknown id tag: reported on its line, nothing added.
    await page.click(_tid("entries-add"))
    await _paste(page, f"{TAGS[0].lower()}\nNO-SUCH-CARD\n")
    problems = page.locator(_tid("paste-problems"))
    await expect(problems).to_contain_text("NO-SUCH-CARD", timeout=UI_TIMEOUT_MS)
    await expect(problems).to_contain_text("no such RFID card in this network")
    await expect(problems.locator("tbody tr")).to_have_count(1)
    await _dialog_shot(page, _tid("add-id-tags-dialog"), "local-list-paste-problems-desktop.png")
    await expect(page.locator(_tid("list-tag-count"))).to_have_text("0")
    # The corrected paste goes in.
    await _fill_paste(page, TAGS[0])
    await page.click(_tid("paste-add"))
    await expect(page.locator(_tid("list-tag-count"))).to_have_text("1", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("add-id-tags-dialog"))).to_have_count(0)
    # The second card picked from a search of the RFID cards.
    await page.click(_tid("entries-add"))
    await page.fill(_tid("pick-card-search"), TAGS[1])
    await expect(page.locator(_tid(f"pick-card-row-{TAGS[0]}"))).to_have_count(
        0, timeout=UI_TIMEOUT_MS
    )
    await page.click(_tid(f"pick-card-check-{TAGS[1]}"))
    await expect(page.locator(_tid("pick-card-selected"))).to_contain_text("1 selected")
    await page.click(_tid("pick-card-add"))
    await expect(page.locator(_tid("list-tag-count"))).to_have_text("2", timeout=UI_TIMEOUT_MS)
    table = page.locator(_tid("entries-table"))
    for tag in TAGS:
        await expect(table).to_contain_text(tag, timeout=UI_TIMEOUT_MS)


async def _assign_charge_point(page: Page) -> None:
    await page.click(_tid("assigned-add"))
    await page.fill(_tid("pick-cp-search"), IDENTITY)
    await page.click(_tid(f"pick-cp-check-{IDENTITY}"))
    await page.click(_tid("pick-cp-assign"))
    await expect(page.locator(_tid("list-cp-count"))).to_have_text("1", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("assigned-table"))).to_contain_text(
        IDENTITY, timeout=UI_TIMEOUT_MS
    )


async def test_build_a_list_assign_it_and_sync_it(
    running_app: RunningApp, browser: Browser, cards: list[str]
) -> None:
    charger = SimulatedChargePoint(IDENTITY, running_app.ocpp_url, meter_interval=300)
    await charger.connect()
    try:
        page = await _log_in(browser, running_app, DESKTOP, "/users/local-lists")
        await expect(page.locator(_tid("users-tab-local-lists"))).to_be_visible()
        detail_url = await _create_list(page)
        await _add_cards(page)
        await _assign_charge_point(page)

        await page.click(_tid("list-sync-now"))
        # The sync job may have synced it first after the assignment: then it is up to date.
        result = page.locator(_tid(f"sync-result-{IDENTITY}"))
        await expect(result).to_contain_text(
            re.compile("accepted|up to date"), timeout=UI_TIMEOUT_MS
        )
        table = page.locator(_tid("assigned-table"))
        await expect(table.locator(_tid(f"assigned-sync-{IDENTITY}"))).to_have_text(
            "In sync", timeout=UI_TIMEOUT_MS
        )
        await expect(table.locator(_tid(f"assigned-version-{IDENTITY}"))).to_have_text(
            re.compile(r"^[1-9]\d*$"), timeout=UI_TIMEOUT_MS
        )
        await expect(page.locator(_tid("list-stale-count"))).to_have_text("0")
        assert sorted(charger.local_list) == TAGS
        await _screenshot(page, "local-list-detail-desktop.png")

        # An assigned list is not deleted: the operator is told to unassign first.
        await page.click(_tid("list-delete"))
        await page.click(_tid("local-list-delete-confirm"))
        await expect(page.get_by_text(re.compile("unassign them first"))).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        assert page.url == detail_url

        await page.goto(f"{running_app.web_url}/users/local-lists")
        row = page.locator(_tid("local-lists-table"))
        await expect(row).to_contain_text(LIST_NAME, timeout=UI_TIMEOUT_MS)
        delete = row.locator("[data-testid^='local-lists-delete-']").first
        await expect(delete).to_be_in_viewport()  # the row's actions fit on a laptop screen
        await _screenshot(page, "local-lists-desktop.png")
    finally:
        await charger.close()


async def test_local_list_pages_on_a_phone(
    running_app: RunningApp, browser: Browser, night_list: str
) -> None:
    page = await _log_in(browser, running_app, PHONE, "/users/local-lists")
    card = page.locator(_tid("local-lists-list")).get_by_text(night_list).last
    await expect(card).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(page, "local-lists-phone.png")
    await card.click()
    await page.wait_for_url(re.compile(r".*/users/local-lists/\d+/?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("list-tag-count"))).to_have_text("2", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("entries-list")).get_by_text(TAGS[1]).last).to_be_visible()
    await _screenshot(page, "local-list-detail-phone.png")
    await page.click(_tid("entries-add"))
    await expect(page.locator(_tid(f"pick-card-row-{TAGS[0]}"))).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await _dialog_shot(page, _tid("add-id-tags-dialog"), "local-list-add-phone.png")
    await page.keyboard.press("Escape")

    # Every charge point of a station at once.
    await page.click(_tid("assigned-add"))
    await page.click(_tid("assign-tab-stations"))
    await page.click(_tid(f"pick-station-check-{STATION}"))
    await _dialog_shot(page, _tid("assign-dialog"), "local-list-assign-phone.png")
    await page.click(_tid("pick-station-assign"))
    await expect(page.locator(_tid("list-cp-count"))).to_have_text("1", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(_tid("assigned-list")).get_by_text(IDENTITY).last).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
