"""The WAL is checkpointed off the writer's thread, stays bounded, and loses no commit."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ccms_app.control.message_log import MESSAGE_TABLE
from ccms_app.core import writer_session
from ccms_app.core.db import make_engine
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.types import utc_now
from ccms_app.core.wal_checkpoint import WalCheckpointer
from tests.fixtures.db import only_sqlite

PAGE = 4096


def _wal(engine: Engine) -> Path:
    return Path(f"{engine.url.database}-wal")


def _frame(n: int) -> dict[str, object]:
    """An ocpp_message row of about one page."""
    return {
        "charge_point_identity": "CP-WAL",
        "direction": "in",
        "message_type": 2,
        "message_id": str(n),
        "action": "MeterValues",
        "payload": "x" * 3500,
        "error_code": "",
        "created_at": utc_now(),
    }


@only_sqlite  # SQLite's write-ahead log
async def test_the_writer_leaves_checkpoints_to_the_checkpointer(engine: Engine) -> None:
    writer = DbWriter()
    await writer.start()
    await writer.run(lambda s: None)
    sessions = writer._sessions
    checkpointer = sessions.checkpointer
    assert checkpointer is not None
    connection = sessions._connection
    assert connection is not None
    driver = connection.connection.driver_connection
    assert driver is not None
    assert driver.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for n in range(50):
        writer.insert_later(MESSAGE_TABLE, _frame(n))
    await writer.run(lambda s: None)
    await writer.stop()
    assert sessions.checkpointer is None  # stopped with the writer
    assert not _wal(engine).exists() or _wal(engine).stat().st_size == 0  # TRUNCATE at stop
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ocpp_message")).scalar() == 50


@only_sqlite  # SQLite's write-ahead log
async def test_the_wal_stays_bounded_under_a_stream_of_batches(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However much is written, the WAL holds a bounded part of it: the stream goes on until
    the writer has rewound the WAL a few times (however slowly a busy machine schedules the
    checkpointer), and the file never held more than a fraction of what went through it."""
    fast = functools.partial(WalCheckpointer, interval_s=0.005, soft_pages=100)
    monkeypatch.setattr(writer_session, "WalCheckpointer", fast)
    writer = DbWriter()
    await writer.start()
    await writer.run(lambda s: None)
    checkpointer = writer._sessions.checkpointer
    assert checkpointer is not None
    high_water = written = 0
    deadline = time.monotonic() + 30
    while (checkpointer.stats.rewinds < 5 or written < 4000) and time.monotonic() < deadline:
        for n in range(20):  # about one page each
            writer.insert_later(MESSAGE_TABLE, _frame(written + n))
        written += 20
        await writer.run(lambda s: None)
        high_water = max(high_water, _wal(engine).stat().st_size)
        await asyncio.sleep(0.0005)  # let the checkpointer thread have the GIL now and then
    stats = checkpointer.stats
    await writer.stop()
    assert stats.rewinds >= 5, stats
    assert high_water < written * PAGE / 2, f"WAL grew to {high_water // PAGE} pages ({stats})"


def test_a_committed_batch_survives_kill_9(database_url: str, tmp_path: Path) -> None:
    """A child process acknowledges each unit once its commit returned (as a CALLRESULT would
    be sent) and is killed with SIGKILL mid-stream: every acknowledged row is in the database."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, database_url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.stdout is not None
    acknowledged = []
    for line in child.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) == 300:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    engine = make_engine(database_url)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT name FROM organisation")).scalars())
    engine.dispose()
    assert set(acknowledged) <= stored


_CHILD = """
import asyncio, sys
from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.db_writer import DbWriter

async def main():
    db.set_engine(db.make_engine(sys.argv[1]))
    writer = DbWriter()
    await writer.start()
    n = 0
    while True:
        names = [f"org-{n + i}" for i in range(10)]
        n += 10
        def work(session, names=names):
            session.add_all([Organisation(name=name) for name in names])
        await writer.run(work)
        print("\\n".join(names), flush=True)

asyncio.run(main())
"""
