"""When a connector is sent a new charging profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccms_app.load_balancing.rules.sending import needs_sending

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FRESH = NOW + timedelta(seconds=590)


@pytest.mark.parametrize(
    ("new", "sent", "valid_until", "tx_changed", "expected"),
    [
        (160, None, None, False, "first"),
        (160, 160, FRESH, True, "transaction"),
        (170, 160, FRESH, False, None),  # 1.0 A: not more than the threshold
        (171, 160, FRESH, False, "change"),
        (149, 160, FRESH, False, "change"),
        (0, 5, FRESH, False, "change"),  # stopping always counts
        (5, 0, FRESH, False, "change"),  # and starting
        (0, 0, FRESH, False, None),
        (160, 160, NOW + timedelta(seconds=301), False, None),
        (160, 160, NOW + timedelta(seconds=299), False, "refresh"),  # under half of 600 s
        (160, 160, NOW - timedelta(seconds=1), False, "refresh"),
        (160, 160, None, False, "refresh"),
    ],
)
def test_needs_sending(
    new: int, sent: int | None, valid_until: datetime | None, tx_changed: bool, expected: str | None
) -> None:
    assert needs_sending(new, sent, 10, valid_until, NOW, 600, tx_changed) == expected
