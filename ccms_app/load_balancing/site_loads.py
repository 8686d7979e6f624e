"""A site's inputs as the pure allocation sees them: nodes with per-phase limits and loads.

How each connector is counted is the fail-safe part of load balancing:
- an offline charger: every connector at the higher of its fallback (the TxDefaultProfile it
  was given at boot) and a live profile it may still hold (until that profile's validTo): a
  charger CCMS cannot reach keeps charging at whatever it last had;
- a charger that rejected its profile for this transaction: at its maximum (it is not capped);
- a running session on an online charger: controllable, between its minimum and what it can
  use (its maximum, or less if it draws well below what it was given; a charger that reports
  no meter values is assumed to use its maximum);
- an online connector without a session draws nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ccms_app.core.rows import stored_id
from ccms_app.load_balancing.models import LoadAllocation, LoadMember, LoadNode
from ccms_app.load_balancing.rules.allocation import Load, Node
from ccms_app.load_balancing.rules.demand import Demand, car_demand
from ccms_app.load_balancing.rules.limits import deciamps, node_limit_da, root_limit_da
from ccms_app.load_balancing.rules.wiring import phases_in_use, supply_phases, wired_phases
from ccms_app.load_balancing.running import RunningSession
from ccms_app.load_balancing.site_inputs import SiteInputs, connector_rows, measured_da

Key = tuple[int, int]  # (charge point id, connector id)
NO_DEMAND = Demand(None, None)


@dataclass(frozen=True)
class LoadFacts:
    """What the decision log and the live view say about one connector besides its share."""

    transaction_id: int | None
    id_tag: str
    phases: tuple[int, ...]
    measured_da: int | None
    fixed_reason: str = ""
    demand: Demand = NO_DEMAND


def site_nodes(inputs: SiteInputs) -> list[Node]:
    """The tree; the root's limit is the plan's if lower, less the building load (dynamic)."""
    nodes = []
    building = None
    if inputs.building is not None:
        building = (
            deciamps(inputs.building[0]),
            deciamps(inputs.building[1]),
            deciamps(inputs.building[2]),
        )
    for row in inputs.nodes:
        node = plain_node(row)
        if row.parent_id is None:
            own = node_limit_da(row.limit_a, row.limit_kw, row.margin_a)
            node = replace(node, limit_da=root_limit_da(own, inputs.plan_limit_da, building))
        nodes.append(node)
    return nodes


def plain_node(row: LoadNode) -> Node:
    """A node as configured: its own limit (less its margin) on each phase."""
    own = node_limit_da(row.limit_a, row.limit_kw, row.margin_a)
    limit = None if own is None else (own, own, own)
    return Node(id=stored_id(row.id), parent_id=row.parent_id, limit_da=limit, name=row.name)


def site_loads(
    inputs: SiteInputs, lines: Mapping[Key, Mapping[str, float]]
) -> tuple[list[Load], dict[Key, LoadFacts]]:
    """One load per counted connector, and what is known about each (same keys).

    `lines`: the latest per-line currents of running sessions (from their meter values), to
    see a single-phase car on a three-phase charger."""
    loads: list[Load] = []
    facts: dict[Key, LoadFacts] = {}
    running = {(s.charge_point_id, s.connector_id): s for s in inputs.sessions}
    for cp_id, connectors in connector_rows(inputs).items():
        member = inputs.members[cp_id]
        cp = inputs.charge_points.get(cp_id)
        online = cp is not None and cp.is_online and cp.enabled
        for connector_id in sorted(connectors):
            key = (cp_id, connector_id)
            cs = running.get(key)
            if not online:
                loads.append(_offline(inputs, member, key))
                facts[key] = LoadFacts(
                    cs.id if cs else None,
                    cs.id_tag if cs else "",
                    loads[-1].phases,
                    None,
                    "offline",
                )
            elif cs is not None:
                load, fact = _running(inputs, member, key, cs, lines.get(key, {}))
                loads.append(load)
                facts[key] = fact
    return loads, facts


def _offline(inputs: SiteInputs, member: LoadMember, key: Key) -> Load:
    fallback = deciamps(member.fallback_current_a)
    alloc = inputs.allocations.get(key)
    held = _still_valid(alloc, inputs)
    return Load(
        key=key,
        node_id=member.node_id,
        phases=wired_phases(member.phase_rotation),
        min_da=0,
        max_da=deciamps(member.max_current_a),
        fixed_da=max(fallback, held),
    )


def _still_valid(alloc: LoadAllocation | None, inputs: SiteInputs) -> int:
    """The limit of a live profile the charger may still apply (0 once it has expired)."""
    if alloc is None or alloc.sent_a is None or alloc.valid_until is None:
        return 0
    return deciamps(alloc.sent_a) if alloc.valid_until > inputs.now else 0


def _running(
    inputs: SiteInputs,
    member: LoadMember,
    key: Key,
    cs: RunningSession,
    lines: Mapping[str, float],
) -> tuple[Load, LoadFacts]:
    charger_phases = len(wired_phases(member.phase_rotation))
    used = phases_in_use(lines) if charger_phases == 3 and member.current_type == "AC" else None
    phases = supply_phases(member.phase_rotation, used or charger_phases)
    measured = measured_da(cs, member, len(phases), inputs.now)
    alloc = inputs.allocations.get(key)
    max_da = deciamps(member.max_current_a)
    min_da = deciamps(
        member.min_current_a if member.min_current_a is not None else inputs.site.min_current_a
    )
    same_tx = alloc is not None and alloc.transaction_id == cs.id
    fixed = None
    reason = ""
    if (
        alloc is not None
        and alloc.profile_status == "rejected"
        and alloc.sent_transaction_id == cs.id
    ):
        fixed, reason = max_da, "rejected its profile"
    demand = _demand(alloc if same_tx else None, cs, measured, min_da, inputs)
    wanted = max_da if demand.current_da is None else min(max_da, demand.current_da)
    load = Load(
        key=key,
        node_id=member.node_id,
        phases=phases,
        min_da=min_da,
        max_da=wanted,
        priority=inputs.priorities.get(cs.id, member.priority),
        order=_order(same_tx and alloc is not None and alloc.allocated_a > 0, cs),
        fixed_da=fixed,
    )
    return load, LoadFacts(cs.id, cs.id_tag, phases, measured, reason, demand)


def _demand(
    alloc: LoadAllocation | None,
    cs: RunningSession,
    measured: int | None,
    min_da: int,
    inputs: SiteInputs,
) -> Demand:
    if alloc is None:
        return NO_DEMAND
    previous = Demand(None if alloc.demand_a is None else deciamps(alloc.demand_a), alloc.demand_at)
    sent = None if alloc.sent_a is None or alloc.sent_transaction_id != cs.id else alloc.sent_a
    return car_demand(
        previous,
        None if sent is None else deciamps(sent),
        alloc.sent_at,
        measured,
        cs.meter_updated_at,
        min_da,
        inputs.now,
    )


def _order(charging: bool, cs: RunningSession) -> int:
    """Admission order: cars already charging keep their place (no on/off flapping), then
    the earliest arrival."""
    started = int(cs.start_time.timestamp())
    return started if charging else 10_000_000_000 + started
