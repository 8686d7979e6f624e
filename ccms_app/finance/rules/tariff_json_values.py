"""Reading and writing the scalar values of the tariff / CDR JSON: exact numbers, HH:MM
times, dates, ISO datetimes, with errors keyed by field path for the operator.

Numbers are never floats: JSON must be read with `json.loads(..., parse_float=Decimal)`;
ints, Decimals and numeric strings are accepted, a float is refused (it may already have
lost the digits the operator typed).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ccms_app.core.i18n import tr

_TIME_RE = re.compile(r"([0-1][0-9]|2[0-3]):([0-5][0-9])")
_DATE_RE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


class TariffError(ValueError):
    """Invalid tariff or session JSON: `errors` maps each wrong field's path (e.g.
    "elements[1].price_components[0].price") to a message an operator understands."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        summary = "; ".join(f"{path}: {message}" for path, message in self.errors.items())
        super().__init__(summary or "invalid input")


class FieldError(Exception):
    """One field's problem, raised by the readers below and collected by the parsers."""


class Errors:
    """Collects one message per path while a document is read."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, message)

    def raise_if_any(self) -> None:
        if self.found:
            raise TariffError(self.found)


def join(base: str, key: str | int) -> str:
    """Child path: join("elements", 1) -> "elements[1]", join("a", "b") -> "a.b"."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def check_keys(errors: Errors, path: str, data: dict[str, Any], allowed: frozenset[str]) -> None:
    for key in data:
        if key not in allowed:
            errors.add(join(path, key), tr("is not a field CCMS knows here"))


def read_object(value: Any, what: str = "an object") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(tr("must be {what}", what=what))
    return value


def read_decimal(
    value: Any,
    *,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal | None = None,
    decimals: int | None = None,
) -> Decimal:
    """An exact number within bounds and with at most `decimals` significant decimals."""
    if isinstance(value, (bool, float)):
        raise FieldError(
            "must be an exact number (JSON read with parse_float=Decimal), not a float"
            if isinstance(value, float)
            else "must be a number"
        )
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise FieldError(f"{value!r} is not a number") from None
    else:
        raise FieldError(tr("must be a number"))
    if not number.is_finite():
        raise FieldError(tr("must be a finite number"))
    if minimum is not None and number < minimum:
        raise FieldError(
            tr("must not be negative")
            if minimum == 0
            else tr("must be at least {minimum}", minimum=minimum)
        )
    if maximum is not None and number > maximum:
        raise FieldError(tr("must be at most {maximum}", maximum=maximum))
    if decimals is not None and decimal_places(number) > decimals:
        raise FieldError(tr("has more than {decimals} decimals", decimals=decimals))
    return number


def decimal_places(number: Decimal) -> int:
    """Significant decimals: 0.2500 -> 2, 100 -> 0."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def read_int(value: Any, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number (an integral Decimal such as 300.0 is accepted)."""
    number = read_decimal(value, minimum=Decimal(minimum), maximum=None)
    if number != number.to_integral_value():
        raise FieldError(tr("must be a whole number"))
    if maximum is not None and number > maximum:
        raise FieldError(tr("must be at most {maximum}", maximum=maximum))
    return int(number)


def read_time(value: Any) -> time:
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        raise FieldError(tr("must be a time of day as HH:MM (24h, e.g. 07:30)"))
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def read_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise FieldError(tr("must be a date as YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(tr("{value} is not a calendar date", value=value)) from None


def read_datetime(value: Any) -> datetime:
    """An ISO 8601 date and time with an offset or Z (naive times are refused)."""
    if not isinstance(value, str):
        raise FieldError(tr("must be an ISO 8601 date and time, e.g. 2024-05-01T08:00:00Z"))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(f"{value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FieldError(tr("must include a time zone offset or Z (e.g. 2024-05-01T08:00:00Z)"))
    return moment


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z: 2024-05-01T08:00:00Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def format_time(moment: time) -> str:
    return moment.strftime("%H:%M")


def dumps_exact(value: Any) -> str:
    """JSON text where Decimals are written as JSON numbers, digit for digit."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(tr("JSON has no NaN or Infinity"))
        return format(value, "f")
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(str(k))}: {dumps_exact(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dumps_exact(v) for v in value) + "]"
    if isinstance(value, float):
        raise TypeError("floats are not written: use Decimal")
    return json.dumps(value)
