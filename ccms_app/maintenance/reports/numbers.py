"""The report's exact figures (fractions) rounded once, the same way for the page and the
REST API: percentages to 3 decimals, minutes to 2, seconds to whole seconds (half up)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_decimal

from ccms_app.core.display import MISSING
from ccms_app.core.i18n import babel_locale, reader_language
from ccms_app.maintenance.reports.fault_report import duration_text
from ccms_app.maintenance.rules.uptime import minutes


def rounded(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(value: Fraction | None) -> float | None:
    """A percentage to 3 decimals (as a JSON number)."""
    return None if value is None else float(rounded(value, 3))


def percent_text(value: Fraction | None) -> str:
    """ "99.500 %" (3 decimals), as the reader's language writes the number."""
    if value is None:
        return MISSING
    locale = babel_locale(reader_language())
    return f"{format_decimal(rounded(value, 3), '0.000', locale=locale)} %"


def minutes_value(value: Fraction) -> float:
    return float(rounded(value, 2))


def duration_minutes(duration: timedelta) -> float:
    return minutes_value(minutes(duration))


def whole_seconds(value: Fraction | None) -> int | None:
    return None if value is None else int(rounded(value, 0))


def seconds_text(value: Fraction | None) -> str:
    """ "3 h 20 min" for a mean duration; a dash for none."""
    return MISSING if value is None else duration_text(whole_seconds(value))
