"""A paced job works a slice, then rests so that its work is `share` of the time."""

from __future__ import annotations

import pytest

from ccms_app.core.pacing import DutyCycle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_slice_of_work_is_followed_by_a_rest_nine_times_as_long_at_a_tenth() -> None:
    clock = Clock()
    pace = DutyCycle(0.1, slice_s=0.05, clock=clock, sleep=clock.sleep)
    clock.now += 0.2  # one read of running sessions
    pace.rest()
    assert clock.sleeps == [pytest.approx(1.8)]
    clock.now += 0.3
    pace.rest()
    assert clock.sleeps[-1] == pytest.approx(2.7)
    clock.now += 0.01
    assert pace.done() == pytest.approx(0.51)
    assert pace.rested == pytest.approx(4.5)
    assert pace.done() / clock.now == pytest.approx(0.51 / 5.01)  # about a tenth


def test_work_shorter_than_a_slice_only_lets_other_threads_in() -> None:
    clock = Clock()
    pace = DutyCycle(0.25, slice_s=0.05, clock=clock, sleep=clock.sleep)
    clock.now += 0.01
    pace.rest()
    clock.now += 0.01
    pace.rest()
    assert clock.sleeps == [0, 0]
    clock.now += 0.04  # the slice is full now: 0.06 s of work since the last rest
    pace.rest()
    assert clock.sleeps[-1] == pytest.approx(0.18)


@pytest.mark.parametrize("share", [0, -0.5, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        DutyCycle(share)
