"""A range as month, day and hour pieces: exactly the hours starting in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.analytics.rules.decompose import HOUR, Pieces, next_month, pieces


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours_of(p: Pieces) -> list[datetime]:
    """Every hour start the pieces stand for."""
    found = []
    for start, end in p.hours:
        found += [start + HOUR * i for i in range(int((end - start) / HOUR))]
    for first, end in p.days:
        found += [utc(first.year, first.month, first.day) + HOUR * i
                  for i in range(24 * (end - first).days)]  # fmt: skip
    for first, end in p.months:
        month = first
        while month < end:
            start = utc(month.year, month.month, 1)
            found += [start + HOUR * i for i in range(24 * (next_month(month) - month).days)]
            month = next_month(month)
    return sorted(found)


def test_a_berlin_year_is_an_hour_eleven_months_and_days() -> None:
    # 2026 in Berlin: 31 Dec 2025 23:00 UTC to 31 Dec 2026 23:00 UTC
    p = pieces(utc(2025, 12, 31, 23), utc(2026, 12, 31, 23))
    assert p.hours == [
        (utc(2025, 12, 31, 23), utc(2026, 1, 1)),
        (utc(2026, 12, 31), utc(2026, 12, 31, 23)),
    ]
    assert p.days == [(date(2026, 12, 1), date(2026, 12, 31))]
    assert p.months == [(date(2026, 1, 1), date(2026, 12, 1))]


def test_a_short_range_is_hours_and_an_empty_one_nothing() -> None:
    assert pieces(utc(2026, 3, 1, 10, 30), utc(2026, 3, 1, 13)) == Pieces(
        hours=[(utc(2026, 3, 1, 11), utc(2026, 3, 1, 13))]
    )
    assert pieces(utc(2026, 3, 1, 10, 30), utc(2026, 3, 1, 10, 45)) == Pieces()


@given(st.integers(0, 3 * 366 * 24 * 60), st.integers(0, 500 * 24 * 60))
def test_pieces_hold_exactly_the_hours_starting_in_the_range(
    start_min: int, length_min: int
) -> None:
    since = utc(2024, 1, 1) + timedelta(minutes=start_min)
    until = since + timedelta(minutes=length_min)
    first = since.replace(minute=0) + (HOUR if since.minute else timedelta())
    expected = []
    hour = first
    while hour < until:
        expected.append(hour)
        hour += HOUR
    assert hours_of(pieces(since, until)) == expected
