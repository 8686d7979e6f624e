"""Fallback currents that add up to more than a node can take are named, with figures."""

from __future__ import annotations

from ccms_app.load_balancing.rules.allocation import Node
from ccms_app.load_balancing.rules.checks import Fallback, fallback_overloads

TREE = [
    Node(1, None, (320, 320, 320), "Grid"),
    Node(2, 1, (160, 160, 160), "Circuit A"),
]


def test_fallbacks_within_the_limits_say_nothing() -> None:
    fallbacks = [Fallback(2, (0, 1, 2), 60, 2), Fallback(1, (0,), 60, 1)]
    assert fallback_overloads(TREE, fallbacks) == []


def test_a_circuit_and_the_grid_over_their_limits_are_named_per_phase() -> None:
    fallbacks = [Fallback(2, (0, 1, 2), 60, 3), Fallback(1, (0,), 160, 1)]
    warnings = fallback_overloads(TREE, fallbacks)
    assert len(warnings) == 2
    grid, circuit = warnings
    assert "under Grid" in grid and "L1 34.0 A > 32.0 A" in grid and "L2" not in grid
    assert "under Circuit A" in circuit and "L1 18.0 A > 16.0 A" in circuit


def test_unlimited_nodes_are_not_checked() -> None:
    assert fallback_overloads([Node(1, None, None, "Grid")], [Fallback(1, (0,), 600, 9)]) == []
