"""Access that really ends, in a real browser against the running app (issue 10, "Done when").

- An administrator creates a Viewer and a Maintenance staff account on /system/accounts; each
  logs in, must choose its own password first, then sees only its role's menu; a forged event
  for an action the role lacks is refused by the server (the same forged event from the
  administrator works, so the forgery itself is sound).
- A sub-operator's administrator creates its own user and reaches none of its parent's data,
  neither by URL nor by forged events.
- Log out on Live Monitoring, then replay the old cookie: refused on the socket and over HTTP.
- Tab A stays open while tab B logs out: tab A's next action lands on the login page.
Forged events come from a socket.io client of our own (tests/fixtures/forged_events.py).
"""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation
from ccms_app.accounts.principals import principal_for_session
from ccms_app.accounts.sub_operators import create_sub_operator
from ccms_app.core import db
from ccms_app.drivers.models import IdTag, IdTagStatus
from ccms_app.drivers.state.actions import IdTagActionsState
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.network.models import Station
from ccms_app.network.state.asset_actions import AssetActionState
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DESKTOP,
    UI_TIMEOUT_MS,
    RunningApp,
    _screenshot,
    browser,
    running_app,
)
from tests.fixtures.forged_events import send_event, send_events

pytestmark = pytest.mark.browser
__all__ = ["browser", "running_app"]

FIRST_PASSWORD = "first-login-pass-7731"
OWN_PASSWORD = "my-own-chosen-pass-4402"
SUB_ADMIN = "sub-admin@example.com"


@dataclass(frozen=True)
class World:
    parent_tag_id: int
    parent_station_id: int
    spare_station_id: int
    sub_organisation_id: int


@pytest.fixture(scope="module")
def world(running_app: RunningApp) -> Iterator[World]:
    """The parent's card and stations, and a sub-operator with its administrator."""
    db.set_engine(db.make_engine(running_app.database_url))
    try:
        with db.session_scope() as session:
            root = session.exec(select(Organisation).where(Organisation.parent_id == None)).one()  # noqa: E711
            tag = IdTag(organisation_id=root.id or 0, id_tag="PARENT-TAG")
            depot = Station(organisation_id=root.id or 0, name="Parent Depot")
            spare = Station(organisation_id=root.id or 0, name="Spare Station")
            session.add_all([tag, depot, spare])
            session.flush()
            ids = (tag.id or 0, depot.id or 0, spare.id or 0)
        admin = auth.check_credentials(ADMIN_EMAIL, ADMIN_PASSWORD)
        principal = principal_for_session(auth.token_hash(auth.open_session(admin)))
        assert principal is not None
        created = create_sub_operator(
            principal,
            {
                "name": "Sub Charging Ltd",
                "admin_email": SUB_ADMIN,
                "admin_name": "Sub Admin",
                "admin_password": FIRST_PASSWORD,
                "max_charge_points": "10",
                "max_connectors": "",
                "valid_from": "",
                "valid_to": "",
            },
        )
        yield World(*ids, sub_organisation_id=created.organisation_id)
    finally:
        db.set_engine(None)


async def _log_in(browser: Browser, app: RunningApp, email: str, password: str) -> Page:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(f"{app.web_url}/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(re.compile(r".*/(account)?$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=logout]").first).to_be_visible(timeout=UI_TIMEOUT_MS)
    return page


async def _choose_own_password(page: Page, app: RunningApp, current: str) -> None:
    """A new account must choose its own password first: every page sends it to /account."""
    await page.goto(f"{app.web_url}/live")
    await page.wait_for_url(re.compile(r".*/account$"), timeout=UI_TIMEOUT_MS)
    await expect(page.locator("[data-testid=own-must-change]")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.fill("[data-testid=own-password-current_password]", current)
    await page.fill("[data-testid=own-password-new_password]", OWN_PASSWORD)
    await page.fill("[data-testid=own-password-new_password_again]", OWN_PASSWORD)
    await page.click("[data-testid=own-password-submit]")
    await expect(page.locator("[data-testid=own-must-change]")).to_have_count(
        0, timeout=UI_TIMEOUT_MS
    )


async def _cookie(context: BrowserContext) -> str:
    cookies = await context.cookies()
    session = [c for c in cookies if c["name"] == auth.SESSION_COOKIE]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict"
    return f"{auth.SESSION_COOKIE}={session[0]['value']}"


async def _create_account(page: Page, email: str, role: str) -> None:
    await page.click("[data-testid=accounts-new]")
    await page.fill("[data-testid=account-form-full_name]", role + " person")
    await page.fill("[data-testid=account-form-email]", email)
    await page.click("[data-testid=account-form-organisation]")
    await page.get_by_role("option").first.click()
    await page.click("[data-testid=account-form-role]")
    await page.get_by_role("option", name=role, exact=True).click()
    await page.fill("[data-testid=account-form-password]", FIRST_PASSWORD)
    await page.click("[data-testid=account-form-submit]")
    await expect(page.get_by_text(email).first).to_be_visible(timeout=UI_TIMEOUT_MS)


def _tag_status(app: RunningApp, tag_id: int) -> str:
    db.set_engine(db.make_engine(app.database_url))
    with db.read_session() as session:
        tag = session.get(IdTag, tag_id)
        return tag.status if tag is not None else "gone"


def _station_exists(app: RunningApp, station_id: int) -> bool:
    db.set_engine(db.make_engine(app.database_url))
    with db.read_session() as session:
        return session.get(Station, station_id) is not None


def _handler(state: type, name: str) -> str:
    return f"{state.get_full_name()}.{name}"  # type: ignore[attr-defined]


async def test_roles_see_only_their_modules_and_forged_events_are_refused(
    running_app: RunningApp, browser: Browser, world: World
) -> None:
    admin = await _log_in(browser, running_app, ADMIN_EMAIL, ADMIN_PASSWORD)
    await admin.goto(f"{running_app.web_url}/system/accounts")
    await _create_account(admin, "viewer@example.com", "Viewer")
    await _create_account(admin, "fixer@example.com", "Maintenance staff")
    await _screenshot(admin, "system-accounts-desktop.png")

    viewer = await _log_in(browser, running_app, "viewer@example.com", FIRST_PASSWORD)
    await _choose_own_password(viewer, running_app, FIRST_PASSWORD)
    await viewer.goto(f"{running_app.web_url}/live")
    await expect(viewer.locator("[data-testid=nav-live]").first).to_be_visible()
    for hidden in ("system",):
        await expect(viewer.locator(f"[data-testid=nav-{hidden}]")).to_have_count(0)
    fixer = await _log_in(browser, running_app, "fixer@example.com", FIRST_PASSWORD)
    await _choose_own_password(fixer, running_app, FIRST_PASSWORD)
    await fixer.goto(f"{running_app.web_url}/maintenance")
    await expect(fixer.locator("[data-testid=nav-maintenance]").first).to_be_visible()
    for hidden in ("users", "finance", "system"):
        await expect(fixer.locator(f"[data-testid=nav-{hidden}]")).to_have_count(0)
    await fixer.goto(f"{running_app.web_url}/users")  # by URL: sent away with a message
    await fixer.wait_for_url(re.compile(r".*/$"), timeout=UI_TIMEOUT_MS)

    block = _handler(IdTagActionsState, "block")
    payload = {"pk": world.parent_tag_id}
    answer = await send_event(
        running_app.web_url, block, payload, cookie=await _cookie(viewer.context)
    )
    assert "does not allow" in str(answer)
    assert _tag_status(running_app, world.parent_tag_id) == IdTagStatus.ACTIVE
    answer = await send_event(
        running_app.web_url, block, payload, cookie=await _cookie(fixer.context)
    )
    assert _tag_status(running_app, world.parent_tag_id) == IdTagStatus.ACTIVE
    await send_event(running_app.web_url, block, payload, cookie=await _cookie(admin.context))
    assert _tag_status(running_app, world.parent_tag_id) == IdTagStatus.BLOCKED  # forgery works


async def test_a_sub_operator_reaches_none_of_its_parents_data(
    running_app: RunningApp, browser: Browser, world: World
) -> None:
    sub = await _log_in(browser, running_app, SUB_ADMIN, FIRST_PASSWORD)
    await _choose_own_password(sub, running_app, FIRST_PASSWORD)
    await sub.goto(f"{running_app.web_url}/")  # its licence, on its Home
    await expect(sub.locator("[data-testid=licence-usage]")).to_contain_text(
        "/ 10 charge points", timeout=UI_TIMEOUT_MS
    )
    await sub.set_viewport_size({"width": 360, "height": 740})
    await _screenshot(sub, "home-sub-operator-360.png")
    await sub.set_viewport_size(DESKTOP)
    await sub.goto(f"{running_app.web_url}/system/accounts")
    await _create_account(sub, "sub-viewer@example.com", "Viewer")
    db.set_engine(db.make_engine(running_app.database_url))
    with db.read_session() as session:
        made = session.exec(
            select(OperatorAccount).where(OperatorAccount.email == "sub-viewer@example.com")
        ).one()
    assert made.organisation_id == world.sub_organisation_id

    await sub.goto(f"{running_app.web_url}/stations/{world.parent_station_id}")
    await expect(sub.locator("[data-testid=stationpage-not-found]")).to_be_visible(
        timeout=UI_TIMEOUT_MS
    )
    await expect(sub.get_by_text("Parent Depot")).to_have_count(0)

    delete_station = [
        (
            _handler(AssetActionState, "ask"),
            {
                "kind": "delete-station",
                "target_id": str(world.spare_station_id),
                "target_name": "x",
            },
        ),
        (_handler(AssetActionState, "confirm"), {}),
    ]
    sub_cookie = await _cookie(sub.context)
    await send_events(running_app.web_url, delete_station, cookie=sub_cookie)
    assert _station_exists(running_app, world.spare_station_id)
    before = _tag_status(running_app, world.parent_tag_id)
    flip = "unblock" if before == IdTagStatus.BLOCKED else "block"
    await send_event(
        running_app.web_url,
        _handler(IdTagActionsState, flip),
        {"pk": world.parent_tag_id},
        cookie=sub_cookie,
    )
    assert _tag_status(running_app, world.parent_tag_id) == before

    admin = await _log_in(browser, running_app, ADMIN_EMAIL, ADMIN_PASSWORD)
    await send_events(running_app.web_url, delete_station, cookie=await _cookie(admin.context))
    assert not _station_exists(running_app, world.spare_station_id)  # the same forgery works

    # Past the licence's end the sub-operator's people still log in, read-only, told why.
    db.set_engine(db.make_engine(running_app.database_url))
    with db.session_scope() as session:
        organisation = session.get(Organisation, world.sub_organisation_id)
        assert organisation is not None
        organisation.licence_valid_to = date(2026, 1, 31)
        session.add(organisation)
    await sub.goto(f"{running_app.web_url}/system/accounts")
    await expect(sub.locator("[data-testid=read-only-banner]")).to_contain_text(
        "licence ended on 2026-01-31", timeout=UI_TIMEOUT_MS
    )
    await expect(sub.locator("[data-testid=accounts-new]")).to_have_count(0)


async def test_log_out_on_live_monitoring_then_the_old_cookie_opens_nothing(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, ADMIN_EMAIL, ADMIN_PASSWORD)
    await page.goto(f"{running_app.web_url}/live")
    await expect(page.locator("[data-testid=logout]").first).to_be_visible()
    old_cookie = await _cookie(page.context)
    raw_token = old_cookie.split("=", 1)[1].encode()
    assert running_app.states_dir is not None
    states = running_app.states_dir
    # Reflex writes each state file 2 s after a change (debounced): wait until the file with
    # the tab's router headers is there. They hold the cookie header, as the token's hash.
    hashed = auth.token_hash(raw_token.decode()).encode()
    written: list[Path] = []
    for _ in range(80):
        written = [path for path in states.rglob("*.pkl") if path.is_file()]
        if any(hashed in path.read_bytes() for path in written):
            break
        await asyncio.sleep(0.25)
    assert any(hashed in path.read_bytes() for path in written), "no state file was checked"
    assert not [path for path in written if raw_token in path.read_bytes()]
    tab_token = await page.evaluate("window.sessionStorage.getItem('token')")
    await page.locator("[data-testid=logout]").first.click()
    await page.wait_for_url(re.compile(r".*/login.*"), timeout=UI_TIMEOUT_MS)
    assert not [c for c in await page.context.cookies() if c["name"] == auth.SESSION_COOKIE]
    # The next login in this tab starts from fresh states (nothing typed before shows).
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    await page.wait_for_function(  # Reflex takes a token when the page connects
        "window.sessionStorage.getItem('token') !== null", timeout=UI_TIMEOUT_MS
    )
    assert await page.evaluate("window.sessionStorage.getItem('token')") != tab_token

    answer = await send_event(
        running_app.web_url, _handler(LiveListState, "refresh"), cookie=old_cookie
    )
    assert "/login" in str(answer)
    request = urllib.request.Request(
        f"{running_app.web_url}/diagnostics/CP-BROWSER-1/any.log", headers={"Cookie": old_cookie}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    db.set_engine(db.make_engine(running_app.database_url))
    token = old_cookie.split("=", 1)[1]
    with db.read_session() as session:
        row = session.exec(
            select(LoginSession).where(LoginSession.token_hash == auth.token_hash(token))
        ).first()
    assert row is None


async def test_an_open_tab_is_refused_after_another_tab_logs_out(
    running_app: RunningApp, browser: Browser
) -> None:
    tab_a = await _log_in(browser, running_app, ADMIN_EMAIL, ADMIN_PASSWORD)
    await tab_a.goto(f"{running_app.web_url}/assets")
    search = tab_a.locator("[data-testid=stations-search]").first
    await expect(search).to_be_visible(timeout=UI_TIMEOUT_MS)
    tab_b = await tab_a.context.new_page()
    await tab_b.goto(f"{running_app.web_url}/")
    await tab_b.locator("[data-testid=logout]").first.click()
    await tab_b.wait_for_url(re.compile(r".*/login.*"), timeout=UI_TIMEOUT_MS)

    await search.fill("Depot")  # tab A's next event
    await tab_a.wait_for_url(re.compile(r".*/login.*"), timeout=UI_TIMEOUT_MS)
    await expect(tab_a.locator("#email")).to_be_visible()


SYSTEM_PAGES = (
    "/system",
    "/system/accounts",
    "/system/roles",
    "/system/sub-operators",
    "/system/api-keys",
    "/system/webhooks",
    "/system/audit",
    "/account",
)


async def test_the_system_pages_fit_a_laptop_and_a_phone(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, ADMIN_EMAIL, ADMIN_PASSWORD)
    for width, height in ((1440, 900), (360, 740)):
        await page.set_viewport_size({"width": width, "height": height})
        for path in SYSTEM_PAGES:
            await page.goto(f"{running_app.web_url}{path}")
            await expect(page.locator("h1, h2").first).to_be_visible(timeout=UI_TIMEOUT_MS)
            await page.wait_for_load_state("networkidle")
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            name = path.strip("/").replace("/", "-") or "home"
            await _screenshot(page, f"{name}-{width}.png")
            assert overflow <= 0, f"{path} overflows by {overflow} px at {width} px"
