"""Load balancing at site size: one recomputation for 1,000 connectors, next to a naive one.

The site: a grid connection (6,000 A per phase), 10 panels (630/800 A), 50 circuits (125-200 A),
20 connectors per circuit; 60 % three-phase cars on chargers with a phase rotation, 40 %
single-phase cars (on the charger's L1, so on the rotation's first supply phase), 5 % not
controllable (offline: counted at their fallback), three priority levels, maxima lowered by
what some cars really draw. The figure is `load_balancing.rules.allocation.allocate` (the
issue's aim: under 50 ms), median of N runs.

Baseline in the same run: the same allocation done naively, 0.1 A per round: every round
re-sums every node-phase from all loads, stops the loads at their maximum or on a full
node-phase, and raises every other rising load by one step. Both results are checked against
the limits (totals printed) and against each other.

    .venv/bin/python bench/load_balancing.py [--connectors 1000] [--runs 21] [--naive-runs 3]
    .venv/bin/python bench/load_balancing.py --quick
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: `ccms_app` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from ccms_app.load_balancing.rules.allocation import PHASES, Allocation, Load, Node, allocate
from ccms_app.load_balancing.rules.wiring import supply_phases

PANELS = 10
CIRCUITS_PER_PANEL = 5
ROTATIONS = ("L1L2L3", "L2L3L1", "L3L1L2")


def build_site(connectors: int, seed: int = 15) -> tuple[list[Node], list[Load]]:
    rnd = random.Random(seed)
    nodes = [Node(1, None, (60000,) * 3, "Grid")]
    circuits = []
    for panel in range(PANELS):
        panel_id = 2 + panel
        panel_limit = (6300, 8000)[panel % 2]
        nodes.append(Node(panel_id, 1, (panel_limit,) * 3, f"Panel {panel + 1}"))
        for circuit in range(CIRCUITS_PER_PANEL):
            circuit_id = 100 + panel * CIRCUITS_PER_PANEL + circuit
            limit = rnd.choice((1250, 1600, 2000))
            nodes.append(
                Node(circuit_id, panel_id, (limit,) * 3, f"Circuit {panel + 1}.{circuit + 1}")
            )
            circuits.append(circuit_id)
    loads = [
        _connector(rnd, number, circuits[number % len(circuits)]) for number in range(connectors)
    ]
    return nodes, loads


def _connector(rnd: random.Random, number: int, circuit_id: int) -> Load:
    phases = supply_phases(rnd.choice(ROTATIONS), 3 if rnd.random() < 0.6 else 1)
    max_da = rnd.choice((320, 320, 320, 160, rnd.randrange(80, 320)))
    fixed = rnd.choice((60, 160)) if rnd.random() < 0.05 else None
    priority = rnd.choices((0, 1, 2), weights=(70, 20, 10))[0]
    return Load((number, 1), circuit_id, phases, 60, max_da, priority, number, fixed)


# -- the naive recomputation -------------------------------------------------------------


def naive_allocate(nodes: Sequence[Node], loads: Sequence[Load]) -> list[int]:
    """The same rules, 0.1 A per round, every node-phase re-summed from its loads each round."""
    paths = [_naive_path(nodes, load) for load in loads]
    limit = {(node.id, p): node.limit_da[p] for node in nodes if node.limit_da for p in range(3)}
    current = [load.fixed_da or 0 for load in loads]
    order = sorted(
        (i for i, load in enumerate(loads) if load.fixed_da is None),
        key=lambda i: (-loads[i].priority, loads[i].order),
    )
    admitted = []
    used = _sum(paths, current)
    for i in order:
        load = loads[i]
        fits = all(limit[np] - used.get(np, 0) >= load.min_da for np in paths[i])
        if load.max_da > 0 and load.min_da <= load.max_da and fits:
            current[i] = load.min_da
            for np in paths[i]:
                used[np] = used.get(np, 0) + load.min_da
            admitted.append(i)
    closed: set[tuple[int, int]] = set()
    for priority in sorted({loads[i].priority for i in admitted}, reverse=True):
        level = [i for i in admitted if loads[i].priority == priority]
        _naive_rounds(loads, paths, limit, current, level, closed)
    return current


def _naive_rounds(
    loads: Sequence[Load],
    paths: list[list[tuple[int, int]]],
    limit: dict[tuple[int, int], int],
    current: list[int],
    level_loads: list[int],
    closed: set[tuple[int, int]],
) -> None:
    waiting = {i for i in level_loads if current[i] < loads[i].max_da}
    rising: set[int] = set()
    water = min((current[i] for i in waiting), default=0)
    while waiting or rising:
        if not rising:
            water = min(current[i] for i in waiting)
        for i in [i for i in waiting if current[i] <= water]:
            waiting.discard(i)
            if not closed.intersection(paths[i]):
                rising.add(i)
        rising = {i for i in rising if current[i] < loads[i].max_da}
        used = _sum(paths, current)  # the naive part: everything again, every round
        count: dict[tuple[int, int], int] = {}
        for i in rising:
            for np in paths[i]:
                count[np] = count.get(np, 0) + 1
        full = {np for np, n in count.items() if limit[np] - used.get(np, 0) < n}
        closed |= full
        rising = {i for i in rising if not full.intersection(paths[i])}
        for i in rising:
            current[i] += 1
        water += 1


def _naive_path(nodes: Sequence[Node], load: Load) -> list[tuple[int, int]]:
    by_id = {node.id: node for node in nodes}
    path: list[tuple[int, int]] = []
    node: Node | None = by_id[load.node_id]
    while node is not None:
        if node.limit_da is not None:
            path.extend((node.id, p) for p in load.phases)
        node = None if node.parent_id is None else by_id[node.parent_id]
    return path


def _sum(paths: list[list[tuple[int, int]]], current: list[int]) -> dict[tuple[int, int], int]:
    used: dict[tuple[int, int], int] = {}
    for path, da in zip(paths, current, strict=True):
        for np in path:
            used[np] = used.get(np, 0) + da
    return used


# -- figures ------------------------------------------------------------------------------


def median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def check_limits(nodes: Sequence[Node], loads: Sequence[Load], current: list[int]) -> int:
    """Node-phases over their limit (0 expected: when the fixed loads alone are over it, the
    controllable ones must all be at 0); prints the grid's totals per phase."""
    paths = [_naive_path(nodes, load) for load in loads]
    fixed = _sum(paths, [load.fixed_da or 0 for load in loads])
    used = _sum(paths, current)
    over = 0
    for node in nodes:
        for p, limit in enumerate(node.limit_da or ()):
            np = (node.id, p)
            allowed = fixed.get(np, 0) if fixed.get(np, 0) > limit else limit
            over += used.get(np, 0) > allowed
    grid = nodes[0]
    assert grid.limit_da is not None
    totals = "  ".join(
        f"{PHASES[p]} {used.get((grid.id, p), 0) / 10:7.1f} / {grid.limit_da[p] / 10:.0f} A"
        for p in range(3)
    )
    print(f"    grid: {totals}   node-phases over their limit: {over}")
    return over


def describe(loads: Sequence[Load], result: list[Allocation]) -> None:
    at_max = sum(1 for load, a in zip(loads, result, strict=True) if a.reason == "")
    fixed = sum(1 for load in loads if load.fixed_da is not None)
    waiting = sum(1 for a in result if a.reason.startswith("waiting"))
    limited = sum(1 for a in result if a.reason.startswith("limited"))
    print(
        f"    {len(loads)} connectors: {at_max} at their maximum, {limited} limited, "
        f"{waiting} waiting, {fixed} fixed (offline)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 runs, 1 naive run")
    args = parser.parse_args()
    runs, naive_runs = (5, 1) if args.quick else (args.runs, args.naive_runs)
    nodes, loads = build_site(args.connectors)
    print(f"site: {len(nodes)} nodes, {args.connectors} connectors")
    result = allocate(nodes, loads)
    naive = naive_allocate(nodes, loads)
    print("allocate():")
    describe(loads, result)
    over = check_limits(nodes, loads, [a.current_da for a in result])
    print("naive:")
    over += check_limits(nodes, loads, naive)
    same = [a.current_da for a in result] == naive
    print(f"same allocation: {'yes' if same else 'NO'}")
    fast = median_ms(lambda: allocate(nodes, loads), runs)
    slow = median_ms(lambda: naive_allocate(nodes, loads), naive_runs)
    print(f"\n{'recomputation':24} {'median ms':>10}  runs")
    print(f"{'allocate()':24} {fast:10.2f}  {runs}")
    print(f"{'naive, 0.1 A per round':24} {slow:10.1f}  {naive_runs}")
    print(f"ratio naive / allocate(): {slow / fast:.0f}x   (aim: allocate() under 50 ms)")
    if over or not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
