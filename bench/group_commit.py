"""The OCPP database hot path, through the real ChargerEventService and DbWriter on SQLite.

N concurrent charge points send M messages each straight into the service (no websockets: this
isolates the database path, what runs in the group-commit writer per message). Scenarios:

- status+meter, commit per message: DbWriter(max_batch=1), the reference for group commit;
- status+meter: StatusNotification and MeterValues alternating, group commit;
- mix: what a real network sends (Boot, Status, Start, MeterValues of the transaction,
  Heartbeat, Stop), every frame in and out in the OCPP message log as the server logs it;
- mix + odd chargers: the same, but one charger in 20 sends only MeterValues naming
  transactions CCMS never issued, over a history of open data issues of other chargers (odd
  data must cost no more than good data);
- charging loop: what bench/_ocpp_load.py's closed loop sends once every charger is charging
  (set up untimed: Boot, Available, Start, Charging): MeterValues with energy, power and SoC,
  every 5th message a StatusNotification or a Heartbeat, every frame logged.

Prints messages/s per scenario, the ratios against the first, measured in the same run, and
the writer thread's CPU per message (DbWriter.cpu_seconds / messages; the rest of a message's
CPU is the event loop's).
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
from ocpp_server.charger_events import (
    ChargerBooted,
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)
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


def _meter(connector: int, wh: int, transaction_id: int | None) -> MeterSampled:
    sampled = [
        {"value": str(wh), "unit": "Wh", "measurand": "Energy.Active.Import.Register"},
        {"value": "7400", "unit": "W", "measurand": "Power.Active.Import"},
    ]
    return MeterSampled(
        connector_id=connector,
        transaction_id=transaction_id,
        meter_values=[{"timestamp": _now(), "sampled_value": sampled}],
    )


def _status(status: str) -> StatusChanged:
    return StatusChanged(connector_id=1, error_code="NoError", status=status, timestamp=_now())


async def _status_and_meter(service: ChargerEventService, identity: str, messages: int) -> None:
    for n in range(messages):
        if n % 2:
            await service.status_notification(identity, _status("Available"))
        else:
            await service.meter_values(
                identity,
                MeterSampled(
                    connector_id=1,
                    meter_values=[{"timestamp": _now(), "sampled_value": [{"value": str(n)}]}],
                ),
            )


async def _realistic(service: ChargerEventService, identity: str, messages: int) -> None:
    """Boot, Available, Start, Charging, then MeterValues / Heartbeat, Stop: `messages` in all."""
    boot = ChargerBooted(vendor="Bench", model="B1")
    await _logged(service, identity, "BootNotification", service.boot_notification(identity, boot))
    await _logged(
        service,
        identity,
        "StatusNotification",
        service.status_notification(identity, _status("Available")),
    )
    start = TransactionStarted(connector_id=1, id_tag="BENCH", meter_start_wh=0, timestamp=_now())
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
    stop = TransactionStopped(
        transaction_id=started.transaction_id, meter_stop_wh=100 * messages, timestamp=_now()
    )
    await _logged(service, identity, "StopTransaction", service.stop_transaction(identity, stop))


async def _charging_setup(service: ChargerEventService, identity: str) -> int:
    """Boot, Available, Start, Charging: the loop's transaction id."""
    boot = ChargerBooted(vendor="Bench", model="AC22")
    await _logged(service, identity, "BootNotification", service.boot_notification(identity, boot))
    await service.status_notification(identity, _status("Available"))
    start = TransactionStarted(connector_id=1, id_tag="BENCH", meter_start_wh=0, timestamp=_now())
    started = await service.start_transaction(identity, start)
    await service.status_notification(identity, _status("Charging"))
    return started.transaction_id


def _loop_meter(n: int, wh: float, transaction_id: int) -> MeterSampled:
    """The load generator's MeterValues: energy register, power, SoC."""
    sampled = [
        _loop_sample(f"{wh:.1f}", "Energy.Active.Import.Register", "Wh", "Outlet"),
        _loop_sample(str(7200 + n % 50 * 4), "Power.Active.Import", "W", "Outlet"),
        _loop_sample(str(min(100, 20 + n // 50)), "SoC", "Percent", "EV"),
    ]
    return MeterSampled(
        connector_id=1,
        transaction_id=transaction_id,
        meter_values=[{"timestamp": _now(), "sampled_value": sampled}],
    )


def _loop_sample(value: str, measurand: str, unit: str, location: str) -> dict[str, str]:
    return {
        "value": value,
        "context": "Sample.Periodic",
        "format": "Raw",
        "measurand": measurand,
        "location": location,
        "unit": unit,
    }


async def _charging_loop(
    service: ChargerEventService, identity: str, messages: int, transaction_id: int
) -> None:
    wh = 0.0
    for sent in range(1, messages + 1):
        if sent % 5 == 0 and (sent // 5) % 2:
            await _logged(service, identity, "Heartbeat", service.heartbeat(identity))
        elif sent % 5 == 0:
            status = _status("Charging")
            handle = service.status_notification(identity, status)
            await _logged(service, identity, "StatusNotification", handle)
        else:
            wh += 3.7
            meter = _loop_meter(sent, wh, transaction_id)
            await _logged(service, identity, "MeterValues", service.meter_values(identity, meter))


async def _odd_or_realistic(service: ChargerEventService, identity: str, messages: int) -> None:
    number = int(identity.removeprefix("B-"))
    if number % ODD_EVERY:
        await _realistic(service, identity, messages)
        return
    for n in range(messages):  # transaction ids CCMS never issued, a new one now and then
        meter = _meter(1, 100 * n, 900_000 + 1000 * number + n // 5)
        await _logged(service, identity, "MeterValues", service.meter_values(identity, meter))


Charger = Callable[[ChargerEventService, str, int], Awaitable[None]]
SCENARIOS: list[tuple[str, Charger | None, int, bool]] = [  # charger, max_batch, issue history
    ("status+meter, commit per message", _status_and_meter, 1, False),
    ("status+meter", _status_and_meter, 1000, False),
    ("mix", _realistic, 1000, False),
    ("mix + odd chargers", _odd_or_realistic, 1000, True),
    ("charging loop", None, 1000, False),  # None: _charging_setup, then _charging_loop
]


async def _run(
    writer: DbWriter, charger: Charger | None, chargers: int, messages: int
) -> tuple[float, float, int]:
    """Messages/s, the writer's CPU seconds per message over the timed part, and the WAL's
    high water mark in bytes."""
    service = ChargerEventService(EventBus(), Settings(), writer=writer)
    await service.start()
    identities = [f"B-{i:05d}" for i in range(chargers)]
    if charger is None:
        ids = await asyncio.gather(*(_charging_setup(service, i) for i in identities))
        runs = [
            _charging_loop(service, i, messages, t) for i, t in zip(identities, ids, strict=True)
        ]
    else:
        runs = [charger(service, identity, messages) for identity in identities]
    cpu_before = writer.cpu_seconds
    started = time.perf_counter()
    await asyncio.gather(*runs)
    elapsed = time.perf_counter() - started
    cpu = writer.cpu_seconds - cpu_before
    wal = _wal_high_water(Path(str(db.get_engine().url.database)))
    await service.stop()
    return chargers * messages / elapsed, cpu / (chargers * messages), wal


def _wal_high_water(database: Path) -> int:
    """The -wal file's size: the most it held at once (SQLite reuses it from the start after a
    complete checkpoint, and truncates it only on a TRUNCATE checkpoint or the last close)."""
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


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
            rate, cpu, wal = asyncio.run(_run(writer, charger, args.chargers, args.messages))
            results[name] = rate
            if profiler:
                profiler.disable()
            first = next(iter(results.values()))
            print(
                f"{name:36s} {rate:9.0f} msg/s  {rate / first:5.2f}x"
                f"  writer {cpu * 1e6:6.1f} us/msg  WAL file {wal / 2**20:5.1f} MB"
            )
            db.set_engine(None)
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
