"""The OCPP database hot path, through the real ChargerEventService and DbWriter on SQLite.

N concurrent charge points send M messages each straight into the service (no websockets: this
isolates the database path, what runs in the group-commit writer per message). Scenarios:

- status+meter, commit per message: DbWriter(max_batch=1), the reference for group commit;
- status+meter: StatusNotification and MeterValues alternating, group commit;
- mix: what a real network sends (Boot, Status, Start, MeterValues of the transaction,
  Heartbeat, Stop), every frame in and out in the OCPP message log as the server logs it;
- mix + odd chargers: the same, but one charger in 20 sends only MeterValues naming
  transactions CCMS never issued, over a history of open data issues of other chargers (odd
  data must cost no more than good data).

Prints messages/s per scenario and the ratios against the first, measured in the same run.
To compare with another checkout, run this file with that checkout first on PYTHONPATH
(e.g. `git archive HEAD | tar -x -C /tmp/head`; `PYTHONPATH=/tmp/head python bench/...`).

    .venv/bin/python bench/group_commit.py [--chargers 200] [--messages 20] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import logging
import os
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ocpp.v16 import call
from sqlalchemy import insert

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.models import ChargerDataIssue
from ccms_app.core import db
from ccms_app.core.config import Settings
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.events import EventBus
from ccms_app.core.migrations import upgrade_database
from ccms_app.network.models import ChargePoint
from ocpp_server.ports import FrameRecord

ODD_EVERY = 20  # in "odd", one charger in 20 misbehaves
ISSUE_HISTORY = 50_000  # open data issues of other chargers already in the database
_message_ids = itertools.count()
T = TypeVar("T")


def _prepare(path: Path, chargers: int, issue_history: int) -> None:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    db.set_engine(db.make_engine(url))
    with db.session_scope() as session:
        org = Organisation(name="Bench")
        session.add(org)
        session.flush()
        session.execute(
            insert(ChargePoint),
            [
                {
                    "identity": f"B-{i:05d}",
                    "organisation_id": org.id,
                    "registration_state": "registered",
                    "created_at": datetime.now(UTC),
                }
                for i in range(chargers)
            ],
        )
        if issue_history:
            session.execute(
                insert(ChargerDataIssue),
                [
                    {
                        "identity": f"OLD-{i % 2000:05d}",
                        "kind": "meter_values_unknown_transaction",
                        "detail": f"MeterValues for unknown transaction {i}: samples kept "
                        "without a session",
                        "payload": "{}",
                        "created_at": datetime.now(UTC),
                    }
                    for i in range(issue_history)
                ],
            )


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _logged(
    service: ChargerEventService, identity: str, action: str, handle: Awaitable[T]
) -> T:
    """Log the CALL and its CALLRESULT as the OCPP server does around the handler."""
    message_id = str(next(_message_ids))
    service.record_frame(FrameRecord(identity, "in", f'[2,"{message_id}","{action}",{{}}]', 2))
    result = await handle
    service.record_frame(FrameRecord(identity, "out", f'[3,"{message_id}",{{}}]', 3, message_id))
    return result


def _meter(connector: int, wh: int, transaction_id: int | None) -> call.MeterValues:
    sampled = [
        {"value": str(wh), "unit": "Wh", "measurand": "Energy.Active.Import.Register"},
        {"value": "7400", "unit": "W", "measurand": "Power.Active.Import"},
    ]
    return call.MeterValues(
        connector_id=connector,
        transaction_id=transaction_id,
        meter_value=[{"timestamp": _now(), "sampled_value": sampled}],
    )


def _status(status: str) -> call.StatusNotification:
    return call.StatusNotification(
        connector_id=1, error_code="NoError", status=status, timestamp=_now()
    )


async def _status_and_meter(service: ChargerEventService, identity: str, messages: int) -> None:
    for n in range(messages):
        if n % 2:
            await service.status_notification(identity, _status("Available"))
        else:
            await service.meter_values(
                identity,
                call.MeterValues(
                    connector_id=1,
                    meter_value=[{"timestamp": _now(), "sampled_value": [{"value": str(n)}]}],
                ),
            )


async def _realistic(service: ChargerEventService, identity: str, messages: int) -> None:
    """Boot, Available, Start, Charging, then MeterValues / Heartbeat, Stop: `messages` in all."""
    boot = call.BootNotification(charge_point_vendor="Bench", charge_point_model="B1")
    await _logged(service, identity, "BootNotification", service.boot_notification(identity, boot))
    await _logged(
        service,
        identity,
        "StatusNotification",
        service.status_notification(identity, _status("Available")),
    )
    start = call.StartTransaction(connector_id=1, id_tag="BENCH", meter_start=0, timestamp=_now())
    started = await _logged(
        service, identity, "StartTransaction", service.start_transaction(identity, start)
    )
    await _logged(
        service,
        identity,
        "StatusNotification",
        service.status_notification(identity, _status("Charging")),
    )
    for n in range(messages - 5):
        if n % 4 == 3:
            await _logged(service, identity, "Heartbeat", service.heartbeat(identity))
        else:
            meter = _meter(1, 100 * (n + 1), started.transaction_id)
            await _logged(service, identity, "MeterValues", service.meter_values(identity, meter))
    stop = call.StopTransaction(
        transaction_id=started.transaction_id, meter_stop=100 * messages, timestamp=_now()
    )
    await _logged(service, identity, "StopTransaction", service.stop_transaction(identity, stop))


async def _odd_or_realistic(service: ChargerEventService, identity: str, messages: int) -> None:
    number = int(identity.removeprefix("B-"))
    if number % ODD_EVERY:
        await _realistic(service, identity, messages)
        return
    for n in range(messages):  # transaction ids CCMS never issued, a new one now and then
        meter = _meter(1, 100 * n, 900_000 + 1000 * number + n // 5)
        await _logged(service, identity, "MeterValues", service.meter_values(identity, meter))


Charger = Callable[[ChargerEventService, str, int], Awaitable[None]]
SCENARIOS: list[tuple[str, Charger, int, bool]] = [  # name, charger, max_batch, issue history
    ("status+meter, commit per message", _status_and_meter, 1, False),
    ("status+meter", _status_and_meter, 1000, False),
    ("mix", _realistic, 1000, False),
    ("mix + odd chargers", _odd_or_realistic, 1000, True),
]


async def _run(writer: DbWriter, charger: Charger, chargers: int, messages: int) -> float:
    service = ChargerEventService(EventBus(), Settings(), writer=writer)
    await service.start()
    started = time.perf_counter()
    await asyncio.gather(*(charger(service, f"B-{i:05d}", messages) for i in range(chargers)))
    elapsed = time.perf_counter() - started
    await service.stop()
    return chargers * messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chargers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    parser.add_argument("--profile", help="write a cProfile of the runs to this file")
    args = parser.parse_args()
    # Log as a server would (INFO and up are formatted and written), to nowhere.
    logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))  # noqa: SIM115
    profiler = cProfile.Profile() if args.profile else None
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, charger, max_batch, history) in enumerate(SCENARIOS):
            if args.only and args.only not in name:
                continue
            _prepare(Path(tmp) / f"{n}.db", args.chargers, ISSUE_HISTORY if history else 0)
            if profiler:
                profiler.enable()
            writer = DbWriter(max_batch=max_batch)
            results[name] = asyncio.run(_run(writer, charger, args.chargers, args.messages))
            if profiler:
                profiler.disable()
            first = next(iter(results.values()))
            print(f"{name:36s} {results[name]:9.0f} msg/s  {results[name] / first:5.2f}x")
            db.set_engine(None)
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
