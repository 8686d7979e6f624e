"""Rows and row updates a session writes in one statement each, just before it commits.

The OCPP hot path adds rows nobody reads back in the same transaction (meter samples, status
events) and moves each charger's last-seen time on every message. As ORM objects, each would
be an object to build, track and flush, and every query in between would autoflush them one by
one. Queued here instead, a group-commit batch writes all of them with one multi-row INSERT per
table and one UPDATE statement (executemany) per table and set of columns, right before its
commit: in the same transaction, so committed together with the business data or not at all.

Whoever reads such a table back inside the same transaction calls `write_pending` first
(e.g. the energy recount reads the session's meter samples).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, update
from sqlalchemy.orm import Session, SessionTransaction

_ROWS = "ccms_pending_rows"
_UPDATES = "ccms_pending_updates"
_KEY = "pending_key"  # the bound parameter of the primary key in the coalesced UPDATEs

Row = dict[str, Any]


def insert_later(session: Session, table: Table, row: Row) -> None:
    """Insert `row` into `table` before the session commits (columns without a value take the
    column's default; a model's default_factory is not applied: pass such values)."""
    _in_transaction(session)
    pending: dict[Table, list[Row]] = session.info.setdefault(_ROWS, {})
    pending.setdefault(table, []).append(row)


def update_later(session: Session, table: Table, key: int, **values: Any) -> None:
    """Set `values` on the row of `table` whose primary key is `key` before the session commits.
    Later calls for the same row win: a batch writes each row once."""
    _in_transaction(session)
    pending: dict[Table, dict[int, Row]] = session.info.setdefault(_UPDATES, {})
    pending.setdefault(table, {}).setdefault(key, {}).update(values)


def _in_transaction(session: Session) -> None:
    """Queued writes belong to the session's transaction: begin one if none is open, so a
    rollback drops them (and a commit writes them) whatever else the transaction did."""
    if not session.in_transaction():
        session.begin()


def write_pending(session: Session) -> None:
    """Write what is queued now (the session's ORM changes first, so foreign keys resolve and a
    coalesced update lands after any ORM write of the same row)."""
    rows: dict[Table, list[Row]] | None = session.info.pop(_ROWS, None)
    updates: dict[Table, dict[int, Row]] | None = session.info.pop(_UPDATES, None)
    if not rows and not updates:
        return
    session.flush()
    for table, table_rows in (rows or {}).items():
        session.execute(insert(table), table_rows)
    for table, by_key in (updates or {}).items():
        _write_updates(session, table, by_key)


def _write_updates(session: Session, table: Table, by_key: dict[int, Row]) -> None:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for key, values in by_key.items():
        params = {_KEY: key, **{f"new_{name}": value for name, value in values.items()}}
        groups.setdefault(tuple(sorted(values)), []).append(params)
    (primary_key,) = table.primary_key.columns
    for columns, rows in groups.items():
        statement = (
            update(table)
            .where(primary_key == bindparam(_KEY))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        session.connection().execute(statement, rows)


def discard_pending(session: Session) -> None:
    for key in (_ROWS, _UPDATES):
        session.info.pop(key, None)


def pending_tables(session: Session) -> Iterable[Table]:
    """The tables with rows waiting (for tests and diagnostics)."""
    return list(session.info.get(_ROWS, {}))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back transaction takes its queued writes with it (after a commit there are none).
    if transaction.parent is None:
        discard_pending(session)
