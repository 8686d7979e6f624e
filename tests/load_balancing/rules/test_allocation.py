"""Hand-computed allocations: equal shares, the 6 A minimum, priorities, phases, fixed loads,
nested limits. Currents in deciamps (320 = 32.0 A)."""

from __future__ import annotations

import pytest

from ccms_app.load_balancing.rules.allocation import Allocation, Load, Node, allocate
from ccms_app.load_balancing.rules.limits import node_limit_da

THREE = (0, 1, 2)


def grid(limit_da: int | None, name: str = "Grid") -> Node:
    return Node(1, None, None if limit_da is None else (limit_da,) * 3, name)


def car(
    number: int,
    node_id: int = 1,
    *,
    phases: tuple[int, ...] = THREE,
    min_da: int = 60,
    max_da: int = 320,
    priority: int = 0,
    fixed_da: int | None = None,
) -> Load:
    """A car on connector 1 of charge point `number`, arrived in that order."""
    return Load((number, 1), node_id, phases, min_da, max_da, priority, number, fixed_da)


def currents(allocations: list[Allocation]) -> list[int]:
    return [allocation.current_da for allocation in allocations]


def test_four_cars_on_32_a_get_8_a_each() -> None:
    result = allocate([grid(320)], [car(n) for n in range(4)])
    assert currents(result) == [80, 80, 80, 80]
    assert {a.reason for a in result} == {"limited by Grid (L1)"}
    assert {a.binding_node_id for a in result} == {1}
    assert [a.key for a in result] == [(n, 1) for n in range(4)]


def test_six_cars_on_32_a_five_share_and_the_sixth_waits_for_its_6_a() -> None:
    # 5 x 6.0 A admitted = 30.0 A, 2.0 A left < 6.0 A; the 2.0 A is shared: 6.4 A each.
    result = allocate([grid(320)], [car(n) for n in range(6)])
    assert currents(result) == [64, 64, 64, 64, 64, 0]
    assert result[5].reason == "waiting: less than the 6.0 A minimum free on Grid (L1)"
    assert result[5].binding_node_id == 1


def test_the_leftover_smaller_than_one_step_per_car_stays_unused() -> None:
    result = allocate([grid(320)], [car(n) for n in range(3)])
    assert currents(result) == [106, 106, 106]  # 31.8 A of 32.0 A: 0.2 A < 3 x 0.1 A


def test_a_car_that_wants_less_gets_its_maximum_and_the_rest_is_shared() -> None:
    result = allocate([grid(320)], [car(0, max_da=100), car(1), car(2)])
    assert currents(result) == [100, 110, 110]
    assert result[0].reason == ""
    assert result[0].binding_node_id is None


def test_one_car_alone_gets_its_maximum() -> None:
    assert allocate([grid(630)], [car(0)]) == [Allocation((0, 1), 320, "", None)]


def test_higher_priority_takes_the_surplus_lower_keeps_its_minimum() -> None:
    result = allocate([grid(320)], [car(0), car(1, priority=1), car(2)])
    assert currents(result) == [60, 200, 60]  # 3 x 6 A admitted, the 14 A left to priority 1
    assert result[0].reason == "limited by Grid (L1)"


def test_higher_priority_is_admitted_first_whatever_the_order() -> None:
    # 16 A: room for two minimums; the priority car arrived second but is admitted first.
    result = allocate([grid(160)], [car(0), car(1, priority=1), car(2)])
    assert currents(result) == [60, 100, 0]
    assert result[2].reason.startswith("waiting:")


def test_a_filled_node_phase_stays_closed_to_lower_priority() -> None:
    # 3 priority cars: 6 A + 8.0 A // 3 = 8.6 A each, 0.2 A left; the low car keeps 6 A.
    result = allocate(
        [grid(320)], [car(0, priority=1), car(1, priority=1), car(2, priority=1), car(3)]
    )
    assert currents(result) == [86, 86, 86, 60]


def test_single_phase_cars_on_different_phases() -> None:
    # Two single-phase cars on L1, a three-phase car, one single-phase car on L2.
    loads = [car(0, phases=(0,)), car(1, phases=(0,)), car(2), car(3, phases=(1,))]
    result = allocate([grid(320)], loads)
    # L1 carries three cars: 6.0 + 14.0 // 3 -> 10.6 A each; L2 then has 10.8 A more for car 3.
    assert currents(result) == [106, 106, 106, 214]
    assert result[2].reason == "limited by Grid (L1)"
    assert result[3].reason == "limited by Grid (L2)"


def test_an_offline_charger_is_counted_at_its_fallback() -> None:
    result = allocate([grid(320)], [car(0, fixed_da=160), car(1), car(2)])
    assert currents(result) == [160, 80, 80]
    assert result[0].reason == "fixed: counted at 16.0 A"
    assert result[0].binding_node_id is None


def test_fixed_loads_over_the_limit_leave_the_others_at_0() -> None:
    result = allocate([grid(100)], [car(0, fixed_da=160), car(1, min_da=0)])
    assert currents(result) == [160, 0]
    assert result[1].reason == "waiting: fixed loads already exceed Grid (L1)"


def test_nested_limits_name_the_node_that_binds() -> None:
    nodes = [grid(630), Node(2, 1, (160, 160, 160), "Panel A"), Node(3, 1, None, "Circuit 1")]
    loads = [car(0, 2), car(1, 2), car(2, 3), car(3, 3), car(4, 3)]
    result = allocate(nodes, loads)
    # Panel A fills at 8.0 A each; the grid's 47.0 A left are shared by three: 15.6 A each.
    assert currents(result) == [80, 80, 156, 156, 156]
    assert result[0].reason == "limited by Panel A (L1)"
    assert result[0].binding_node_id == 2
    assert result[2].reason == "limited by Grid (L1)"


def test_a_kw_limit_becomes_a_per_phase_current() -> None:
    limit = node_limit_da(None, 22.0, 0.0)  # 22 kW / (3 x 230 V) = 31.88 A -> 31.8 A
    assert limit == 318
    assert currents(allocate([grid(limit)], [car(0), car(1)])) == [159, 159]


def test_a_car_without_minimum_shares_the_same_level() -> None:
    # A DC charger (no minimum) rises from 0 to the AC cars' 6 A, then all rise together.
    result = allocate([grid(320)], [car(0, min_da=0), car(1), car(2)])
    assert currents(result) == [106, 106, 106]


def test_maximum_below_the_minimum_or_zero_gets_nothing_and_says_why() -> None:
    result = allocate([grid(320)], [car(0, max_da=40), car(1, max_da=0)])
    assert currents(result) == [0, 0]
    assert result[0].reason == "waiting: its maximum 4.0 A is below the minimum"
    assert result[1].reason == "no demand: its maximum is 0.0 A"


def test_no_limit_anywhere_gives_every_car_its_maximum() -> None:
    result = allocate([grid(None)], [car(0), car(1, max_da=160)])
    assert currents(result) == [320, 160]


def test_unnamed_nodes_are_named_by_id() -> None:
    result = allocate([Node(7, None, (100, 100, 100))], [car(0, 7), car(1, 7)])
    assert result[0].reason == "limited by node 7 (L1)"


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([Node(1, 2, None), Node(2, 1, None)], "cycle"),
        ([Node(1, 9, None)], "parent 9 is not in the site"),
        ([Node(1, None, None), Node(1, None, None)], "unique"),
    ],
)
def test_a_broken_tree_is_refused(nodes: list[Node], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(nodes, [car(0)])


def test_a_load_under_an_unknown_node_or_phase_is_refused() -> None:
    with pytest.raises(ValueError, match="node 5 is not in the site"):
        allocate([grid(320)], [car(0, 5)])
    with pytest.raises(ValueError, match="phase"):
        allocate([grid(320)], [car(0, phases=(3,))])
