"""Amperes to deciamps, kW to per-phase current, node and grid connection limits."""

from __future__ import annotations

import pytest

from ccms_app.load_balancing.rules.limits import (
    amps,
    deciamps,
    kw_to_phase_da,
    node_limit_da,
    root_limit_da,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(16.0, 160), (16.05, 161), (16.04, 160), (0.15, 2), (0.0, 0), (-1.25, -13)],
)
def test_deciamps_rounds_half_up(value: float, expected: int) -> None:
    assert deciamps(value) == expected


def test_deciamps_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="finite"):
        deciamps(float("nan"))


def test_amps_back_from_deciamps() -> None:
    assert amps(161) == 16.1


@pytest.mark.parametrize(
    ("kw", "phases", "expected"),
    [(22.0, 3, 318), (100.0, 3, 1449), (11.0, 3, 159), (7.4, 1, 321), (0.0, 3, 0)],
)
def test_kw_to_phase_current_rounds_down(kw: float, phases: int, expected: int) -> None:
    assert kw_to_phase_da(kw, phases) == expected


def test_kw_to_phase_current_needs_1_to_3_phases() -> None:
    with pytest.raises(ValueError, match="phases"):
        kw_to_phase_da(11.0, 4)


@pytest.mark.parametrize(
    ("limit_a", "limit_kw", "margin_a", "expected"),
    [
        (32.0, None, 0.0, 320),
        (31.99, None, 0.0, 319),  # rounded down: never above the rating
        (32.0, None, 0.01, 319),  # the margin rounded up
        (32.0, 22.0, 1.0, 308),  # the lower of 32 A and 31.8 A, less 1 A
        (None, 100.0, 5.0, 1399),
        (5.0, None, 10.0, 0),
        (None, None, 2.0, None),
    ],
)
def test_node_limit(
    limit_a: float | None, limit_kw: float | None, margin_a: float, expected: int | None
) -> None:
    assert node_limit_da(limit_a, limit_kw, margin_a) == expected


def test_root_limit_is_the_lower_of_node_and_plan_less_the_building() -> None:
    assert root_limit_da(400, 300, (100, 50, 350)) == (200, 250, 0)
    assert root_limit_da(400, None, None) == (400, 400, 400)
    assert root_limit_da(None, 300, None) == (300, 300, 300)


def test_root_without_any_limit_stays_unlimited() -> None:
    assert root_limit_da(None, None, (100, 100, 100)) is None


def test_a_building_exporting_frees_capacity_on_that_phase() -> None:
    assert root_limit_da(400, None, (-50, 0, 10)) == (450, 400, 390)
