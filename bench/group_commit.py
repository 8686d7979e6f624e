"""Group commit vs one commit per OCPP message, through the real ChargerEventService.

Runs N concurrent charge points each sending M StatusNotifications + MeterValues into the
service (no websockets: this isolates the database path) twice on fresh SQLite files:
baseline = DbWriter(max_batch=1) (a commit per message), group = DbWriter() (shared commits).
Prints messages/s for both and the ratio.

    .venv/bin/python bench/group_commit.py [--chargers 200] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ocpp.v16 import call

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.core import db
from ccms_app.core.config import Settings
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.events import EventBus
from ccms_app.core.migrations import upgrade_database
from ccms_app.network.models import ChargePoint


def _prepare(path: Path, chargers: int) -> None:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    db.set_engine(db.make_engine(url))
    with db.session_scope() as session:
        org = Organisation(name="Bench")
        session.add(org)
        session.flush()
        for i in range(chargers):
            session.add(
                ChargePoint(
                    identity=f"B-{i:05d}", organisation_id=org.id, registration_state="registered"
                )
            )


async def _charger(service: ChargerEventService, identity: str, messages: int) -> None:
    for n in range(messages):
        now = datetime.now(UTC).isoformat()
        if n % 2:
            await service.status_notification(
                identity,
                call.StatusNotification(
                    connector_id=1, error_code="NoError", status="Available", timestamp=now
                ),
            )
        else:
            await service.meter_values(
                identity,
                call.MeterValues(
                    connector_id=1,
                    meter_value=[{"timestamp": now, "sampled_value": [{"value": str(n)}]}],
                ),
            )


async def _run(writer: DbWriter, chargers: int, messages: int) -> float:
    service = ChargerEventService(EventBus(), Settings(), writer=writer)
    await service.start()
    started = time.perf_counter()
    await asyncio.gather(*(_charger(service, f"B-{i:05d}", messages) for i in range(chargers)))
    elapsed = time.perf_counter() - started
    await service.stop()
    return chargers * messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in (
            ("baseline (commit per message)", DbWriter(max_batch=1)),
            ("group commit", DbWriter()),
        ):
            _prepare(Path(tmp) / f"{name.split()[0]}.db", args.chargers)
            results[name] = asyncio.run(_run(writer, args.chargers, args.messages))
            print(f"{name:32s} {results[name]:9.0f} msg/s")
            db.set_engine(None)
    base, group = results.values()
    print(f"{'ratio group/baseline':32s} {group / base:9.1f}x")


if __name__ == "__main__":
    main()
