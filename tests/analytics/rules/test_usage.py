"""Usage rate and availability: exact fractions from microseconds, the period since the
charge point was created, no base without available time, and the ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from ccms_app.analytics.rules.usage import TimeUse, period_us, ranked, total

HOUR_US = 3_600_000_000
SINCE = datetime(2026, 2, 1, tzinfo=UTC)
UNTIL = datetime(2026, 3, 1, tzinfo=UTC)  # 28 days = 672 h


def test_usage_is_charging_over_available_time() -> None:
    use = TimeUse(period_us=672 * HOUR_US, outage_us=16 * HOUR_US, charging_us=4 * HOUR_US)
    assert use.available_us == 656 * HOUR_US
    assert use.usage == Fraction(4, 656)
    assert use.availability == Fraction(656, 672)


def test_no_available_time_has_no_usage_and_nothing_is_capped() -> None:
    assert TimeUse(period_us=HOUR_US, outage_us=HOUR_US, charging_us=HOUR_US).usage is None
    assert TimeUse().usage is None
    assert TimeUse().availability is None
    # charging while it showed offline: more than 100 %, as computed
    over = TimeUse(period_us=2 * HOUR_US, outage_us=HOUR_US, charging_us=2 * HOUR_US)
    assert over.usage == 2
    # outage longer than the period (cannot happen, but never a negative time)
    assert TimeUse(period_us=HOUR_US, outage_us=2 * HOUR_US).available_us == 0


def test_sums_of_connectors() -> None:
    two = total(
        [
            TimeUse(672 * HOUR_US, 2 * HOUR_US, 0),
            TimeUse(672 * HOUR_US, 2 * HOUR_US, 0),
            TimeUse(charging_us=3 * HOUR_US),
        ]
    )
    assert two == TimeUse(1_344 * HOUR_US, 4 * HOUR_US, 3 * HOUR_US)
    assert two.availability == Fraction(1_340, 1_344)
    assert two.usage == Fraction(3, 1_340)


def test_the_period_starts_when_the_charge_point_was_created() -> None:
    assert period_us(SINCE, UNTIL, datetime(2024, 1, 1, tzinfo=UTC)) == 672 * HOUR_US
    created = SINCE + timedelta(days=27, hours=12, microseconds=1)
    assert period_us(SINCE, UNTIL, created) == 12 * HOUR_US - 1
    assert period_us(SINCE, UNTIL, UNTIL + timedelta(days=1)) == 0


def test_ranked_highest_or_lowest_first_without_a_rate_last() -> None:
    rows = [("b", Fraction(1, 2)), ("a", Fraction(1, 2)), ("c", None), ("d", Fraction(1, 4))]
    names = [r[0] for r in ranked(rows, lambda r: r[1], lambda r: r[0])]
    assert names == ["a", "b", "d", "c"]
    lowest = [r[0] for r in ranked(rows, lambda r: r[1], lambda r: r[0], highest_first=False)]
    assert lowest == ["d", "a", "b", "c"]
