"""Like-for-like cycle ranges: the running month against the same part of the month before
and of the same month last year, whole past months, month ends (31 March against February)
and leap years; the change in percent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from ccms_app.analytics.rules.cycles import (
    CycleError,
    WallRange,
    add_months,
    change_percent,
    cycle,
    parse_month,
    utc_range,
)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute)


def test_the_running_month_is_compared_on_the_same_days_and_hours() -> None:
    found = cycle(date(2026, 3, 1), wall(2026, 3, 15, 14, 30))
    assert found.so_far
    # the hour now running (14:00-15:00) counts in full, and the same hour of the others
    assert found.current == WallRange(wall(2026, 3, 1), wall(2026, 3, 15, 15), whole=False)
    assert found.previous == WallRange(wall(2026, 2, 1), wall(2026, 2, 15, 15), whole=False)
    assert found.last_year == WallRange(wall(2025, 3, 1), wall(2025, 3, 15, 15), whole=False)
    assert found.current.label == "1 Mar 2026 00:00 to 15 Mar 2026 15:00"


def test_on_a_whole_hour_nothing_is_rounded_up() -> None:
    found = cycle(date(2026, 3, 1), wall(2026, 3, 2, 9))
    assert found.previous.end == wall(2026, 2, 2, 9)


def test_31_march_compares_the_whole_of_february() -> None:
    found = cycle(date(2026, 3, 1), wall(2026, 3, 31, 18, 5))
    assert found.current == WallRange(wall(2026, 3, 1), wall(2026, 3, 31, 19), whole=False)
    assert found.previous == WallRange(wall(2026, 2, 1), wall(2026, 3, 1), whole=True)
    assert found.previous.label == "Feb 2026"
    assert found.last_year.end == wall(2025, 3, 31, 19)
    # the 29th of a 28-day February's next month: February already over in full
    assert cycle(date(2026, 3, 1), wall(2026, 3, 29, 0, 1)).previous.whole
    assert not cycle(date(2026, 3, 1), wall(2026, 3, 28, 23, 0)).previous.whole


def test_leap_years() -> None:
    # 29 February 2024: February 2023 had 28 days, so it is taken whole
    found = cycle(date(2024, 2, 1), wall(2024, 2, 29, 12, 20))
    assert found.current.end == wall(2024, 2, 29, 13)
    assert found.previous == WallRange(wall(2024, 1, 1), wall(2024, 1, 29, 13), whole=False)
    assert found.last_year == WallRange(wall(2023, 2, 1), wall(2023, 3, 1), whole=True)
    # 29 March 2024 against a 29-day February: its last day, to the same hour
    march = cycle(date(2024, 3, 1), wall(2024, 3, 29, 10, 15))
    assert march.previous == WallRange(wall(2024, 2, 1), wall(2024, 2, 29, 11), whole=False)
    # February 2025 as a whole month against the leap February before it
    february = cycle(date(2025, 2, 1), wall(2025, 6, 3, 8))
    assert not february.so_far
    assert february.current == WallRange(wall(2025, 2, 1), wall(2025, 3, 1), whole=True)
    assert february.last_year == WallRange(wall(2024, 2, 1), wall(2024, 3, 1), whole=True)


def test_a_past_month_is_compared_whole_across_a_year_end() -> None:
    found = cycle(date(2026, 1, 1), wall(2026, 3, 15, 14))
    assert not found.so_far
    assert found.current == WallRange(wall(2026, 1, 1), wall(2026, 2, 1), whole=True)
    assert found.previous == WallRange(wall(2025, 12, 1), wall(2026, 1, 1), whole=True)
    assert found.last_year == WallRange(wall(2025, 1, 1), wall(2025, 2, 1), whole=True)


def test_the_first_minutes_of_a_month() -> None:
    found = cycle(date(2026, 3, 1), wall(2026, 3, 1, 0, 0))
    assert found.current == WallRange(wall(2026, 3, 1), wall(2026, 3, 1), whole=False)
    assert cycle(date(2026, 3, 1), wall(2026, 3, 1, 0, 1)).previous.end == wall(2026, 2, 1, 1)


def test_a_future_month_or_a_bad_one_is_refused() -> None:
    with pytest.raises(CycleError, match="not started"):
        cycle(date(2026, 4, 1), wall(2026, 3, 31, 23, 59))
    assert parse_month("2026-03") == date(2026, 3, 1)
    for text in ("2026-13", "March", "", "2026-3-1"):
        with pytest.raises(CycleError, match="like 2026-03"):
            parse_month(text)


def test_months_and_zones() -> None:
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 3, 1), -12) == date(2025, 3, 1)
    assert add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)
    # March in Berlin: CET at its start, CEST at its end
    march = cycle(date(2026, 3, 1), wall(2026, 5, 1)).current
    assert utc_range(march, "Europe/Berlin") == (
        datetime(2026, 2, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 31, 22, tzinfo=UTC),
    )


def test_change_percent_is_exact_and_has_no_base_for_zero() -> None:
    assert change_percent(150, 100) == 50
    assert change_percent(2, 3) == Fraction(-100, 3)
    assert change_percent(0, 7) == -100
    assert change_percent(5, 0) is None
    assert change_percent(0, 0) is None
