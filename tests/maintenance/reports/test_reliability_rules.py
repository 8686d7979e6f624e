"""UK Public Charge Point Regulations 2023, regulation 7, by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.maintenance.rules.intervals import open_intervals
from ccms_app.maintenance.rules.port_timeline import PortState, Segment
from ccms_app.maintenance.rules.reliability import (
    OcpiStatus,
    ReliabilityFigures,
    calendar_year,
    is_rapid,
    network_reliability,
    port_reliability,
    reliability,
)

HOUR = timedelta(hours=1)


def h(day: int, hour: int) -> datetime:
    return datetime(2025, 6, day, hour, tzinfo=UTC)


def test_statuses_by_regulation_7() -> None:
    figures = reliability(
        {
            OcpiStatus.AVAILABLE: 50 * HOUR,  # working
            OcpiStatus.CHARGING: 30 * HOUR,  # working
            OcpiStatus.RESERVED: 5 * HOUR,  # working
            OcpiStatus.BLOCKED: 2 * HOUR,  # ineligible: reliable
            OcpiStatus.UNKNOWN: 3 * HOUR,  # ineligible: reliable
            OcpiStatus.INOPERATIVE: 4 * HOUR,  # not working
            OcpiStatus.OUTOFORDER: 6 * HOUR,  # not working
            OcpiStatus.REMOVED: 99 * HOUR,  # not in service: not measured
        }
    )
    assert figures == ReliabilityFigures(85 * HOUR, 5 * HOUR, 10 * HOUR)
    # (85 + 5) / 100 = 90%; strictly working 85 / 100 = 85%.
    assert figures.reliability_percent == 90
    assert figures.working_percent == 85


def test_only_opening_hours_count() -> None:
    # Open 08:00-20:00 UTC. 2025-06-01 00:00 -> 2025-06-03 00:00 (two days, 24 h open).
    # Out of order 2025-06-01 18:00 -> 2025-06-02 10:00: open 18-20 and 08-10 = 4 h.
    # Offline 2025-06-02 12:00 -> 13:00: UNKNOWN, 1 h (reliable by 7(3)(b)).
    segments = [
        Segment(h(1, 0), h(1, 18), PortState.WORKING),
        Segment(h(1, 18), h(2, 10), PortState.OUT_OF_ORDER),
        Segment(h(2, 10), h(2, 12), PortState.WORKING),
        Segment(h(2, 12), h(2, 13), PortState.OFFLINE),
        Segment(h(2, 13), h(3, 0), PortState.WORKING),
    ]
    opened = open_intervals("08:00-20:00", ZoneInfo("UTC"), (h(1, 0), h(3, 0)))
    figures = port_reliability(segments, opened)
    assert figures == ReliabilityFigures(19 * HOUR, 1 * HOUR, 4 * HOUR)
    # reliable (19 + 1) / 24 = 83.33..%; strict 19 / 24
    assert figures.reliability_percent == Fraction(250, 3)
    assert figures.working_percent == Fraction(19 * 100, 24)


def test_network_average_is_time_weighted() -> None:
    # A: 99 h of 100 reliable; B: 8 h of 10. Network: 107 / 110 = 97.27..%, not the
    # plain mean of 99% and 80%.
    a = ReliabilityFigures(working=99 * HOUR, not_working=HOUR)
    b = ReliabilityFigures(working=8 * HOUR, not_working=2 * HOUR)
    assert network_reliability([a, b]).reliability_percent == Fraction(10_700, 110)
    assert network_reliability([]).reliability_percent is None


def test_rapid_and_calendar_year() -> None:
    assert is_rapid(50_000) and not is_rapid(49_999) and not is_rapid(None)
    at = datetime(2025, 8, 1, 12, tzinfo=UTC)
    assert calendar_year(at) == (datetime(2025, 1, 1, tzinfo=UTC), at)


@given(st.lists(st.tuples(st.sampled_from(list(OcpiStatus)), st.integers(0, 10**9)), max_size=9))
def test_reliability_is_a_percentage_at_least_the_strict_one(
    spent: list[tuple[OcpiStatus, int]],
) -> None:
    durations: dict[OcpiStatus, timedelta] = {}
    for status, seconds in spent:
        durations[status] = durations.get(status, timedelta(0)) + timedelta(seconds=seconds)
    figures = reliability(durations)
    if figures.reliability_percent is None or figures.working_percent is None:
        assert figures.measured == timedelta(0)
        return
    assert 0 <= figures.working_percent <= figures.reliability_percent <= 100
    worse = figures + ReliabilityFigures(not_working=timedelta(hours=1))
    assert worse.reliability_percent is not None
    assert worse.reliability_percent <= figures.reliability_percent
    if figures.reliability_percent > 0:  # more time not working: strictly less reliable
        assert worse.reliability_percent < figures.reliability_percent
