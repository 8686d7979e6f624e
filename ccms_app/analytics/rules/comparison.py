"""Month-on-month change of a chosen range of days, and the shares of a whole.

The range an operator chose (From / To days in their zone) is compared with "the same range
one month earlier": each day moves to the same day of the month before, a day past that
month's end to its last day, and the last day of a month to the last day of the month
before. So 15 October - 10 November is compared with 15 September - 10 October, the whole of
March (1 - 31) with the whole of February (1 - 28/29), the whole of February with the whole
of January (1 - 31), and 28 February - 5 March with 31 January - 5 February.

The change is exact, (now - before) / before as a fraction, shown once rounded (half away
from zero) to one decimal: "+12.5 %", "-3.0 %", "0.0 %". When the earlier range has nothing
(zero) there is no change to speak of: "no data". Pure: no database, no Reflex.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ccms_app.core.i18n import N_, tr

NO_DATA = N_("no data")  # in the reader's language where it is returned


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_earlier(day: date) -> date:
    """The same day one month earlier: clamped to that month's length, and the last day of
    a month maps to the last day of the month before."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    length = calendar.monthrange(year, month)[1]
    if day == month_end(day):
        return date(year, month, length)
    return date(year, month, min(day.day, length))


def previous_range(first: date, last: date) -> tuple[date, date]:
    """The range one month before [first, last] (both days included), oldest day first."""
    if last < first:
        first, last = last, first
    return month_earlier(first), month_earlier(last)


def change(current: int, previous: int) -> Fraction | None:
    """(current - previous) / previous, exactly; None when `previous` is zero (nothing to
    compare with: a change from nothing has no percentage)."""
    if previous == 0:
        return None
    return Fraction(current - previous, previous)


def share(part: int, whole: int) -> Fraction | None:
    """`part` of `whole` (a cause's share of all faults); None for an empty whole."""
    if whole == 0:
        return None
    return Fraction(part, whole)


def _one_decimal(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent_text(value: Fraction | None) -> str:
    """A share as a percentage with one decimal ("33.3 %"); "no data" for none."""
    if value is None:
        return tr(NO_DATA)
    return f"{_one_decimal(value * 100)} %"


def change_text(value: Fraction | None) -> str:
    """A change as a signed percentage with one decimal ("+12.5 %", "-3.0 %", "0.0 %");
    "no data" when there was nothing to compare with."""
    if value is None:
        return tr(NO_DATA)
    rounded = _one_decimal(value * 100)
    if rounded == 0:
        return "0.0 %"  # never "-0.0 %"
    sign = "+" if rounded > 0 else ""
    return f"{sign}{rounded} %"
