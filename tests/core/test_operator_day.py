"""Where Home's "today" starts: the operator's midnight, DST days included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.core.local_time import midnight_of


@pytest.mark.parametrize(
    ("now", "zone", "midnight"),
    [
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "UTC", datetime(2026, 12, 6, tzinfo=UTC)),
        # 00:30 on the 7th in Berlin (CET): its day began at 23:00 UTC on the 6th
        (
            datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
        ),
        # 23:30 on the 6th in Chicago (CST): still the 6th there
        (
            datetime(2026, 12, 7, 5, 30, tzinfo=UTC),
            "America/Chicago",
            datetime(2026, 12, 6, 6, 0, tzinfo=UTC),
        ),
        # the day clocks go forward in Berlin: midnight was still CET
        (
            datetime(2026, 3, 29, 12, 0, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        ),
        # and the day they go back: midnight was still CEST
        (
            datetime(2026, 10, 25, 12, 0, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_day_starts_at_the_operators_midnight(
    now: datetime, zone: str, midnight: datetime
) -> None:
    assert midnight_of(now, zone) == midnight
