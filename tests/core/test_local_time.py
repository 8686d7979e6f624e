"""A datetime-local field read and filled in a zone: the wall time typed there is the UTC
instant stored, daylight saving's skipped and repeated hours included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.core.local_time import utc_to_wall_time, wall_time_to_utc


@pytest.mark.parametrize(
    ("typed", "zone", "stored"),
    [
        ("2026-12-06T10:00", "Europe/Berlin", datetime(2026, 12, 6, 9, 0, tzinfo=UTC)),  # CET
        ("2026-07-01T10:00", "Europe/Berlin", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),  # CEST
        ("2026-12-06T10:00", "America/Chicago", datetime(2026, 12, 6, 16, 0, tzinfo=UTC)),
        ("2026-12-06T10:00", "UTC", datetime(2026, 12, 6, 10, 0, tzinfo=UTC)),
        (" 2026-12-06T10:00:30 ", "UTC", datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC)),
        ("2026-12-06T10:00+02:00", "America/Chicago", datetime(2026, 12, 6, 8, 0, tzinfo=UTC)),
        ("2026-12-06T10:00", "Not/AZone", datetime(2026, 12, 6, 10, 0, tzinfo=UTC)),  # as UTC
    ],
)
def test_a_wall_time_is_read_in_its_zone(typed: str, zone: str, stored: datetime) -> None:
    assert wall_time_to_utc(typed, zone) == stored


def test_an_empty_field_is_none_and_a_wrong_one_is_refused() -> None:
    assert wall_time_to_utc("  ", "Europe/Berlin") is None
    with pytest.raises(ValueError):
        wall_time_to_utc("tomorrow", "Europe/Berlin")


def test_daylight_saving_gaps_and_repeats_do_not_fail() -> None:
    # 2026-03-29 02:30 does not exist in Berlin (02:00 CET -> 03:00 CEST): fold=0 reads it
    # with the offset before the change, i.e. 01:30 UTC, shown back as 03:30 CEST.
    skipped = wall_time_to_utc("2026-03-29T02:30", "Europe/Berlin")
    assert skipped == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert utc_to_wall_time(skipped, "Europe/Berlin") == "2026-03-29T03:30"
    # 2026-10-25 02:30 happens twice (CEST, then CET): the first one.
    repeated = wall_time_to_utc("2026-10-25T02:30", "Europe/Berlin")
    assert repeated == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # Chicago: 2026-03-08 02:30 is skipped, 2026-11-01 01:30 repeated.
    assert wall_time_to_utc("2026-03-08T02:30", "America/Chicago") == datetime(
        2026, 3, 8, 8, 30, tzinfo=UTC
    )
    assert wall_time_to_utc("2026-11-01T01:30", "America/Chicago") == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


def test_a_stored_time_fills_the_field_on_the_zone_wall_clock() -> None:
    stored = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert utc_to_wall_time(stored, "Europe/Berlin") == "2026-12-06T10:00"
    assert utc_to_wall_time(stored, "America/Chicago") == "2026-12-06T03:00"
    assert utc_to_wall_time(stored.replace(tzinfo=None), "UTC") == "2026-12-06T09:00"
    typed = "2026-07-01T18:45"
    read = wall_time_to_utc(typed, "Asia/Shanghai")
    assert read is not None and utc_to_wall_time(read, "Asia/Shanghai") == typed
