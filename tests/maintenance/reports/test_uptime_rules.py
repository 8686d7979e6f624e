"""NEVI uptime (23 CFR 680.116(b)) against hand-computed figures, and its properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.maintenance.rules.intervals import (
    Interval,
    closed_intervals,
    intersect,
    length,
    merge,
    open_intervals,
    subtract,
)
from ccms_app.maintenance.rules.uptime import MINUTES_PER_YEAR, nevi_uptime, nevi_window

END = datetime(2026, 1, 1, tzinfo=UTC)
START = END - timedelta(minutes=MINUTES_PER_YEAR)  # 2025-01-01 00:00 UTC (2025 is 365 days)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


def test_the_window_is_525600_minutes_before_its_end() -> None:
    assert nevi_window(END) == (START, END)
    assert datetime(2025, 1, 1, tzinfo=UTC) == START


def test_no_outage_is_100_percent() -> None:
    result = nevi_uptime([], END)
    assert result.uptime_percent == 100
    assert result.outage_minutes == 0 and result.meets_threshold


def test_overlapping_outages_count_once_and_exclusions_are_subtracted() -> None:
    down = [
        (at(3, 1, 10), at(3, 1, 14)),  # 240 min
        (at(3, 1, 12), at(3, 1, 16)),  # overlaps: union 10:00-16:00 = 360 min
        (at(6, 1, 0), at(6, 2, 0)),  # 1,440 min, vandalism (excluded below)
    ]
    excluded = [(at(5, 31, 12), at(6, 1, 6))]  # covers 00:00-06:00 of the outage: 360 min
    result = nevi_uptime(down, END, excluded=excluded)
    # T_outage = 360 + 1,440 = 1,800; T_excluded = 360
    assert result.outage_minutes == 1800
    assert result.excluded_minutes == 360
    # mu = (525,600 - (1,800 - 360)) / 525,600 * 100 = 524,160 / 5,256 = 99.7260273972...
    assert result.uptime_percent == Fraction(524_160 * 100, 525_600)
    assert result.uptime_percent == Fraction(72_800, 730)
    assert result.meets_threshold


def test_outages_are_clipped_to_the_window() -> None:
    # 2024-12-31 23:00 -> 2025-01-01 01:00: only the 60 minutes after START count;
    # 2025-12-31 23:30 -> 2026-01-01 02:00: only the 30 minutes before END count.
    down = [
        (START - timedelta(hours=1), START + timedelta(hours=1)),
        (END - timedelta(minutes=30), END + timedelta(hours=2)),
    ]
    result = nevi_uptime(down, END)
    assert result.outage_minutes == 90
    # (525,600 - 90) / 525,600 * 100 = 525,510 / 5,256
    assert result.uptime_percent == Fraction(525_510, 5_256)


def test_closed_hours_are_excluded() -> None:
    # The station is open 08:00-20:00 UTC every day. The port is down 2025-03-01 18:00 to
    # 2025-03-02 10:00 (16 h = 960 min); closed 20:00-08:00 (12 h = 720 min) of it.
    closed = closed_intervals("08:00-20:00", ZoneInfo("UTC"), nevi_window(END))
    result = nevi_uptime([(at(3, 1, 18), at(3, 2, 10))], END, closed=closed)
    assert (result.outage_minutes, result.excluded_minutes) == (960, 720)
    assert result.counted_minutes == 240
    assert result.uptime_percent == Fraction(525_600 - 240, 5_256)


def test_below_97_percent_fails_the_threshold() -> None:
    # 3% of 525,600 = 15,768 minutes: exactly 97.000% is not "greater than 97%".
    start = at(2, 1)
    exactly = nevi_uptime([(start, start + timedelta(minutes=15_768))], END)
    assert exactly.uptime_percent == 97 and not exactly.meets_threshold
    one_less = nevi_uptime([(start, start + timedelta(minutes=15_767))], END)
    assert one_less.meets_threshold


def test_opening_hours_in_a_zone_with_a_daylight_saving_change() -> None:
    # Berlin, Sa 09:00-14:00 only (a later rule for the same day wins: "Mo-Su 09:00-14:00;
    # Mo-Fr off; Su off"). 2025-03-29 is a Saturday (CET, UTC+1): 08:00-13:00 UTC.
    # 2025-04-05 is a Saturday (CEST, UTC+2): 07:00-12:00 UTC.
    window = (datetime(2025, 3, 28, tzinfo=UTC), datetime(2025, 4, 7, tzinfo=UTC))
    hours = "Mo-Su 09:00-14:00; Mo-Fr off; Su off"
    found = open_intervals(hours, ZoneInfo("Europe/Berlin"), window)
    assert found == [
        (datetime(2025, 3, 29, 8, tzinfo=UTC), datetime(2025, 3, 29, 13, tzinfo=UTC)),
        (datetime(2025, 4, 5, 7, tzinfo=UTC), datetime(2025, 4, 5, 12, tzinfo=UTC)),
    ]


def test_opening_hours_past_midnight_and_24_7() -> None:
    window = (datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 4, tzinfo=UTC))  # a Monday
    # "Mo 22:00-02:00": Monday 22:00-24:00 inside the window; Sunday's rule is off.
    assert open_intervals("Mo 22:00-02:00", ZoneInfo("UTC"), window) == [
        (datetime(2025, 3, 3, 22, tzinfo=UTC), datetime(2025, 3, 4, tzinfo=UTC))
    ]
    # Sunday 22:00 - Monday 02:00 spills into the window.
    assert open_intervals("Su 22:00-02:00", ZoneInfo("UTC"), window) == [
        (datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 3, 2, tzinfo=UTC))
    ]
    assert open_intervals("24/7", ZoneInfo("Asia/Tokyo"), window) == [window]
    assert closed_intervals("24/7", ZoneInfo("UTC"), window) == []


# --- properties ------------------------------------------------------------------------------

offsets = st.integers(min_value=-100_000, max_value=MINUTES_PER_YEAR + 100_000)
spans = st.tuples(offsets, st.integers(min_value=0, max_value=200_000)).map(
    lambda p: (START + timedelta(minutes=p[0]), START + timedelta(minutes=p[0] + p[1]))
)
interval_lists = st.lists(spans, max_size=8)


@given(interval_lists, interval_lists)
def test_uptime_is_between_0_and_100(down: list[Interval], excluded: list[Interval]) -> None:
    mu = nevi_uptime(down, END, excluded=excluded).uptime_percent
    assert 0 <= mu <= 100


@given(interval_lists, interval_lists, spans)
def test_more_outage_never_raises_uptime(
    down: list[Interval], excluded: list[Interval], more: Interval
) -> None:
    before = nevi_uptime(down, END, excluded=excluded).uptime_percent
    after = nevi_uptime([*down, more], END, excluded=excluded).uptime_percent
    assert after <= before


@given(interval_lists, interval_lists, spans)
def test_more_exclusion_never_lowers_uptime(
    down: list[Interval], excluded: list[Interval], more: Interval
) -> None:
    before = nevi_uptime(down, END, excluded=excluded).uptime_percent
    after = nevi_uptime(down, END, excluded=[*excluded, more]).uptime_percent
    assert after >= before


@given(interval_lists, interval_lists)
def test_interval_algebra(first: list[Interval], second: list[Interval]) -> None:
    both = intersect(first, second)
    only_first = subtract(first, second)
    assert length(both) + length(only_first) == length(first)
    assert merge([*both, *only_first]) == merge(first)
