"""The ocpp-sqlite-ref server's storage: one writer thread, batched commits, SQLite in WAL mode.

The straightforward way to persist OCPP traffic without blocking the event loop: handlers put
a unit of work on a queue and await a future; the thread takes everything queued so far, runs
it in one transaction, commits, and only then resolves the futures (so a reply means the data
is on disk, the same promise CCMS makes).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

MAX_BATCH = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS status_notification (
    id INTEGER PRIMARY KEY, charge_point TEXT NOT NULL, connector_id INTEGER NOT NULL,
    status TEXT NOT NULL, error_code TEXT NOT NULL, timestamp TEXT
);
CREATE TABLE IF NOT EXISTS charging_transaction (
    id INTEGER PRIMARY KEY, charge_point TEXT NOT NULL, connector_id INTEGER NOT NULL,
    id_tag TEXT NOT NULL, meter_start INTEGER NOT NULL, started_at TEXT NOT NULL,
    meter_stop INTEGER, stopped_at TEXT
);
CREATE TABLE IF NOT EXISTS meter_value (
    id INTEGER PRIMARY KEY, charge_point TEXT NOT NULL, transaction_id INTEGER,
    timestamp TEXT NOT NULL, measurand TEXT, value TEXT NOT NULL, unit TEXT
);
"""

Work = Callable[[sqlite3.Connection], Any]
_Unit = tuple[Work, asyncio.Future[Any], asyncio.AbstractEventLoop]


class BatchedSqliteWriter:
    """A writer thread that commits everything queued so far in one transaction."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._queue: queue.SimpleQueue[_Unit | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def submit(self, work: Work) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put((work, future, loop))
        return future

    # --- what the server stores -----------------------------------------------------------

    async def status(self, identity: str, payload: dict[str, Any]) -> None:
        row = (
            identity,
            payload["connector_id"],
            payload["status"],
            payload["error_code"],
            payload.get("timestamp"),
        )
        await self.submit(
            lambda db: db.execute(
                "INSERT INTO status_notification (charge_point, connector_id, status, error_code,"
                " timestamp) VALUES (?, ?, ?, ?, ?)",
                row,
            )
        )

    async def start_transaction(self, identity: str, payload: dict[str, Any]) -> int:
        row = (
            identity,
            payload["connector_id"],
            payload["id_tag"],
            payload["meter_start"],
            payload["timestamp"],
        )

        def work(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO charging_transaction (charge_point, connector_id, id_tag,"
                " meter_start, started_at) VALUES (?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

        return int(await self.submit(work))

    async def stop_transaction(self, identity: str, payload: dict[str, Any]) -> None:
        row = (payload["meter_stop"], payload["timestamp"], payload["transaction_id"])
        await self.submit(
            lambda db: db.execute(
                "UPDATE charging_transaction SET meter_stop = ?, stopped_at = ? WHERE id = ?",
                row,
            )
        )

    async def meter_values(self, identity: str, payload: dict[str, Any]) -> None:
        transaction_id = payload.get("transaction_id")
        rows = [
            (
                identity,
                transaction_id,
                meter_value["timestamp"],
                sampled.get("measurand"),
                sampled["value"],
                sampled.get("unit"),
            )
            for meter_value in payload["meter_value"]
            for sampled in meter_value["sampled_value"]
        ]
        await self.submit(
            lambda db: db.executemany(
                "INSERT INTO meter_value (charge_point, transaction_id, timestamp, measurand,"
                " value, unit) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        )

    # --- the thread -----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        return db

    def _run(self) -> None:
        db = self._connect()
        while (first := self._queue.get()) is not None:
            batch = [first]
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    unit = self._queue.get_nowait()
                except queue.Empty:
                    break
                if unit is None:
                    stopping = True
                    break
                batch.append(unit)
            self._commit(db, batch)
            if stopping:
                break
        db.close()

    @staticmethod
    def _commit(db: sqlite3.Connection, batch: list[_Unit]) -> None:
        results: list[tuple[bool, Any]] = []
        db.execute("BEGIN IMMEDIATE")
        for work, _, _ in batch:
            try:
                results.append((True, work(db)))
            except Exception as exc:  # one bad unit fails alone, as CCMS's writer does
                results.append((False, exc))
        db.execute("COMMIT")
        for (ok, value), (_, future, loop) in zip(results, batch, strict=True):
            loop.call_soon_threadsafe(_settle, future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
