"""One row of the caller's organisation scope, changed in one transaction.

An operator names an alarm, rule or code by id; a row of another organisation does not
exist for them, and the attempt is audited (`accounts.roles.not_found`). The audit entry is
written after the transaction ended: on SQLite a second writing transaction inside the
first would wait for it forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller, not_found
from ccms_app.core.db import session_scope

T = TypeVar("T")


class _OutOfScope(Exception):
    pass


@contextmanager
def scoped_row(
    caller: Caller, model: type[T], row_id: int, action: str, object_type: str, what: str
) -> Iterator[tuple[Session, T]]:
    """(session, row) of `model` with id `row_id`, read locked (PostgreSQL FOR UPDATE; on
    SQLite the transaction writes from its start); NotFoundError outside the scope."""
    table: Any = model
    try:
        with session_scope() as session:
            statement = select(table).where(col(table.id) == row_id).with_for_update()
            row = session.exec(statement).first()
            if row is None or row.organisation_id not in caller.scope():
                raise _OutOfScope
            yield session, row
    except _OutOfScope:
        not_found(caller, action, object_type, row_id, what)
