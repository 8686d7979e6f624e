"""Column types shared by the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.engine import processors
from sqlalchemy.types import TypeDecorator

from ccms_app.core.i18n import tr

# How SQLAlchemy's SQLite DATETIME stores a datetime by default (the format every existing row
# has). The fast bind path below writes exactly this text and is used only with this format.
SQLITE_STORAGE_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


_last_bound: tuple[datetime | None, str | None] = (None, None)  # the last value and its text


def _sqlite_text(value: datetime | None) -> str | None:
    """`value` as SQLite DATETIME stores it: UTC without zone, always with microseconds.
    One call per bound value instead of the TypeDecorator's two plus a %-format of a dict
    (the OCPP writer binds several datetimes per message); the samples of one meterValue
    share one datetime object, whose text is remembered (datetimes are immutable; the pair
    is read and replaced as one tuple, so threads never see a mismatched one)."""
    global _last_bound
    last = _last_bound
    if last[0] is value:
        return last[1]
    if value is None:
        return None
    utc = value
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(tr("naive datetime given; CCMS stores timezone-aware UTC only"))
        utc = value.astimezone(UTC)
    # isoformat of an aware datetime ends in "+00:00"; the first 26 characters are
    # "YYYY-MM-DD HH:MM:SS.ffffff", the stored format (years 1-9999 have four digits).
    text = utc.isoformat(" ", "microseconds")[:26]
    _last_bound = (value, text)
    return text


def _from_sqlite_text(value: str | None) -> datetime | None:
    """SQLite's stored text as an aware UTC datetime: SQLAlchemy's own reading of it
    (`datetime.fromisoformat`) and process_result_value in one call (the batch preload reads
    several datetimes per charge point and session)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back timezone-aware UTC datetimes (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        storage_format = getattr(self.impl_instance, "_storage_format", None)
        if dialect.name == "sqlite" and storage_format == SQLITE_STORAGE_FORMAT:
            return _sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        impl = self.impl_instance.result_processor(dialect, coltype)
        if dialect.name == "sqlite" and impl is processors.str_to_datetime:
            return _from_sqlite_text
        return super().result_processor(dialect, coltype)

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(tr("naive datetime given; CCMS stores timezone-aware UTC only"))
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    """A UTC datetime column for `Field(sa_column=...)`."""
    return Column(UTCDateTime(), nullable=nullable, index=index)
