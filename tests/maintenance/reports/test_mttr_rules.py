"""MTTR and MTBF per vendor and model, by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.maintenance.rules.mttr import Failure, InService, figures_by_group, mttr

ABB = ("ABB", "Terra 54")
KEBA = ("KEBA", "P30")
PERIOD = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 11, tzinfo=UTC))  # 10 days


def d(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def test_mttr_is_the_mean_of_recovered_failures() -> None:
    failures = [
        Failure(ABB, 1, d(2, 0), d(2, 2)),  # 2 h
        Failure(ABB, 1, d(3, 0), d(3, 5)),  # 5 h
        Failure(ABB, 2, d(4, 0), None),  # open: not in MTTR
    ]
    # (2 + 5) / 2 = 3.5 h = 12,600 s
    assert mttr(failures) == 12_600
    assert mttr([]) is None


def test_figures_per_vendor_and_model() -> None:
    charge_points = [
        InService(ABB, 1, d(1) - timedelta(days=30)),  # the whole period: 10 days
        InService(ABB, 2, d(6)),  # created on day 6: 5 days in the period
        InService(KEBA, 3, d(1)),  # 10 days, no failure
    ]
    failures = [
        Failure(ABB, 1, d(2, 0), d(2, 2)),  # 2 h
        Failure(ABB, 1, d(2, 1), d(2, 3)),  # overlaps: CP 1 down 00:00-03:00 = 3 h
        Failure(ABB, 2, d(10, 12), None),  # open: down to the period end = 12 h
        Failure(ABB, 1, d(1) - timedelta(hours=4), d(1, 1)),  # started before: not counted,
        # but its hour inside the period is down time: CP 1 down 1 + 3 = 4 h
    ]
    abb, keba = figures_by_group(charge_points, failures, PERIOD)
    assert (abb.vendor, abb.model, abb.charge_points) == ("ABB", "Terra 54", 2)
    assert (abb.failures, abb.repaired) == (3, 2)
    # MTTR = (2 h + 2 h) / 2 = 2 h
    assert abb.mttr_seconds == 7_200
    # operating = (240 h - 4 h) + (120 h - 12 h) = 344 h; MTBF = 344 h / 3
    assert abb.operating_seconds == 344 * 3600
    assert abb.mtbf_seconds == Fraction(344 * 3600, 3)
    assert (keba.failures, keba.mtbf_seconds, keba.mttr_seconds) == (0, None, None)
    assert keba.operating_seconds == 240 * 3600


durations = st.integers(min_value=0, max_value=10**7)


@given(st.lists(st.tuples(st.integers(0, 10**6), durations), min_size=1, max_size=10))
def test_mttr_lies_between_the_shortest_and_longest_repair(
    repairs: list[tuple[int, int]],
) -> None:
    start = d(1)
    failures = [
        Failure(ABB, 1, start + timedelta(seconds=s), start + timedelta(seconds=s + t))
        for s, t in repairs
    ]
    mean = mttr(failures)
    assert mean is not None
    assert min(t for _, t in repairs) <= mean <= max(t for _, t in repairs)
