"""The running app and a browser for the browser tests (pytest mark `browser`).

`running_app` starts `reflex run --env prod --single-port` (what `ccms run` runs) on free ports
against a migrated temporary SQLite database with an admin and the charge point IDENTITY
registered; the frontend is built in var/web-test, kept between runs (npm install happens
once) and separate from the `.web` of a running `ccms run`. `browser` is Debian's Chromium
driven by Playwright. Screenshots go to artifacts/screenshots/, each test module's app log to
artifacts/browser-test-<module>.log.

A test module uses the fixtures by importing them (`from tests.ui.app_process import browser,
running_app`); `running_app` is module-scoped, so each module gets its own app and database.
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

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.migrations import upgrade_database
from ccms_app.services.auth import ensure_admin
from ccms_app.services.provisioning import register_charge_point

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
def running_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
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
        module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        shutil.copyfile(log_path, SCREENSHOTS.parent / f"browser-test-{module}.log")


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


async def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
