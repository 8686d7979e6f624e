"""Times in query parameters and bodies: ISO 8601 text that names its zone, kept in UTC.

A naive time is ambiguous (whose midnight?) and a bare number is not a date-time in the
schema, so both are refused with a message saying what to send. `TimeRange` gives a list a
`<column>_from` (inclusive) / `<column>_to` (exclusive) pair of parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from sqlalchemy.sql.elements import ColumnElement

from ccms_app.api.problems import Problem
from ccms_app.core.listing import ListColumn

NAIVE_TIME = "give a date and time with a time zone (ISO 8601, e.g. 2026-01-31T08:00:00Z)"


def iso_text(value: Any) -> Any:
    """Only ISO 8601 text (or a datetime): pydantic alone also reads numbers as Unix times,
    which the schema's `date-time` does not allow."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(NAIVE_TIME)
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(NAIVE_TIME) from None


def utc_instant(value: datetime) -> datetime:
    """A query or body time: it must name its zone (a naive time is ambiguous); kept in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NAIVE_TIME)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is outside the years 1 to 9999 once in UTC") from None


UtcInstant = Annotated[datetime, BeforeValidator(iso_text), AfterValidator(utc_instant)]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
NOT_A_DAY = "give a day as ISO 8601 text (YYYY-MM-DD, e.g. 2026-01-31)"


def iso_day_text(value: Any) -> Any:
    """Only YYYY-MM-DD text (or a date): pydantic alone also reads a number as a Unix time,
    which the schema's `date` does not allow."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value.strip()):
        raise ValueError(NOT_A_DAY)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(NOT_A_DAY) from None


IsoDay = Annotated[date, BeforeValidator(iso_day_text)]


@dataclass(frozen=True)
class TimeRange:
    """`<key>_from` (inclusive) and `<key>_to` (exclusive) query parameters on a time column."""

    column: ListColumn

    @property
    def names(self) -> tuple[str, str]:
        return f"{self.column.key}_from", f"{self.column.key}_to"

    def fields(self) -> dict[str, Any]:
        """The two parameters, for `create_model`."""
        since, until = self.names
        label = self.column.label
        return {
            since: (UtcInstant | None, Field(None, description=f"{label} at or after this")),
            until: (UtcInstant | None, Field(None, description=f"{label} before this")),
        }

    def conditions(self, params: BaseModel) -> list[ColumnElement[bool]]:
        """SQL for the range the query asks for; 422 when it ends before it starts."""
        since, until = (getattr(params, name) for name in self.names)
        if since is not None and until is not None and until <= since:
            field = self.names[1]
            detail = f"{field} must be later than {self.names[0]}"
            raise Problem(422, detail, [{"location": "query", "field": field, "detail": detail}])
        expression = self.column.expression
        found = [] if since is None else [expression >= since]
        return found if until is None else [*found, expression < until]
