"""Properties of allocate() on random sites (hypothesis): the issue's guarantees.

Random trees (1-4 levels, 1-12 nodes, per-phase limits or none), random loads (three-phase
and single-phase, fixed or controllable, priorities 0-2, minimum 0 or 6 A, maximum 0-63 A).
The checks recompute every node-phase's total from the loads, independently of allocate().
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from ccms_app.load_balancing.rules.allocation import Allocation, Load, Node, allocate

PHASE_SETS = [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0,), (1,), (2,), (0, 1)]
limits = (
    st.none()
    | st.tuples(*[st.integers(0, 1000)] * 3)
    | st.integers(0, 1000).map(lambda a: (a, a, a))
)


@st.composite
def trees(draw: st.DrawFn) -> list[Node]:
    levels = draw(st.integers(1, 4))
    nodes = [Node(1, None, draw(limits), "Grid")]
    depth = {1: 1}
    for node_id in range(2, draw(st.integers(1, 12)) + 1):
        parents = [n for n, d in depth.items() if d < levels] or [1]
        parent = draw(st.sampled_from(parents))
        depth[node_id] = depth[parent] + 1
        nodes.append(Node(node_id, parent, draw(limits), f"Node {node_id}"))
    return nodes


@st.composite
def sites(draw: st.DrawFn) -> tuple[list[Node], list[Load]]:
    nodes = draw(trees())
    loads = []
    for number in range(draw(st.integers(0, 25))):
        fixed = draw(st.none() | st.none() | st.none() | st.integers(0, 320))
        loads.append(
            Load(
                key=(number, 1),
                node_id=draw(st.sampled_from([node.id for node in nodes])),
                phases=draw(st.sampled_from(PHASE_SETS)),
                min_da=draw(st.sampled_from([0, 60])),
                max_da=draw(st.integers(0, 630)),
                priority=draw(st.integers(0, 2)),
                order=draw(st.integers(0, 5)),
                fixed_da=fixed,
            )
        )
    return nodes, loads


@dataclass
class NodePhase:
    """One node-phase after the allocation, recomputed from the loads."""

    limit: int
    fixed: int
    controllable: int
    loads: list[int]  # indexes of the loads drawing on it

    @property
    def headroom(self) -> int:
        return self.limit - self.fixed - self.controllable


def node_phases(
    nodes: list[Node], loads: list[Load], result: list[Allocation]
) -> dict[tuple[int, int], NodePhase]:
    by_id = {node.id: node for node in nodes}
    table: dict[tuple[int, int], NodePhase] = {}
    for index, (load, allocation) in enumerate(zip(loads, result, strict=True)):
        node: Node | None = by_id[load.node_id]
        while node is not None:
            for phase in set(load.phases):
                if node.limit_da is not None:
                    entry = table.setdefault(
                        (node.id, phase), NodePhase(node.limit_da[phase], 0, 0, [])
                    )
                    entry.loads.append(index)
                    if load.fixed_da is None:
                        entry.controllable += allocation.current_da
                    else:
                        entry.fixed += allocation.current_da
            node = None if node.parent_id is None else by_id[node.parent_id]
    return table


def path_of(index: int, table: dict[tuple[int, int], NodePhase]) -> list[NodePhase]:
    return [entry for entry in table.values() if index in entry.loads]


def capped(load: Load, allocation: Allocation) -> bool:
    """Below its maximum although it could have used more (max < min always gets 0)."""
    return (
        load.fixed_da is None and allocation.current_da < load.max_da and load.max_da >= load.min_da
    )


@settings(max_examples=300, deadline=None)
@given(sites())
def test_no_node_phase_exceeds_its_limit(site: tuple[list[Node], list[Load]]) -> None:
    nodes, loads = site
    result = allocate(nodes, loads)
    assert [a.key for a in result] == [load.key for load in loads]
    for entry in node_phases(nodes, loads, result).values():
        if entry.fixed > entry.limit:
            assert entry.controllable == 0
        else:
            assert entry.fixed + entry.controllable <= entry.limit


@settings(max_examples=300, deadline=None)
@given(sites())
def test_every_car_gets_0_or_between_its_minimum_and_maximum(
    site: tuple[list[Node], list[Load]],
) -> None:
    nodes, loads = site
    for load, allocation in zip(loads, allocate(nodes, loads), strict=True):
        if load.fixed_da is not None:
            assert allocation.current_da == load.fixed_da
            assert allocation.reason.startswith("fixed:")
        elif allocation.current_da:
            assert load.min_da <= allocation.current_da <= load.max_da
        if load.fixed_da is None and allocation.current_da < load.max_da:
            assert allocation.reason  # a capped car always says why


@settings(max_examples=300, deadline=None)
@given(sites())
def test_no_capacity_unused_while_a_car_is_capped(site: tuple[list[Node], list[Load]]) -> None:
    nodes, loads = site
    result = allocate(nodes, loads)
    table = node_phases(nodes, loads, result)
    for index, (load, allocation) in enumerate(zip(loads, result, strict=True)):
        if not capped(load, allocation):
            continue
        waiting = allocation.current_da == 0 and load.min_da > 0
        assert any(
            entry.headroom < (load.min_da if waiting else len(entry.loads))
            for entry in path_of(index, table)
        ), (load, allocation)


@settings(max_examples=300, deadline=None)
@given(sites())
def test_higher_priority_is_not_capped_for_a_lower_one(
    site: tuple[list[Node], list[Load]],
) -> None:
    nodes, loads = site
    result = allocate(nodes, loads)
    table = node_phases(nodes, loads, result)
    for high, (load, allocation) in enumerate(zip(loads, result, strict=True)):
        if not capped(load, allocation):
            continue
        lower = [
            i
            for i, other in enumerate(loads)
            if other.fixed_da is None and other.priority < load.priority
        ]
        if allocation.current_da == 0 and load.min_da > 0:
            # Waiting: even all the current of lower priorities would not make its minimum.
            assert any(
                entry.headroom + sum(result[i].current_da for i in lower if i in entry.loads)
                < load.min_da
                for entry in path_of(high, table)
            ), (load, allocation)
            continue
        above_minimum = [i for i in lower if result[i].current_da > loads[i].min_da]
        for low in above_minimum:
            # Moving current from the lower car could not help: the higher one is held by
            # a full node-phase the lower one does not draw on.
            assert any(
                entry.headroom < len(entry.loads) and low not in entry.loads
                for entry in path_of(high, table)
            ), (load, allocation, loads[low], result[low])
