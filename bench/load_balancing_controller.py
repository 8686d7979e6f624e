"""One whole recomputation of a 1,000-connector site, database included, on SQLite.

`bench/load_balancing.py` times the pure allocation; this times what the load balancer does
per trigger (`load_balancing.controller.recompute`: read the site, its tree, 500 charge points,
1,000 running sessions, priorities and allocations, allocate, store every connector's share
and a decision), next to the pure allocation of the same inputs measured in the same run.

    .venv/bin/python bench/load_balancing_controller.py [--charge-points 500] [--runs 11]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: `ccms_app` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlmodel import SQLModel

from ccms_app import tables  # noqa: F401  (every table on the metadata)
from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.load_balancing.controller import recompute
from ccms_app.load_balancing.models import LoadMember, LoadNode, LoadSite, NodeKind
from ccms_app.load_balancing.rules.allocation import allocate
from ccms_app.load_balancing.site_inputs import read_inputs
from ccms_app.load_balancing.site_loads import site_loads, site_nodes
from ccms_app.network.models import ChargePoint, Connector, Station

ROTATIONS = ("L1L2L3", "L2L3L1", "L3L1L2")


def seed(charge_points: int) -> int:
    """A site: a 2,000 A grid connection, 10 panels of 400 A, charge points with 2 connectors
    each, every connector charging."""
    now = utc_now()
    with db.session_scope() as s:
        org = Organisation(name="Bench")
        s.add(org)
        s.flush()
        station = Station(organisation_id=org.id, name="Depot", timezone="Europe/Berlin")
        s.add(station)
        s.flush()
        site = LoadSite(organisation_id=org.id, station_id=station.id, name="Depot")
        s.add(site)
        s.flush()
        root = LoadNode(site_id=site.id, kind=NodeKind.GRID, name="Grid", limit_a=2000.0)
        s.add(root)
        s.flush()
        panels = []
        for n in range(10):
            panel = LoadNode(site_id=site.id, parent_id=root.id, name=f"P{n}", limit_a=400.0)
            s.add(panel)
            panels.append(panel)
        s.flush()
        for n in range(charge_points):
            cp = ChargePoint(
                identity=f"B-{n}", organisation_id=org.id, station_id=station.id, is_online=True
            )
            s.add(cp)
            s.flush()
            s.add(
                LoadMember(
                    site_id=site.id,
                    node_id=panels[n % 10].id,
                    charge_point_id=cp.id,
                    phase_rotation=ROTATIONS[n % 3],
                )
            )
            for c in (1, 2):
                s.add(Connector(organisation_id=org.id, charge_point_id=cp.id, connector_id=c))
                s.add(
                    ChargingSession(
                        organisation_id=org.id,
                        charge_point_id=cp.id,
                        connector_id=c,
                        id_tag=f"T{n}-{c}",
                        start_time=now - timedelta(minutes=n % 60),
                        meter_start_wh=0,
                        status=SessionStatus.ACTIVE,
                        current_a=10.0,
                        meter_updated_at=now,
                    )
                )
        return site.id


def median_ms(run: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pure_allocation(site_id: int) -> None:
    with db.read_session() as s:
        site = s.get(LoadSite, site_id)
        assert site is not None
        inputs = read_inputs(s, site, utc_now())
    loads, _ = site_loads(inputs, {})
    nodes = site_nodes(inputs)
    ms = median_ms(lambda: allocate(nodes, loads), 21)
    print(f"pure allocate() of the same {len(loads)} connectors  {ms:8.2f} ms (median of 21)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charge-points", type=int, default=500)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.db")
        SQLModel.metadata.create_all(engine)
        db.set_engine(engine)
        site_id = seed(args.charge_points)
        started = time.perf_counter()
        first = recompute(site_id, "bench")
        first_ms = (time.perf_counter() - started) * 1000
        print(
            f"site: {args.charge_points} charge points, {2 * args.charge_points} connectors "
            f"charging; first recomputation {first_ms:.1f} ms ({len(first.orders)} profiles due)"
        )
        steady = median_ms(lambda: recompute(site_id, "meter values"), args.runs)
        print(
            f"controller.recompute (steady)              {steady:8.2f} ms (median of {args.runs})"
        )
        pure_allocation(site_id)


if __name__ == "__main__":
    main()
