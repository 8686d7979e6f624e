"""One recomputation of a site: read, allocate, record the decision, say what to send.

`recompute` runs in a thread (database work) and returns the profile orders; sending them is
`profiles.send_orders` (async, on the command port). Every recomputation updates each
connector's LoadAllocation (what it is given and why); a LoadDecision row is written when an
allocation changed, for every trigger other than meter values and the periodic tick, and at
least once a minute otherwise (the 24 h chart reads those rows), so a site with 1,000 cars
sending meter values every 10 s writes one decision a minute, not a hundred.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.models import LoadAllocation, LoadDecision, LoadSite
from ccms_app.load_balancing.rules.allocation import Allocation, Load, Node, allocate
from ccms_app.load_balancing.rules.limits import amps, deciamps
from ccms_app.load_balancing.rules.sending import needs_sending
from ccms_app.load_balancing.site_inputs import SiteInputs, read_inputs
from ccms_app.load_balancing.site_loads import Key, LoadFacts, site_loads, site_nodes

log = logging.getLogger(__name__)

DECISION_EVERY = timedelta(minutes=1)
QUIET_TRIGGERS = frozenset({"meter values", "periodic"})


@dataclass(frozen=True)
class ProfileOrder:
    """Send this connector a TxProfile with this limit (per phase)."""

    site_id: int
    charge_point_id: int
    connector_id: int
    transaction_id: int
    limit_da: int
    previous_da: int | None
    current_type: str  # AC: the limit in A; DC: in W
    phases: int  # supply phases it is counted on (a DC limit in W is the AC current on them)
    validity_s: int
    why: str


@dataclass(frozen=True)
class Outcome:
    site_id: int
    orders: list[ProfileOrder]
    decision_id: int | None
    changed: int  # connectors whose allocation changed


def recompute(
    site_id: int,
    trigger: str,
    lines: Mapping[Key, Mapping[str, float]] | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Recompute `site_id` now; what changed is stored before this returns.

    Read and decided without the write lock (a site of 1,000 connectors takes tens of
    milliseconds); only the changed shares and the decision are then written, in one short
    transaction, as column updates: what `record_sent` wrote meanwhile is kept."""
    now = now or utc_now()
    started = time.perf_counter()
    with read_session() as db:
        site = db.get(LoadSite, site_id)
        if site is None or not site.enabled:
            return _switched_off(site_id)
        inputs = read_inputs(db, site, now)
        last = _last_decision(db, site_id)
        plan_id = inputs.plan.id if inputs.plan else None
        if last is not None and last[1] != plan_id:
            trigger = "plan switch"  # found by whichever recomputation came first
        due = trigger not in QUIET_TRIGGERS or last is None or now - last[0] >= DECISION_EVERY
        db.expunge_all()  # what follows changes the rows in memory only (written below)
    loads, facts = site_loads(inputs, lines or {})
    nodes = site_nodes(inputs)
    results = allocate(nodes, loads)
    changes = _changes(inputs, loads, results, facts)
    orders = _orders(inputs, loads, results)
    elapsed_ms = (time.perf_counter() - started) * 1000
    decision = None
    if due or changes.changed:
        decision = _decision(
            inputs, nodes, trigger, loads, results, facts, changes.changed, elapsed_ms
        )
    with session_scope() as db:
        _write(db, changes, now)
        if decision is not None:
            db.add(decision)
            db.flush()
    decision_id = None if decision is None else decision.id
    if changes.changed or orders:
        log.info(
            "load balancing recomputed",
            extra={
                "site_id": site_id,
                "trigger": trigger,
                "connectors": len(loads),
                "changed": changes.changed,
                "profiles_to_send": len(orders),
                "ms": round(elapsed_ms, 1),
            },
        )
    return Outcome(site_id, orders, decision_id, changes.changed)


def _switched_off(site_id: int) -> Outcome:
    """Nothing is sent any more; the live profiles expire and the chargers fall back to
    their TxDefaultProfile. The live view shows no shares."""
    with session_scope() as db:
        result = db.execute(delete(LoadAllocation).where(col(LoadAllocation.site_id) == site_id))
    return Outcome(site_id, [], None, int(getattr(result, "rowcount", 0) or 0))


@dataclass
class Changes:
    new: list[LoadAllocation]
    updates: list[tuple[int, dict[str, object]]]  # row id -> the columns that differ
    gone: list[int]  # row ids
    changed: int  # connectors whose share or transaction changed


def _changes(
    inputs: SiteInputs,
    loads: list[Load],
    results: list[Allocation],
    facts: dict[Key, LoadFacts],
) -> Changes:
    """What to write per connector (unchanged rows are not written: 1,000 cars, every 10 s);
    rows of sessions that ended on an online charger go (an offline one keeps its row: its
    live profile may still hold). `inputs.allocations` is brought up to date in memory (the
    orders read it)."""
    site_id = stored_id(inputs.site.id)
    counted = {load.key for load in loads}
    gone = [key for key in inputs.allocations if key not in counted]
    changes = Changes([], [], [], 0)
    for load, result in zip(loads, results, strict=True):
        fact = facts[load.key]
        row = inputs.allocations.get(load.key)
        if row is None:
            row = LoadAllocation(
                site_id=site_id,
                charge_point_id=load.key[0],
                connector_id=load.key[1],
                updated_at=inputs.now,
            )
            changes.new.append(row)
        new_a = amps(result.current_da)
        if row.allocated_a != new_a or row.transaction_id != fact.transaction_id or row.id is None:
            changes.changed += 1
        demand = fact.demand.current_da
        values: dict[str, object] = {
            "allocated_a": new_a,
            "reason": result.reason[:200],
            "transaction_id": fact.transaction_id,
            "priority": load.priority,
            "measured_a": None if fact.measured_da is None else amps(fact.measured_da),
            "demand_a": None if demand is None else amps(demand),
            "demand_at": fact.demand.learnt_at,
        }
        differing = {k: v for k, v in values.items() if getattr(row, k) != v}
        for name, value in differing.items():
            setattr(row, name, value)
        if differing and row.id is not None:
            changes.updates.append((row.id, differing))
        inputs.allocations[load.key] = row
    for key in gone:
        changes.gone.append(stored_id(inputs.allocations.pop(key).id))
        changes.changed += 1
    return changes


def _write(db: Session, changes: Changes, now: datetime) -> None:
    for row in changes.new:
        db.add(row)
    table = col(LoadAllocation.id)
    for row_id, values in changes.updates:
        db.execute(update(LoadAllocation).where(table == row_id).values(**values, updated_at=now))
    if changes.gone:
        db.execute(delete(LoadAllocation).where(table.in_(changes.gone)))


def _orders(inputs: SiteInputs, loads: list[Load], results: list[Allocation]) -> list[ProfileOrder]:
    site = inputs.site
    orders = []
    for load, result in zip(loads, results, strict=True):
        if load.fixed_da is not None:
            continue
        row = inputs.allocations.get(load.key)
        tx = row.transaction_id if row is not None else None
        if tx is None:
            continue
        sent = None if row is None or row.sent_a is None else deciamps(row.sent_a)
        tx_changed = row is not None and row.sent_transaction_id != tx
        why = needs_sending(
            result.current_da,
            None if tx_changed else sent,
            deciamps(site.change_threshold_a),
            row.valid_until if row is not None and not tx_changed else None,
            inputs.now,
            site.profile_validity_s,
            tx_changed,
        )
        if why is None:
            continue
        member = inputs.members[load.key[0]]
        orders.append(
            ProfileOrder(
                site_id=stored_id(site.id),
                charge_point_id=load.key[0],
                connector_id=load.key[1],
                transaction_id=tx,
                limit_da=result.current_da,
                previous_da=sent,
                current_type=member.current_type,
                phases=len(load.phases),
                validity_s=site.profile_validity_s,
                why=why,
            )
        )
    return orders


def _last_decision(db: Session, site_id: int) -> tuple[datetime, int | None] | None:
    """When the site's last decision was logged and under which plan."""
    row = db.exec(
        select(LoadDecision.decided_at, LoadDecision.plan_id)
        .where(LoadDecision.site_id == site_id)
        .order_by(col(LoadDecision.decided_at).desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def _per_phase(loads: list[Load], currents: list[int]) -> tuple[float, float, float]:
    totals = [0, 0, 0]
    for load, current in zip(loads, currents, strict=True):
        for phase in load.phases:
            totals[phase] += current
    return (amps(totals[0]), amps(totals[1]), amps(totals[2]))


def _decision(
    inputs: SiteInputs,
    nodes: list[Node],
    trigger: str,
    loads: list[Load],
    results: list[Allocation],
    facts: dict[Key, LoadFacts],
    changed: int,
    elapsed_ms: float,
) -> LoadDecision:
    root = next((n for n in nodes if n.parent_id is None), None)
    limit = root.limit_da if root is not None and root.limit_da is not None else (0, 0, 0)
    building = inputs.building or (0.0, 0.0, 0.0)
    allocated = _per_phase(loads, [r.current_da for r in results])
    measured = _per_phase(loads, [facts[ld.key].measured_da or 0 for ld in loads])
    capped = sum(
        1 for ld, r in zip(loads, results, strict=True) if r.reason and ld.fixed_da is None
    )
    return LoadDecision(
        site_id=stored_id(inputs.site.id),
        decided_at=inputs.now,
        trigger=trigger[:48],
        plan_id=inputs.plan.id if inputs.plan else None,
        limit_l1_a=amps(limit[0]),
        limit_l2_a=amps(limit[1]),
        limit_l3_a=amps(limit[2]),
        building_l1_a=building[0],
        building_l2_a=building[1],
        building_l3_a=building[2],
        allocated_l1_a=allocated[0],
        allocated_l2_a=allocated[1],
        allocated_l3_a=allocated[2],
        measured_l1_a=measured[0],
        measured_l2_a=measured[1],
        measured_l3_a=measured[2],
        cars=sum(1 for f in facts.values() if f.transaction_id is not None),
        capped=capped,
        duration_ms=round(elapsed_ms, 2),
        detail=json.dumps(_detail(inputs, nodes, loads, results, facts, changed)),
    )


DETAIL_LOADS = 200  # a bigger site logs the capped and fixed ones only


def _detail(
    inputs: SiteInputs,
    nodes: list[Node],
    loads: list[Load],
    results: list[Allocation],
    facts: dict[Key, LoadFacts],
    changed: int,
) -> dict[str, object]:
    """The inputs and results an operator needs to understand the decision."""
    rows = []
    for load, result in zip(loads, results, strict=True):
        if len(loads) > DETAIL_LOADS and not (result.reason or load.fixed_da is not None):
            continue
        fact = facts[load.key]
        rows.append(
            {
                "charge_point_id": load.key[0],
                "connector_id": load.key[1],
                "transaction_id": fact.transaction_id,
                "priority": load.priority,
                "phases": [f"L{p + 1}" for p in load.phases],
                "min_a": amps(load.min_da),
                "max_a": amps(load.max_da),
                "fixed_a": None if load.fixed_da is None else amps(load.fixed_da),
                "fixed_because": fact.fixed_reason,
                "measured_a": None if fact.measured_da is None else amps(fact.measured_da),
                "allocated_a": amps(result.current_da),
                "reason": result.reason,
            }
        )
    limits = [
        {
            "id": n.id,
            "name": n.name,
            "limit_a": None if n.limit_da is None else [amps(x) for x in n.limit_da],
        }
        for n in nodes
    ]
    return {
        "strategy": inputs.site.strategy,
        "plan": inputs.plan.name if inputs.plan else "",
        "building_note": inputs.building_note,
        "changed": changed,
        "nodes": limits,
        "loads": rows,
    }


def record_sent(order: ProfileOrder, status: str, now: datetime) -> None:
    """The charger's answer to an order: accepted -> the limit holds until validTo."""
    with session_scope() as db:
        row = db.exec(
            select(LoadAllocation).where(
                LoadAllocation.charge_point_id == order.charge_point_id,
                LoadAllocation.connector_id == order.connector_id,
            )
        ).first()
        if row is None:
            return
        row.profile_status = status[:16]
        row.sent_transaction_id = order.transaction_id
        if status == "accepted":
            row.sent_a = amps(order.limit_da)
            row.sent_at = now
            row.valid_until = now + timedelta(seconds=order.validity_s)
        db.add(row)
