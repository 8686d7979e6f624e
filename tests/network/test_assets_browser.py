"""The Assets module in the real app and headless Chromium: create a station (after a refused
first try that keeps what was typed), register an unknown charge point from the Unregistered
list and see it Accepted over OCPP, the station page and the live map, and editing a charge
point from its page. Screenshots (desktop and 360 px) go to artifacts/screenshots/assets-*."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from playwright.async_api import Browser, Locator, Page, Response, expect

from ocpp_server.simulator import SimulatedChargePoint
from tests.fixtures.app_process import (
    DESKTOP,
    IDENTITY,
    PHONE,
    UI_TIMEOUT_MS,
    RunningApp,
    _log_in,
    _screenshot,
    browser,
    click_like_a_person,
    no_sideways_scroll,
    running_app,
)
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser", "running_app"]

STATION = "Depot Hafen"
STRANGER = "CP-UNKNOWN-9"


def tid(name: str) -> str:
    return f"[data-testid='{name}']"


async def choose(page: Page, trigger: str, option: str) -> None:
    """Pick `option` in the Radix select opened by the `trigger` test id."""
    await page.click(tid(trigger))
    await page.get_by_role("option", name=option, exact=True).click()


async def _open(browser: Browser, app: RunningApp, viewport: dict, tab: str) -> Page:
    """Log in on the Assets page, then open one of its tabs by URL (?tab=...)."""
    page = await _log_in(browser, app, viewport, "/assets")
    await page.goto(f"{app.web_url}/assets?tab={tab}")
    return page


async def _create_station(page: Page) -> None:
    await page.click(tid("new-station"))
    dialog = page.locator(tid("station-dialog"))
    await expect(dialog).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill(tid("station-name"), STATION)
    await page.fill(tid("station-address"), "Am Sandtorkai 1, 20457 Hamburg")
    await page.fill(tid("station-latitude"), "95")
    await page.fill(tid("station-longitude"), "9.99")
    await page.fill(tid("station-timezone"), "Hamburg")
    await page.click(tid("station-save"))

    # Refused: every problem shown at once, what was typed still there.
    await expect(page.locator(tid("station-latitude-error"))).to_contain_text(
        "between -90 and 90", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(tid("station-timezone-error"))).to_contain_text("IANA")
    await expect(page.locator(tid("station-message"))).to_contain_text("2 fields need")
    await expect(page.locator(tid("station-name"))).to_have_value(STATION)
    await expect(page.locator(tid("station-address"))).to_have_value(
        "Am Sandtorkai 1, 20457 Hamburg"
    )
    await _screenshot(page, "assets-station-form-errors-desktop.png")

    await page.fill(tid("station-latitude"), "53.5436")
    await page.fill(tid("station-timezone"), "Europe/Berlin")
    # Corrected messages stay until this save: one vanishing under the press would move Save.
    await expect(page.locator(tid("station-timezone-error"))).to_contain_text("IANA")
    await click_like_a_person(page, tid("station-save"))
    await expect(dialog).to_be_hidden(timeout=UI_TIMEOUT_MS)


async def test_create_a_station_after_a_validation_error(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/assets")
    await expect(page.locator(tid("stations-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _create_station(page)
    table = page.locator(tid("stations-table"))
    await expect(table).to_contain_text(STATION, timeout=UI_TIMEOUT_MS)
    await expect(table).to_contain_text("Browser Test Depot")

    await page.click(tid("stations-sort-name"))  # name, descending
    await expect(page.locator(tid("stations-sort-name"))).to_have_attribute(
        "aria-sort", "descending", timeout=UI_TIMEOUT_MS
    )
    await expect(table.locator("tbody tr").first).to_contain_text(STATION)
    async with page.expect_download() as download_info:
        await page.click(tid("stations-export"))
    download = await download_info.value
    exported = (await download.path()).read_text(encoding="utf-8").splitlines()
    assert download.suggested_filename == "stations.csv"
    assert exported[0].startswith("Id,Name,Address") and len(exported) == 3

    await page.fill(tid("stations-search"), "sandtor")
    await expect(table).not_to_contain_text("Browser Test Depot", timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("stations-range"))).to_have_text("1-1 of 1")
    await _screenshot(page, "assets-stations-desktop.png")

    phone = await _log_in(browser, running_app, PHONE, "/assets")
    await expect(phone.locator(tid("stations-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(phone.locator("[data-testid^='stations-card-']").first).to_be_visible()
    await _screenshot(phone, "assets-stations-phone.png")
    await phone.click(tid("new-station"))
    await expect(phone.locator(tid("station-dialog"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await phone.click(tid("station-save"))
    await expect(phone.locator(tid("station-name-error"))).to_have_text(
        "Station name is required", timeout=UI_TIMEOUT_MS
    )
    await _screenshot(phone, "assets-station-form-phone.png")


async def test_register_an_unknown_charge_point(running_app: RunningApp, browser: Browser) -> None:
    charger = SimulatedChargePoint(STRANGER, running_app.ocpp_url, meter_interval=60)
    await charger.connect()
    try:
        assert charger.boot_status == "Pending"
        page = await _open(browser, running_app, DESKTOP, "unregistered")
        row = page.locator(tid(f"register-{STRANGER}")).locator("visible=true")
        await expect(row).to_be_visible(timeout=UI_TIMEOUT_MS)
        await _screenshot(page, "assets-unregistered-desktop.png")
        await row.click()
        await expect(page.locator(tid("register-dialog"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await page.click(tid("register-save"))  # no station chosen yet: refused
        await expect(page.locator(tid("register-station-id-error"))).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        await choose(page, "register-station-id", "Browser Test Depot")
        await _screenshot(page, "assets-register-form-desktop.png")
        await page.click(tid("register-save"))
        await expect(page.locator(tid("register-dialog"))).to_be_hidden(timeout=UI_TIMEOUT_MS)

        await charger.wait_accepted(timeout=UI_TIMEOUT_MS / 1000)  # asked to boot at once
        assert charger.boot_status == "Accepted"
        await expect(page.locator(tid("unregistered-empty"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await page.click(tid("tab-charge-points"))
        registered = page.locator(tid("charge-points-table"))
        await expect(registered).to_contain_text(STRANGER, timeout=UI_TIMEOUT_MS)
        await expect(
            registered.locator("tr", has_text=STRANGER).get_by_text("registered", exact=True)
        ).to_be_visible()
        await _screenshot(page, "assets-charge-points-desktop.png")
        phone = await _open(browser, running_app, PHONE, "charge-points")
        await expect(phone.locator(tid("charge-points-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await _screenshot(phone, "assets-charge-points-phone.png")
    finally:
        await charger.close()


async def test_register_from_the_charge_point_page(
    running_app: RunningApp, browser: Browser
) -> None:
    """An unknown charger's own page says it waits, gives the address to set in a charger,
    and registers it."""
    identity = "CP-UNKNOWN-10"
    charger = SimulatedChargePoint(identity, running_app.ocpp_url, meter_interval=60)
    await charger.connect()
    try:
        page = await _log_in(browser, running_app, DESKTOP, f"/charge-points/{identity}")
        await expect(page.locator(tid("cp-unregistered"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await expect(page.locator(tid("cp-connect-url"))).to_have_text(
            re.compile(rf"^ws://.+/ocpp/{identity}$")
        )
        phone = await _log_in(browser, running_app, PHONE, f"/charge-points/{identity}")
        await expect(phone.locator(tid("cp-register"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await no_sideways_scroll(phone, "an unregistered charge point's page")
        await _screenshot(phone, "charge-point-unregistered-phone.png")

        await page.click(tid("cp-register"))
        await expect(page.locator(tid("register-dialog"))).to_be_visible(timeout=UI_TIMEOUT_MS)
        await choose(page, "register-station-id", "Browser Test Depot")
        await _screenshot(page, "charge-point-unregistered-register-desktop.png")
        await page.click(tid("register-save"))
        await expect(page.locator(tid("register-dialog"))).to_be_hidden(timeout=UI_TIMEOUT_MS)
        await charger.wait_accepted(timeout=UI_TIMEOUT_MS / 1000)
        await expect(page.locator(tid("cp-unregistered"))).to_be_hidden(timeout=UI_TIMEOUT_MS)
        await expect(page.locator(tid("cp-register"))).to_have_count(0)
        await expect(page.locator(tid("cp-station"))).to_have_text("Browser Test Depot")
    finally:
        await charger.close()


async def test_station_page_and_live_map(running_app: RunningApp, browser: Browser) -> None:
    page = await _open(browser, running_app, DESKTOP, "map")
    await expect(page.locator(tid("map-legend-free"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("map-stations"))).to_contain_text("Browser Test Depot")
    await expect(page.locator(tid("station-map"))).to_be_visible()
    await page.wait_for_timeout(4000)  # let plotly draw (tiles cannot load here)
    await _screenshot(page, "assets-map-desktop.png")
    depot = page.locator("[data-testid^=map-station-]", has_text="Browser Test Depot")
    await _follows_the_charger_live(page, running_app, depot)

    await page.get_by_role("link", name="Browser Test Depot").click()
    await expect(page.locator(tid("stationpage-name"))).to_have_text(
        "Browser Test Depot", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(tid(f"stationpage-cp-{IDENTITY}"))).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    row = page.locator("tr", has=page.locator(tid(f"stationpage-cp-{IDENTITY}")))
    await _follows_the_charger_live(page, running_app, row)
    await expect(row).to_contain_text("1: Available")
    # Place it on the map from its page.
    await page.click(tid("stationpage-edit"))
    await expect(page.locator(tid("station-name"))).to_have_value("Browser Test Depot")
    await page.fill(tid("station-latitude"), "53.55")
    await page.fill(tid("station-longitude"), "9.99")
    await page.click(tid("station-save"))
    await expect(page.locator(tid("stationpage-position"))).to_have_text(
        "53.55000, 9.99000", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator(tid("stationpage-map"))).to_be_visible()
    await page.wait_for_timeout(4000)  # let plotly draw
    await _screenshot(page, "assets-station-page-desktop.png")

    phone = await _open(browser, running_app, PHONE, "map")
    await expect(phone.locator(tid("map-legend"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await phone.wait_for_timeout(4000)
    await _screenshot(phone, "assets-map-phone.png")
    await phone.goto(page.url)
    await expect(phone.locator(tid("stationpage-name"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await _screenshot(phone, "assets-station-page-phone.png")


async def _follows_the_charger_live(page: Page, running_app: RunningApp, shown: Locator) -> None:
    """What `shown` says changes with a charger's status, by push and without a reload: the
    map and the station page follow Home's pushes while they are open
    (monitoring.state.home.follows_home)."""
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        await cp.call(call.BootNotification(charge_point_model="B", charge_point_vendor="T"))
        await page.evaluate("window.__ccmsNoReload = true")
        for status in (ChargePointStatus.faulted, ChargePointStatus.available):
            before = await shown.inner_text()
            await cp.call(
                call.StatusNotification(
                    connector_id=1, error_code=ChargePointErrorCode.no_error, status=status
                )
            )
            await expect(shown).not_to_have_text(before, timeout=UI_TIMEOUT_MS)
    assert await page.evaluate("window.__ccmsNoReload === true")


async def test_edit_a_charge_point_from_its_page(running_app: RunningApp, browser: Browser) -> None:
    page = await _log_in(browser, running_app, DESKTOP, f"/charge-points/{IDENTITY}")
    await page.click(tid("cp-edit"))
    await expect(page.locator(tid("cpform-dialog"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill(tid("cpform-max-power-kw"), "2000")
    await page.fill(tid("cpform-vendor"), "Alfen")
    await page.click(tid("cpform-save"))
    await expect(page.locator(tid("cpform-max-power-kw-error"))).to_contain_text(
        "at most 1,000 kW", timeout=UI_TIMEOUT_MS
    )
    await page.fill(tid("cpform-max-power-kw"), "22")
    await page.click(tid("cpform-add-connector"))
    await choose(page, "cpform-connector-0-type", "Type2")
    await _screenshot(page, "assets-charge-point-form-desktop.png")
    await page.click(tid("cpform-save"))
    await expect(page.locator(tid("cpform-dialog"))).to_be_hidden(timeout=UI_TIMEOUT_MS)
    await expect(page.locator(tid("cp-vendor"))).to_have_text("Alfen", timeout=UI_TIMEOUT_MS)


async def test_a_pages_scripts_are_cached_for_good_and_the_page_is_not(
    running_app: RunningApp, browser: Browser
) -> None:
    """A new tab or a reload loads no script again (core/asset_cache.py): each content-named
    file of the build comes `immutable`; the Assets page, whose path starts the same, does
    not."""
    page = await _log_in(browser, running_app, DESKTOP, "/assets")
    await expect(page.locator(tid("stations-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    seen: dict[str, str | None] = {}

    async def note(response: Response) -> None:
        path = urlsplit(response.url).path
        if path.startswith("/assets"):
            seen[path] = await response.header_value("cache-control")

    page.on("response", note)
    await page.reload()
    await expect(page.locator(tid("stations-list"))).to_be_visible(timeout=UI_TIMEOUT_MS)
    scripts = {path: value for path, value in seen.items() if path.endswith((".js", ".css"))}
    assert len(scripts) >= 5, seen
    assert all(value == "public, max-age=31536000, immutable" for value in scripts.values()), (
        scripts
    )
    assert "immutable" not in (seen.get("/assets") or ""), seen
