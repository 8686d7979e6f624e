"""The demo's load balancing: the operator's first station shares a 100 A grid connection
with an office building, and the building's load follows a daily curve.

`seed_demo_load_balancing` (idempotent) makes the site: dynamic, two circuits of 63 A with
the station's charge points spread over them and over the phases, 5 A margin, a weekday
office-hours plan that lowers the limit to 80 A. `record_demo_building_loads` is the
simulated building meter: a reading every minute for each dynamic site that has no OCPP
meter (demo mode only; a real site gets its readings from the REST API or its meter).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import Session, col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.building_load import record_reading
from ccms_app.load_balancing.models import (
    LoadMember,
    LoadNode,
    LoadPlan,
    LoadSite,
    NodeKind,
    Strategy,
)
from ccms_app.load_balancing.rules.building import demo_building_load_a
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)

SITE_LIMIT_A = 100.0
CIRCUIT_LIMIT_A = 63.0
BUILDING_PEAK_A = 45.0
ROTATIONS = ("L1L2L3", "L2L3L1", "L3L1L2")
DEMO_BUILDING_JOB_ID = "load-balancing-demo-building"


def seed_demo_load_balancing(organisation_id: int) -> int:
    """The demo site at the operator's first station; returns how many rows were created."""
    with session_scope() as db:
        station = db.exec(
            select(Station)
            .where(Station.organisation_id == organisation_id)
            .order_by(col(Station.id))
        ).first()
        if (
            station is None
            or db.exec(select(LoadSite).where(LoadSite.station_id == station.id)).first()
        ):
            return 0
        return _site(db, station)


def _site(db: Session, station: Station) -> int:
    site = LoadSite(
        organisation_id=station.organisation_id,
        station_id=stored_id(station.id),
        name=f"{station.name} grid connection",
        strategy=Strategy.DYNAMIC,
    )
    db.add(site)
    db.flush()
    site_id = stored_id(site.id)
    root = LoadNode(
        site_id=site_id,
        kind=NodeKind.GRID,
        name="Grid connection",
        limit_a=SITE_LIMIT_A,
        margin_a=5.0,
    )
    db.add(root)
    db.flush()
    circuits = [
        LoadNode(
            site_id=site_id,
            parent_id=root.id,
            kind=NodeKind.CIRCUIT,
            name=name,
            limit_a=CIRCUIT_LIMIT_A,
            position=index,
        )
        for index, name in enumerate(("Circuit A (car park level 0)", "Circuit B (level -1)"))
    ]
    db.add_all(circuits)
    db.flush()
    charge_points = db.exec(
        select(ChargePoint)
        .where(ChargePoint.station_id == station.id)
        .order_by(col(ChargePoint.id))
    ).all()
    for index, cp in enumerate(charge_points):
        db.add(
            LoadMember(
                site_id=site_id,
                node_id=stored_id(circuits[index % 2].id),
                charge_point_id=stored_id(cp.id),
                phase_rotation=ROTATIONS[index % 3],
            )
        )
    db.add(
        LoadPlan(
            site_id=site_id,
            name="Office hours",
            priority=1,
            weekdays="12345",
            start_time="08:00",
            end_time="18:00",
            limit_a=80.0,
        )
    )
    return 4 + len(charge_points) + 1


def record_demo_building_loads(now: datetime | None = None) -> int:
    """One simulated building reading per dynamic site without an OCPP meter."""
    now = now or utc_now()
    with read_session() as db:
        rows = db.exec(
            select(LoadSite.id, Station.timezone)
            .join(Station, col(Station.id) == LoadSite.station_id)
            .where(
                LoadSite.strategy == Strategy.DYNAMIC,
                col(LoadSite.meter_charge_point_id).is_(None),
                LoadSite.enabled,
            )
        ).all()
    for site_id, zone in rows:
        local = now.astimezone(ZoneInfo(zone or "UTC"))
        l1, l2, l3 = demo_building_load_a(local, BUILDING_PEAK_A)
        record_reading(stored_id(site_id), now, l1, l2, l3, "demo")
    return len(rows)


def schedule_demo_building(scheduler: BaseScheduler, interval_s: float = 60.0) -> None:
    scheduler.add_job(
        record_demo_building_loads,
        "interval",
        seconds=interval_s,
        id=DEMO_BUILDING_JOB_ID,
        replace_existing=True,
        next_run_time=utc_now(),
    )
