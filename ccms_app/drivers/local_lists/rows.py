"""Primary keys of stored rows, typed: SQLModel declares `id: int | None` because a row has no
id before it is flushed, but every row the local list code reads or flushes has one."""

from __future__ import annotations


def stored_id(row_id: int | None) -> int:
    """The primary key of a row read from the database or flushed to it (None only before)."""
    if row_id is None:
        raise ValueError("the row has no id yet: flush it to the database first")
    return row_id
