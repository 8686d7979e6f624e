"""Month-on-month: the range one month earlier, the change as an exact fraction and its text,
the share of a whole."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms_app.analytics.rules.comparison import (
    NO_DATA,
    change,
    change_text,
    month_earlier,
    percent_text,
    previous_range,
    share,
)


@pytest.mark.parametrize(
    ("first", "last", "before"),
    [
        # days of a month move to the same days of the month before
        (date(2026, 11, 15), date(2026, 11, 20), (date(2026, 10, 15), date(2026, 10, 20))),
        # over a month end
        (date(2026, 10, 15), date(2026, 11, 10), (date(2026, 9, 15), date(2026, 10, 10))),
        # a whole month against the whole month before, whatever their lengths
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 2, 1), date(2026, 2, 28), (date(2026, 1, 1), date(2026, 1, 31))),
        (date(2028, 3, 1), date(2028, 3, 31), (date(2028, 2, 1), date(2028, 2, 29))),
        # a day past the shorter month's end is its last day
        (date(2026, 3, 1), date(2026, 3, 30), (date(2026, 2, 1), date(2026, 2, 28))),
        # month ends stay month ends: 6 days against 6 days
        (date(2026, 2, 28), date(2026, 3, 5), (date(2026, 1, 31), date(2026, 2, 5))),
        # January goes back to December of the year before
        (date(2027, 1, 1), date(2027, 1, 31), (date(2026, 12, 1), date(2026, 12, 31))),
        # given the wrong way round
        (date(2026, 11, 20), date(2026, 11, 15), (date(2026, 10, 15), date(2026, 10, 20))),
    ],
)
def test_the_previous_range_is_one_month_earlier(
    first: date, last: date, before: tuple[date, date]
) -> None:
    assert previous_range(first, last) == before


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2999, 12, 31)))
def test_a_month_earlier_is_in_the_month_before_and_never_later_in_it(day: date) -> None:
    earlier = month_earlier(day)
    previous_month = day.replace(day=1) - timedelta(days=1)
    assert (earlier.year, earlier.month) == (previous_month.year, previous_month.month)
    assert earlier.day <= day.day or (day + timedelta(days=1)).day == 1


def test_the_change_is_exact_and_shown_with_one_decimal() -> None:
    assert change(3, 1) == 2
    assert change(1_700, 300) == Fraction(14, 3)
    assert change_text(change(3, 1)) == "+200.0 %"
    assert change_text(change(1_700, 300)) == "+466.7 %"  # 466.666...
    assert change_text(change(97, 100)) == "-3.0 %"
    assert change_text(change(5, 5)) == "0.0 %"
    assert change_text(change(1_000_001, 1_000_000)) == "0.0 %"  # +0.0001 %
    assert change_text(change(999_999, 1_000_000)) == "0.0 %"  # never "-0.0 %"
    assert change_text(Fraction(1, 2000)) == "+0.1 %"  # 0.05 % rounds half up
    assert change_text(Fraction(-1, 2000)) == "-0.1 %"  # and half away from zero


def test_nothing_before_means_no_data() -> None:
    assert change(12, 0) is None
    assert change(0, 0) is None
    assert change_text(None) == NO_DATA == "no data"
    assert change(0, 4) == -1
    assert change_text(change(0, 4)) == "-100.0 %"


def test_shares_of_a_whole() -> None:
    assert share(1, 3) == Fraction(1, 3)
    assert percent_text(share(1, 3)) == "33.3 %"
    assert percent_text(share(2, 3)) == "66.7 %"
    assert percent_text(share(3, 3)) == "100.0 %"
    assert share(0, 0) is None
    assert percent_text(None) == NO_DATA
