"""What a car takes: learnt from a settled measurement below its limit, kept, forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms_app.load_balancing.rules.demand import FORGET_AFTER_S, SETTLE_S, Demand, car_demand

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NONE = Demand(None, None)
SETTLED = T0 + timedelta(seconds=SETTLE_S)


def demand(previous: Demand, sent: int | None, measured: int | None, at: datetime) -> Demand:
    return car_demand(previous, sent, T0, measured, at, 60, at)


def test_a_car_drawing_its_limit_keeps_its_maximum() -> None:
    assert demand(NONE, 320, 315, SETTLED) == NONE


def test_a_smaller_on_board_charger_is_learnt_once_the_limit_settled() -> None:
    assert demand(NONE, 320, 160, SETTLED) == Demand(170, SETTLED)


def test_a_measurement_before_the_limit_settled_says_nothing() -> None:
    assert demand(NONE, 320, 80, SETTLED - timedelta(seconds=1)) == NONE


def test_nothing_measured_or_never_sent_learns_nothing() -> None:
    assert demand(NONE, None, 80, SETTLED) == NONE
    assert demand(NONE, 320, None, SETTLED) == NONE


def test_a_paused_car_keeps_the_minimum_to_resume() -> None:
    assert demand(NONE, 320, 0, SETTLED) == Demand(60, SETTLED)


def test_the_learnt_demand_holds_while_the_car_draws_it_and_only_goes_down() -> None:
    learnt = Demand(170, SETTLED)
    later = SETTLED + timedelta(minutes=5)
    assert demand(learnt, 170, 165, later) == learnt  # drawing what it has: no flapping
    assert demand(learnt, 170, 100, later) == Demand(110, later)  # the battery tapers


def test_it_is_forgotten_after_a_while_so_the_car_can_show_it_takes_more() -> None:
    learnt = Demand(170, SETTLED)
    later = SETTLED + timedelta(seconds=FORGET_AFTER_S)
    assert demand(learnt, 170, 165, later) == NONE
