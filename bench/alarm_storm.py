"""500 chargers fault in the same second: how long until all 500 alarms exist, and what the
storm costs the chargers' replies.

In one process on a fresh migrated SQLite database: N registered charge points (bulk insert),
the real OCPP server with the real charger event service (group-commit writer), and N lean
OCPP clients over real websockets (bench/_ocpp_client.py) that each boot, then all send
StatusNotification Faulted at once. Two rounds in the same run:
- baseline: no alarm worker (what the storm cost before issue 14);
- alarms: the alarm worker running (maintenance.alarms.worker), so its batches compete with
  the OCPP writer for the database.
Printed: the CALLRESULT latency p50 / p99 of the storm's StatusNotifications in each round and
their ratio, the event loop's lag (a 10 ms timer's lateness, p99 and max, from the first
Faulted sent until the alarms exist or 3 s: the OCPP server shares its loop with the web
backend in the running app, so this is what a web request waiting for the loop would feel;
the bench starts no web app) and (alarms round) the time from the first Faulted sent until
all N alarms exist and the worker's time spent in its transactions. The alarm round runs with
the e-mail and work-order hooks installed, as the app does.
The clients share the server's event loop (a lean client costs little); both rounds do. A
discarded warm-up round runs first (SQL compilation and caches would otherwise bill the
baseline).

    .venv/bin/python bench/alarm_storm.py [--chargers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import col

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench._ocpp_client import ChargerConnection, open_charger
from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.core import db
from ccms_app.core.config import Settings
from ccms_app.core.events import get_event_bus
from ccms_app.core.migrations import upgrade_database
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import Alarm, AlarmRule, MaintenanceSettings
from ccms_app.maintenance.alarms.worker import alarm_worker_running
from ccms_app.maintenance.notifications import email_hook
from ccms_app.maintenance.notifications.digest import send_due_digests
from ccms_app.maintenance.work_orders import alarm_hook
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from tests.fixtures.smtp import free_port, smtp_server


def seed(chargers: int) -> None:
    now = datetime.now(UTC)
    with db.get_engine().begin() as conn:
        org = conn.execute(insert(Organisation).values(name="Storm", created_at=now)).lastrowid
        conn.execute(
            insert(ChargePoint),
            [
                {
                    "organisation_id": org,
                    "identity": f"STORM-{i:04d}",
                    "vendor": "ACME",
                    "registration_state": "registered",
                    "created_at": now,
                }
                for i in range(chargers)
            ],
        )
        # The operator's rule: faulted connectors are mailed to two people (one digest).
        conn.execute(
            insert(AlarmRule).values(
                organisation_id=org,
                name="Faults",
                cause="connector_faulted",
                email_recipients="ops@storm.example, night@storm.example",
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            insert(MaintenanceSettings).values(
                organisation_id=org, digest_window_s=0, updated_at=now
            )
        )


def alarm_count() -> int:
    with db.read_session() as s:
        return int(s.execute(select(func.count()).select_from(Alarm)).scalar_one())


def open_alarm_count() -> int:
    with db.read_session() as s:
        query = select(func.count()).select_from(Alarm).where(col(Alarm.closed_at).is_(None))
        return int(s.execute(query).scalar_one())


async def recover_all(clients: list[ChargerConnection]) -> float:
    """Every charger reports Available again (power is back): seconds until no alarm is open."""
    sent = time.perf_counter()
    await asyncio.gather(
        *(
            c.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            for c in clients
        )
    )
    while open_alarm_count() and time.perf_counter() - sent < 60:
        await asyncio.sleep(0.05)
    return time.perf_counter() - sent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class LoopLag:
    """How late a 10 ms timer wakes on the shared event loop, while running."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._probe())

    async def stop(self) -> tuple[float, float]:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return (percentile(self.lags, 0.99), max(self.lags)) if self.lags else (0.0, 0.0)

    async def _probe(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lags.append((time.perf_counter() - before - 0.01) * 1000)


async def storm(
    port: int, chargers: int, round_name: str, lag: LoopLag
) -> tuple[list[float], float, list[ChargerConnection]]:
    """Connect and boot every charger, then fault all at once; latencies (ms) and the time
    the Faulted calls were sent."""
    clients: list[ChargerConnection] = await asyncio.gather(
        *(open_charger("127.0.0.1", port, f"STORM-{i:04d}") for i in range(chargers))
    )
    await asyncio.gather(
        *(
            c.call("BootNotification", {"chargePointVendor": "ACME", "chargePointModel": "X"})
            for c in clients
        )
    )
    await asyncio.sleep(1)  # the boots' batches are done

    async def fault(client: ChargerConnection, index: int) -> float:
        started = time.perf_counter()
        await client.call(
            "StatusNotification",
            {
                "connectorId": 1,
                "errorCode": "GroundFailure",
                "status": "Faulted",
                "vendorErrorCode": f"E{index % 7}",
                "info": round_name,
            },
        )
        return (time.perf_counter() - started) * 1000

    sent = time.perf_counter()
    lag.start()
    latencies = await asyncio.gather(*(fault(c, i) for i, c in enumerate(clients)))
    return list(latencies), sent, clients


async def run_round(chargers: int, with_alarms: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'storm.db'}"
        upgrade_database(url)
        db.set_engine(db.make_engine(url))
        seed(chargers)
        bus = get_event_bus()
        events = ChargerEventService(bus)
        await events.start()
        server = OcppServer(events, response_timeout=30)
        await server.start()
        result: dict[str, Any] = {}
        try:
            lag = LoopLag()
            if with_alarms:
                email_hook.install()
                alarm_hook.install()
                async with alarm_worker_running(bus) as worker:
                    latencies, sent, clients = await storm(server.port, chargers, "alarms", lag)
                    while alarm_count() < chargers and time.perf_counter() - sent < 60:
                        await asyncio.sleep(0.05)
                    result["all_alarms_s"] = time.perf_counter() - sent
                    result["alarms"] = alarm_count()
                    result["batches"] = worker.batches
                    result["busy_s"] = worker.busy_s
                    result["mails"] = await asyncio.to_thread(mail_digests)
                    result["recovered_s"] = await recover_all(clients)
                    result["still_open"] = open_alarm_count()
            else:
                latencies, sent, clients = await storm(server.port, chargers, "baseline", lag)
                await asyncio.sleep(max(0.0, 3 - (time.perf_counter() - sent)))
            result["lag_p99"], result["lag_max"] = await lag.stop()
            result["p50"] = statistics.median(latencies)
            result["p99"] = percentile(latencies, 0.99)
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        finally:
            await server.stop()
            await events.stop()
            db.set_engine(None)
    return result


def mail_digests() -> int:
    """Run the digest job once against a local SMTP server: how many mails arrived."""
    port = free_port()
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="ccms@storm.example", smtp_timeout=10
    )
    with smtp_server(port) as inbox:
        send_due_digests(utc_now(), settings)
        return len(inbox.messages)


async def main_async(chargers: int) -> None:
    await run_round(chargers, with_alarms=False)  # warm-up: first compiles, imports, caches
    base = await run_round(chargers, with_alarms=False)
    alarms = await run_round(chargers, with_alarms=True)
    print(f"{chargers} chargers send StatusNotification Faulted in the same second")
    print(f"{'':34}{'baseline':>12}{'alarm worker':>14}{'ratio':>8}")
    for key, label in (
        ("p50", "CALLRESULT latency p50 (ms)"),
        ("p99", "CALLRESULT latency p99 (ms)"),
        ("lag_p99", "event loop lag p99 (ms)"),
        ("lag_max", "event loop lag max (ms)"),
    ):
        print(f"{label:34}{base[key]:12.1f}{alarms[key]:14.1f}{alarms[key] / base[key]:8.2f}")
    print(
        f"alarms raised: {alarms['alarms']} / {chargers} in {alarms['all_alarms_s']:.2f} s "
        f"from the first Faulted sent ({alarms['batches']} worker batches, "
        f"{alarms['busy_s']:.2f} s in them)"
    )
    print(f"alarm e-mail: {alarms['mails']} digest mail(s) for {alarms['alarms']} alarms")
    print(
        f"recovery: all report Available -> {alarms['alarms'] - alarms['still_open']} alarms "
        f"closed in {alarms['recovered_s']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main_async(args.chargers))


if __name__ == "__main__":
    main()
