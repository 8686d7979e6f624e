"""How a session counts in hours: hand-computed cases and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.analytics.rules.spread import HourShare, spread


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_a_session_over_midnight_splits_its_energy_and_time_and_orders_at_its_end() -> None:
    # 23:30 -> 00:30 in Berlin (UTC+1 in March): 22:30 -> 23:30 UTC, 10 kWh drawn evenly
    shares = spread(at(22, 30), at(23, 30), 10_000, (), 480, 500)
    assert shares == (
        HourShare(at(22), 5_000, 1_800_000_000),
        HourShare(
            at(23), 5_000, 1_800_000_000, orders=1, amount_excl_minor=480, amount_incl_minor=500
        ),
    )


def test_register_readings_shape_the_curve() -> None:
    # 4 kWh in the first 15 minutes, then 6 kWh over 75 minutes: 11:00 is 45 of those 75
    shares = spread(at(10), at(11, 30), 10_000, [(at(10, 15), 4_000.0)])
    assert [(s.hour, s.energy_wh) for s in shares] == [(at(10), 7_600), (at(11), 2_400)]


def test_readings_outside_the_session_or_running_backwards_are_ignored() -> None:
    readings = [(at(9), 50.0), (at(10, 15), 4_000.0), (at(10, 30), 3_000.0), (at(12), 9.0)]
    shares = spread(at(10), at(11, 30), 10_000, readings)
    assert sum(s.energy_wh for s in shares) == 10_000
    # the backwards reading is held at 4 kWh: 4 kWh at 10:30, then 6 kWh over 60 minutes
    assert shares[0].energy_wh == 7_000


def test_a_session_ending_on_the_hour_orders_in_the_next_hour_like_finance() -> None:
    shares = spread(at(10), at(11), 7_000, (), 100, 119)
    assert shares == (
        HourShare(at(10), 7_000, 3_600_000_000),
        HourShare(at(11), 0, 0, orders=1, amount_excl_minor=100, amount_incl_minor=119),
    )


def test_a_running_session_has_no_order_yet() -> None:
    shares = spread(at(10), at(10, 45), 3_000, [(at(10, 30), 3_000.0)], ended=False)
    assert shares == (HourShare(at(10), 3_000, 2_700_000_000),)


def test_a_session_without_duration_counts_in_its_hour() -> None:
    assert spread(at(10, 5), at(10, 5), 12, (), 0, 0) == (HourShare(at(10), 12, 0, orders=1),)


@given(
    st.integers(0, 10**7),
    st.integers(1, 3 * 24 * 3600 * 10**6),
    st.integers(0, 200_000),
    st.lists(st.tuples(st.floats(0, 1), st.floats(-10, 300_000, allow_nan=False)), max_size=8),
)
def test_hours_add_up_to_the_session(start_us: int, length_us: int, energy: int, points) -> None:
    start = at(0) + timedelta(microseconds=start_us)
    stop = start + timedelta(microseconds=length_us)
    readings = [(start + timedelta(microseconds=int(f * length_us)), wh) for f, wh in points]
    shares = spread(start, stop, energy, readings, 7, 9)
    assert sum(s.energy_wh for s in shares) == energy
    assert all(s.energy_wh >= 0 for s in shares)
    assert sum(s.charging_us for s in shares) == length_us
    assert sum(s.orders for s in shares) == 1
    assert [s.hour for s in shares] == sorted({s.hour for s in shares})


@given(
    st.integers(0, 10 * 24 * 3600),
    st.integers(0, 20 * 24 * 3600),
    st.integers(0, 10**6),
    st.integers(-3 * 24 * 3600, 30 * 24 * 3600),
    st.integers(0, 10 * 24 * 3600),
    st.booleans(),
)
def test_a_window_gives_the_same_hours_as_the_whole(
    start_s: int, length_s: int, energy: int, since_s: int, span_s: int, ended: bool
) -> None:
    start = at(0) + timedelta(seconds=start_s)
    stop = start + timedelta(seconds=length_s)
    readings = [(start + timedelta(seconds=length_s // 3), energy / 2)]
    since = at(0) + timedelta(seconds=since_s)
    until = since + timedelta(seconds=span_s)
    whole = spread(start, stop, energy, readings, 5, 6, ended=ended)
    assert spread(start, stop, energy, readings, 5, 6, ended=ended, within=(since, until)) == tuple(
        s for s in whole if since <= s.hour < until
    )
