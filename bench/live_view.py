"""What the live publisher builds and pushes per batch of events, Home vs Live Monitoring.

Seeds a migrated temporary SQLite database with N charge points (10 per station, 2
connectors each; 10 % offline, 2 % faulted, 0.1 % unregistered; a quarter charging, with
live power) and times, per push to one organisation (median of --repeat):

- Live: the whole network snapshot + display rows (what Live Monitoring still receives, and
  what every Home tab received before Home got its own state);
- Home: the counts-only summary + display rows (aggregate queries, the first 5 warnings);
- Home tally: the same summary kept up to date from a batch that changed 50 charge points
  (`monitoring.home_tally`: re-reads those 50 only), what the publisher now does per batch;
- Live page: what one Live Monitoring tab re-reads and receives now (one page of 25 rows:
  plain, filtered to the faulted ones, sorted by last seen);

and the size of each push as JSON (the state delta Reflex sends: every field of the state,
since the publisher rewrites them all). The last lines give the publisher's work per batch
for an organisation with no tab open (before: a full snapshot, for ever once any tab had
looked; now: nothing) and with only Home tabs open.

    .venv/bin/python bench/live_view.py [--n 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.listing import ListQuery
from ccms_app.core.migrations import upgrade_database
from ccms_app.monitoring.home_summary import load_home_summary
from ccms_app.monitoring.home_tally import HomeTally
from ccms_app.monitoring.live_list import load_page
from ccms_app.monitoring.snapshot import load_snapshot
from ccms_app.monitoring.view import build_home_view, build_view
from ccms_app.network.models import ChargePoint, Connector, Station

BATCH = 5000
PER_STATION = 10
BATCH_CHANGED = 50  # charge points one batch of events touched, for the Home tally


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start : start + BATCH])


def seed(engine: Engine, n: int) -> int:
    """n charge points of one operator; returns the organisation id."""
    rnd = random.Random(8)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        org = int(conn.execute(insert(Organisation).values(name="Bench", created_at=now)).lastrowid)
    stations = max(1, n // PER_STATION)
    _insert(
        engine,
        Station,
        [
            {"id": i + 1, "organisation_id": org, "name": f"Site {i:05d}", "created_at": now}
            | {"timezone": "Europe/Amsterdam", "address": "", "opening_hours": "24/7"}
            for i in range(stations)
        ],
    )
    _insert(engine, ChargePoint, [_charge_point(rnd, i, org, stations, now) for i in range(n)])
    _insert(engine, Connector, [_connector(rnd, i, c, org) for i in range(n) for c in (1, 2)])
    _insert(engine, ChargingSession, [_session(rnd, i, org, now) for i in range(0, n, 4)])
    return org


def _charge_point(
    rnd: random.Random, i: int, org: int, stations: int, now: datetime
) -> dict[str, Any]:
    known = i % 1000 != 999
    return {
        "id": i + 1,
        "organisation_id": org,
        "station_id": min(stations, i // PER_STATION + 1) if known else None,
        "identity": f"CP-{i:06d}",
        "registration_state": "registered" if known else "unregistered",
        "is_online": rnd.random() > 0.1,
        "status": "Faulted" if rnd.random() < 0.02 else "Available",
        "error_code": "NoError",
        "last_seen_at": now - timedelta(seconds=rnd.randint(0, 900)),
        "created_at": now,
    }


def _connector(rnd: random.Random, i: int, c: int, org: int) -> dict[str, Any]:
    charging = i % 4 == 0 and c == 1
    return {
        "organisation_id": org,
        "charge_point_id": i + 1,
        "connector_id": c,
        "status": "Charging" if charging else rnd.choice(("Available", "Preparing", "Finishing")),
        "error_code": "NoError",
    }


def _session(rnd: random.Random, i: int, org: int, now: datetime) -> dict[str, Any]:
    return {
        "organisation_id": org,
        "charge_point_id": i + 1,
        "connector_id": 1,
        "id_tag": f"TAG-{i:06d}",
        "status": "active",
        "start_time": now - timedelta(minutes=rnd.randint(1, 600)),
        "meter_start_wh": 0,
        "energy_wh": rnd.randint(100, 60000),
        "power_w": float(rnd.randint(3000, 22000)),
    }


PAGES = {
    "Live page (25 rows)": ListQuery(),
    "Live page, faulted": ListQuery(filters={"faulted": True}),
    "Live page, by last seen": ListQuery(sort="last_seen_at", descending=True, page=3),
}


@dataclasses.dataclass
class _PageDelta:
    """What a Live Monitoring tab receives when its page changed: its rows."""

    charge_points: list[Any]


def _push_json(view: Any) -> bytes:
    """The delta of one push: every field of the view, as the browser receives it."""
    return json.dumps(dataclasses.asdict(view), separators=(",", ":")).encode()


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'live.db'}"
        upgrade_database(url)
        engine = db.make_engine(url)
        org = seed(engine, n)
        db.set_engine(engine)
        scope = {org}
        load_live = lambda: load_snapshot(scope)  # noqa: E731
        build_live = lambda: build_view(load_live())  # noqa: E731
        load_home = lambda: load_home_summary(scope)  # noqa: E731
        build_home = lambda: build_home_view(load_home())  # noqa: E731
        live_bytes = len(_push_json(build_live()))
        home_bytes = len(_push_json(build_home()))
        figures = {
            "Live (full snapshot)": (
                _median_ms(load_live, repeat),
                _median_ms(build_live, repeat),
                live_bytes,
            ),
            "Home (counts only)": (
                _median_ms(load_home, repeat),
                _median_ms(build_home, repeat),
                home_bytes,
            ),
        }
        figures["Home tally (50 changed)"], tally_build = _tally_figures(scope, n, repeat)
        for name, query in PAGES.items():
            page = lambda q=query: load_page(q, scope)  # noqa: E731
            size = len(_push_json(_PageDelta(page().rows)))
            figures[name] = (_median_ms(page, repeat), _median_ms(page, repeat), size)
        engine.dispose()
    _report(n, figures)
    _report_tally(figures, tally_build)


def _tally_figures(scope: set[int], n: int, repeat: int) -> tuple[tuple[float, float, int], float]:
    """Per batch of BATCH_CHANGED changed charge points (other ones each time): the tally's
    read and summary, with and without the display rows; and its full build (once per watch)."""
    rnd = random.Random(50)
    started = time.perf_counter()
    tally = HomeTally.full(frozenset(scope), datetime.now(UTC))
    build_ms = (time.perf_counter() - started) * 1000

    def batch() -> Any:
        tally.apply(rnd.sample(range(1, n + 1), min(n, BATCH_CHANGED)))
        return tally.summary(datetime.now(UTC))

    size = len(_push_json(build_home_view(batch())))
    built = lambda: build_home_view(batch())  # noqa: E731
    return (_median_ms(batch, repeat), _median_ms(built, repeat), size), build_ms


def _report_tally(figures: dict[str, tuple[float, float, int]], build_ms: float) -> None:
    (home_read, _, _) = figures["Home (counts only)"]
    (tally_read, _, _) = figures["Home tally (50 changed)"]
    print(
        f"Home per batch changing {BATCH_CHANGED} charge points: before {home_read:.1f} ms "
        f"(load_home_summary), now {tally_read:.1f} ms (tally) = {home_read / tally_read:.1f}x "
        f"less; the tally's full build {build_ms:.1f} ms (once per watch, day, edit, 5 min)"
    )


def _report(n: int, figures: dict[str, tuple[float, float, int]]) -> None:
    print(f"\n{n:,} charge points, one organisation, per push (median)")
    print(f"{'view':<24}{'read ms':>10}{'read+rows ms':>14}{'push bytes':>14}")
    for name, (read, built, size) in figures.items():
        print(f"{name:<24}{read:>10.1f}{built:>14.1f}{size:>14,}")
    (_, live_built, live_size), (_, home_built, home_size), *_ = figures.values()
    print(
        f"Home push: {live_size / home_size:,.0f}x smaller, "
        f"{live_built / home_built:.1f}x less CPU than the full snapshot it used to receive"
    )
    print(
        "publisher work per batch, organisation with no tab open: "
        f"before {live_built:.1f} ms (full snapshot, watched for ever), now 0 ms (not built)"
    )
    print(
        "publisher work per batch, only Home tabs open: "
        f"before {live_built:.1f} ms, now {home_built:.1f} ms"
    )
    _, page_built, page_size = figures["Live page (25 rows)"]
    print(
        f"Live Monitoring tab, per push: before {live_size:,} bytes / {live_built:.1f} ms per "
        f"organisation; now {page_size:,} bytes / {page_built:.1f} ms per tab whose page changed "
        f"({live_size / page_size:,.0f}x smaller)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    measure(args.n, args.repeat)


if __name__ == "__main__":
    main()
