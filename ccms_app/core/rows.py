"""Rows read back by id: the primary key of a stored row, a row the caller knows exists.

SQLModel types `id` as `int | None` (None until the row is flushed) and `session.get` as
possibly None; these say, with a clear error, that neither can happen here.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Table
from sqlmodel import Session, SQLModel

from ccms_app.core.i18n import tr

_Row = TypeVar("_Row", bound=SQLModel)


def stored_id(row_id: int | None) -> int:
    """The primary key of a row read from the database or flushed to it (None only before)."""
    if row_id is None:
        raise ValueError(tr("the row has no id yet: flush it to the database first"))
    return row_id


def existing(session: Session, model: type[_Row], row_id: int) -> _Row:
    """The row `row_id` of `model`, which a foreign key or this very request keeps there."""
    row = session.get(model, row_id)
    if row is None:
        raise LookupError(
            tr("{__name__} {row_id} does not exist", __name__=model.__name__, row_id=row_id)
        )
    return row


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel class, for bulk statements on the hot path (SQLModel sets
    `__table__` in its metaclass, which type checkers cannot see)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table
