"""The group-commit writer's session, kept from one batch to the next while nothing else wrote.

Every OCPP message needs its charge point row, most their session or connector. Loaded as ORM
objects afresh in every batch, they were a quarter of the writer's CPU. On SQLite the writer
therefore keeps one connection of its own and one Session on it (expire_on_commit=False), so
the rows its units loaded or wrote stay loaded, and committed, for the next batch.

The rule that keeps them true: at the start of every batch, inside its write transaction (BEGIN
IMMEDIATE: no other connection can commit until this one ends), `PRAGMA data_version` is read
on the writer's connection. SQLite changes it exactly when another connection, of this process
or any other (the web UI, the CLI, a scheduler job), has committed to the database since the
last read. Then the kept session is dropped and the batch starts from nothing: an operator's
edit (a charge point disabled, an id tag blocked) counts from the next batch, as before.

What the writer itself writes stays true in its own session: ORM changes are the session's
own, and the hot path's Core writes (pending_writes) set the objects' committed values too.
A failed batch drops the session (a rollback leaves objects half-expired); after MAX_KEPT_S
seconds it is dropped anyway, which bounds whatever per-session caches (session.info) grow.
The bound is a time, not a number of batches: at 1,000 messages a second the writer runs
~800 batches a second, and a bound of 2,000 batches reloaded every charge point, connector
and running session every 2.5 s. PostgreSQL has no data_version: there every batch gets a
fresh session.

Within a batch the session also holds every row it loaded or added until the batch ends
(`BATCH_ROWS`): SQLAlchemy's identity map holds objects weakly, so a row one step of a unit
loaded and let go was loaded again by the next step that asked for it. A StopTransaction read
its session's cost three times, its organisation twice and its payment again.

The writer's own connection does not checkpoint the WAL itself: a WalCheckpointer, started
and stopped with that connection, does it on another thread (core.wal_checkpoint).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool
from sqlmodel import Session

from ccms_app.core.wal_checkpoint import WalCheckpointer, wal_database

MAX_KEPT_S = 300.0
SQLITE_AUTOCHECKPOINT = 1000  # SQLite's default, given back with the connection
BATCH_ROWS = "batch_rows"  # session.info: the rows the current batch loaded or added


def _can_keep(engine: Engine) -> bool:
    """A file SQLite database whose pool gives the writer a connection nobody else uses (an
    in-memory database shares one connection: no other connection's commit to detect)."""
    if isinstance(engine.pool, (StaticPool, SingletonThreadPool)):
        return False
    return wal_database(engine)


class WriterSessions:
    """Sessions for the writer thread's batches (only ever used from that thread)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._kept: Session | None = None
        self._kept_since = 0.0
        self._batches = 0
        self._version: object = None
        self.checkpointer: WalCheckpointer | None = None
        self.fresh_starts = 0  # batches that found the kept session stale (tests, benchmarks)

    def for_batch(self, engine: Engine) -> Session:
        """The session for the next batch, its write transaction begun."""
        if engine is not self._engine:
            self.close()
            self._engine = engine
        if not _can_keep(engine):
            return _holding_rows(Session(engine, expire_on_commit=False))
        if self._kept is None or self._clock() - self._kept_since >= MAX_KEPT_S:
            self.drop()
            self._kept = _holding_rows(
                Session(bind=self._own_connection(engine), expire_on_commit=False)
            )
            self._kept_since = self._clock()
        session = self._kept
        session.info.pop(BATCH_ROWS, None)  # the last batch's rows: held weakly again
        version = session.connection().exec_driver_sql("PRAGMA data_version").scalar()
        if version != self._version:
            if self._batches:
                self.fresh_starts += 1
            session.expunge_all()
            session.info.clear()
            self._version = version
        self._batches += 1
        return session

    def for_retry(self, engine: Engine) -> Session:
        """A session of its own for one unit of a failed batch (the kept one was dropped)."""
        if not _can_keep(engine):
            return _holding_rows(Session(engine, expire_on_commit=False))
        return _holding_rows(Session(bind=self._own_connection(engine), expire_on_commit=False))

    def done(self, session: Session) -> None:
        """After a batch committed: close a session that is not kept."""
        self.committed()
        if session is not self._kept:
            session.close()

    def committed(self) -> None:
        """Something was committed on the writer's connection: the WAL has pages to copy."""
        if self.checkpointer is not None and self._connection is not None:
            self.checkpointer.committed(self._connection.connection.driver_connection)

    def drop(self) -> None:
        """Forget the kept session and everything it loaded (its batch failed, or it is old)."""
        if self._kept is not None:
            self._kept.close()
        self._kept = None
        self._batches = 0
        self._version = None

    def close(self) -> None:
        """Drop the kept session and give the writer's connection back."""
        self.drop()
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        if self._connection is not None:
            _autocheckpoint(self._connection, SQLITE_AUTOCHECKPOINT)
            self._connection.close()
        self._connection = None
        self._engine = None

    def _own_connection(self, engine: Engine) -> Connection:
        if self._connection is None:
            self._connection = engine.connect()
            _autocheckpoint(self._connection, 0)
            self.checkpointer = WalCheckpointer(engine)
            self.checkpointer.start()
        return self._connection


def _holding_rows(session: Session) -> Session:
    """`session`, keeping a reference to each row it loads or inserts in info[BATCH_ROWS]."""
    event.listen(session, "loaded_as_persistent", _hold)
    event.listen(session, "pending_to_persistent", _hold)
    return session


def _hold(session: Session, instance: object) -> None:
    session.info.setdefault(BATCH_ROWS, []).append(instance)


def _autocheckpoint(connection: Connection, pages: int) -> None:
    """Set the connection's automatic checkpoint threshold (0: off), outside any transaction
    (on the driver's connection, so SQLAlchemy begins none)."""
    driver = connection.connection.driver_connection
    if driver is not None:
        driver.execute(f"PRAGMA wal_autocheckpoint={pages}")
