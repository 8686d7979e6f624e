"""Server-side lists at 100,000 rows, their CSV exports, and a 10,000-row CSV import.

Seeds a migrated temporary SQLite database with bulk inserts (executemany, not the ORM one by
one): N charge points (10 per station, 2 connectors each, 0.1 % unregistered), N drivers with
one id tag each, N/100 user groups, N/2 vehicles and N/1000 operation areas, spread over an
operator and a sub-operator. Then, for every list (each ListSpec in CCMS), runs
what an operator does on the page through the real `listing.fetch_page`: first page in the
default sort, substring search, each of two filters with its commonest and its rarest value,
sort by another column, a deep page, the count alone. The same operations on a 1,000-row
database are the baseline: the ratio shows how each scales (near 1: an index does the work;
near 100: every row is visited). "whole table in Python" loads the list into Python and
filters there, what the lists must never do. `--plans` prints SQLite's query plan of each
operation, `--exports` times every list's whole CSV export. Finally it imports a 10,000-row
charge point CSV into the big database (check, create, re-import unchanged, update all).

    .venv/bin/python bench/lists_100k.py [--rows 100000] [--baseline 1000] [--repeat 5]
                                         [--plans] [--exports] [--import-rows 10000]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.core import db, listing
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.core.migrations import upgrade_database
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember, Vehicle
from ccms_app.network import csv_import as asset_import
from ccms_app.network.models import ChargePoint, Connector, OperationArea, Station

VENDORS = ("ABB", "Alfen", "Wallbox", "Kempower", "Ekoenergetyka", "Zaptec", "Easee", "Delta")
CITIES = ("Utrecht", "Gent", "Lyon", "Bremen", "Aarhus", "Porto", "Graz", "Brno", "Turku")
STATUSES = ("Available", "Charging", "Faulted", "Unavailable", "Preparing")
FIRST = ("Anna", "Ben", "Chloé", "David", "Eva", "Finn", "Greta", "Hugo", "Ines", "Jonas")
LAST = ("Jansen", "Peeters", "Martin", "Müller", "Nielsen", "Silva", "Novak", "Virtanen")
BATCH = 5000
Figures = dict[tuple[str, str], float]
STATIONS_PER_CP = 10
UNKNOWN_EVERY = 1000  # one charge point in 1,000 is unregistered
DRIVERS_PER_GROUP = 100


# ---- seeding -------------------------------------------------------------------------------


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])


def seed(engine: Engine, n: int) -> tuple[int, int]:
    """n charge points (+ n/10 stations, 2n connectors) and n drivers with an id tag each."""
    rnd = random.Random(42)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        operator = conn.execute(
            insert(Organisation).values(name="Bench Operator", created_at=now)
        ).lastrowid
        partner = conn.execute(
            insert(Organisation).values(name="Bench Partner", parent_id=operator, created_at=now)
        ).lastrowid
    orgs = (operator, partner)
    stations = max(1, n // STATIONS_PER_CP)
    areas = max(1, n // 1000)
    _insert(
        engine,
        OperationArea,
        [
            {"id": i + 1, "organisation_id": orgs[0], "name": f"Area {i:04d}", "created_at": now}
            for i in range(areas)
        ],
    )
    _insert(
        engine,
        Station,
        [
            {
                "id": i + 1,
                "organisation_id": orgs[i % 5 == 4],
                "area_id": i % areas + 1,
                "name": f"{rnd.choice(CITIES)} site {i:06d}",
                "address": f"Street {i}, {rnd.choice(CITIES)}",
                "timezone": "Europe/Amsterdam",
                "opening_hours": "24/7",
                "created_at": now,
            }
            for i in range(stations)
        ],
    )
    _insert(engine, ChargePoint, [_charge_point(rnd, i, orgs, stations, now) for i in range(n)])
    _insert(
        engine,
        Connector,
        [
            {
                "organisation_id": orgs[(i // STATIONS_PER_CP) % 5 == 4],
                "charge_point_id": i + 1,
                "connector_id": c,
                "connector_type": "Type2",
                "max_power_w": 22000,
                "status": rnd.choice(STATUSES),
                "error_code": "NoError",
                "vendor_error_code": "",
                "info": "",
            }
            for i in range(n)
            for c in (1, 2)
        ],
    )
    _seed_drivers(engine, rnd, n, orgs, now)
    return operator, partner


def _charge_point(
    rnd: random.Random, i: int, orgs: tuple[int, int], stations: int, now: datetime
) -> dict[str, Any]:
    station = min(stations, i // STATIONS_PER_CP + 1)
    dc = rnd.random() < 0.2
    known = i % UNKNOWN_EVERY != UNKNOWN_EVERY - 1  # a few booted unknown, not registered yet
    return {
        "id": i + 1,
        "organisation_id": orgs[(station - 1) % 5 == 4],
        "station_id": station if known else None,
        "identity": f"CP-{i:06d}",
        "vendor": rnd.choice(VENDORS),
        "model": f"M{rnd.randint(1, 40)}",
        "serial_number": f"SN{rnd.randint(0, 10**9):09d}",
        "firmware_version": f"{rnd.randint(1, 5)}.{rnd.randint(0, 9)}",
        "max_power_w": 150000 if dc else 22000,
        "charging_method": "DC" if dc else "AC",
        "phases": None if dc else 3,
        "enabled": rnd.random() > 0.05,
        "registration_state": "registered" if known else "unregistered",
        "is_online": rnd.random() > 0.1,
        "status": rnd.choice(STATUSES),
        "error_code": "NoError",
        "created_at": now,
    }


def _seed_drivers(
    engine: Engine, rnd: random.Random, n: int, orgs: tuple[int, int], now: datetime
) -> None:
    _insert(
        engine,
        Driver,
        [
            {
                "id": i + 1,
                "organisation_id": orgs[i % 5 == 4],
                "name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {i}",
                "email": f"driver{i}@example.com",
                "phone": f"+31 6 {i:08d}",
                "status": "active" if rnd.random() > 0.03 else "suspended",
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    _insert(
        engine,
        IdTag,
        [
            {
                "organisation_id": orgs[i % 5 == 4],
                "id_tag": f"{rnd.getrandbits(56):014X}",
                "status": "active" if rnd.random() > 0.05 else "blocked",
                "driver_id": i + 1,
                "description": "",
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    _seed_groups_and_vehicles(engine, n, orgs, now)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _seed_groups_and_vehicles(engine: Engine, n: int, orgs: tuple[int, int], now: datetime) -> None:
    """n/100 user groups (every 10th driver a member), a vehicle for every other driver."""
    groups = max(1, n // DRIVERS_PER_GROUP)
    _insert(
        engine,
        UserGroup,
        [
            {
                "id": g + 1,
                "organisation_id": orgs[g % 5 == 4],
                "name": f"Fleet {g:05d}",
                "account_name": f"Company {g}",
                "billing_email": f"fleet{g}@example.com",
                "price_per_kwh_minor": 25 + g % 10,
                "currency": "EUR",
                "created_at": now,
            }
            for g in range(groups)
        ],
    )
    _insert(
        engine,
        UserGroupMember,
        [
            {
                "group_id": (i // 10) % groups + 1,
                "driver_id": i + 1,
                "authorised": True,
                "created_at": now,
            }
            for i in range(0, n, 10)
        ],
    )
    _insert(
        engine,
        Vehicle,
        [
            {
                "organisation_id": orgs[i % 5 == 4],
                "driver_id": i + 1,
                "make": "Volkswagen",
                "model": f"ID.{i % 7 + 1}",
                "battery_capacity_wh": 58000 + i % 5 * 10000,
                "licence_plate": f"B-{i:06d}",
                "created_at": now,
            }
            for i in range(0, n, 2)
        ],
    )


# ---- the lists and the operations ----------------------------------------------------------


def discover_specs() -> dict[str, ListSpec]:
    """Every ListSpec defined at module level in CCMS's use case modules (each list's spec)."""
    import ccms_app

    found: dict[str, ListSpec] = {}
    for module_info in pkgutil.walk_packages(ccms_app.__path__, "ccms_app."):
        if module_info.name in ("ccms_app.ccms_app", "ccms_app.cli"):
            continue
        for value in vars(importlib.import_module(module_info.name)).values():
            if isinstance(value, ListSpec):
                found.setdefault(value.name, value)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Operation:
    name: str
    query: ListQuery


def operations(spec: ListSpec, scope: set[int], rows: int) -> list[Operation]:
    """What an operator does on the list, with search and filter values taken from the data."""
    ops = [Operation("first page", ListQuery())]
    sample = listing.fetch_page(spec, ListQuery(page=2, page_size=100), scope).rows
    sample = sample or listing.fetch_page(spec, ListQuery(page_size=100), scope).rows
    searchable = [c for c in spec.columns if c.searchable]
    if searchable and sample:
        value = str(sample[len(sample) // 2].get(searchable[0].key) or "")
        term = value[len(value) // 2 - 2 : len(value) // 2 + 2] or value
        ops.append(Operation("search", ListQuery(search=term)))
    for column in [c for c in spec.columns if c.filterable][:2]:
        values = _value_counts(spec, column.key, scope)
        if values:
            ops.append(
                Operation(f"filter {column.key} (commonest)", _filter(column.key, values[-1]))
            )
        if len(values) > 1:
            ops.append(Operation(f"filter {column.key} (rarest)", _filter(column.key, values[0])))
    other = [c for c in spec.columns if c.sortable and c.key != spec.default_sort]
    if other:
        key = other[min(2, len(other) - 1)].key
        ops.append(Operation(f"sort {key} desc", ListQuery(sort=key, descending=True)))
    ops.append(Operation("deep page", ListQuery(page=max(1, rows // 25 - 2))))
    return ops


def _filter(key: str, value: Any) -> ListQuery:
    return ListQuery(filters={key: value})


def _value_counts(spec: ListSpec, key: str, scope: set[int]) -> list[Any]:
    """The column's non-empty values in the operator's scope, rarest first."""
    expression = spec.column(key).expression
    statement = (
        spec.base()
        .where(spec.organisation_column.in_(scope))
        .with_only_columns(expression.label("value"), func.count().label("n"))
        .group_by(expression)
        .order_by(func.count(), expression)
    )
    with db.read_session() as session:
        rows = session.execute(statement).all()
    return [value for value, _ in rows if value not in (None, "")]


def _time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time in ms of `repeat` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _count_only(spec: ListSpec, scope: set[int]) -> int:
    return listing.fetch_page(spec, ListQuery(page_size=1), scope).total


def _python_filter(spec: ListSpec, term: str, scope: set[int]) -> int:
    """What a list must never do: load every row into Python, then filter there."""
    with db.read_session() as session:
        rows = session.execute(listing._labelled(spec, spec.base())).mappings().all()
    keys = [c.key for c in spec.columns if c.searchable]
    return sum(1 for row in rows if any(term in str(row[k] or "").lower() for k in keys))


def measure(engine: Engine, scope: set[int], rows: int, repeat: int, plans: bool) -> Figures:
    """(list, operation) -> median ms, on `engine`'s database."""
    db.set_engine(engine)
    figures: Figures = {}
    for name, spec in discover_specs().items():
        for op in operations(spec, scope, rows):
            figures[(name, op.name)] = _time(
                lambda spec=spec, op=op: listing.fetch_page(spec, op.query, scope), repeat
            )
            if plans:
                _print_plan(spec, op, scope)
        figures[(name, "count only")] = _time(lambda spec=spec: _count_only(spec, scope), repeat)
        figures[(name, "whole table in Python")] = _time(
            lambda spec=spec: _python_filter(spec, "ab", scope), max(1, repeat // 2)
        )
    return figures


def _print_plan(spec: ListSpec, op: Operation, scope: set[int]) -> None:
    statement = listing._ordered(
        spec, listing._labelled(spec, listing._filtered(spec, op.query, scope)), op.query
    ).limit(25)
    compiled = statement.compile(
        dialect=db.get_engine().dialect, compile_kwargs={"literal_binds": True}
    )
    with db.read_session() as session:
        plan = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    print(f"  plan {spec.name} / {op.name}: " + " | ".join(row[-1] for row in plan))


def _charge_point_csv(engine: Engine, organisation_id: int, rows: int, power: int) -> bytes:
    """A `rows`-line charge point CSV at the operator's seeded stations (';', CRLF, BOM)."""
    with engine.connect() as conn:
        names = (
            conn.execute(
                select(Station.name).where(Station.organisation_id == organisation_id).limit(rows)
            )
            .scalars()
            .all()
        )
    lines = ["identity;station;vendor;model;charging_method;phases;max_power_kw;connectors"]
    lines += [
        f"IMP-{i:06d};{names[i % len(names)]};Alfen;Eve Double;AC;3;{power};"
        f"1:Type2:{power}|2:Type2:{power}"
        for i in range(rows)
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def bench_import(engine: Engine, organisation_id: int, rows: int) -> None:
    """Check and apply a `rows`-line charge point CSV, re-import it, then change every row."""
    db.set_engine(engine)
    data = _charge_point_csv(engine, organisation_id, rows, 22)
    changed = _charge_point_csv(engine, organisation_id, rows, 11)
    print(f"\nimport of {rows:,} charge points ({len(data) / 1024 / 1024:.1f} MB CSV)")
    steps = (
        ("check (dry run)", asset_import.check_import, data),
        ("apply: create", asset_import.apply_import, data),
        ("apply again: unchanged", asset_import.apply_import, data),
        ("apply: update every row", asset_import.apply_import, changed),
    )
    for label, run, payload in steps:
        started = time.perf_counter()
        report = run([asset_import.ImportFile("bench.csv", payload)], organisation_id)
        took = time.perf_counter() - started
        summary = report.summaries[0]
        print(
            f"  {label:<26}{took:>7.2f} s  ({rows / took:,.0f} rows/s; created "
            f"{summary.created:,}, updated {summary.updated:,}, unchanged {summary.unchanged:,}, "
            f"errors {report.error_count})"
        )


def bench_exports(engine: Engine, scope: set[int]) -> None:
    """Each list's whole CSV export (what "Export CSV" hands to rx.download): time and size."""
    db.set_engine(engine)
    print("\nCSV export of every row (listing.export_csv, the list states' export)")
    for name, spec in discover_specs().items():
        started = time.perf_counter()
        text = listing.export_csv(spec, ListQuery(), scope)
        took = time.perf_counter() - started
        size = len(text.encode()) / 1024 / 1024
        print(f"  {name:<30}{text.count(chr(10)) - 1:>9,} rows {size:>6.1f} MB {took:>7.2f} s")


def _report(small: Figures, big: Figures, sizes: tuple[int, int]) -> None:
    print(f"\n{'list / operation':<62}{sizes[0]:>10,} rows{sizes[1]:>12,} rows{'ratio':>8}")
    for key, big_ms in big.items():
        small_ms = small.get(key)
        ratio = f"{big_ms / small_ms:>7.1f}x" if small_ms else ""
        small_text = f"{small_ms:>10.2f} ms" if small_ms is not None else " " * 13
        print(f"{key[0] + ' / ' + key[1]:<62}{small_text}{big_ms:>13.2f} ms{ratio}")


def _prepare(tmp: Path, size: int) -> tuple[Engine, set[int]]:
    url = f"sqlite:///{tmp / f'lists-{size}.db'}"
    upgrade_database(url)
    engine = db.make_engine(url)
    started = time.perf_counter()
    orgs = seed(engine, size)
    took = time.perf_counter() - started
    print(f"seeded {size:,} charge points + {size:,} drivers / id tags in {took:.1f} s")
    return engine, set(orgs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--exports", action="store_true", help="time every list's CSV export")
    args = parser.parse_args()
    print("lists:", ", ".join(discover_specs()))
    with tempfile.TemporaryDirectory() as tmp:
        small_engine, small_scope = _prepare(Path(tmp), args.baseline)
        big_engine, big_scope = _prepare(Path(tmp), args.rows)
        small = measure(small_engine, small_scope, args.baseline, args.repeat, False)
        big = measure(big_engine, big_scope, args.rows, args.repeat, args.plans)
        _report(small, big, (args.baseline, args.rows))
        if args.exports:
            bench_exports(big_engine, big_scope)
        if args.import_rows:
            bench_import(big_engine, min(big_scope), args.import_rows)
        db.set_engine(None)


if __name__ == "__main__":
    main()
