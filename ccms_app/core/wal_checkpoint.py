"""WAL checkpoints on a thread of their own, not on the group-commit writer's.

In WAL mode a commit appends pages to the -wal file; a checkpoint later copies them into the
database file and syncs both. By default SQLite checkpoints on the committing connection
whenever the WAL passes 1,000 pages: with the OCPP writer committing ~300 pages per batch,
every third batch paid for copying and two fdatasyncs before its callers got their replies
(about half of the writer's commit time).

The writer's connection therefore turns auto-checkpointing off, and a `WalCheckpointer` runs
`PRAGMA wal_checkpoint(PASSIVE)` on its own connection while commits arrive (PASSIVE never
waits for, nor blocks, the writer or any reader). Durability is unchanged: a commit is in the
WAL before its CALLRESULT is sent, and SQLite recovers the WAL after a crash or kill -9; a
checkpoint only moves committed pages into the main file.

A WAL only rewinds to its start when a commit's transaction began after a checkpoint had copied
every frame. Under sustained load the writer's next transaction has always begun before the
checkpointer's PASSIVE ends, so the WAL would grow for as long as the load lasts. Hence: once
the WAL holds more than `soft_pages` frames, the writer itself runs one PASSIVE checkpoint right
after a commit, before its next transaction; most frames are copied already, so it copies only
the tail (about one batch) and its next commit rewinds the WAL. After a second with no commit,
a TRUNCATE checkpoint empties the file. (A reader that keeps an old snapshot open holds the WAL
in place whatever anyone does; it grows until that reader ends, as with SQLite's own rule.)
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 0.2
IDLE_TRUNCATE_S = 1.0
SOFT_PAGES = 2000  # ~8 MB of 4 KB pages: beyond this the writer rewinds the WAL
# A TRUNCATE holds the write lock while it waits for readers: it does not wait (busy_timeout
# 0), it gives up at once when anyone is in the way and is tried again a moment later.
WAIT_MS = 0


@dataclass
class CheckpointStats:
    """What the checkpointer did (tests and benchmarks read it)."""

    passive: int = 0
    rewinds: int = 0  # PASSIVE checkpoints the writer ran after a commit (see module doc)
    truncates: int = 0
    max_wal_pages: int = 0  # the most frames the WAL held when a checkpoint looked at it


class WalCheckpointer:
    """Checkpoints one SQLite database's WAL from a daemon thread while it is started."""

    def __init__(
        self,
        engine: Engine,
        interval_s: float = DEFAULT_INTERVAL_S,
        soft_pages: int = SOFT_PAGES,
        idle_truncate_s: float = IDLE_TRUNCATE_S,
    ) -> None:
        self._engine = engine
        self._interval = interval_s
        self._soft_pages = soft_pages
        self._idle_truncate = idle_truncate_s
        self._wake = threading.Event()
        self._stopping = False
        self._committed = False  # set by the writer, cleared here; a plain flag is enough
        self._rewind_wanted = False  # set here, cleared by the writer
        self._failed = False  # this thread died: the writer checkpoints after every commit
        self._thread: threading.Thread | None = None
        self.stats = CheckpointStats()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ccms-wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Checkpoint what is left (TRUNCATE when nobody holds the WAL) and end the thread."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._thread = None

    def committed(self, writer_connection: Any = None) -> None:
        """Called by the writer after each commit (its DB-API connection, no transaction open):
        there is something to copy, and if the WAL is past `soft_pages`, rewind it now."""
        self._committed = True
        if not (self._rewind_wanted or self._failed) or writer_connection is None:
            return
        self._rewind_wanted = False
        self.stats.rewinds += 1
        try:
            self._checkpoint(writer_connection, "PASSIVE")
        except sqlite3.OperationalError:  # the checkpointer's own PASSIVE is running: next time
            self._rewind_wanted = True

    def _run(self) -> None:
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={WAIT_MS}")
            self._loop(cursor)
            self._truncate(cursor)
            cursor.close()
        except Exception:
            log.exception("WAL checkpointer failed; the writer checkpoints after each commit")
            self._failed = True
        finally:
            connection.close()

    def _loop(self, cursor: Any) -> None:
        last_commit = time.monotonic()
        truncated = True
        while not self._stopping:
            self._wake.wait(self._interval)
            if self._stopping:
                return
            now = time.monotonic()
            if self._committed:
                self._committed = False
                last_commit, truncated = now, False
                self._under_load(cursor)
            elif not truncated and now - last_commit >= self._idle_truncate:
                truncated = self._truncate(cursor)

    def _under_load(self, cursor: Any) -> None:
        """PASSIVE; past `soft_pages`, ask the writer to rewind the WAL after its next commit."""
        self.stats.passive += 1
        if self._checkpoint(cursor, "PASSIVE")[1] > self._soft_pages:
            self._rewind_wanted = True

    def _truncate(self, cursor: Any) -> bool:
        """True when the WAL was emptied (nobody was reading or writing it)."""
        busy, frames, copied = self._checkpoint(cursor, "TRUNCATE")
        done = not busy and frames == copied
        self.stats.truncates += done
        return done

    def _checkpoint(self, cursor: Any, mode: str) -> tuple[int, int, int]:
        """(busy, frames in the WAL, frames copied), as SQLite reports them."""
        busy, frames, copied = cursor.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        self.stats.max_wal_pages = max(self.stats.max_wal_pages, frames)
        return busy, frames, copied


def wal_database(engine: Engine) -> bool:
    """A file SQLite database (an in-memory one has no WAL to checkpoint)."""
    if engine.dialect.name != "sqlite":
        return False
    return engine.url.database not in (None, "", ":memory:")
