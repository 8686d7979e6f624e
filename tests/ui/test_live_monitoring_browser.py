"""The real app in headless Chromium: log in, watch Live Monitoring change over OCPP, command.

Starts `reflex run --env prod --single-port` (what `ccms run` runs) on free ports against a
migrated temporary SQLite database, drives Debian's Chromium with Playwright and connects an
ocpp-library charge point over a real websocket. The frontend is built in var/web-test, kept
between runs (npm install happens once) and separate from the `.web` of a running `ccms run`.
Screenshots go to artifacts/screenshots/, the app's log to artifacts/browser-test-app.log.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from playwright.async_api import Browser, Page, async_playwright, expect

from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.migrations import upgrade_database
from ccms_app.services.auth import ensure_admin
from ccms_app.services.provisioning import register_charge_point
from tests.fixtures.ocpp import connect_charge_point

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ADMIN_EMAIL = "browser-test@example.com"
ADMIN_PASSWORD = "browser-test-password"
IDENTITY = "CP-BROWSER-1"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
WEB_WORKDIR = PROJECT_ROOT / "var" / "web-test"
START_TIMEOUT = 600  # the first build runs npm install
UI_TIMEOUT_MS = 15_000  # generous: this is a functional test, latency belongs in bench/
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class RunningApp:
    web_url: str
    ocpp_url: str
    log_path: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_database(url: str) -> None:
    upgrade_database(url)
    db.set_engine(db.make_engine(url))
    try:
        ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        register_charge_point(IDENTITY, "Browser Test Depot")
    finally:
        db.set_engine(None)


def _app_environment(tmp: Path, database_url: str, web_port: int, ocpp_port: int) -> dict:
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)  # the app must not think it runs under pytest
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_WEB_WORKDIR=str(WEB_WORKDIR),
        REFLEX_STATES_WORKDIR=str(tmp / "states"),
        CCMS_DATABASE_URL=database_url,
        CCMS_WEB_PORT=str(web_port),
        CCMS_OCPP_HOST="127.0.0.1",
        CCMS_OCPP_PORT=str(ocpp_port),
        CCMS_DEMO_FLEET="0",
        CCMS_LOG_LEVEL="INFO",
    )
    return env


def _wait_until_up(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/ping", timeout=2) as reply,
        ):
            if reply.status == 200:
                return
        time.sleep(1)
    tail = log_path.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"the app did not start (exit code {process.poll()}):\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("app")
    database_url = f"sqlite:///{tmp / 'ccms.db'}"
    _prepare_database(database_url)
    web_port, ocpp_port = _free_port(), _free_port()
    log_path = tmp / "app.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(web_port),
            ],
            cwd=PROJECT_ROOT,
            env=_app_environment(tmp, database_url, web_port, ocpp_port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    web_url = f"http://127.0.0.1:{web_port}"
    try:
        _wait_until_up(process, web_url, log_path)
        yield RunningApp(web_url, f"ws://127.0.0.1:{ocpp_port}/ocpp", log_path)
    finally:
        _stop(process)
        SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log_path, SCREENSHOTS.parent / "browser-test-app.log")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def _log_in(browser: Browser, app: RunningApp, viewport: dict, path: str) -> Page:
    """Open `path` signed out, get sent to the login page, log in, land back on `path`."""
    page = await browser.new_page(viewport=viewport)
    await page.goto(f"{app.web_url}{path}")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert "/login" in page.url
    await page.fill("#email", ADMIN_EMAIL)
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("[data-testid=login-submit]")
    await page.wait_for_url(
        re.compile(rf".*{re.escape(path.rstrip('/'))}/?$"), timeout=UI_TIMEOUT_MS
    )
    return page


async def _status(
    cp: Any, connector_id: int, status: ChargePointStatus, error: ChargePointErrorCode
) -> None:
    await cp.call(
        call.StatusNotification(connector_id=connector_id, error_code=error, status=status)
    )


async def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


async def test_live_monitoring_shows_ocpp_status_without_reload(
    running_app: RunningApp, browser: Browser
) -> None:
    page = await _log_in(browser, running_app, DESKTOP, "/live")
    row = page.locator(f"[data-testid=cp-row-{IDENTITY}]")
    connector = row.locator(f"[data-testid=connector-{IDENTITY}-1]")
    async with connect_charge_point(running_app.ocpp_url, IDENTITY) as cp:
        boot = await cp.call(call.BootNotification(charge_point_model="B", charge_point_vendor="T"))
        assert boot.status == "Accepted"
        await _status(cp, 1, ChargePointStatus.available, ChargePointErrorCode.no_error)
        await expect(connector).to_have_text("1: Available", timeout=UI_TIMEOUT_MS)

        # A reload would drop this marker: the change below must arrive by push.
        await page.evaluate("window.__ccmsNoReload = true")
        await _status(cp, 1, ChargePointStatus.faulted, ChargePointErrorCode.ground_failure)
        await expect(connector).to_have_text("1: Faulted (GroundFailure)", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("[data-testid=warnings]")).to_contain_text(
            "Connector 1 faulted: GroundFailure", timeout=UI_TIMEOUT_MS
        )
        assert await page.evaluate("window.__ccmsNoReload === true")
        await _screenshot(page, "live-monitoring-desktop.png")

        await _send_remote_start(page)
        await _screenshot(page, "live-monitoring-command-desktop.png")
        assert ("RemoteStartTransaction", {"id_tag": "BROWSER-TAG", "connector_id": 1}) in [
            (action, payload) for action, payload in cp.received
        ]

        phone = await _log_in(browser, running_app, PHONE, "/live")
        card = phone.locator(f"[data-testid=cp-card-{IDENTITY}]")
        await expect(card).to_contain_text("1: Faulted (GroundFailure)", timeout=UI_TIMEOUT_MS)
        await _screenshot(phone, "live-monitoring-phone.png")

        await phone.goto(f"{running_app.web_url}/")
        await expect(phone.locator("[data-testid=count-faulted]")).to_have_text(
            "1", timeout=UI_TIMEOUT_MS
        )
        await _screenshot(phone, "home-phone.png")

    await _log_out(page, running_app)


async def _send_remote_start(page: Page) -> None:
    """The command dialog: RemoteStartTransaction reaches the charge point and is accepted."""
    await page.click(f"[data-testid=commands-{IDENTITY}] >> visible=true")
    await page.fill("[data-testid=command-id-tag]", "BROWSER-TAG")
    await page.click("[data-testid=command-send]")
    outcome = page.locator("[data-testid=command-outcome]")
    await expect(outcome).to_have_text(
        "Remote start accepted by the charge point.", timeout=UI_TIMEOUT_MS
    )
    await expect(page.locator("[data-testid=recent-commands]")).to_contain_text(
        "accepted", timeout=UI_TIMEOUT_MS
    )


async def _log_out(page: Page, app: RunningApp) -> None:
    await page.keyboard.press("Escape")  # close the command dialog
    await page.click("[data-testid=logout] >> visible=true")
    await page.wait_for_url(re.compile(r".*/login/?$"), timeout=UI_TIMEOUT_MS)
    await page.goto(f"{app.web_url}/live")
    await expect(page.locator("#email")).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert "/login" in page.url
