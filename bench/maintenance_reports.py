"""The maintenance reports at network size: statistics and per-connector uptime.

Seeds a migrated temporary SQLite database with bulk inserts: N charge points (10 per
station, 2 connectors, stations in N/500 areas), per connector one charging session a day
for D days (Preparing, Charging, Finishing, Available: what the LAG query leaves in the
database), a fault every 15 days (Faulted -> Available after an hour, with its alarm and a
work order), a 20-minute disconnection a month per charge point. Then times, as the page
and the REST API call them: `statistics` (counts, faults by cause, MTTR / MTBF), the whole
`uptime_report` (NEVI + UK for every connector) and one station's, the first page of the
fault repair report.

The uptime report is timed twice in the same run: the old path (`exact_uptime_report`: the
whole history of both windows) and the roll-up path (`uptime_report`) after the roll-up job
(`reports/rollup.roll_up`, its runs timed too) has written its 367 days of `uptime_day` rows
for every connector (days before the seeded history are rolled up as what they are: no
data); the two reports are checked equal.

    .venv/bin/python bench/maintenance_reports.py [--charge-points 5000] [--days 30]
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.listing import ListQuery
from ccms_app.core.migrations import upgrade_database
from ccms_app.maintenance.alarms.models import Alarm
from ccms_app.maintenance.reports.fault_report import fault_report_page
from ccms_app.maintenance.reports.filters import ReportFilter
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.rollup import BUDGET, GRACE, roll_up
from ccms_app.maintenance.reports.statistics import statistics
from ccms_app.maintenance.reports.uptime import (
    UptimeReport,
    exact_uptime_report,
    uptime_report,
)
from ccms_app.maintenance.work_orders.models import WorkOrder
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    Connector,
    OperationArea,
    Station,
    StatusEvent,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def seed(charge_points: int, days: int) -> tuple[int, int]:
    """Returns (organisation id, status events written)."""
    start = NOW - timedelta(days=days)
    with db.session_scope() as s:
        org = Organisation(name="Bench Operator")
        s.add(org)
        s.flush()
        org_id = org.id or 0
        areas = max(1, charge_points // 500)
        s.execute(
            insert(OperationArea),
            [
                {"organisation_id": org_id, "name": f"Area {i}", "created_at": NOW}
                for i in range(areas)
            ],
        )
        s.execute(
            insert(Station),
            [
                {"organisation_id": org_id, "area_id": 1 + i % areas, "name": f"Station {i}",
                 "opening_hours": "24/7" if i % 4 else "Mo-Sa 07:00-22:00", "created_at": NOW}
                for i in range(charge_points // 10)
            ],
        )  # fmt: skip
        s.execute(
            insert(ChargePoint),
            [
                {"organisation_id": org_id, "station_id": 1 + i // 10, "identity": f"CP{i:05d}",
                 "vendor": ("ABB", "KEBA", "Alpitronic")[i % 3], "model": f"M{i % 5}",
                 "max_power_w": 150_000 if i % 2 else 22_000, "registration_state": "registered",
                 "created_at": NOW - timedelta(days=400)}
                for i in range(charge_points)
            ],
        )  # fmt: skip
        s.execute(
            insert(Connector),
            [
                {"organisation_id": org_id, "charge_point_id": cp, "connector_id": c}
                for cp in range(1, charge_points + 1)
                for c in (1, 2)
            ],
        )
        written = 0
        for cp in range(1, charge_points + 1):
            rows, alarms, links = [], [], []
            for c in (1, 2):
                for day in range(days):
                    at = start + timedelta(days=day, hours=8 + (cp + c) % 10)
                    for minute, status in ((0, "Preparing"), (1, "Charging"), (50, "Finishing"),
                                           (52, "Available")):  # fmt: skip
                        rows.append(_status(cp, c, status, at + timedelta(minutes=minute)))
                    if (day + cp + c) % 15 == 0:
                        fault = at + timedelta(hours=3)
                        rows.append(_status(cp, c, "Faulted", fault))
                        rows.append(_status(cp, c, "Available", fault + timedelta(hours=1)))
                        alarms.append(
                            {"organisation_id": org_id, "charge_point_id": cp, "connector_id": c,
                             "cause": "connector_faulted", "severity": "major", "status": "closed",
                             "fault_started_at": fault, "first_raised_at": fault,
                             "last_raised_at": fault, "recovered_at": fault + timedelta(hours=1),
                             "closed_at": fault + timedelta(hours=1)}
                        )  # fmt: skip
            for month in range(0, days, 30):
                gone = start + timedelta(days=month, hours=2 + cp % 20)
                links.append({"charge_point_id": cp, "kind": "disconnected", "occurred_at": gone})
                links.append(
                    {"charge_point_id": cp, "kind": "connected",
                     "occurred_at": gone + timedelta(minutes=20)}
                )  # fmt: skip
            s.execute(insert(StatusEvent), rows)
            if alarms:
                s.execute(insert(Alarm), alarms)
                s.execute(
                    insert(WorkOrder),
                    [
                        {"organisation_id": org_id, "title": "Fault", "status": "closed",
                         "source": "rule", "charge_point_id": cp,
                         "station_id": 1 + (cp - 1) // 10, "description": "",
                         "created_at": a["fault_started_at"], "updated_at": a["closed_at"],
                         "resolved_at": a["closed_at"], "closed_at": a["closed_at"],
                         "resolution": "", "priority": "medium", "time_spent_min": 30}
                        for a in alarms
                    ],
                )  # fmt: skip
            s.execute(insert(ChargePointEvent), links)
            written += len(rows)
    return org_id, written


def _status(cp: int, connector: int, status: str, at: datetime) -> dict[str, object]:
    return {
        "charge_point_id": cp,
        "connector_id": connector,
        "status": status,
        "error_code": "GroundFailure" if status == "Faulted" else "NoError",
        "vendor_error_code": "",
        "vendor_id": "",
        "info": "",
        "timestamp": at,
        "received_at": at,
    }


def _seconds(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def _roll_up_all() -> None:
    """The roll-up job's runs until every connector has its 367 days."""
    began = time.perf_counter()
    runs, written, first = 0, 0, 0.0
    while True:
        start = time.perf_counter()
        done = roll_up(NOW + GRACE, budget=BUDGET)  # the job's first run after midnight
        runs, written = runs + 1, written + done.written
        slowest = max(first, time.perf_counter() - start)
        first = slowest
        if not done.remaining:
            break
    total = time.perf_counter() - began
    with db.read_session() as s:
        rows = s.execute(select(func.count()).select_from(UptimeDay)).scalar()
    print(
        f"roll-up: {runs} runs of <= {BUDGET:,} connector-days, {written:,} rows in {total:.1f} s "
        f"(slowest run {first:.2f} s); uptime_day holds {rows:,} rows"
    )


def timed(label: str, call: Callable[[], object]) -> object:
    began = time.perf_counter()
    result = call()
    print(f"{label:<44} {time.perf_counter() - began:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charge-points", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="profile the whole uptime report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        db.set_engine(db.make_engine(url))
        began = time.perf_counter()
        org_id, events = seed(args.charge_points, args.days)
        print(
            f"seeded {args.charge_points:,} charge points, {2 * args.charge_points:,} connectors, "
            f"{events:,} status events in {time.perf_counter() - began:.1f} s"
        )
        scope = frozenset({org_id})
        report = ReportFilter()
        timed("statistics (counts, causes, MTTR/MTBF)", lambda: statistics(report, scope, NOW))
        exact = timed(
            "uptime, whole network, old path (history)",
            lambda: exact_uptime_report(report, scope, NOW),
        )
        _roll_up_all()
        began = time.perf_counter()
        found = uptime_report(report, scope, NOW)
        rolled = time.perf_counter() - began
        print(f"{'uptime, whole network, roll-up path':<44} {rolled:8.3f} s")
        assert isinstance(found, UptimeReport) and isinstance(exact, UptimeReport)
        assert found == exact, "the roll-up path must equal the exact computation"
        old = _seconds(lambda: exact_uptime_report(report, scope, NOW))
        print(f"{'uptime, whole network, old path again':<44} {old:8.3f} s")
        print(f"  ratio old / roll-up: {old / rolled:.1f}x (figures equal)")
        average = float(found.nevi_average or 0)
        print(f"  {len(found.ports):,} connectors, NEVI average {average:.3f} %")
        one = ReportFilter(station_id=1)
        timed("uptime report, one station", lambda: uptime_report(one, scope, NOW))
        if args.profile:
            cProfile.runctx(
                "uptime_report(report, scope, NOW)", globals(), locals(), sort="cumtime"
            )
        timed(
            "fault repair report, first page",
            lambda: fault_report_page(ListQuery(sort="created_at", descending=True), report, scope),
        )


if __name__ == "__main__":
    main()
