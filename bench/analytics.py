"""Analytics at network scale: the roll-up and every dashboard figure on 1,000,000 sessions.

Seeds (bench/_analytics_seed.py) a migrated SQLite database with three organisations, 20
areas, 1,000 stations in four time zones, 5,000 charge points, 1,000,000 ended sessions over
three years with their final costs and 10,000,000 register readings (all times --scale). Then:

- times `rollup.rebuild()` (seconds, rows written), adds 1,000 sessions, times a dashboard
  view before the job has seen them, then one `ChargingRollupJob().run()` and an idle run;
- times every dashboard and report figure (`analytics.figures`: the network by day / month /
  year, narrowed to a station, an area, a charge point, and per station / charge point for a
  month and a year; plus the page use cases in PAGE_USE_CASES that import), p50 / p95 over
  --repeat runs, each next to the same figures from the raw tables in the same run: the exact
  path (`raw_figures.raw_series`, the same spreading over hours from every session and
  reading; run --exact-repeat times, it is slow) and a naive GROUP BY over charging_session
  (orders, energy and amounts by stop time: what a page without roll-ups would do);
- says which views meet the aim (p95 under 300 ms) and whether the roll-up equals the exact
  raw computation ("equal: yes / no", every bucket of every view with an exact row).

Seeding ten million rows takes minutes: the database is cached in var/bench-analytics/ per
scale (sessions a run adds are removed when it is reused); --fresh seeds a temporary one.

    .venv/bin/python bench/analytics.py [--scale 1.0] [--repeat 20] [--exact all|narrowed|none]
        [--exact-repeat 1] [--db PATH] [--fresh] [--analyze] [--only NAME]
        [--profile-rebuild] [--profile NAME]
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `ccms_app` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from bench import _analytics_seed as seeding
from ccms_app import tables  # noqa: F401  (every table on the metadata)
from ccms_app.analytics.figures import Narrowing, Series, Totals, charging_by, charging_series
from ccms_app.analytics.models import ChargingHour, NetworkHour
from ccms_app.analytics.raw_figures import raw_series
from ccms_app.analytics.rollup import (
    ChargingRollupJob,
    ended_of,
    ended_sessions_query,
    rebuild,
    register_readings,
)
from ccms_app.analytics.rules.spread import HOUR, spread
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core import db
from ccms_app.core.display import time_zone
from ccms_app.core.migrations import upgrade_database
from ccms_app.finance.models import SessionCost
from ccms_app.finance.revenue import bucket_case, in_period
from ccms_app.finance.rules.revenue import Bucket, PeriodKind, buckets
from ccms_app.finance.wallets.holders import organisation_zone
from ccms_app.network.models import ChargePoint, Station

CACHE = Path(__file__).resolve().parents[1] / "var" / "bench-analytics"
AIM_MS = 300.0
NEW_SESSIONS = 1_000
KINDS = {"day": PeriodKind.DAYS, "month": PeriodKind.MONTHS, "year": PeriodKind.YEARS}


@dataclass(frozen=True)
class Network:
    """The seeded network as the views see it: the operator's scope and zone, fixed NOW."""

    seeded: seeding.Seeded
    organisations: frozenset[int]
    zone: str
    now: datetime

    def narrowing(self, **narrower: int) -> Narrowing:
        return Narrowing(organisations=self.organisations, **narrower)

    def within(self, kind: PeriodKind) -> tuple[Bucket, ...]:
        return buckets(kind, self.now, self.zone)

    def last_full(self, kind: PeriodKind) -> Bucket:
        """Last month / last year: the bucket before the current one."""
        return self.within(kind)[-2]


@dataclass(frozen=True)
class Case:
    """One timed row: a view (what a page calls), the same figures from the raw tables the
    exact way (compared with the view) and the naive way (timed only)."""

    name: str
    view: Callable[[], object]
    exact: Callable[[], object] | None = None
    naive: Callable[[], object] | None = None
    whole_network: bool = False  # its exact row reads every session: --exact narrowed skips it
    page: bool = False  # a page's use case: a failure is reported on its row, not fatal


@dataclass
class Measured:
    case: Case
    view_ms: list[float]
    naive_ms: list[float] = field(default_factory=list)
    exact_ms: list[float] = field(default_factory=list)
    equal: bool | None = None  # None: not compared
    failed: str = ""


# --- the figures from the raw tables ----------------------------------------------------------


def _narrowed_sessions(
    query: Select[*tuple[Any, ...]], narrowing: Narrowing
) -> Select[*tuple[Any, ...]]:
    """Sessions of the narrowing's organisations and area / station / charge point."""
    query = query.where(col(ChargingSession.organisation_id).in_(sorted(narrowing.organisations)))
    if narrowing.charge_point_id is not None:
        return query.where(col(ChargingSession.charge_point_id) == narrowing.charge_point_id)
    if narrowing.station_id is not None:
        points = select(col(ChargePoint.id)).where(
            col(ChargePoint.station_id) == narrowing.station_id
        )
        return query.where(col(ChargingSession.charge_point_id).in_(points))
    if narrowing.area_id is not None:
        points = (
            select(col(ChargePoint.id))
            .join(Station, col(Station.id) == col(ChargePoint.station_id))
            .where(col(Station.area_id) == narrowing.area_id)
        )
        return query.where(col(ChargingSession.charge_point_id).in_(points))
    return query


def _naive_values() -> list[Any]:
    """Orders, energy, charging time (µs) and amount incl. VAT of ended sessions, by stop."""
    start, stop = col(ChargingSession.start_time), col(ChargingSession.stop_time)
    return [
        func.count(),
        func.sum(col(ChargingSession.energy_wh)),
        func.sum((func.julianday(stop) - func.julianday(start)) * 86_400_000_000),
        func.sum(col(SessionCost.total_incl_minor)),
    ]


def _ended_with_costs() -> Select[*tuple[Any, ...]]:
    return (
        select()
        .select_from(ChargingSession)
        .outerjoin(SessionCost, col(SessionCost.session_id) == col(ChargingSession.id))
        .where(col(ChargingSession.status) == SessionStatus.COMPLETED.value)
    )


def naive_series(session: Session, narrowing: Narrowing, within: tuple[Bucket, ...]) -> list[Any]:
    """Per bucket and currency, a GROUP BY over the sessions that stopped in it: the whole
    session (energy, time, order, amount) in its stop bucket, unlike the roll-up."""
    stop = col(ChargingSession.stop_time)
    inner = (
        _narrowed_sessions(_ended_with_costs(), narrowing)
        .add_columns(
            bucket_case(stop, within).label("bucket"),
            col(SessionCost.currency).label("currency"),
            col(ChargingSession.start_time).label("start_time"),
            stop.label("stop_time"),
            col(ChargingSession.energy_wh).label("energy_wh"),
            col(SessionCost.total_incl_minor).label("incl"),
        )
        .where(*in_period(stop, within))
        .subquery()
    )
    duration = func.julianday(inner.c.stop_time) - func.julianday(inner.c.start_time)
    query = select(
        inner.c.bucket,
        inner.c.currency,
        func.count(),
        func.sum(inner.c.energy_wh),
        func.sum(duration * 86_400_000_000),
        func.sum(inner.c.incl),
    ).group_by(inner.c.bucket, inner.c.currency)
    return list(session.execute(query).all())


def naive_by(
    session: Session, narrowing: Narrowing, group: str, since: datetime, until: datetime
) -> list[Any]:
    """Per station / charge point, a GROUP BY over the sessions that stopped in the range."""
    stop = col(ChargingSession.stop_time)
    key: Any = col(ChargingSession.charge_point_id)
    query = _narrowed_sessions(_ended_with_costs(), narrowing)
    if group == "station":
        key = col(ChargePoint.station_id)
        query = query.join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
    query = (
        query.add_columns(key, col(SessionCost.currency), *_naive_values())
        .where(stop >= since, stop < until)
        .group_by(key, col(SessionCost.currency))
    )
    return list(session.execute(query).all())


def exact_by(
    session: Session,
    narrowing: Narrowing,
    group: str,
    since: datetime,
    until: datetime,
    now: datetime,
) -> dict[int | None, Totals]:
    """`figures.charging_by` from the sessions themselves (as raw_figures does for series):
    every session touching [since, until) spread over its hours, with its readings."""
    found: dict[int | None, Totals] = {}
    stations = {
        int(cp): None if station is None else int(station)
        for cp, station in session.execute(select(col(ChargePoint.id), col(ChargePoint.station_id)))
    }
    ended = ended_of(
        session.execute(
            _narrowed_sessions(ended_sessions_query(), narrowing).where(
                col(ChargingSession.start_time) < until,
                col(ChargingSession.stop_time) >= since - HOUR,
            )
        ).all()
    )
    readings = register_readings(session, ended)
    for s in ended:
        into = s.charge_point_id if group == "charge_point" else stations.get(s.charge_point_id)
        shares = spread(
            s.start,
            s.stop,
            s.energy_wh,
            readings.get(s.id, ()),
            s.amount_excl_minor,
            s.amount_incl_minor,
        )
        for share in shares:
            if since <= share.hour < until:
                found.setdefault(into, Totals()).add_share(share, s.currency)
    running = session.execute(
        _narrowed_sessions(
            select(
                col(ChargingSession.charge_point_id),
                col(ChargingSession.start_time),
                col(ChargingSession.energy_wh),
                col(ChargingSession.meter_updated_at),
            ),
            narrowing,
        ).where(col(ChargingSession.status) == SessionStatus.ACTIVE.value)
    ).all()
    for cp, start, energy, updated in running:
        into = int(cp) if group == "charge_point" else stations.get(int(cp))
        measured = [(updated, float(energy or 0))] if updated is not None else []
        for share in spread(start, max(now, start), int(energy or 0), measured, ended=False):
            if since <= share.hour < until:
                found.setdefault(into, Totals()).add_share(share, "")
    return found


# --- the cases -------------------------------------------------------------------------------


def _reading(work: Callable[[Session], object]) -> Callable[[], object]:
    """`work` in its own read session, as a page's handler runs it (asyncio.to_thread)."""

    def run() -> object:
        with db.read_session() as session:
            return work(session)

    return run


def series_case(network: Network, label: str, kind: PeriodKind, **narrower: int) -> Case:
    narrowing = network.narrowing(**narrower)
    now = network.now

    def view(session: Session) -> Series:
        zone = organisation_zone(session, network.seeded.operator_id)
        return charging_series(session, narrowing, buckets(kind, now, zone), now)

    return Case(
        name=f"charging_series {label}, by {kind.value[:-1]}",
        view=_reading(view),
        exact=_reading(lambda s: raw_series(s, narrowing, network.within(kind), now)),
        naive=_reading(lambda s: naive_series(s, narrowing, network.within(kind))),
        whole_network=narrowing.whole_network,
    )


def by_case(network: Network, group: str, kind: PeriodKind) -> Case:
    narrowing = network.narrowing()
    bucket = network.last_full(kind)
    since, until, now = bucket.start, bucket.end, network.now
    return Case(
        name=f"charging_by {group}, {kind.value[:-1]} {bucket.key}",
        view=_reading(lambda s: charging_by(s, narrowing, group, since, until, now)),
        exact=_reading(lambda s: exact_by(s, narrowing, group, since, until, now)),
        naive=_reading(lambda s: naive_by(s, narrowing, group, since, until)),
        whole_network=kind is PeriodKind.YEARS,
    )


def figure_cases(network: Network) -> list[Case]:
    """Every figure of analytics.figures the dashboards and reports call."""
    seeded = network.seeded
    cases = [series_case(network, "network", kind) for kind in KINDS.values()]
    narrowers = (
        ("station", {"station_id": seeded.busy_station_id}),
        ("area", {"area_id": seeded.busy_area_id}),
        ("charge point", {"charge_point_id": seeded.busy_charge_point_id}),
    )
    for label, narrower in narrowers:
        cases += [series_case(network, label, kind, **narrower) for kind in KINDS.values()]
    for group in ("station", "charge_point"):
        cases += [by_case(network, group, kind) for kind in (PeriodKind.MONTHS, PeriodKind.YEARS)]
    return cases


# The pages' own use cases, timed as more rows: (module, builder). A builder imports what it
# calls and returns its cases; a module not written yet (ImportError) is listed as skipped,
# and a call that fails (an API changed under the bench) is reported on its row.
CaseBuilder = Callable[[Network], list[Case]]


def _finance_revenue(network: Network) -> list[Case]:
    """Home's revenue tiles (finance.revenue: a GROUP BY over the final costs by stop)."""
    from ccms_app.finance.revenue import revenue_report

    def case(kind: PeriodKind) -> Case:
        orgs = sorted(network.organisations)
        within = network.within(kind)
        return Case(
            name=f"finance revenue_report, by {kind.value[:-1]}",
            view=_reading(lambda s: revenue_report(s, orgs, kind, network.zone, within)),
        )

    return [case(kind) for kind in KINDS.values()]


def _home(network: Network) -> list[Case]:
    """Home's figures: network size, power, the 24 h curve, today, this month, the series."""
    from ccms_app.accounts.roles import Caller
    from ccms_app.analytics.home_figures import home_figures

    operator = network.seeded.operator_id
    caller = Caller(1, operator, "bench@example.com", frozenset({"analytics:view"}))

    def case(name: str, kind: PeriodKind) -> Case:
        return Case(
            f"Home home_figures, by {name}", lambda: home_figures(caller, kind, network.now)
        )

    return [case(name, kind) for name, kind in KINDS.items()]


def _statistics(network: Network) -> list[Case]:
    """Statistics: counts, the charging section (series, month-on-month, rankings), the
    first page of its session list, work orders and faults."""
    from ccms_app.analytics.statistics import StatisticsFilter, maintenance_figures, this_month
    from ccms_app.analytics.statistics_network import network_counts
    from ccms_app.analytics.statistics_sessions import (
        DetailScope,
        charging_statistics,
        session_details_page,
        window_of,
    )
    from ccms_app.core.listing import ListQuery

    now, zone = network.now, network.zone
    month = window_of(*this_month(now, zone), zone)
    year = window_of(network.last_full(PeriodKind.YEARS).start.date(), now.date(), zone)
    station = network.narrowing(station_id=network.seeded.busy_station_id)
    whole = network.narrowing()
    scope = network.organisations

    def charging(label: str, narrowing: Narrowing, kind: PeriodKind, window: Any) -> Case:
        return Case(
            f"Statistics charging_statistics {label}",
            lambda: charging_statistics(narrowing, kind, window, zone, now),
        )

    return [
        Case("Statistics network_counts", lambda: network_counts(whole)),
        charging("this month by day", whole, PeriodKind.DAYS, month),
        charging("since last year by month", whole, PeriodKind.MONTHS, year),
        charging("station, since last year by month", station, PeriodKind.MONTHS, year),
        Case(
            "Statistics session_details_page, this month",
            lambda: session_details_page(ListQuery(), scope, DetailScope(whole, month, zone, now)),
        ),
        Case(
            "Statistics maintenance_figures, this month",
            lambda: maintenance_figures(
                StatisticsFilter(whole, PeriodKind.DAYS, month, zone), scope, now
            ),
        ),
    ]


def _analyses(network: Network) -> list[Case]:
    """Business analyses: cycle and year-on-year comparisons, power per station, usage."""
    from ccms_app.analytics.analyses import cycle_comparison, station_power, year_on_year
    from ccms_app.analytics.analyses_usage import usage_report

    scope, operator, now = network.organisations, network.seeded.operator_id, network.now
    month = network.within(PeriodKind.MONTHS)[-1]
    return [
        Case("Analyses cycle_comparison", lambda: cycle_comparison(scope, operator, None, now)),
        Case("Analyses year_on_year", lambda: year_on_year(scope, operator, None, now)),
        Case("Analyses station_power", lambda: station_power(scope)),
        Case(
            "Analyses usage_report, this month", lambda: usage_report(scope, month.start, now, now)
        ),
    ]


def _reports(network: Network) -> list[Case]:
    """Reports: the sessions summary and detail, charged energy, station availability, for
    last month."""
    from ccms_app.analytics.reports import service
    from ccms_app.analytics.reports.filters import ReportFilter, last_month
    from ccms_app.core.listing import ListQuery

    today = network.now.astimezone(time_zone(network.zone)).date()
    report = ReportFilter(network.organisations, network.zone, *last_month(today))
    now = network.now
    return [
        Case(
            "Reports summary, last month by day",
            lambda: service.summary(report, PeriodKind.DAYS, now),
        ),
        Case(
            "Reports sessions (summary, totals, first page)",
            lambda: service.sessions(report, PeriodKind.DAYS, now, ListQuery()),
        ),
        Case("Reports energy, last month", lambda: service.energy(report, now)),
        Case("Reports availability, last month", lambda: service.availability(report, now)),
    ]


PAGE_USE_CASES: tuple[tuple[str, CaseBuilder], ...] = (
    ("ccms_app.finance.revenue", _finance_revenue),
    ("ccms_app.analytics.home_figures", _home),
    ("ccms_app.analytics.statistics*", _statistics),
    ("ccms_app.analytics.analyses*", _analyses),
    ("ccms_app.analytics.reports", _reports),
)


def page_cases(network: Network) -> list[Case]:
    found: list[Case] = []
    for name, builder in PAGE_USE_CASES:
        try:
            found += [replace(case, page=True) for case in builder(network)]
        except ImportError as error:
            print(f"page use case {name}: skipped ({error})")
    return found


# --- timing ----------------------------------------------------------------------------------


def timed_ms(call: Callable[[], object], runs: int, warm_up: bool = True) -> list[float]:
    if warm_up:
        call()
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        found.append((time.perf_counter() - began) * 1000)
    return found


def p50(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p95(samples: Sequence[float]) -> float:
    """Nearest rank: with 20 runs, the second slowest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(case: Case, args: argparse.Namespace) -> Measured:
    if case.page:
        try:
            case.view()
        except Exception as error:  # a page's API changed under the bench: say so, go on
            return Measured(case, [], failed=f"{type(error).__name__}: {error}"[:120])
    measured = Measured(case, timed_ms(case.view, args.repeat))
    if case.naive is not None:
        measured.naive_ms = timed_ms(case.naive, max(3, args.repeat // 4))
    wanted = args.exact == "all" or (args.exact == "narrowed" and not case.whole_network)
    if case.exact is not None and wanted:
        exact = None
        for _ in range(args.exact_repeat):
            began = time.perf_counter()
            exact = case.exact()
            measured.exact_ms.append((time.perf_counter() - began) * 1000)
        measured.equal = case.view() == exact
    return measured


def _ms(samples: Sequence[float], pick: Callable[[Sequence[float]], float]) -> str:
    if not samples:
        return "-"
    value = pick(samples)
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(slow: Sequence[float], fast: Sequence[float]) -> str:
    """How many times slower the raw computation is (below 1: faster than the view)."""
    if not slow or not fast or not p50(fast):
        return "-"
    ratio = p50(slow) / p50(fast)
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def report(rows: list[Measured]) -> None:
    if not rows:  # --only matched no view
        print("no figure matched --only")
        return
    width = max(len(m.case.name) for m in rows) + 2
    print(
        f"\n{'view':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'aim':>6}"
        f"{'naive p50':>11}{'ratio':>8}{'exact p50':>11}{'ratio':>9}  equal"
    )
    for m in rows:
        if m.failed:
            print(f"{m.case.name:<{width}}  failed: {m.failed}")
            continue
        aim = "pass" if p95(m.view_ms) < AIM_MS else "MISS"
        equal = "-" if m.equal is None else "yes" if m.equal else "NO"
        print(
            f"{m.case.name:<{width}}{_ms(m.view_ms, p50):>9}{_ms(m.view_ms, p95):>9}{aim:>6}"
            f"{_ms(m.naive_ms, p50):>11}{_ratio(m.naive_ms, m.view_ms):>8}"
            f"{_ms(m.exact_ms, p50):>11}{_ratio(m.exact_ms, m.view_ms):>9}  {equal}"
        )
    timed = [m for m in rows if not m.failed]
    misses = [m.case.name for m in timed if p95(m.view_ms) >= AIM_MS]
    print(
        f"\naim: p95 under {AIM_MS:.0f} ms: {len(timed) - len(misses)} pass, {len(misses)} miss"
        + (f", {len(rows) - len(timed)} failed" if len(timed) < len(rows) else "")
    )
    for name in misses:
        print(f"  miss: {name}")
    compared = [m for m in timed if m.equal is not None]
    if not compared:
        print("equal: not checked (--exact none)")
        return
    same = all(m.equal for m in compared)
    print(
        f"equal: {'yes' if same else 'no'} (roll-up against the exact raw computation, every "
        f"bucket / group of {len(compared)} views)"
    )


# --- the roll-up -----------------------------------------------------------------------------


def _count(table: type[ChargingHour] | type[NetworkHour]) -> int:
    with db.read_session() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar() or 0)


def _profiled(call: Callable[[], object], lines: int = 30) -> object:
    profile = cProfile.Profile()
    result = profile.runcall(call)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(lines)
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return result


def time_rebuild(network: Network, profile: bool) -> None:
    began = time.perf_counter()
    result = _profiled(rebuild) if profile else rebuild()
    took = time.perf_counter() - began
    sessions = network.seeded.sessions
    note = " (under cProfile)" if profile else ""
    print(
        f"rollup.rebuild(): {took:,.1f} s{note}, {getattr(result, 'cells', 0):,} charge point "
        f"hours written ({_count(NetworkHour):,} network hours), {sessions / took:,.0f} "
        f"sessions/s"
    )


def time_incremental(network: Network, path: Path) -> None:
    """1,000 new sessions: a view before the job sees them, the job's run, an idle run."""
    points = seeding.charge_points_of(path)
    seeding.add_sessions(path, points, NEW_SESSIONS)
    view = series_case(network, "network", PeriodKind.DAYS).view
    waiting = timed_ms(view, 5)
    print(
        f"charging_series network by day, {NEW_SESSIONS:,} sessions not rolled up yet: "
        f"p50 {p50(waiting):.1f} ms, p95 {p95(waiting):.1f} ms"
    )
    job = ChargingRollupJob()
    began = time.perf_counter()
    result = job.run(network.now)
    took = time.perf_counter() - began
    print(
        f"ChargingRollupJob().run() after {NEW_SESSIONS:,} new sessions: {took * 1000:,.0f} ms "
        f"({result.sessions:,} sessions, {result.cells:,} charge point hours, "
        f"{result.pending} still running)"
    )
    idle = timed_ms(lambda: job.run(network.now), 5, warm_up=False)
    print(f"ChargingRollupJob().run() with nothing new: p50 {p50(idle):.1f} ms")


# --- the database ----------------------------------------------------------------------------


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def prepared(path: Path, scale: float, cached: bool) -> seeding.Seeded:
    """A seeded database at `path`: the one seeded earlier at this scale (sessions a run added
    removed, schema upgraded), or a new one (seeded beside it, then moved in place)."""
    seeded = seeding.read_seeded(path) if cached else None
    if seeded is not None and seeded.scale == scale:
        upgrade_database(_url(path))
        removed = seeding.reset(path, seeded.last_session_id)
        print(f"reusing {path} (seeded in {seeded.seconds:,.0f} s; {removed:,} added removed)")
        return seeded
    if path.exists() and not seeding.sidecar(path).exists():
        raise SystemExit(f"{path} exists and was not seeded by this bench: not touching it")
    partial = path.with_name(path.name + ".partial")
    _remove(partial)
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(_url(partial))
    print(f"seeding {path} at scale {scale:g} ...", flush=True)
    seeded = seeding.seed(partial, scale)
    _remove(path)
    seeding.sidecar(path).unlink(missing_ok=True)
    partial.rename(path)
    seeding.write_seeded(path, seeded)
    return seeded


def describe(seeded: seeding.Seeded, path: Path) -> None:
    size = path.stat().st_size / 1024**3
    print(
        f"network: {len(seeded.organisation_ids)} organisations, {seeded.areas} areas, "
        f"{seeded.stations:,} stations, {seeded.charge_points:,} charge points, "
        f"{seeded.connectors:,} connectors; {seeded.sessions:,} ended sessions over 3 years + "
        f"{seeded.running} running, {seeded.meter_samples:,} meter samples "
        f"(seeding took {seeded.seconds:,.0f} s; {size:.2f} GB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="0.01 for a quick run")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each view (p50 / p95)")
    parser.add_argument(
        "--exact",
        choices=("all", "narrowed", "none"),
        default="all",
        help="which views get the exact raw computation (whole network: every session)",
    )
    parser.add_argument("--exact-repeat", type=int, default=1)
    parser.add_argument("--db", type=Path, help="a database this bench seeded (reused)")
    parser.add_argument("--fresh", action="store_true", help="seed a temporary database")
    parser.add_argument("--profile-rebuild", action="store_true", help="cProfile rebuild()")
    parser.add_argument("--profile", metavar="NAME", help="cProfile the views containing NAME")
    parser.add_argument("--only", metavar="NAME", help="time only the views containing NAME")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE after the roll-up (CCMS never does: the planner has no statistics)",
    )
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}; scale {args.scale:g}")
    with tempfile.TemporaryDirectory() as folder:
        if args.fresh:
            path = Path(folder) / "analytics.db"
        else:
            path = args.db or CACHE / f"analytics-scale-{args.scale:g}.db"
        seeded = prepared(path, args.scale, cached=not args.fresh)
        describe(seeded, path)
        db.set_engine(db.make_engine(_url(path)))
        try:
            run(seeded, path, args)
        finally:
            db.set_engine(None)


def run(seeded: seeding.Seeded, path: Path, args: argparse.Namespace) -> None:
    with db.read_session() as session:
        zone = organisation_zone(session, seeded.operator_id)
    network = Network(seeded, frozenset(seeded.organisation_ids), zone, seeding.NOW)
    time_rebuild(network, args.profile_rebuild)
    if args.analyze:
        began = time.perf_counter()
        with db.get_engine().begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - began:.1f} s")
    time_incremental(network, path)
    cases = figure_cases(network) + page_cases(network)
    if args.only:
        cases = [case for case in cases if args.only in case.name]
    rows = []
    for case in cases:
        if args.profile and args.profile in case.name:
            print(f"\nprofile of {case.name}:")
            _profiled(case.view)
        rows.append(measure(case, args))
    report(rows)


if __name__ == "__main__":
    main()
