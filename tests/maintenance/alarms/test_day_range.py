"""The From / To days of the Alarms and Events lists are days in the operator's zone: from
its local midnight to the next, in UTC for the query (23 or 25 hours on daylight saving
days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ccms_app.core.listing import ListQueryError
from ccms_app.core.local_time import local_midnight
from ccms_app.maintenance.alarms.listing import day_range
from ccms_app.maintenance.state.event_history import occurred_filter


def test_a_berlin_day_runs_from_its_local_midnight_to_the_next() -> None:
    assert day_range("2026-12-06", "2026-12-06", "Europe/Berlin") == (
        datetime(2026, 12, 5, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
    )
    summer = day_range("2026-07-01", "2026-07-02", "Europe/Berlin")
    assert summer == (
        datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 22, 0, tzinfo=UTC),
    )


def test_a_utc_operator_keeps_utc_days() -> None:
    assert day_range("2026-03-01", "2026-03-01", "UTC") == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Berlin", "2026-03-29", 23),  # CET -> CEST
        ("Europe/Berlin", "2026-10-25", 25),  # CEST -> CET
        ("Europe/Berlin", "2026-12-06", 24),
        ("America/Chicago", "2026-03-08", 23),  # CST -> CDT
        ("America/Chicago", "2026-11-01", 25),  # CDT -> CST
        ("America/Chicago", "2026-12-06", 24),
    ],
)
def test_daylight_saving_days_are_23_or_25_hours(zone: str, day: str, hours: int) -> None:
    start, end = day_range(day, day, zone)
    assert start is not None and end is not None
    assert end - start == timedelta(hours=hours)


def test_a_chicago_day_in_utc() -> None:
    assert day_range("2026-12-06", "2026-12-06", "America/Chicago") == (
        datetime(2026, 12, 6, 6, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 6, 0, tzinfo=UTC),
    )
    assert day_range("2026-03-08", "", "America/Chicago") == (
        datetime(2026, 3, 8, 6, 0, tzinfo=UTC),
        None,
    )
    assert day_range("", "2026-03-08", "America/Chicago") == (
        None,
        datetime(2026, 3, 9, 5, 0, tzinfo=UTC),  # CDT from that night on
    )


def test_open_and_wrong_ranges() -> None:
    assert day_range("", "", "Europe/Berlin") == (None, None)
    with pytest.raises(ListQueryError, match="From date is after the To date"):
        day_range("2026-12-07", "2026-12-06", "Europe/Berlin")
    with pytest.raises(ListQueryError, match="From must be a date"):
        day_range("6 Dec", "", "Europe/Berlin")


def test_a_midnight_daylight_saving_skips_does_not_fail() -> None:
    # America/Santiago moves its clocks at midnight: 2026-09-06 00:00 does not exist there,
    # read with the offset before the change (-04); the day is 23 hours long.
    start = local_midnight(date(2026, 9, 6), "America/Santiago")
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert local_midnight(date(2026, 9, 7), "America/Santiago") - start == timedelta(hours=23)


def test_the_events_filter_is_the_berlin_day_as_utc_instants() -> None:
    assert occurred_filter("2026-12-06", "2026-12-06", "Europe/Berlin") == (
        "2026-12-05T23:00:00+00:00/2026-12-06T23:00:00+00:00"
    )
    assert occurred_filter("", "2026-12-06", "Europe/Berlin") == "/2026-12-06T23:00:00+00:00"
    assert occurred_filter("", "", "Europe/Berlin") == ""
