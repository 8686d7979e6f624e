"""UTCDateTime binds on SQLite exactly what the generic TypeDecorator path binds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from ccms_app.core.types import UTCDateTime, _from_sqlite_text, _sqlite_text

VALUES = [
    None,
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 0, tzinfo=UTC),  # no microseconds: still written with them
    datetime(2026, 3, 1, 12, 0, 0, 7, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=-8))),
]


def test_sqlite_binds_the_stored_format_through_one_call() -> None:
    dialect = sqlite.dialect()
    column_type = UTCDateTime().dialect_impl(dialect)
    assert column_type.bind_processor(dialect) is _sqlite_text
    generic = TypeDecorator.bind_processor(column_type, dialect)
    assert generic is not None
    for value in VALUES + VALUES[::-1]:  # each twice in a row: the remembered text too
        assert _sqlite_text(value) == generic(value)
        assert _sqlite_text(value) == generic(value)
    with pytest.raises(ValueError, match="naive"):
        _sqlite_text(datetime(2026, 1, 1))


def test_sqlite_reads_stored_text_as_the_generic_path_does() -> None:
    dialect = sqlite.dialect()
    column_type = UTCDateTime().dialect_impl(dialect)
    assert column_type.result_processor(dialect, None) is _from_sqlite_text
    generic = TypeDecorator.result_processor(column_type, dialect, None)
    assert generic is not None
    stored = [None, "2026-03-01 10:00:00.000000", "2026-03-01 10:00:00", "2026-03-01"]
    stored += ["2026-03-01T10:00:00.5+02:00", "0001-01-01 00:00:00.000000"]
    for text in stored:
        assert _from_sqlite_text(text) == generic(text)
        assert text is None or _from_sqlite_text(text).tzinfo is UTC  # type: ignore[union-attr]
