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

from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, event, insert, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import instance_state, set_committed_value

_ROWS = "ccms_pending_rows"
_UPDATES = "ccms_pending_updates"
_OBJECTS = "ccms_pending_objects"
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


def update_from_later(
    session: Session, table: Table, key: int, obj: object, columns: tuple[str, ...]
) -> None:
    """Write `obj`'s values of `columns` to its row (primary key `key`) before the session
    commits, read from `obj` at that moment: whoever changes these attributes later in the
    transaction (even as an ORM change, flushed first) is written as the object ends up.
    The caller sets them with `set_committed_value`, so the ORM neither tracks nor flushes
    them; holding `obj` here also keeps it in the identity map (which holds unchanged objects
    weakly) until its values are in the table."""
    _in_transaction(session)
    pending: dict[tuple[Table, int], tuple[object, tuple[str, ...]]]
    pending = session.info.setdefault(_OBJECTS, {})
    pending[(table, key)] = (obj, columns)


def set_committed_values(obj: object, values: dict[str, Any]) -> None:
    """`set_committed_value(obj, name, value)` for each of `values`: the values become the
    object's loaded state, neither tracked nor flushed. When none of them is modified or
    expired (the usual case: the writer's kept session), that is exactly a dict update of the
    instance's state, done at once (the hot path sets several per MeterValues, ~1 us each)."""
    state = instance_state(obj)
    if (
        state.expired
        or state.expired_attributes
        or state.callables
        or not state.committed_state.keys().isdisjoint(values)
    ):
        for name, value in values.items():
            set_committed_value(obj, name, value)
        return
    state.dict.update(values)


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
    objects = session.info.pop(_OBJECTS, None)
    if not rows and not updates and not objects:
        return
    session.flush()
    if objects:  # read after the flush: the values the objects end up with
        updates = updates or {}
        for (table, key), (obj, columns) in objects.items():
            values = updates.setdefault(table, {}).setdefault(key, {})
            values.update({name: getattr(obj, name) for name in columns})
    connection = session.connection()  # plain Core statements: no ORM execution layer
    for table, table_rows in (rows or {}).items():
        insert_rows(connection, table, table_rows)
    for table, by_key in (updates or {}).items():
        _write_updates(session, table, by_key)


@cache
def insert_statement(table: Table) -> Insert:
    """One statement object per table: built once, its compiled form found in SQLAlchemy's
    cache without rebuilding the construct and its cache key every batch."""
    return insert(table)


# The driver's SQL; a row's parameters as a list in the driver's order; (index, processor)
# for each parameter that has a bind processor.
Plan = tuple[str, Callable[[Row], list[Any]], tuple[tuple[int, Callable[[Any], Any]], ...]]


def insert_rows(connection: Connection, table: Table, rows: list[Row]) -> None:
    """INSERT `rows` (dicts of column values) in one executemany (see execute_rows)."""
    execute_rows(connection, insert_statement(table), rows)


def execute_rows(connection: Connection, statement: Insert | Update, rows: list[Row]) -> None:
    """Run `statement` once per row (executemany). With a positional DBAPI (SQLite) and rows
    that all name the same parameters, each row becomes a tuple bound by the parameters' own
    bind processors (so stored values are what SQLAlchemy stores) and goes to the driver as
    is: SQLAlchemy's per-row parameter building was a tenth of the writer's time. Anything
    else (e.g. PostgreSQL's named parameters) is executed by SQLAlchemy as usual."""
    if not rows:
        return
    keys = rows[0].keys()
    plan = _positional_plan(statement, tuple(keys), connection.dialect)
    if plan is None or any(row.keys() != keys for row in rows):
        connection.execute(statement, rows)
        return
    sql, getter, processors = plan
    if not processors:
        connection.exec_driver_sql(sql, [tuple(getter(row)) for row in rows])
        return
    params = []
    for row in rows:
        values = getter(row)
        for index, process in processors:
            values[index] = process(values[index])
        params.append(tuple(values))
    connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=256)
def _positional_plan(
    statement: Insert | Update, keys: tuple[str, ...], dialect: Dialect
) -> Plan | None:
    """The driver-level SQL for rows naming exactly `keys` and, in the driver's order, each
    parameter with its bind processor; None where the dialect is not positional or the
    statement binds anything else (e.g. a column default for a column the rows leave out).
    `statement` is one of the cached statement objects (the cache holds it by identity)."""
    if not dialect.positional:
        return None
    if isinstance(statement, Insert):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    else:
        compiled = statement.compile(dialect=dialect)
    order = compiled.positiontup or []
    if sorted(order) != sorted(keys):
        return None
    found = (
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
    )
    processors = tuple((index, p) for index, p in enumerate(found) if p is not None)
    pick = itemgetter(*order)
    if len(order) == 1:
        return compiled.string, lambda row: [pick(row)], processors
    return compiled.string, lambda row: list(pick(row)), processors


@cache
def _update_statement(table: Table, columns: tuple[str, ...]) -> Update:
    (primary_key,) = table.primary_key.columns
    return (
        update(table)
        .where(primary_key == bindparam(_KEY))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


@lru_cache(maxsize=256)
def _update_params(names: tuple[str, ...]) -> tuple[str, ...]:
    """The bound parameter of each column of `names` in _update_statement's UPDATE."""
    return tuple(f"new_{name}" for name in names)


def _write_updates(session: Session, table: Table, by_key: dict[int, Row]) -> None:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for key, values in by_key.items():
        names = tuple(values)
        params = dict(zip(_update_params(names), values.values(), strict=True))
        params[_KEY] = key
        groups.setdefault(tuple(sorted(names)), []).append(params)
    connection = session.connection()
    for columns, rows in groups.items():
        execute_rows(connection, _update_statement(table, columns), rows)


def discard_pending(session: Session) -> None:
    for key in (_ROWS, _UPDATES, _OBJECTS):
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
