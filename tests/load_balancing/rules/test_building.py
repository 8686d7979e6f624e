"""The demo building's daily curve, and the building load assumed when readings stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms_app.load_balancing.rules.building import assumed_building, demo_building_load_a

MONDAY = datetime(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PEAK = (80.0, 75.0, 70.0)


def test_demo_curve_night_low_midday_peak_evening_fall() -> None:
    night = demo_building_load_a(MONDAY.replace(hour=3), 100.0)
    morning = demo_building_load_a(MONDAY.replace(hour=8), 100.0)
    midday = demo_building_load_a(MONDAY.replace(hour=13), 100.0)
    evening = demo_building_load_a(MONDAY.replace(hour=20), 100.0)
    assert 20 <= night[0] <= 30
    assert night[0] < morning[0] < midday[0]
    assert 95 <= midday[0] <= 103
    assert night[0] < evening[0] < midday[0]


def test_demo_curve_is_deterministic_and_slightly_unbalanced() -> None:
    moment = MONDAY.replace(hour=11, minute=17)
    l1, l2, l3 = demo_building_load_a(moment, 100.0)
    assert demo_building_load_a(moment, 100.0) == (l1, l2, l3)
    assert l1 > l2 > l3 > 0.8 * l1


def test_demo_weekend_is_quieter_than_a_workday() -> None:
    saturday = MONDAY + timedelta(days=5)
    assert demo_building_load_a(saturday.replace(hour=13), 100.0)[0] < 60


def test_a_fresh_reading_is_used_as_it_is() -> None:
    latest = (NOW - timedelta(seconds=60), (40.0, 30.0, 20.0))
    assert assumed_building(latest, PEAK, NOW, 300) == ((40.0, 30.0, 20.0), "")


def test_a_stale_reading_gives_way_to_the_24_h_peak() -> None:
    latest = (NOW - timedelta(minutes=10), (40.0, 30.0, 20.0))
    load, note = assumed_building(latest, PEAK, NOW, 300)
    assert load == PEAK
    assert note == "stale since 2026-03-02 11:50 UTC: the 24 h peak is assumed"


def test_a_stale_reading_without_a_peak_keeps_the_last_reading() -> None:
    latest = (NOW - timedelta(minutes=10), (40.0, 30.0, 20.0))
    load, note = assumed_building(latest, None, NOW, 300)
    assert load == (40.0, 30.0, 20.0)
    assert note.startswith("stale since 2026-03-02 11:50 UTC")


def test_no_reading_at_all() -> None:
    assert assumed_building(None, PEAK, NOW, 300) == (
        PEAK,
        "no recent reading: the 24 h peak is assumed",
    )
    assert assumed_building(None, None, NOW, 300) == (
        (0.0, 0.0, 0.0),
        "no building load reading yet",
    )
