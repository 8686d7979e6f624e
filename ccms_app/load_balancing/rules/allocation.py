"""Sharing a site's grid connection between its charging connectors (pure, whole deciamps).

Why it works this way:

- Limits are per supply phase (a *node-phase*): a fuse trips when one phase is overloaded,
  whatever the others carry. Single-phase cars, and chargers wired with a phase rotation, draw
  on different supply phases, so every node of the tree is checked phase by phase.
- IEC 61851-1: an AC car is told its current by the pilot's PWM duty cycle, and below 6 A per
  phase it does not charge (most cars pause or fault). So a controllable load gets 0 or at
  least its minimum, never a useless trickle: pass 1 admits loads at their minimum in
  priority order, pass 2 shares what is left.
- Loads CCMS cannot control (offline chargers, a rejected profile, no meter values) keep
  drawing what their own default allows (OCPP 1.6 TxDefaultProfile / ChargePointMaxProfile):
  they are counted first, at that value, never at 0, or the others could overload the fuse.
- Within a priority level the share is equal (max-min fair): every rising load sits at one
  common water level, so a step costs O(node-phases in use), not O(loads); a load's current
  is written only when it stops rising. Whole deciamps keep the sums exact: when the level
  cannot give every rising load on a node-phase one more 0.1 A, that node-phase is full (the
  leftover is less than one step per load) and stays closed to lower priority levels, so a
  lower priority never takes what a higher one was refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heappop, heappush

from ccms_app.core.i18n import N_, tr
from ccms_app.core.stored_text import reword
from ccms_app.load_balancing.rules.wording import node_reworded, node_text

PHASES = ("L1", "L2", "L3")
_UNLIMITED = 1 << 62

# Why a connector does not get its maximum, for the operator: stored in English (the control
# loop writes for no reader), worded in the reader's language where shown (`reason_text`).
FIXED = N_("fixed: counted at {current}")
NO_DEMAND = N_("no demand: its maximum is 0.0 A")
MAXIMUM_BELOW_MINIMUM = N_("waiting: its maximum {current} is below the minimum")
FIXED_EXCEED = N_("waiting: fixed loads already exceed {where}")
MINIMUM_NOT_FREE = N_("waiting: less than the {minimum} minimum free on {where}")
LIMITED = N_("limited by {where}")
REASONS = (FIXED, NO_DEMAND, MAXIMUM_BELOW_MINIMUM, FIXED_EXCEED, MINIMUM_NOT_FREE, LIMITED)
_WHERE = re.compile(r"(?P<node>.+) \((?P<phase>L[123])\)\Z", re.S)


@dataclass(frozen=True)
class Node:
    """A grid connection, panel or circuit; `limit_da` already has margin, plan and building
    load applied (per supply phase); None: no limit of its own."""

    id: int
    parent_id: int | None
    limit_da: tuple[int, int, int] | None
    name: str = ""


@dataclass(frozen=True)
class Load:
    """One connector: where it hangs, which supply phases it draws on, what it may get."""

    key: tuple[int, int]  # (charge_point_id, connector_id)
    node_id: int
    phases: tuple[int, ...]  # supply phase indexes: (0, 1, 2), (1,), ...
    min_da: int  # 0 or at least this (AC: 60 = 6 A)
    max_da: int  # the most it can use (connector max, lowered by the car's demand)
    priority: int = 0  # higher is served first
    order: int = 0  # admission tie-break, lower first
    fixed_da: int | None = None  # not controllable: counted at this on its phases


@dataclass(frozen=True)
class Allocation:
    key: tuple[int, int]
    current_da: int  # per phase
    reason: str  # "": got its maximum; else why not, for the operator
    binding_node_id: int | None


def allocate(nodes: Sequence[Node], loads: Sequence[Load]) -> list[Allocation]:
    """Each load's current (in the order of `loads`): fixed loads first, then admission at the
    minimum by (-priority, order), then equal-share filling per priority level, highest first."""
    run = _Run(_Tree(nodes), loads)
    run.count_fixed()
    run.admit()
    for group in run.levels():
        _Filling(run, group).fill()
    return run.results()


def _a(da: int) -> str:
    return f"{da / 10:.1f} A"


def _where_text(text: str) -> str:
    """A reason's node-phase ("node 7 (L2)") with the node's default name reworded."""
    found = _WHERE.match(text)
    if found is None:
        return text
    return f"{node_reworded(found['node'])} ({found['phase']})"


def reason_text(reason: str) -> str:
    """A stored reason in the reader's language ("limited by Grid (L1)")."""
    return reword(reason, REASONS, {"where": _where_text})


class _Tree:
    """Node-phases are numbered node position * 3 + phase; a load's path is the limited
    node-phases it draws on, the node it hangs under first, the root last."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.nodes = list(nodes)
        self.index = {node.id: i for i, node in enumerate(self.nodes)}
        if len(self.index) != len(self.nodes):
            raise ValueError(tr("node ids must be unique"))
        self._chains: dict[int, tuple[int, ...]] = {}

    def headroom(self) -> list[int]:
        room = [0] * (3 * len(self.nodes))
        for i, node in enumerate(self.nodes):
            if node.limit_da is not None:
                room[3 * i : 3 * i + 3] = node.limit_da
        return room

    def path(self, load: Load) -> tuple[int, ...]:
        start = self.index.get(load.node_id)
        if start is None:
            raise ValueError(
                tr(
                    "load {key}: node {node_id} is not in the site",
                    key=load.key,
                    node_id=load.node_id,
                )
            )
        if not load.phases or any(p not in (0, 1, 2) for p in load.phases):
            raise ValueError(
                tr("load {key}: phases must be supply phase indexes 0..2", key=load.key)
            )
        chain = self._chain(start)
        return tuple(3 * n + p for p in dict.fromkeys(load.phases) for n in chain)

    def _chain(self, start: int) -> tuple[int, ...]:
        """The limited nodes from `start` up to the root (memoised; cycles refused)."""
        walk: list[int] = []
        at: int | None = start
        while at is not None and at not in self._chains:
            if at in walk:
                raise ValueError(tr("the tree has a cycle through node {id}", id=self.nodes[at].id))
            walk.append(at)
            at = self._parent(at)
        above = self._chains[at] if at is not None else ()
        for i in reversed(walk):
            above = ((i,) if self.nodes[i].limit_da is not None else ()) + above
            self._chains[i] = above
        return self._chains[start]

    def _parent(self, i: int) -> int | None:
        parent_id = self.nodes[i].parent_id
        if parent_id is None:
            return None
        parent = self.index.get(parent_id)
        if parent is None:
            raise ValueError(
                tr(
                    "node {id}: parent {parent_id} is not in the site",
                    id=self.nodes[i].id,
                    parent_id=parent_id,
                )
            )
        return parent

    def describe(self, node_phase: int) -> tuple[str, int]:
        """("Panel A (L2)", node id) for an operator's reason."""
        node = self.nodes[node_phase // 3]
        return f"{node_text(node.name, node.id)} ({PHASES[node_phase % 3]})", node.id


class _Run:
    """The state of one allocation: headroom per node-phase and each load's outcome."""

    def __init__(self, tree: _Tree, loads: Sequence[Load]) -> None:
        self.tree = tree
        self.loads = list(loads)
        for load in self.loads:
            _check(load)
        self.paths = [tree.path(load) for load in self.loads]
        self.room = tree.headroom()
        self.current = [0] * len(self.loads)
        self.reason = [""] * len(self.loads)
        self.binding: list[int | None] = [None] * len(self.loads)
        self.admitted: list[int] = []
        self.closed: set[int] = set()  # node-phases a higher priority level filled

    def count_fixed(self) -> None:
        for i, load in enumerate(self.loads):
            if load.fixed_da is not None:
                self.current[i] = load.fixed_da
                self.reason[i] = FIXED.format(current=_a(load.fixed_da))
                for node_phase in self.paths[i]:
                    self.room[node_phase] -= load.fixed_da

    def admit(self) -> None:
        """Pass 1: the minimum for as many loads as fit, the highest priority first."""
        loads = self.loads
        controllable = [i for i, load in enumerate(loads) if load.fixed_da is None]
        controllable.sort(key=lambda i: (-loads[i].priority, loads[i].order))
        for i in controllable:
            self._admit(i)

    def _admit(self, i: int) -> None:
        load = self.loads[i]
        if load.max_da == 0:
            self.reason[i] = NO_DEMAND
            return
        if load.max_da < load.min_da:
            self.reason[i] = MAXIMUM_BELOW_MINIMUM.format(current=_a(load.max_da))
            return
        short = [np for np in self.paths[i] if self.room[np] < load.min_da]
        if short:
            self._wait(i, min(short, key=self.room.__getitem__))
            return
        for node_phase in self.paths[i]:
            self.room[node_phase] -= load.min_da
        self.current[i] = load.min_da
        self.admitted.append(i)

    def _wait(self, i: int, node_phase: int) -> None:
        where, self.binding[i] = self.tree.describe(node_phase)
        if self.room[node_phase] < 0:
            self.reason[i] = FIXED_EXCEED.format(where=where)
        else:
            minimum = _a(self.loads[i].min_da)
            self.reason[i] = MINIMUM_NOT_FREE.format(minimum=minimum, where=where)

    def cap(self, i: int, node_phase: int) -> None:
        where, self.binding[i] = self.tree.describe(node_phase)
        self.reason[i] = LIMITED.format(where=where)

    def levels(self) -> list[list[int]]:
        """Admitted loads that can still rise, by priority level, highest first."""
        groups: dict[int, list[int]] = {}
        for i in self.admitted:
            load = self.loads[i]
            if load.max_da > self.current[i]:
                groups.setdefault(load.priority, []).append(i)
        return [groups[priority] for priority in sorted(groups, reverse=True)]

    def results(self) -> list[Allocation]:
        return [
            Allocation(load.key, self.current[i], self.reason[i], self.binding[i])
            for i, load in enumerate(self.loads)
        ]


def _check(load: Load) -> None:
    if load.min_da < 0 or load.max_da < 0 or (load.fixed_da or 0) < 0:
        raise ValueError(tr("load {key}: currents must not be negative", key=load.key))


class _Filling:
    """Pass 2 for one priority level: progressive filling with a common water level.

    Loads join when the level reaches their minimum, and stop at their maximum or when a
    node-phase they draw on is full; the level rises by the largest step every rising load
    can take, so each step ends with an event (a join, a maximum, a full node-phase)."""

    def __init__(self, run: _Run, group: list[int]) -> None:
        self.run = run
        self.level = 0
        self.pending = sorted(group, key=lambda i: run.loads[i].min_da, reverse=True)
        self.active: set[int] = set()
        self.count: dict[int, int] = {}  # node-phase -> rising loads drawing on it
        self.maxima: list[tuple[int, int]] = []  # heap of (max_da, load)
        self.on: dict[int, list[int]] = {}  # node-phase -> this level's loads on it
        for i in group:
            for node_phase in run.paths[i]:
                self.on.setdefault(node_phase, []).append(i)

    def fill(self) -> None:
        while self.pending or self.active:
            if not self.active:
                self.level = self.run.loads[self.pending[-1]].min_da
            self._join()
            self._stop_at_maximum()
            self._stop_at_full()
            if self.active:
                self._rise()

    def _join(self) -> None:
        run = self.run
        while self.pending and run.loads[self.pending[-1]].min_da <= self.level:
            i = self.pending.pop()
            closed = next((np for np in run.paths[i] if np in run.closed), None)
            if closed is not None:
                run.cap(i, closed)  # stays at its minimum
                continue
            self.active.add(i)
            heappush(self.maxima, (run.loads[i].max_da, i))
            for node_phase in run.paths[i]:
                self.count[node_phase] = self.count.get(node_phase, 0) + 1

    def _next_maximum(self) -> int:
        while self.maxima and self.maxima[0][1] not in self.active:
            heappop(self.maxima)  # stopped at a full node-phase meanwhile
        return self.maxima[0][0] if self.maxima else _UNLIMITED

    def _stop_at_maximum(self) -> None:
        while self._next_maximum() <= self.level:
            self._freeze(heappop(self.maxima)[1])

    def _stop_at_full(self) -> None:
        room = self.run.room
        full = [np for np, rising in self.count.items() if room[np] < rising]
        for node_phase in full:
            self.run.closed.add(node_phase)
            for i in self.on[node_phase]:
                if i in self.active:
                    self._freeze(i)
                    self.run.cap(i, node_phase)

    def _freeze(self, i: int) -> None:
        self.run.current[i] = self.level
        self.active.remove(i)
        for node_phase in self.run.paths[i]:
            left = self.count[node_phase] - 1
            if left:
                self.count[node_phase] = left
            else:
                del self.count[node_phase]

    def _rise(self) -> None:
        room = self.run.room
        step = min((room[np] // rising for np, rising in self.count.items()), default=_UNLIMITED)
        step = min(step, self._next_maximum() - self.level)
        if self.pending:
            step = min(step, self.run.loads[self.pending[-1]].min_da - self.level)
        for node_phase, rising in self.count.items():
            room[node_phase] -= step * rising
        self.level += step
