from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.drivers.rules.authorization import id_tag_status

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"known": True, "blocked": False, "expiry": None}, "Accepted"),
        ({"known": False, "blocked": False, "expiry": None}, "Invalid"),
        ({"known": True, "blocked": True, "expiry": None}, "Blocked"),
        ({"known": True, "blocked": False, "expiry": NOW - timedelta(seconds=1)}, "Expired"),
        ({"known": True, "blocked": False, "expiry": NOW + timedelta(days=1)}, "Accepted"),
        ({"known": True, "blocked": True, "expiry": NOW - timedelta(days=1)}, "Blocked"),
        (
            {"known": True, "blocked": False, "expiry": None, "in_other_transaction": True},
            "ConcurrentTx",
        ),
        (
            {"known": True, "blocked": False, "expiry": None, "charge_point_registered": False},
            "Invalid",
        ),
    ],
)
def test_id_tag_status(kwargs: dict, expected: str) -> None:
    assert id_tag_status(now=NOW, **kwargs) == expected
