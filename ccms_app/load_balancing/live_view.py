"""What the live page and GET /load-sites/{id}/live, /history, /decisions show: the site's
limit, building load, allocated and measured current per phase, each connector's share and
why it is capped, the last 24 h of decisions and the decision log.

All of it comes from what the controller stored (LoadDecision, LoadAllocation): the page
shows what CCMS decided and sent, not a recomputation of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from ccms_app.accounts.roles import Caller, require
from ccms_app.charging.models import ChargingSession
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.building_load import latest_reading
from ccms_app.load_balancing.models import (
    LoadAllocation,
    LoadDecision,
    LoadMember,
    LoadNode,
    LoadPlan,
    Strategy,
)
from ccms_app.load_balancing.rules.checks import Fallback, fallback_overloads
from ccms_app.load_balancing.rules.limits import deciamps
from ccms_app.load_balancing.rules.wiring import wired_phases
from ccms_app.load_balancing.site_admin import (
    OBJECT,
    VIEW_PERMISSION,
    SiteView,
    site_view,
)
from ccms_app.load_balancing.site_loads import plain_node
from ccms_app.load_balancing.site_rows import scoped_site
from ccms_app.network.models import ChargePoint, Connector

MAX_HISTORY_HOURS = 24 * 7
MAX_DECISIONS = 200


@dataclass(frozen=True)
class PhaseFigures:
    l1: float
    l2: float
    l3: float

    @property
    def total(self) -> float:
        return round(self.l1 + self.l2 + self.l3, 1)


ZERO = PhaseFigures(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class ConnectorLive:
    charge_point_id: int
    identity: str
    connector_id: int
    transaction_id: int | None
    id_tag: str
    priority: int
    allocated_a: float
    measured_a: float | None
    sent_a: float | None
    profile_status: str
    valid_until: datetime | None
    reason: str
    online: bool


@dataclass(frozen=True)
class SiteLive:
    site: SiteView
    plan_name: str
    limit: PhaseFigures
    building: PhaseFigures
    building_at: datetime | None
    building_note: str
    allocated: PhaseFigures
    measured: PhaseFigures
    decided_at: datetime | None
    trigger: str
    cars: int
    capped: int
    connectors: list[ConnectorLive]
    warnings: list[str] = field(default_factory=list)  # configuration the operator should fix


@dataclass(frozen=True)
class HistoryPoint:
    at: datetime
    limit: PhaseFigures
    building: PhaseFigures
    allocated: PhaseFigures
    measured: PhaseFigures


@dataclass(frozen=True)
class DecisionView:
    id: int
    decided_at: datetime
    trigger: str
    plan_id: int | None
    limit: PhaseFigures
    building: PhaseFigures
    allocated: PhaseFigures
    measured: PhaseFigures
    cars: int
    capped: int
    duration_ms: float
    detail: dict[str, object]


def _figures(row: LoadDecision, name: str) -> PhaseFigures:
    return PhaseFigures(
        getattr(row, f"{name}_l1_a"), getattr(row, f"{name}_l2_a"), getattr(row, f"{name}_l3_a")
    )


def _latest_decision(db: Session, site_id: int) -> LoadDecision | None:
    return db.exec(
        select(LoadDecision)
        .where(LoadDecision.site_id == site_id)
        .order_by(col(LoadDecision.decided_at).desc(), col(LoadDecision.id).desc())
        .limit(1)
    ).first()


def site_live(caller: Caller, site_id: int) -> SiteLive:
    action = "load_site.live"
    require(caller, VIEW_PERMISSION, action, OBJECT, site_id)
    with scoped_site(caller, site_id, action, write=False) as (db, site):
        view = site_view(db, site)
        last = _latest_decision(db, site_id)
        connectors = _connectors(db, site_id)
        warnings = _warnings(db, site_id)
        plan = db.get(LoadPlan, last.plan_id) if last and last.plan_id else None
    detail = json.loads(last.detail) if last and last.detail else {}
    reading = latest_reading(site_id) if view.strategy == Strategy.DYNAMIC else None
    return SiteLive(
        site=view,
        plan_name=plan.name if plan else "",
        limit=_figures(last, "limit") if last else ZERO,
        building=_figures(last, "building") if last else ZERO,
        building_at=reading[0] if reading else None,
        building_note=str(detail.get("building_note", "")),
        allocated=_figures(last, "allocated") if last else ZERO,
        measured=_figures(last, "measured") if last else ZERO,
        decided_at=last.decided_at if last else None,
        trigger=last.trigger if last else "",
        cars=last.cars if last else 0,
        capped=last.capped if last else 0,
        connectors=connectors,
        warnings=warnings,
    )


def _warnings(db: Session, site_id: int) -> list[str]:
    """Fallbacks that add up to more than a node can take (rules.checks)."""
    rows = db.exec(select(LoadNode).where(LoadNode.site_id == site_id)).all()
    nodes = [plain_node(row) for row in rows]
    members = db.exec(select(LoadMember).where(LoadMember.site_id == site_id)).all()
    counts = dict(
        db.exec(
            select(Connector.charge_point_id, func.count())
            .where(
                col(Connector.charge_point_id).in_([m.charge_point_id for m in members]),
                Connector.connector_id > 0,
            )
            .group_by(col(Connector.charge_point_id))
        ).all()
    )
    fallbacks = [
        Fallback(
            node_id=m.node_id,
            phases=wired_phases(m.phase_rotation),
            fallback_da=deciamps(m.fallback_current_a),
            connectors=counts.get(m.charge_point_id, 1),
        )
        for m in members
    ]
    return fallback_overloads(nodes, fallbacks)


def _connectors(db: Session, site_id: int) -> list[ConnectorLive]:
    rows = db.exec(
        select(LoadAllocation, ChargePoint)
        .join(ChargePoint, col(ChargePoint.id) == LoadAllocation.charge_point_id)
        .where(LoadAllocation.site_id == site_id)
        .order_by(col(ChargePoint.identity), col(LoadAllocation.connector_id))
    ).all()
    tx_ids = [a.transaction_id for a, _ in rows if a.transaction_id is not None]
    tags = dict(
        db.exec(
            select(ChargingSession.id, ChargingSession.id_tag).where(
                col(ChargingSession.id).in_(tx_ids)
            )
        ).all()
    )
    return [
        ConnectorLive(
            charge_point_id=a.charge_point_id,
            identity=cp.identity,
            connector_id=a.connector_id,
            transaction_id=a.transaction_id,
            id_tag=tags.get(a.transaction_id, "") if a.transaction_id else "",
            priority=a.priority,
            allocated_a=a.allocated_a,
            measured_a=a.measured_a,
            sent_a=a.sent_a,
            profile_status=a.profile_status,
            valid_until=a.valid_until,
            reason=a.reason,
            online=cp.is_online,
        )
        for a, cp in rows
    ]


def history(caller: Caller, site_id: int, hours: int = 24) -> list[HistoryPoint]:
    """The decisions of the last `hours` (at most a week), oldest first."""
    action = "load_site.history"
    require(caller, VIEW_PERMISSION, action, OBJECT, site_id)
    since = utc_now() - timedelta(hours=max(1, min(hours, MAX_HISTORY_HOURS)))
    with scoped_site(caller, site_id, action, write=False) as (db, _site):
        rows = db.exec(
            select(LoadDecision)
            .where(LoadDecision.site_id == site_id, col(LoadDecision.decided_at) >= since)
            .order_by(col(LoadDecision.decided_at), col(LoadDecision.id))
        ).all()
        return [
            HistoryPoint(
                at=r.decided_at,
                limit=_figures(r, "limit"),
                building=_figures(r, "building"),
                allocated=_figures(r, "allocated"),
                measured=_figures(r, "measured"),
            )
            for r in rows
        ]


def decisions(
    caller: Caller, site_id: int, limit: int = 50, before_id: int | None = None
) -> list[DecisionView]:
    """The decision log, newest first; `before_id` pages back."""
    action = "load_site.decisions"
    require(caller, VIEW_PERMISSION, action, OBJECT, site_id)
    with scoped_site(caller, site_id, action, write=False) as (db, _site):
        query = select(LoadDecision).where(LoadDecision.site_id == site_id)
        if before_id is not None:
            query = query.where(col(LoadDecision.id) < before_id)
        rows = db.exec(
            query.order_by(col(LoadDecision.id).desc()).limit(max(1, min(limit, MAX_DECISIONS)))
        ).all()
        return [
            DecisionView(
                id=r.id or 0,
                decided_at=r.decided_at,
                trigger=r.trigger,
                plan_id=r.plan_id,
                limit=_figures(r, "limit"),
                building=_figures(r, "building"),
                allocated=_figures(r, "allocated"),
                measured=_figures(r, "measured"),
                cars=r.cars,
                capped=r.capped,
                duration_ms=r.duration_ms,
                detail=json.loads(r.detail) if r.detail else {},
            )
            for r in rows
        ]
