"""The event history (maintenance.events.EVENT_HISTORY, a UNION ALL of status_event,
charge_point_event and security_event) at 100,000+ events against a 1,000-event baseline.

Seeds a migrated temporary SQLite database with bulk inserts: 1,000 charge points (10 per
station, an operator and a sub-operator), then N status events (10 % Faulted with an error
code), N/5 charge point events and N/50 security events over the last 30 days. Runs what an
operator does through the real `listing.fetch_page` / `fetch_after` / `export_csv`: first
page newest first, the operator's scope, a one-day date range, one charge point, one kind,
one error code, sort by station, a deep page, keyset page 2, the count; each at both sizes.
The ratio shows how each scales (near 1: an index does the work). `--plans` prints SQLite's
query plan of the first page.

    .venv/bin/python bench/event_history.py [--rows 100000] [--baseline 1000] [--repeat 5] [--plans]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core import db, listing
from ccms_app.core.listing import ListQuery
from ccms_app.core.migrations import upgrade_database
from ccms_app.maintenance.events import EVENT_HISTORY, DateRange
from ccms_app.network.models import (
    ChargePoint,
    ChargePointEvent,
    SecurityEvent,
    Station,
    StatusEvent,
)

CHARGE_POINTS = 1000
BATCH = 5000
STATUSES = ("Available", "Preparing", "Charging", "Finishing", "Faulted")
ERRORS = ("GroundFailure", "HighTemperature", "OverCurrentFailure", "PowerMeterFailure")
NOW = datetime.now(UTC).replace(microsecond=0)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])


def seed(engine: Engine, n: int) -> tuple[int, int]:
    rnd = random.Random(14)
    with engine.begin() as conn:
        operator = conn.execute(insert(Organisation).values(name="Op", created_at=NOW)).lastrowid
        partner = conn.execute(
            insert(Organisation).values(name="Partner", parent_id=operator, created_at=NOW)
        ).lastrowid
    orgs = (operator, partner)
    stations = CHARGE_POINTS // 10
    _insert(
        engine,
        Station,
        [
            {
                "id": i + 1,
                "organisation_id": orgs[i % 5 == 4],
                "name": f"Site {i:04d}",
                "created_at": NOW,
                "timezone": "UTC",
                "opening_hours": "24/7",
                "address": "",
            }
            for i in range(stations)
        ],
    )
    _insert(
        engine,
        ChargePoint,
        [
            {
                "id": i + 1,
                "organisation_id": orgs[(i // 10) % 5 == 4],
                "station_id": i // 10 + 1,
                "identity": f"CP-{i:05d}",
                "registration_state": "registered",
                "created_at": NOW,
            }
            for i in range(CHARGE_POINTS)
        ],
    )
    span = int(timedelta(days=30).total_seconds())

    def at() -> datetime:
        return NOW - timedelta(seconds=rnd.randrange(span))

    statuses = []
    for _ in range(n):
        status = rnd.choice(STATUSES)
        when = at()
        statuses.append(
            {
                "charge_point_id": rnd.randrange(CHARGE_POINTS) + 1,
                "connector_id": rnd.randrange(3),
                "status": status,
                "error_code": rnd.choice(ERRORS) if status == "Faulted" else "NoError",
                "vendor_error_code": "",
                "vendor_id": "",
                "info": "",
                "timestamp": when,
                "received_at": when,
            }
        )
    _insert(engine, StatusEvent, statuses)
    kinds = ("connected", "disconnected", "boot", "firmware", "diagnostics")
    _insert(
        engine,
        ChargePointEvent,
        [
            {
                "charge_point_id": rnd.randrange(CHARGE_POINTS) + 1,
                "kind": rnd.choice(kinds),
                "detail": "",
                "occurred_at": at(),
            }
            for _ in range(n // 5)
        ],
    )
    _insert(
        engine,
        SecurityEvent,
        [
            {
                "identity": f"CP-{rnd.randrange(CHARGE_POINTS * 2):05d}",
                "remote_address": "10.0.0.1",
                "kind": "auth_failed",
                "detail": "wrong password",
                "created_at": at(),
            }
            for _ in range(max(1, n // 50))
        ],
    )
    return operator, partner


def operations(operator: int, partner: int) -> dict[str, Callable[[], Any]]:
    scope_all, scope_partner = None, [partner]
    newest = ListQuery(sort="occurred_at", descending=True, page_size=25)

    def page(query: ListQuery, scope: Any = scope_all) -> Callable[[], Any]:
        return lambda: listing.fetch_page(EVENT_HISTORY, query, scope)

    def with_filters(**filters: Any) -> ListQuery:
        return ListQuery(sort="occurred_at", descending=True, page_size=25, filters=filters)

    day = DateRange(NOW - timedelta(days=3), NOW - timedelta(days=2))
    first_keys: dict[str, Any] = {}

    def keyset_page_2() -> Any:
        if "after" not in first_keys:
            first_keys["after"] = listing.fetch_after(EVENT_HISTORY, newest, None, None)[1]
        return listing.fetch_after(EVENT_HISTORY, newest, None, first_keys["after"])

    return {
        "first page, newest first": page(newest),
        "first page, sub-operator scope": page(newest, scope_partner),
        "one day (date range)": page(with_filters(occurred_at=day)),
        "one charge point": page(with_filters(charge_point_id=17)),
        "kind = boot": page(with_filters(kind="boot")),
        "error code = GroundFailure": page(with_filters(error_code="GroundFailure")),
        "sort by station": page(ListQuery(sort="station_name", page_size=25)),
        "page 200 (offset)": page(ListQuery(sort="occurred_at", descending=True, page=200)),
        "keyset page 2 (no count)": keyset_page_2,
        "count only": lambda: listing.count_rows(EVENT_HISTORY, newest, None),
    }


def measure(rows: int, repeat: int, plans: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'events.db'}"
        upgrade_database(url)
        engine = db.make_engine(url)
        db.set_engine(engine)
        started = time.perf_counter()
        operator, partner = seed(engine, rows)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(
            f"seeded {rows:,} status events (+{rows // 5:,} charge point, "
            f"{max(1, rows // 50):,} security) in {time.perf_counter() - started:.1f} s"
        )
        if plans:
            statement = listing._ordered(
                EVENT_HISTORY,
                listing._labelled(EVENT_HISTORY, EVENT_HISTORY.base()),
                ListQuery(sort="occurred_at", descending=True),
            ).limit(25)
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            with engine.connect() as conn:
                for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")):
                    print("   ", row[-1])
        figures = {}
        for name, run in operations(operator, partner).items():
            run()  # warm
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                run()
                times.append((time.perf_counter() - t0) * 1000)
            figures[name] = statistics.median(times)
        db.set_engine(None)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    base = measure(args.baseline, args.repeat, False)
    big = measure(args.rows, args.repeat, args.plans)
    print(f"\n{'operation':34} {args.baseline:>10,} {args.rows:>10,}   ratio  (median ms)")
    for name in big:
        ratio = big[name] / base[name] if base[name] else float("inf")
        print(f"{name:34} {base[name]:10.1f} {big[name]:10.1f} {ratio:7.1f}")


if __name__ == "__main__":
    main()
