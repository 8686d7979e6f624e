"""Time plans by weekday and local time: over midnight, stacked priorities, the next switch."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ccms_app.load_balancing.rules.plans import (
    PlanSpec,
    active_plan,
    check_time,
    check_weekdays,
    next_switch,
)

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT = PlanSpec(1, "Otherwise", 0, "1234567", "00:00", "00:00", None, 200.0)
OFFICE = PlanSpec(2, "Office hours", 1, "12345", "08:00", "18:00", None, 100.0)
NIGHT = PlanSpec(3, "Friday night", 2, "5", "22:00", "06:00", 20.0, None)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in the week of Monday 2 March 2026 (day 1 = Monday)."""
    return datetime(2026, 3, day + 1, hour, minute, tzinfo=BERLIN)


def name(plan: PlanSpec | None) -> str | None:
    return None if plan is None else plan.name


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(1, 7, 59), "Otherwise"),
        (at(1, 8, 0), "Office hours"),
        (at(3, 17, 59), "Office hours"),
        (at(3, 18, 0), "Otherwise"),
        (at(6, 10, 0), "Otherwise"),  # Saturday
        (at(5, 23, 0), "Friday night"),
        (at(6, 5, 59), "Friday night"),  # over midnight: Friday's plan on Saturday morning
        (at(6, 6, 0), "Otherwise"),
        (at(5, 5, 0), "Otherwise"),  # Friday early morning belongs to Thursday's night
        (at(6, 22, 30), "Otherwise"),
    ],
)
def test_active_plan(moment: datetime, expected: str) -> None:
    assert name(active_plan([DEFAULT, OFFICE, NIGHT], moment)) == expected


def test_night_plan_of_sunday_runs_into_monday() -> None:
    sunday_night = PlanSpec(4, "Sunday night", 0, "7", "20:00", "02:00", 10.0, None)
    assert name(active_plan([sunday_night], datetime(2026, 3, 9, 1, 0))) == "Sunday night"
    assert active_plan([sunday_night], datetime(2026, 3, 9, 2, 0)) is None


def test_no_plan_outside_every_window() -> None:
    assert active_plan([OFFICE], at(6, 12)) is None


def test_equal_priorities_the_older_plan_wins() -> None:
    newer = PlanSpec(9, "Newer", 1, "1234567", "00:00", "00:00", 50.0, None)
    assert name(active_plan([newer, OFFICE], at(1, 9))) == "Office hours"


def test_a_disabled_plan_is_ignored() -> None:
    off = PlanSpec(2, "Office hours", 1, "12345", "08:00", "18:00", None, 100.0, enabled=False)
    assert name(active_plan([DEFAULT, off], at(1, 9))) == "Otherwise"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(1, 7, 0), at(1, 8, 0)),
        (at(1, 12, 0), at(1, 18, 0)),
        (at(5, 19, 0), at(5, 22, 0)),
        (at(6, 3, 0), at(6, 6, 0)),
        (at(6, 6, 0), at(8, 8, 0)),  # Saturday: the weekend midnights change nothing
    ],
)
def test_next_switch(moment: datetime, expected: datetime) -> None:
    switch = next_switch([DEFAULT, OFFICE, NIGHT], moment)
    assert switch == expected
    assert switch is not None and switch.tzinfo is BERLIN


def test_no_switch_when_one_plan_is_always_active() -> None:
    assert next_switch([DEFAULT], at(1, 7)) is None
    assert next_switch([], at(1, 7)) is None


def test_a_plan_ending_the_first_day_switches_to_no_plan() -> None:
    assert next_switch([OFFICE], at(5, 12)) == at(5, 18)


@pytest.mark.parametrize(("text", "expected"), [("12345", "12345"), ("5, 1", "15"), ("7 6", "67")])
def test_weekdays_are_normalised(text: str, expected: str) -> None:
    assert check_weekdays(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one weekday"),
        ("0", "1 \\(Monday\\) to 7"),
        ("8", "to 7"),
        ("Mo", "digits"),
        ("11", "twice"),
    ],
)
def test_bad_weekdays_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_weekdays(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("08:00", "08:00"), ("8:00", "08:00"), ("23:59", "23:59")]
)
def test_times_are_normalised(text: str, expected: str) -> None:
    assert check_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "12", "12:5", ""])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        check_time(text)
