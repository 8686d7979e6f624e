"""Phase rotation, single-phase cars and measured phases."""

from __future__ import annotations

import pytest

from ccms_app.load_balancing.rules.allocation import Load, Node, allocate
from ccms_app.load_balancing.rules.wiring import (
    check_rotation,
    phases_in_use,
    supply_phases,
    wired_phases,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L1L2L3", "L1L2L3"),
        ("l2l3l1", "L2L3L1"),
        ("L3 L1 L2", "L3L1L2"),
        ("L1L3L2", "L1L3L2"),
        ("L2", "L2"),
    ],
)
def test_rotation_is_normalised(text: str, expected: str) -> None:
    assert check_rotation(text) == expected


@pytest.mark.parametrize("text", ["", "L1L1L2", "L4", "L1L2", "L1L2L3L1", "ABC"])
def test_a_bad_rotation_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match="phase rotation must be"):
        check_rotation(text)


@pytest.mark.parametrize(
    ("rotation", "used", "expected"),
    [
        ("L1L2L3", 3, (0, 1, 2)),
        ("L2L3L1", 3, (1, 2, 0)),
        ("L2L3L1", 1, (1,)),  # a single-phase car draws on the charger's L1: supply L2
        ("L3L1L2", 2, (2, 0)),
        ("L3", 3, (2,)),  # a single-phase charger: one supply phase whatever the car
    ],
)
def test_supply_phases(rotation: str, used: int, expected: tuple[int, ...]) -> None:
    assert supply_phases(rotation, used) == expected


def test_supply_phases_needs_1_to_3() -> None:
    with pytest.raises(ValueError, match="used phases"):
        supply_phases("L1L2L3", 0)


def test_rotation_spreads_single_phase_cars_over_the_supply() -> None:
    """Three single-phase cars on a 16 A circuit: without rotation all draw on L1 (two fit at
    8 A, the third waits); rotated, each has its own phase and gets 16 A."""
    circuit = [Node(1, None, (160, 160, 160), "Circuit")]

    def cars(rotations: list[str]) -> list[Load]:
        return [
            Load((n, 1), 1, supply_phases(rotation, 1), 60, 320, order=n)
            for n, rotation in enumerate(rotations)
        ]

    same = allocate(circuit, cars(["L1L2L3"] * 3))
    rotated = allocate(circuit, cars(["L1L2L3", "L2L3L1", "L3L1L2"]))
    assert [a.current_da for a in same] == [80, 80, 0]
    assert [a.current_da for a in rotated] == [160, 160, 160]


@pytest.mark.parametrize(
    ("currents", "expected"),
    [
        ({"L1": 16.0, "L2": 0.1, "L3": 0.0}, 1),
        ({"L1": 16.0, "L2": 15.8, "L3": 16.1}, 3),
        ({"L1-N": 10.0, "L2-N": 10.0, "L3-N": 0.2}, 2),
        ({"L1": 0.0, "L2": 0.0, "L3": 0.0}, None),  # not drawing: cannot tell
        ({"L1": 16.0}, None),  # other phases not reported
        ({}, None),
    ],
)
def test_phases_in_use(currents: dict[str, float], expected: int | None) -> None:
    assert phases_in_use(currents) == expected


def test_wired_phases_are_every_supply_phase_of_the_charger() -> None:
    assert wired_phases("L2L3L1") == (1, 2, 0)
    assert wired_phases("L3") == (2,)
