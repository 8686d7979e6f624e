"""The whole app for bench/live_view_browser.py: a seeded network, `reflex run` on it, and
simulated chargers connected to its OCPP server.

- `prepare_network` seeds a migrated SQLite file with N charge points the way bench/live_view.py
  does (bulk Core inserts), then gives them bench identities: the probe charge point sorts first
  (page 1 of Live Monitoring), then the chargers that carry traffic, then the ones that only
  stay connected. All are registered and have no password: CCMS lets a charge point without a
  password connect over plain ws:// (Security Profile 1 is turned on per charge point by giving
  it one; see ccms_app/network/charger_security.py), and accepts a registered one's Boot.
- `app_process` runs what the browser tests run (tests/fixtures/app_process.py: `reflex run
  --env prod --single-port`, frontend built in var/web-test) against that file, logging at
  WARNING so 1,000 msg/s of traffic is not also 1,000 log lines/s.
- `LoadGenerator` drives bench/_ocpp_load.py (`idle` holds chargers connected, `open` offers
  --rate msg/s) and follows its JSON progress lines.

Everything listens on and talks to 127.0.0.1; every process started here is stopped here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, update

from bench._ocpp_load import id_tag, identity
from bench.live_view import seed
from ccms_app.accounts.auth import ensure_admin
from ccms_app.core import db
from ccms_app.core.config import PROJECT_ROOT
from ccms_app.core.migrations import upgrade_database
from ccms_app.core.rows import table_of
from ccms_app.network.models import ChargePoint
from ccms_app.network.provisioning import add_id_tag
from tests.fixtures.app_process import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningApp,
    _app_environment,
    _free_port,
    _stop,
    _wait_until_up,
)

__all__ = ["ADMIN_EMAIL", "ADMIN_PASSWORD", "CHROMIUM", "CHROMIUM_ARGS", "RunningApp"]

PROBE_IDENTITY = "BENCH-A-PROBE"  # sorts before every other identity: row 1 of page 1
TRAFFIC_PREFIX = "BENCH-T-"  # bench/_ocpp_load.py identities: prefix + %04d, from 1
IDLE_PREFIX = "BENCH-U-"
TAG_PREFIX = "BENCH-TAG-"
GENERATOR_EVENT_TIMEOUT = 600.0  # booting 10,000 chargers on a busy 2-core machine


@dataclass(frozen=True)
class Network:
    """Who is who among the seeded charge points."""

    size: int
    traffic: int  # chargers that send the open-loop traffic
    idle: int  # chargers that only stay connected

    @property
    def probe(self) -> str:
        return PROBE_IDENTITY


def plan_network(size: int, traffic: int) -> Network:
    """The probe, then up to `traffic` traffic chargers, the rest idle."""
    if size < 2:
        raise ValueError("the network needs the probe and at least one other charge point")
    traffic = min(traffic, size - 1)
    return Network(size, traffic, size - 1 - traffic)


def _identities(network: Network) -> list[dict[str, Any]]:
    """charge point id -> bench identity (the seed numbers ids 1..N)."""
    names = [PROBE_IDENTITY]
    names += [identity(TRAFFIC_PREFIX, i) for i in range(1, network.traffic + 1)]
    names += [identity(IDLE_PREFIX, i) for i in range(1, network.idle + 1)]
    return [{"cp_id": number, "new_identity": name} for number, name in enumerate(names, 1)]


def prepare_network(database_url: str, network: Network) -> None:
    """Migrate, seed, rename to bench identities, register all, add the admin and id tags."""
    upgrade_database(database_url)
    engine = db.make_engine(database_url)
    try:
        seed(engine, network.size)
        table = table_of(ChargePoint)
        with engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("cp_id"))
                .values(identity=bindparam("new_identity")),
                _identities(network),
            )
            conn.execute(
                update(table)
                .where(table.c.registration_state != "registered")
                .values(registration_state="registered", station_id=1)
            )
        db.set_engine(engine)
        ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        for index in range(1, network.traffic + 1):
            add_id_tag(id_tag(TAG_PREFIX, index))
    finally:
        db.set_engine(None)
        engine.dispose()


@contextlib.contextmanager
def app_process(workdir: Path, database_url: str, cpu: int | None = None) -> Iterator[RunningApp]:
    """`reflex run --env prod --single-port` on free 127.0.0.1 ports; stopped on exit. With
    `cpu`, the app (and its worker) runs on that core only (taskset)."""
    web_port, ocpp_port = _free_port(), _free_port()
    env = _app_environment(workdir, database_url, ocpp_port)
    env["CCMS_WEB_PORT"] = str(web_port)
    env["CCMS_LOG_LEVEL"] = "WARNING"
    log_path = workdir / "app.log"
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
    with log_path.open("wb") as log_file:
        command = [*command, "--frontend-port", str(web_port)]
        process = subprocess.Popen(
            command if cpu is None else ["taskset", "-c", str(cpu), *command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    web_url = f"http://127.0.0.1:{web_port}"
    try:
        _wait_until_up(process.pid, web_url, log_path)
        yield RunningApp(web_url, f"ws://127.0.0.1:{ocpp_port}/ocpp", log_path)
    finally:
        _stop(process.pid)


def ocpp_port(app: RunningApp) -> int:
    return int(app.ocpp_url.rsplit(":", 1)[1].split("/", 1)[0])


class LoadGenerator:
    """One bench/_ocpp_load.py process: its progress events, its result, its stop."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self._process = process
        self._log = log
        self._events: dict[str, asyncio.Event] = {}
        self.seen: dict[str, dict[str, Any]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process.stdout is not None
        while line := await self._process.stdout.readline():
            message = json.loads(line)
            event = message.pop("event")
            self.seen[event] = message
            self._event(event).set()

    def _event(self, name: str) -> asyncio.Event:
        return self._events.setdefault(name, asyncio.Event())

    async def wait_for(self, event: str, timeout: float = GENERATOR_EVENT_TIMEOUT) -> dict:
        """The fields of `event` once the generator emitted it; fails if it exits first."""
        waiter = asyncio.create_task(self._event(event).wait())
        await asyncio.wait(
            {waiter, self._reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not self._event(event).is_set():
            waiter.cancel()
            tail = self._log.read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"load generator: no {event!r} (exit {self._process.returncode}) {tail}"
            )
        return self.seen[event]

    async def finish(self, timeout: float = 120.0) -> dict[str, Any]:
        """Tell an idle generator to close (a stdin line), wait for its result."""
        if self._process.stdin is not None and not self._process.stdin.is_closing():
            with contextlib.suppress(ConnectionError):
                self._process.stdin.write(b"close\n")
                await self._process.stdin.drain()
        try:
            return await self.wait_for("result", timeout)
        finally:
            await self.stop()

    async def stop(self) -> None:
        if self._process.returncode is None:
            self._process.kill()
        await self._process.wait()
        self._reader.cancel()


@contextlib.asynccontextmanager
async def load_generator(
    app: RunningApp, options: list[str], log: Path
) -> AsyncIterator[LoadGenerator]:
    """bench/_ocpp_load.py against the app's OCPP port; killed on exit if still running."""
    script = PROJECT_ROOT / "bench" / "_ocpp_load.py"
    command = [sys.executable, str(script), "--port", str(ocpp_port(app)), *options]
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=PROJECT_ROOT,
        )
    generator = LoadGenerator(process, log)
    try:
        yield generator
    finally:
        await generator.stop()
