"""Scale-out end to end (issue 19): PostgreSQL, Redis, two `ccms ocpp-gateway` processes and
the web UI as `ccms web` runs it (no OCPP server, two workers, tabs' state in Redis), with
headless Chromium.

A charger boots on gateway A and starts a session; Live Monitoring shows it. It moves to
gateway B mid-session (as a charger reconnecting through a TCP load balancer would): the page
follows its statuses from there, a Reset sent from the charge point's page reaches it on B,
and the session it started on A ends on B with the meter readings of both.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, ChargePointStatus
from playwright.async_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session

from ccms_app.api.health import WEB_ONLY
from ccms_app.charging.models import ChargingSession
from ccms_app.cli.web import web_environment
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT, Settings
from ccms_app.network.provisioning import add_id_tag
from tests.fixtures.app_process import (
    DESKTOP,
    IDENTITY,
    PHONE,
    SCREENSHOTS,
    UI_TIMEOUT_MS,
    RunningApp,
    _app_environment,
    _free_port,
    _frontend_build,
    _log_in,
    _prepare_database,
    _screenshot,
    _serving_environment,
    _stop,
    _wait_until_up,
    browser,
)
from tests.fixtures.gateway import running_gateway
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point
from tests.fixtures.postgres import PostgresServer, TemplateCopies
from tests.fixtures.redis import RedisServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
__all__ = ["browser"]

WEB_WORKERS = 2
ID_TAG = "SCALE-OUT-1"


@pytest.fixture
def shared_database(postgres: PostgresServer, postgres_copies: TemplateCopies) -> Iterator[str]:
    """A migrated PostgreSQL database with the admin, the charge point and an id tag."""
    name = postgres_copies.take()
    url = postgres.url(name)
    _prepare_database(url)
    db.set_engine(db.make_engine(url))
    try:
        add_id_tag(ID_TAG)
    finally:
        db.set_engine(None)
    try:
        yield url
    finally:
        postgres_copies.give_back(name)


@contextlib.contextmanager
def web_only_app(database_url: str, redis_url: str, tmp: Path) -> Iterator[RunningApp]:
    """The web UI as `ccms web` starts it: `reflex run --env prod --single-port` with its
    environment (`cli.web.web_environment`), serving the tests' frontend build."""
    settings = Settings(database_url=database_url, redis_url=redis_url)
    env = _app_environment(tmp, database_url, _free_port())
    env.update(CCMS_REDIS_URL=redis_url, **web_environment(settings, WEB_WORKERS))
    log_path = tmp / "web.log"
    with _frontend_build(env) as web_port, log_path.open("wb") as log:
        serving = _serving_environment(env, web_port, tmp / "states")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.reflex_prod", "serve", str(web_port)],
            cwd=PROJECT_ROOT,
            env=serving,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: _stop ends its workers too
        )
        try:
            web_url = f"http://{serving['REFLEX_BACKEND_HOST']}:{web_port}"
            _wait_until_up(process.pid, web_url, log_path)
            yield RunningApp(web_url, "", log_path, database_url)
        finally:
            _stop(process.pid)
            process.wait(timeout=30)
            SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log_path, SCREENSHOTS.parent / "browser-test-scale_out.log")


def _health(web_url: str) -> dict:
    with urllib.request.urlopen(f"{web_url}/healthz", timeout=10) as reply:
        return dict(json.loads(reply.read()))


def _reflex_keys(redis_url: str) -> list[bytes]:
    """What Reflex keeps in Redis (tabs' states, tokens): CCMS's own keys start ccms:."""
    client = redis.Redis.from_url(redis_url)
    try:
        return [key for key in client.keys("*") if not key.startswith(b"ccms:")]
    finally:
        client.close()


async def _status(cp: ScriptedChargePoint, status: ChargePointStatus) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=1, error_code=ChargePointErrorCode.no_error, status=status
        )
    )


async def _meter(cp: ScriptedChargePoint, transaction_id: int, wh: int) -> None:
    now = datetime.now(UTC).isoformat()
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[{"timestamp": now, "sampled_value": [{"value": str(wh)}]}],
        )
    )


async def _reset_from_the_page(page: Page) -> None:
    await page.click(f"[data-testid=cp-link-{IDENTITY}] >> visible=true")
    # the page's load sets the form to its defaults: choose once it has, and send only
    # once the server's form says Hard (the radio follows the server's state)
    await expect(page.locator("[data-testid=cp-identity]")).to_have_text(
        IDENTITY, timeout=UI_TIMEOUT_MS
    )
    await page.click("[data-testid=tab-commands]")
    hard = page.get_by_role("radio", name="Hard")
    await hard.click()
    await expect(hard).to_be_checked(timeout=UI_TIMEOUT_MS)
    await page.click("[data-testid=command-send]")
    await expect(page.locator("[data-testid=command-outcome]")).to_have_text(
        "Reset accepted by the charge point.", timeout=UI_TIMEOUT_MS
    )


async def test_a_charger_moves_between_gateways_and_the_web_follows_and_commands_it(
    browser: Browser, redis_server: RedisServer, shared_database: str, tmp_path: Path
) -> None:
    redis_url = redis_server.url
    async with (
        running_gateway(shared_database, redis_url, tmp_path / "gateway-a.log") as gateway_a,
        running_gateway(shared_database, redis_url, tmp_path / "gateway-b.log") as gateway_b,
    ):
        with web_only_app(shared_database, redis_url, tmp_path) as app:
            health = _health(app.web_url)
            assert health["status"] == "ok" and health["checks"]["ocpp_listener"] == WEB_ONLY

            page = await _log_in(browser, app, DESKTOP, "/live")
            phone = await _log_in(browser, app, PHONE, "/live")  # a second tab, maybe worker
            assert _reflex_keys(redis_url), "the tabs' state is not kept in Redis"
            row = page.locator(f"[data-testid=cp-row-{IDENTITY}]")
            async with connect_charge_point(gateway_a.url, IDENTITY) as on_a:
                boot = await on_a.call(call.BootNotification("Wallbox X2", "ACME"))
                assert boot.status == "Accepted"
                await _status(on_a, ChargePointStatus.available)
                await expect(row).to_contain_text("1: Available", timeout=UI_TIMEOUT_MS)
                started = await on_a.call(
                    call.StartTransaction(
                        connector_id=1,
                        id_tag=ID_TAG,
                        meter_start=1000,
                        timestamp=datetime.now(UTC).isoformat(),
                    )
                )
                tx = started.transaction_id
                await _status(on_a, ChargePointStatus.charging)
                await _meter(on_a, tx, 1500)
                await expect(row).to_contain_text("1: Charging", timeout=UI_TIMEOUT_MS)
                sessions = page.locator("[data-testid=live-sessions]")
                await expect(sessions).to_contain_text(ID_TAG, timeout=UI_TIMEOUT_MS)

            # Gateway A lost it; it reconnects through the load balancer to gateway B.
            async with connect_charge_point(gateway_b.url, IDENTITY) as on_b:
                await _status(on_b, ChargePointStatus.suspended_ev)
                await expect(row).to_contain_text("1: SuspendedEV", timeout=UI_TIMEOUT_MS)
                await expect(phone.locator(f"[data-testid=cp-card-{IDENTITY}]")).to_contain_text(
                    "SuspendedEV", timeout=UI_TIMEOUT_MS
                )
                await _screenshot(page, "scale-out-live-desktop.png")
                await _screenshot(phone, "scale-out-live-phone.png")

                await _meter(on_b, tx, 2400)
                await _reset_from_the_page(page)
                assert ("Reset", {"type": "Hard"}) in on_b.received
                stopped = await on_b.call(
                    call.StopTransaction(
                        meter_stop=2500,
                        timestamp=datetime.now(UTC).isoformat(),
                        transaction_id=tx,
                        reason="HardReset",
                    )
                )
                assert stopped is not None
                await _status(on_b, ChargePointStatus.available)
                await expect(page.locator("[data-testid=cp-connector-1]")).to_have_text(
                    "Available", timeout=UI_TIMEOUT_MS
                )
                await _screenshot(page, "scale-out-charge-point-desktop.png")

    engine = create_engine(shared_database)
    try:
        with Session(engine) as session:
            ended = session.get(ChargingSession, tx)
            assert ended is not None
            assert (ended.meter_start_wh, ended.meter_stop_wh, ended.energy_wh) == (
                1000,
                2500,
                1500,
            )
            assert ended.stop_reason == "HardReset"
    finally:
        engine.dispose()
    assert gateway_a.process.returncode == 0, (tmp_path / "gateway-a.log").read_text()
    assert gateway_b.process.returncode == 0, (tmp_path / "gateway-b.log").read_text()
