"""The overview's periods (finance.rules.revenue), pure: days, months and years of the
operator's wall clock as UTC instants, across DST changes either way and in a zone whose
midnight is skipped once a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from ccms_app.finance.rules.revenue import (
    Bucket,
    PeriodError,
    PeriodKind,
    bucket_of,
    buckets,
    local_midnight,
    period_kind,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def contiguous(within: tuple[Bucket, ...]) -> bool:
    return all(a.end == b.start for a, b in pairwise(within))


def test_thirty_days_up_to_today_in_the_zone() -> None:
    # 23:30 UTC on 4 April is already Sunday 5 April in Berlin (CEST, +2).
    days = buckets(PeriodKind.DAYS, utc("2026-04-04 23:30"), "Europe/Berlin")
    assert len(days) == 30 and contiguous(days)
    assert days[-1] == Bucket(
        "2026-04-05", "Sun 05 Apr", utc("2026-04-04 22:00"), utc("2026-04-05 22:00")
    )
    assert days[0].key == "2026-03-07" and days[0].start == utc("2026-03-06 23:00")  # CET
    lengths = {b.key: b.end - b.start for b in days}
    assert lengths["2026-03-29"] == timedelta(hours=23)  # spring forward
    assert {lengths[k] for k in lengths if k != "2026-03-29"} == {timedelta(hours=24)}


def test_the_autumn_day_has_25_hours() -> None:
    days = buckets(PeriodKind.DAYS, utc("2026-10-30 12:00"), "Europe/Berlin")
    day = {b.key: b for b in days}["2026-10-25"]
    assert (day.start, day.end) == (utc("2026-10-24 22:00"), utc("2026-10-25 23:00"))


def test_twelve_months_and_five_years() -> None:
    months = buckets(PeriodKind.MONTHS, utc("2026-01-15 12:00"), "America/New_York")
    assert [m.key for m in months][:2] == ["2025-02", "2025-03"]
    assert months[-1].label == "Jan 2026" and len(months) == 12 and contiguous(months)
    march = months[1]  # EST until 8 March, then EDT
    assert (march.start, march.end) == (utc("2025-03-01 05:00"), utc("2025-04-01 04:00"))
    years = buckets(PeriodKind.YEARS, utc("2026-01-15 12:00"), "Asia/Tokyo")
    assert [y.label for y in years] == ["2022", "2023", "2024", "2025", "2026"]
    assert years[0].start == utc("2021-12-31 15:00") and years[-1].end == utc("2026-12-31 15:00")


def test_a_skipped_midnight_still_leaves_no_gap() -> None:
    """Chile springs forward at 24:00 (00:00 -> 01:00): that day starts at the change."""
    days = buckets(PeriodKind.DAYS, utc("2026-09-20 12:00"), "America/Santiago")
    assert contiguous(days)
    short = [b for b in days if b.end - b.start == timedelta(hours=23)]
    assert [b.key for b in short] == ["2026-09-06"]
    assert local_midnight(datetime(2026, 9, 6).date(), "America/Santiago") == utc(
        "2026-09-06 04:00"
    )


def test_bucket_of_a_moment() -> None:
    days = buckets(PeriodKind.DAYS, utc("2026-04-05 10:00"), "Europe/Berlin")
    keys = [b.key for b in days]
    assert keys[bucket_of(utc("2026-03-29 21:59"), days) or 0] == "2026-03-29"
    assert keys[bucket_of(utc("2026-03-29 22:00"), days) or 0] == "2026-03-30"
    assert bucket_of(utc("2026-03-06 22:59"), days) is None
    assert bucket_of(utc("2026-04-05 22:00"), days) is None


def test_period_names() -> None:
    assert period_kind(" Months ") is PeriodKind.MONTHS
    with pytest.raises(PeriodError, match="choose one of days, months, years"):
        period_kind("weeks")
