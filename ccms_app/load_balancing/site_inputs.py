"""What one recomputation needs, read from the database in one session: the site, its tree,
the charge points with their state, the running sessions, what each connector was given and
sent last, the plan in force and the building load.

Turning that into the pure rules' nodes and loads is `site_loads`: which current an offline
charger or one that rejected its profile is counted at, which phases a car draws on, what a
car that draws less than it was given still needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from ccms_app.core.rows import stored_id
from ccms_app.load_balancing.building_load import latest_reading, peak_since
from ccms_app.load_balancing.models import (
    LoadAllocation,
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadPriority,
    LoadSite,
    Strategy,
)
from ccms_app.load_balancing.rules.building import assumed_building
from ccms_app.load_balancing.rules.limits import deciamps, kw_to_phase_da, node_limit_da
from ccms_app.load_balancing.rules.plans import PlanSpec, active_plan
from ccms_app.load_balancing.running import RunningSession, running_sessions
from ccms_app.load_balancing.session_priority import session_priorities
from ccms_app.network.models import ChargePoint, Connector, Station

Phases3 = tuple[float, float, float]
MEASUREMENT_MAX_AGE = timedelta(minutes=10)  # older meter values say nothing about now
PEAK_WINDOW = timedelta(hours=24)


@dataclass
class SiteInputs:
    site: LoadSite
    zone: str
    nodes: list[LoadNode]
    members: dict[int, LoadMember]  # by charge point id
    charge_points: dict[int, ChargePoint]
    connectors: dict[int, list[int]]  # charge point id -> connector ids (> 0)
    sessions: list[RunningSession]
    priorities: dict[int, int]  # session id -> priority
    allocations: dict[tuple[int, int], LoadAllocation]
    plan: PlanSpec | None
    plan_limit_da: int | None
    building: Phases3 | None  # dynamic only
    building_note: str
    now: datetime
    last_decision_plan: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def read_inputs(db: Session, site: LoadSite, now: datetime) -> SiteInputs:
    """Everything about `site` one recomputation reads (a handful of queries)."""
    site_id = stored_id(site.id)
    station = db.get(Station, site.station_id)
    zone = station.timezone if station is not None else "UTC"
    nodes = list(db.exec(select(LoadNode).where(LoadNode.site_id == site_id)))
    members = {
        m.charge_point_id: m
        for m in db.exec(select(LoadMember).where(LoadMember.site_id == site_id))
    }
    cp_ids = list(members)
    charge_points = {
        stored_id(cp.id): cp
        for cp in db.exec(select(ChargePoint).where(col(ChargePoint.id).in_(cp_ids)))
    }
    connectors: dict[int, list[int]] = {cp_id: [] for cp_id in cp_ids}
    query = select(Connector.charge_point_id, Connector.connector_id).where(
        col(Connector.charge_point_id).in_(cp_ids), Connector.connector_id > 0
    )
    for cp_id, connector_id in db.exec(query):
        connectors[cp_id].append(connector_id)
    sessions = running_sessions(db, cp_ids)
    rules = list(db.exec(select(LoadPriority).where(LoadPriority.site_id == site_id)))
    base = {cp_id: m.priority for cp_id, m in members.items()}
    allocations = {
        (a.charge_point_id, a.connector_id): a
        for a in db.exec(select(LoadAllocation).where(LoadAllocation.site_id == site_id))
    }
    plan = _plan(db, site_id, now, zone)
    plan_da = _plan_limit(plan)
    building, note = _building(site, now)
    return SiteInputs(
        site=site,
        zone=zone,
        nodes=nodes,
        members=members,
        charge_points=charge_points,
        connectors=connectors,
        sessions=sessions,
        priorities=session_priorities(db, rules, sessions, base, now),
        allocations=allocations,
        plan=plan,
        plan_limit_da=plan_da,
        building=building,
        building_note=note,
        now=now,
    )


def _plan(db: Session, site_id: int, now: datetime, zone: str) -> PlanSpec | None:
    rows = db.exec(select(LoadPlan).where(LoadPlan.site_id == site_id, LoadPlan.enabled)).all()
    specs = [
        PlanSpec(
            id=stored_id(p.id),
            name=p.name,
            priority=p.priority,
            weekdays=p.weekdays,
            start_time=p.start_time,
            end_time=p.end_time,
            limit_a=p.limit_a,
            limit_kw=p.limit_kw,
            enabled=p.enabled,
        )
        for p in rows
    ]
    return active_plan(specs, now.astimezone(_zone(zone))) if specs else None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _plan_limit(plan: PlanSpec | None) -> int | None:
    if plan is None:
        return None
    return node_limit_da(plan.limit_a, plan.limit_kw, 0.0)


def _building(site: LoadSite, now: datetime) -> tuple[Phases3 | None, str]:
    if site.strategy != Strategy.DYNAMIC:
        return None, ""
    site_id = stored_id(site.id)
    latest = latest_reading(site_id)
    peak = peak_since(site_id, now - PEAK_WINDOW)
    load, note = assumed_building(latest, peak, now, site.building_load_max_age_s)
    return load, note


def measured_da(cs: RunningSession, member: LoadMember, phases: int, now: datetime) -> int | None:
    """What the car draws per phase now (AC: the highest line current; DC: the power as AC
    current on the supply), or None when the charger reported nothing recent."""
    at = cs.meter_updated_at
    if at is None or now - at > MEASUREMENT_MAX_AGE:
        return None
    if member.current_type == "DC":
        if cs.power_w is None:
            return None
        return kw_to_phase_da(cs.power_w / 1000.0, phases)
    return None if cs.current_a is None else deciamps(cs.current_a)


def connector_rows(inputs: SiteInputs) -> Mapping[int, list[int]]:
    """Connector ids per charge point; a charger CCMS knows no connector of counts as one."""
    return {cp_id: ids or [1] for cp_id, ids in inputs.connectors.items()}
