"""Sums that come back as the type they add up, on every database.

PostgreSQL sums a BIGINT column into NUMERIC (a Decimal in Python), where SQLite gives an int;
code that multiplies the sum with a timedelta or compares it to ints then works on one database
only. `int_sum` casts the sum back to BIGINT (NULL stays NULL: no rows, no sum).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, cast, func
from sqlalchemy.sql.elements import ColumnElement


def int_sum(column: Any) -> ColumnElement[int]:
    """SUM(column) as a whole number (microseconds, counts) on SQLite and PostgreSQL alike."""
    return cast(func.sum(column), BigInteger)
